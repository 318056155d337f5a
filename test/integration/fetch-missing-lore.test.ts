/**
 * A partial series completed from a local lore (must-show 8 of issue 11). The bot's list was
 * Cc'd on patch 2/3 only (and the cover); the other patches are on a real public-inbox-httpd that
 * serves an "all lists" inbox holding the whole series. `daxbot run --once` ingests the list's
 * mail, fetches the rest of the thread by Message-ID from that inbox (allLists.url), stores it as
 * source `all-lists`, assembles the series complete and tests it. Tested means the pipeline with
 * the scripted runner (DAXBOT_SCRIPTED_RUNNER, no kernel built): its script crashes the kernel
 * only when patch 3 is applied, so a regression blamed on 3/3 proves the fetched patches were in
 * the test. The same mail without the fetch stays partial and its job waits.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../bot/store/store.ts';
import { repoRoot } from '../helpers/bot-process.ts';
import {
  createTestInbox,
  publicInboxAvailable,
  startPublicInboxHttpd,
  type RunningHttpd,
  type TestInbox,
} from '../helpers/servers/public-inbox.ts';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-fetch-missing-'));
// Recent mail: the pipeline still waits for an incomplete series, so it is worth completing.
const sent = new Date(Date.now() - 30 * 60_000);

function patchMail(k: number, opts: { cc: string }): string {
  const id = `fm-${k}@example.org`;
  const subject = k === 0 ? '[PATCH 0/3] mm: page cache and dax' : `[PATCH ${k}/3] mm: step ${k}`;
  const body =
    k === 0
      ? ['Three steps; nvdimm only sees the one that touches it.', '', ' 3 files changed, 3 insertions(+)', '']
      : [
          `Step ${k}.`,
          '',
          'Signed-off-by: Mia Author <mia@example.org>',
          '---',
          ` f${k}.c | 1 +`,
          ' 1 file changed, 1 insertion(+)',
          '',
          `diff --git a/f${k}.c b/f${k}.c`,
          'index 0000000..1111111 100644',
          `--- a/f${k}.c`,
          `+++ b/f${k}.c`,
          '@@ -1 +1,2 @@',
          ' a',
          `+step ${k}`,
          '',
        ];
  return [
    'From: Mia Author <mia@example.org>',
    'To: linux-mm@kvack.org',
    `Cc: ${opts.cc}`,
    `Subject: ${subject}`,
    `Message-ID: <${id}>`,
    ...(k === 0 ? [] : ['In-Reply-To: <fm-0@example.org>', 'References: <fm-0@example.org>']),
    `Date: ${new Date(sent.getTime() + k * 1000).toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    ...body,
  ].join('\n');
}

function writeConfig(name: string, allLists: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `workDir: ${dir}/work-${name}`,
      'sources:',
      `  - { kind: mbox, name: nvdimm, path: ${path.join(dir, 'nvdimm.mbox')} }`,
      'trees:',
      `  - { name: linux-6.1, path: ${path.join(dir, 'tree')} }`,
      'runners:',
      '  - { name: qemu-pmem, kind: qemu-pmem, suites: [dax] }',
      'mail:',
      `  outbox: ${dir}/outbox-${name}`,
      'schedule: { confirmRepeats: 0, concurrency: 1 }',
      `allLists: ${allLists}`,
      '',
    ].join('\n'),
  );
  return file;
}

async function daxbot(config: string, db: string, args: string[]): Promise<string> {
  return (await daxbotOut(config, db, args)).stdout;
}

async function daxbotOut(config: string, db: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    DAXBOT_DB: db,
    DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json'),
    DAXBOT_LOG_LEVEL: 'warn',
  };
  return run(process.execPath, [path.join(repoRoot, 'bin/daxbot.js'), '--config', config, ...args], {
    cwd: repoRoot,
    env,
  });
}

interface StatusJob {
  series: string;
  state: string;
  outcome: string | null;
}

describe.skipIf(!publicInboxAvailable)('missing patches fetched from a local lore (all-lists inbox)', () => {
  let inbox: TestInbox;
  let httpd: RunningHttpd | undefined;

  beforeAll(async () => {
    inbox = createTestInbox('all');
    // The archive of all lists has every patch.
    for (const k of [0, 1, 2, 3]) inbox.deliver(patchMail(k, { cc: inbox.address }));
    httpd = await startPublicInboxHttpd(inbox);
    // The nvdimm list got the cover and 2/3 only.
    const mbox = [0, 2].map(
      (k) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${patchMail(k, { cc: 'nvdimm@lists.linux.dev' })}\n`,
    );
    writeFileSync(path.join(dir, 'nvdimm.mbox'), mbox.join(''));
    writeFileSync(path.join(dir, 'script.json'), JSON.stringify({ delayMs: 0, badPatch: 3 }));
    const tree = path.join(dir, 'tree');
    await run('git', ['init', '-q', tree]);
    await run('git', [
      '-C',
      tree,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@e',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'base',
    ]);
  }, 60_000);

  afterAll(async () => {
    await httpd?.stop();
    inbox?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fetches the thread, assembles it complete and tests all three patches', async () => {
    const config = writeConfig('fetch', `{ url: "${httpd!.inboxUrl}", fetchDelay: 1m }`);
    const db = path.join(dir, 'fetch.sqlite');
    const out = await daxbot(config, db, ['run', '--once', '--since', 'all']);
    expect(out).toMatch(/run --once: 1 new job\(s\), 1 processed/);

    const [v] = (await daxbot(config, db, ['series', 'list', '--json']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; present: number; expected: number; complete: boolean });
    expect(v).toMatchObject({ present: 3, expected: 3, complete: true });

    // Stored like other mail, with the archive as its source and the thread URL as its origin.
    const store = await openStore(db);
    try {
      const rows = await store.db
        .selectFrom('messages')
        .select(['message_id', 'source', 'origin'])
        .where('dup_of', 'is', null)
        .orderBy('id')
        .execute();
      const bySource = (s: string): string[] => rows.filter((r) => r.source === s).map((r) => r.message_id);
      expect(bySource('nvdimm')).toEqual(['fm-0@example.org', 'fm-2@example.org']);
      expect(bySource('all-lists').sort()).toEqual(['fm-1@example.org', 'fm-3@example.org']);
      const origin = rows.find((r) => r.message_id === 'fm-1@example.org')?.origin ?? '';
      expect(origin).toBe(`${httpd!.inboxUrl}fm-0%40example.org/t.mbox.gz`);
    } finally {
      await store.close();
    }

    // Patch 3 (fetched) crashes the scripted kernel: the test ran the whole series and blamed it.
    const status = JSON.parse(await daxbot(config, db, ['status', '--all', '--json'])) as { jobs: StatusJob[] };
    expect(status.jobs).toEqual([expect.objectContaining({ series: v!.key, state: 'done', outcome: 'regression' })]);
    const show = await daxbot(config, db, ['series', 'am', 'fm-2@example.org', '-o', path.join(dir, 'am.mbx')]);
    expect(show).toMatch(/wrote 3 patches of v1/);
  }, 180_000);

  it('without the fetch the series stays partial and its job waits', async () => {
    const config = writeConfig('nofetch', '{ fetchMissing: false }');
    const db = path.join(dir, 'nofetch.sqlite');
    expect(await daxbot(config, db, ['run', '--once', '--since', 'all'])).toMatch(/run --once: 1 new job\(s\)/);
    const status = JSON.parse(await daxbot(config, db, ['status', '--all', '--json'])) as { jobs: StatusJob[] };
    expect(status.jobs).toEqual([expect.objectContaining({ state: 'waiting' })]);
    // `series am` writes what is there, as b4 does, and says what is missing.
    const am = await daxbotOut(config, db, ['series', 'am', 'fm-2@example.org', '-o', path.join(dir, 'partial.mbx')]);
    expect(am.stdout).toMatch(/wrote 1 patches of v1/);
    expect(am.stderr).toMatch(/v1 is incomplete: 1 of 3 patches present, missing 1, 3/);
  }, 120_000);
});
