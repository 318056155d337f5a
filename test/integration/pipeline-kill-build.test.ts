/**
 * kill -9 during a real kernel build, then restart (heavy: real git, make, QEMU). The demo inbox
 * is processed by a `daxbot run --once` child; while the five-patch series is being built (a
 * make or a compiler of this child is running) the child is killed with SIGKILL. Then:
 *  - nothing it started survives it (no orphaned make writing into the build folder);
 *  - a second `daxbot run --once` resumes the job, the series is bisected to patch 3/5, and
 *    exactly one reply exists;
 *  - runs recorded before the kill are kept and none is recorded twice.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../bot/store/store.ts';
import { exited, startBot } from '../helpers/bot-process.ts';
import { kernelTestsAvailable, writeDemoConfig } from '../helpers/kernel-env.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-killbuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The demo's runner, tree and mail settings, with this test's own folders and no repeats.
const writeConfig = (): string =>
  writeDemoConfig(dir, (t) => t.replace(/^ {2}confirmRepeats:.*$/m, '  confirmRepeats: 0'));

const start = (config: string): ChildProcess => startBot(config, { DAXBOT_DB: path.join(dir, 'db.sqlite') }, 'info');

/** pid -> [ppid, comm] for every process, from /proc. */
function processTable(): Map<number, [number, string]> {
  const table = new Map<number, [number, string]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm is in parentheses and may hold spaces: ppid is the 2nd field after the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.set(Number(name), [ppid, comm]);
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

function descendants(root: number, table = processTable()): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = [];
  const seen = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, [ppid, comm]] of table) {
      if (!seen.has(pid) && seen.has(ppid)) {
        seen.add(pid);
        out.push({ pid, comm });
        grew = true;
      }
    }
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

describe.skipIf(!kernelTestsAvailable())('pipeline survives kill -9 during a real kernel build (heavy)', () => {
  it(
    'kills the bot mid-make; nothing survives it; the restart completes with one reply',
    async () => {
      const config = writeConfig();
      const first = start(config);
      const firstExit = exited(first);
      let firstLog = '';
      first.stdout?.on('data', (d: Buffer) => (firstLog += d.toString()));
      first.stderr?.on('data', (d: Buffer) => (firstLog += d.toString()));
      const store = await openStore(path.join(dir, 'db.sqlite'));

      // Wait until the five-patch job is building and a compiler or make of this bot is running.
      const deadline = Date.now() + 40 * 60_000;
      let killedIn = '';
      let building: { pid: number; comm: string }[] = [];
      while (!killedIn) {
        if (Date.now() > deadline || first.exitCode !== null)
          throw new Error(`never saw the five-patch job's build:\n${firstLog.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 100));
        const job = await store.db
          .selectFrom('jobs')
          .selectAll()
          .where('version_key', 'like', 'cover.1795320939%')
          .executeTakeFirst()
          .catch(() => undefined);
        if (!job || (job.state !== 'building' && !/build|make|compil/i.test(job.progress ?? ''))) continue;
        const tree = descendants(first.pid ?? -1);
        building = tree.filter((p) => /^(make|cc1|gcc|ld|as)$/.test(p.comm));
        if (building.length > 0) killedIn = `${job.state}: ${job.progress ?? ''}`;
      }
      const before = await store.db.selectFrom('runs').select(['job_id', 'step']).execute();
      const tree = descendants(first.pid ?? -1);
      first.kill('SIGKILL');
      expect(await firstExit).toBeNull();

      // Everything the bot started dies with it (setpriv --pdeathsig, bwrap --die-with-parent).
      const gone = Date.now() + 10_000;
      while (tree.some((p) => alive(p.pid)) && Date.now() < gone) await new Promise((r) => setTimeout(r, 100));
      expect(
        tree.filter((p) => alive(p.pid)),
        `survivors of ${killedIn}`,
      ).toEqual([]);

      const t0 = Date.now();
      const second = start(config);
      let log = '';
      second.stdout?.on('data', (d: Buffer) => (log += d.toString()));
      second.stderr?.on('data', (d: Buffer) => (log += d.toString()));
      expect(await exited(second), log.slice(-4000)).toBe(0);

      const jobs = await store.db.selectFrom('jobs').selectAll().orderBy('id').execute();
      expect(jobs.map((j) => j.state)).toEqual(['done', 'done']);
      expect(jobs.map((j) => j.outcome)).toEqual(['pass', 'regression']);
      const replies = await store.db.selectFrom('replies').selectAll().execute();
      expect(replies.filter((r) => r.mailed === 1)).toHaveLength(1);
      const files = readdirSync(path.join(dir, 'outbox', 'new'));
      expect(files).toHaveLength(1);
      const reply = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8');
      expect(reply).toContain(
        'first bad commit: [PATCH 3/5] ext4: refuse DAX when the journal block size is larger than the fs block',
      );
      const after = await store.db.selectFrom('runs').select(['job_id', 'step']).execute();
      for (const r of before) expect(after).toContainEqual(r);
      expect(new Set(after.map((r) => `${r.job_id}/${r.step}`)).size).toBe(after.length);
      process.stderr.write(
        `kill -9 during build: killed in "${killedIn}" (${building.map((p) => p.comm).join(',')}), ${tree.length} processes all gone; restart finished in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
      );
      await store.close();
    },
    60 * 60_000,
  );
});
