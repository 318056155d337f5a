/**
 * The CLI contract of `run --since`, driven as outside checks drive it: `daxbot ingest --mbox
 * old.mbox` followed by a plain `daxbot run --once` (default window 14d) tests the imported
 * series although their mail is years old, while the same run's poll of a configured source
 * (its backfill, mail older than the window) queues nothing. No kernel is built: runs are
 * scripted (DAXBOT_SCRIPTED_RUNNER), the base is resolved in a scratch git tree.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, writeScriptedDemoConfig } from '../helpers/bot-process.ts';

const run = promisify(execFile);
// Mail of May 2024 (test/fixtures/cli/small-series.mbox); the live source holds the demo inbox.
const OLD_MBOX = path.join(repoRoot, 'test/fixtures/cli/small-series.mbox');
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-since-'));
const env = {
  DAXBOT_DB: path.join(dir, 'db.sqlite'),
  DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json'),
  DAXBOT_LOG_LEVEL: 'warn',
};

async function daxbot(config: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(repoRoot, 'bin/daxbot.js'), '--config', config, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  });
  return stdout;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --once after ingest --mbox (CLI contract)', () => {
  it('tests an explicitly imported old series under the default --since, but not a live source backfill', async () => {
    const config = writeScriptedDemoConfig(dir, {
      runners: ['{ name: qemu-pmem, kind: qemu-pmem, suites: [dax] }'],
      schedule: '{ confirmRepeats: 1, concurrency: 1 }',
      script: { delayMs: 0, badPatch: null },
    });
    await daxbot(config, ['ingest', '--mbox', OLD_MBOX]);
    // Default --since (14d); this run also polls the configured "demo" source, whose mail is old.
    const out = await daxbot(config, ['run', '--once']);
    expect(out).toMatch(/run --once: 2 new job\(s\), 2 processed \(#1 done, #2 done\)/);

    const versions = (await daxbot(config, ['series', 'list', '--json']))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; rootMessageId: string; project: string });
    const imported = versions.filter((v) => /^v[12]-0@example\.org$/.test(v.rootMessageId)).map((v) => v.key);
    const live = versions.filter((v) => v.project === 'kernel' && !imported.includes(v.key)).map((v) => v.key);
    expect(imported).toHaveLength(2);
    expect(live.length).toBeGreaterThanOrEqual(2);

    const status = JSON.parse(await daxbot(config, ['status', '--all', '--json'])) as {
      jobs: { series: string; state: string; outcome: string }[];
      undeliveredReplies: unknown[];
    };
    expect(status.jobs.map((j) => j.series).sort()).toEqual([...imported].sort());
    expect(status.jobs.every((j) => j.state === 'done' && j.outcome === 'pass')).toBe(true);
    expect(status.undeliveredReplies).toEqual([]);

    // Nothing is tested twice, and the backfill stays untested on later runs.
    expect(await daxbot(config, ['run', '--once'])).toMatch(/run --once: 0 new job\(s\), 0 processed/);
    // `--since all` is still the way to test everything untested.
    expect(await daxbot(config, ['run', '--once', '--since', 'all', '--no-ingest'])).toMatch(
      new RegExp(`run --once: ${live.length} new job\\(s\\)`),
    );
  }, 180_000);
});
