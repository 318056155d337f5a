/**
 * kill -9 in the middle of a step, then restart: the series completes and exactly one reply
 * exists. A real `daxbot run --once` child process is killed with SIGKILL. For speed the runs
 * are scripted (DAXBOT_SCRIPTED_RUNNER: a 1.5 s pretend build per run, patch 3 crashes), so
 * this tests the pipeline's durability, not the kernel build; pipeline-demo.test.ts runs QEMU.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../bot/store/store.ts';
import { exited, startBot, writeScriptedDemoConfig } from '../helpers/bot-process.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-kill-'));

function writeConfig(): string {
  return writeScriptedDemoConfig(dir, {
    runners: ['{ name: qemu-pmem, kind: qemu-pmem, suites: [dax] }'],
    schedule: '{ confirmRepeats: 1, concurrency: 1 }',
    script: { delayMs: 1500, badPatch: 3 },
  });
}

const start = (config: string): ChildProcess =>
  startBot(config, { DAXBOT_DB: path.join(dir, 'db.sqlite'), DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json') });

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pipeline survives kill -9', () => {
  it('resumes after SIGKILL mid-build: every series completes, one reply, no step redone', async () => {
    const config = writeConfig();
    const first = start(config);
    const firstExit = exited(first);
    let firstErr = '';
    first.stderr?.on('data', (d: Buffer) => (firstErr += d.toString()));
    // Wait until the five-patch job has recorded at least one run and is inside the next one.
    const store = await openStore(path.join(dir, 'db.sqlite'));
    const deadline = Date.now() + 60_000;
    let killedIn = '';
    for (;;) {
      if (Date.now() > deadline) throw new Error(`the five-patch job never got going: ${firstErr}`);
      await new Promise((r) => setTimeout(r, 200));
      const job = await store.db
        .selectFrom('jobs')
        .selectAll()
        .where('version_key', 'like', 'cover.1795320939%')
        .executeTakeFirst()
        .catch(() => undefined);
      if (!job) continue;
      const runs = await store.db.selectFrom('runs').select('step').where('job_id', '=', job.id).execute();
      if (runs.length >= 2 && /series|bisect/.test(job.progress ?? '')) {
        killedIn = `${job.state}: ${job.progress}`;
        break;
      }
    }
    first.kill('SIGKILL');
    expect(await firstExit).toBeNull();
    const before = await store.db.selectFrom('runs').select(['job_id', 'step']).execute();

    const second = start(config);
    let stderr = '';
    second.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exited(second), stderr).toBe(0);

    const jobs = await store.db.selectFrom('jobs').selectAll().execute();
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done']);
    const replies = await store.db.selectFrom('replies').selectAll().execute();
    expect(replies.filter((r) => r.mailed === 1)).toHaveLength(1);
    expect(replies.find((r) => r.mailed === 1)?.state).toBe('sent');
    const files = readdirSync(path.join(dir, 'outbox', 'new'));
    expect(files).toHaveLength(1);
    // Steps recorded before the kill are kept, and none is recorded twice (unique per job).
    const after = await store.db.selectFrom('runs').select(['job_id', 'step']).execute();
    for (const r of before) expect(after).toContainEqual(r);
    expect(new Set(after.map((r) => `${r.job_id}/${r.step}`)).size).toBe(after.length);
    const reply = replies.find((r) => r.mailed === 1)?.raw ?? '';
    expect(reply).toContain('first bad commit: [PATCH 3/5] ext4: refuse DAX');
    expect(killedIn).not.toBe('');
    await store.close();
  }, 120_000);
});
