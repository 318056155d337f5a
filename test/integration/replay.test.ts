/**
 * `daxbot replay` as users run it (the CLI in a child process):
 *  - apply-only over one month of the real nvdimm archive with the real Debian 6.1 tree: every
 *    kernel series version of the window gets a row, the totals are the last JSON line, and no
 *    apply failure is mailed (issue 11 must-show 1 runs the whole window on both trees: the bench);
 *  - the full pipeline on the demo inbox with the real tree and scripted runs (no kernel built):
 *    the regressions' replies are written to replay/ beside the outbox, never to the outbox.
 * Skipped when the corpus or the kernel tools are absent.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { ensureLinuxTree } from '../../runners/tree/setup.ts';
import { daxbot, jsonLines } from '../helpers/cli.ts';
import { kernelCacheDir, kernelTestsAvailable, repoRoot } from '../helpers/kernel-env.ts';

const ARCHIVE = path.join(repoRoot, '..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');
const DEMO = path.join(repoRoot, 'test', 'fixtures', 'demo', 'inbox.mbox');
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-replay-'));

interface Row {
  versionKey: string;
  date: string;
  outcome: string;
  applied: boolean;
  tree: string | null;
  wouldMail: boolean;
  replyFile?: string;
}

function writeConfig(name: string, extra: string[] = []): string {
  const file = path.join(dir, `${name}.yaml`);
  const lines = [
    `database: ${dir}/${name}.sqlite`,
    `cacheDir: ${kernelCacheDir}`,
    `workDir: ${dir}/${name}-work`,
    'trees:',
    '  - { name: linux-6.1, debian: "6.1", branch: HEAD, lists: [nvdimm.lists.linux.dev] }',
    `mail: { outbox: ${dir}/${name}-mail/outbox }`,
    ...extra,
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const available = kernelTestsAvailable();
beforeAll(async () => {
  if (available) await ensureLinuxTree(kernelCacheDir, silentLogger());
}, 1_800_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!available || !existsSync(ARCHIVE))('replay --apply-only of the real nvdimm archive', () => {
  it('gives every kernel series of December 2022 a row, the totals last, and mails nothing', async () => {
    const config = writeConfig('archive');
    const args = ['--config', config, 'replay', '--mbox', ARCHIVE, '--from', '2022-12-01', '--to', '2023-01-01'];
    const r = await daxbot([...args, '--apply-only', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const totals = lines.pop() as { series: number; applied: number; noBase: number; wouldMail: number };
    const rows = lines as Row[];
    expect(rows).toHaveLength(totals.series);
    // The 16 kernel series versions first posted that month; 5 apply to Debian's 6.1.192.
    expect(totals).toMatchObject({ series: 16, applied: 5, noBase: 11, wouldMail: 0 });
    expect(rows.map((x) => x.date)).toEqual([...rows.map((x) => x.date)].sort());
    expect(rows.filter((x) => x.applied).every((x) => x.tree === 'linux-6.1')).toBe(true);

    // The same store again, as text, one week: a line per version and the totals.
    const text = await daxbot([...args.slice(0, 3), '--from', '2022-12-01', '--to', '2022-12-08', '--apply-only']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^2022-12-0\d {2}(applied|no-base)/m);
    expect(text.stdout).toMatch(/^series: \d+, applied: \d+, no base: \d+, .* would mail: 0$/m);
  }, 900_000);
});

describe.skipIf(!available)('replay of the full pipeline (scripted runs, the real tree)', () => {
  it('writes the replies that would be mailed to replay/ beside the outbox and nothing to the outbox', async () => {
    const config = writeConfig('demo', ['runners:', '  - { name: qemu-pmem, kind: qemu-pmem, suites: [dax] }']);
    writeFileSync(path.join(dir, 'script.json'), JSON.stringify({ delayMs: 0, badPatch: 2 }));
    const env = { DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json') };
    const args = ['--config', config, 'replay', '--mbox', DEMO, '--from', '2026-01-01', '--to', '2026-02-01', '--json'];
    const r = await daxbot(args, { env });
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const totals = lines.pop() as { series: number; applied: number; wouldMail: number };
    const rows = lines as Row[];
    expect(totals).toMatchObject({ series: 2, applied: 2, wouldMail: 2 });
    expect(rows.map((x) => x.outcome)).toEqual(['regression', 'regression']);
    expect(rows.every((x) => x.replyFile?.startsWith('outbox:new/'))).toBe(true);
    expect(readdirSync(path.join(dir, 'demo-mail', 'replay', 'new'))).toHaveLength(2);
    expect(existsSync(path.join(dir, 'demo-mail', 'outbox'))).toBe(false);
  }, 600_000);
});
