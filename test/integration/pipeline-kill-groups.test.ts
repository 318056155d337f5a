/**
 * kill -9 at arbitrary moments while series are tested on two runners: a real `daxbot run
 * --once` child is killed again and again (runs are scripted through DAXBOT_SCRIPTED_RUNNER, a
 * short pretend build each, patch 3 crashes) until a run finishes. Then every job is done, each
 * group has at most one reply, and the outbox holds exactly one mail: the five-patch series'
 * reply with a row per runner.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../bot/store/store.ts';
import { exited, startBot, writeScriptedDemoConfig } from '../helpers/bot-process.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-kill-groups-'));

function writeConfig(): string {
  return writeScriptedDemoConfig(dir, {
    runners: [
      '{ name: qemu-pmem, kind: qemu-pmem, suites: [dax] }',
      '{ name: nfit-sim, kind: nfit-sim, suites: [nfit-sim] }',
    ],
    // Two workers, so siblings also finish at the same moment.
    schedule: '{ confirmRepeats: 1, concurrency: 2 }',
    script: { delayMs: 250, badPatch: 3 },
  });
}

const start = (config: string): ChildProcess =>
  startBot(config, { DAXBOT_DB: path.join(dir, 'db.sqlite'), DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json') });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('two runners survive kill -9', () => {
  it('killed at many moments, every job finishes and one reply with a row per runner is mailed once', async () => {
    const config = writeConfig();
    let kills = 0;
    let stderr = '';
    // Kill points spread over the whole run (startup takes about a second): early ones land in
    // ingest and enqueue, later ones in runs, verdict records and the group's reply.
    const delays = [700, 1200, 1700, 2200, 2700, 3200, 3700, 4200, 4700, 5200];
    for (let i = 0; ; i++) {
      const child = start(config);
      const done = exited(child);
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      const delay = delays[i];
      if (delay === undefined) {
        expect(await done, stderr).toBe(0);
        break;
      }
      const code = await Promise.race([done, new Promise<'timer'>((r) => setTimeout(() => r('timer'), delay))]);
      if (code !== 'timer') {
        expect(code, stderr).toBe(0);
        break;
      }
      child.kill('SIGKILL');
      await done;
      kills++;
    }
    expect(kills).toBeGreaterThan(2);

    const store = await openStore(path.join(dir, 'db.sqlite'));
    const jobs = await store.db.selectFrom('jobs').selectAll().orderBy('id').execute();
    expect(jobs).toHaveLength(4);
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(new Set(jobs.map((j) => j.group_id)).size).toBe(2);
    const replies = await store.db.selectFrom('replies').selectAll().where('kind', '=', 'result').execute();
    // The clean series is recorded (replyOnPass is off), the crashing one mailed: one per group.
    expect(replies.map((r) => [r.outcome, r.mailed, r.state]).sort()).toEqual([
      ['pass', 0, 'recorded'],
      ['regression', 1, 'sent'],
    ]);
    expect(new Set(replies.map((r) => r.group_id)).size).toBe(2);
    const files = readdirSync(path.join(dir, 'outbox', 'new'));
    expect(files).toHaveLength(1);
    const mail = readFileSync(path.join(dir, 'outbox', 'new', files[0] ?? ''), 'utf8').replace(/\r\n/g, '\n');
    expect(mail).toMatch(/^ {2}qemu-pmem +regression +crash: /m);
    expect(mail).toMatch(/^ {2}nfit-sim +regression +crash: /m);
    expect(mail.match(/^first bad commit: \[PATCH 3\/5\] ext4: refuse DAX/gm)).toHaveLength(2);
    // Steps recorded before a kill are never recorded twice (unique per job).
    const runs = await store.db.selectFrom('runs').select(['job_id', 'step']).execute();
    expect(new Set(runs.map((r) => `${r.job_id}/${r.step}`)).size).toBe(runs.length);
    process.stderr.write(`pipeline kill groups: ${kills} kills\n`);
    await store.close();
  }, 300_000);
});
