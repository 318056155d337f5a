/**
 * A fleet of workers on one real PostgreSQL server (issue 12, must-show 7): two `daxbot run`
 * processes, each a "machine" of its own (DAXBOT_WORKER names it; its own cache, work and outbox
 * folders, its own clone of the tree), share one store. Several jobs are queued (the demo inbox's
 * two series on two runners). Each job is done by one worker; worker A is killed with SIGKILL in
 * the middle of a job; its lease (4 s here) expires and worker B takes the job from the step it
 * was in (no recorded step runs again), and exactly one reply is sent. Runs are scripted
 * (DAXBOT_SCRIPTED_RUNNER): this is about sharing the queue, not kernels.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../bot/store/store.ts';
import { exited, repoRoot, startBot } from '../helpers/bot-process.ts';
import { findPostgresBin, startPostgres, type PostgresServer } from '../helpers/servers/postgres.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-fleet-'));

/** One machine's config: the shared store, its own folders and its own clone of the tree. */
function machineConfig(name: string, url: string, origin: string): string {
  const home = path.join(dir, name);
  mkdirSync(home);
  execFileSync('git', ['clone', '-q', origin, path.join(home, 'tree')]);
  const mbox = path.join(repoRoot, 'test/fixtures/demo/inbox.mbox');
  const file = path.join(home, 'config.yaml');
  writeFileSync(
    file,
    [
      `database: ${url}`,
      `cacheDir: ${home}/cache`,
      `workDir: ${home}/work`,
      'sources:',
      `  - { kind: mbox, name: demo, path: ${mbox} }`,
      'trees:',
      `  - { name: linux-6.1, path: ${home}/tree }`,
      'runners:',
      '  - { name: qemu-pmem, kind: qemu-pmem, suites: [dax] }',
      '  - { name: nfit-sim, kind: nfit-sim, suites: [nfit-sim] }',
      'mail:',
      `  outbox: ${home}/outbox`,
      // The demo series apply to no commit of the scratch tree (base discovery finds no base);
      // scripted runs apply nothing, so they are tested on its head, as under `always`.
      '  applyFailures: always',
      "schedule: { confirmRepeats: 1, concurrency: 1, lease: '4s' }",
      '',
    ].join('\n'),
  );
  return file;
}

interface Worker {
  child: ChildProcess;
  exit: Promise<number | null>;
  /** Job ids this worker logged a step of. */
  jobs: Set<number>;
  /** Job ids this worker logged anything about (a step, the group's reply, the end). */
  seen: Set<number>;
  stderr: () => string;
}

function startWorker(name: string, config: string): Worker {
  const child = startBot(
    config,
    { DAXBOT_WORKER: name, DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json'), DAXBOT_LOG_FORMAT: 'json' },
    'info',
  );
  const jobs = new Set<number>();
  const seen = new Set<number>();
  let err = '';
  let partial = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const job = /"job":(\d+)/.exec(l)?.[1];
      if (job) seen.add(Number(job));
      if (job && /"step":/.test(l)) jobs.add(Number(job));
    }
  });
  return { child, exit: exited(child), jobs, seen, stderr: () => err };
}

function outboxFiles(name: string): string[] {
  const folder = path.join(dir, name, 'outbox', 'new');
  return existsSync(folder) ? readdirSync(folder) : [];
}

async function waitFor<T>(what: string, f: () => Promise<T | null>, ms = 90_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe.skipIf(!findPostgresBin())('a fleet of workers on one PostgreSQL store', () => {
  let server: PostgresServer;
  let store: Store;
  beforeAll(async () => {
    server = await startPostgres();
    store = await openStore(server.url);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('each job done by one worker; a worker killed mid-job loses it to the other after the lease', async () => {
    const origin = path.join(dir, 'origin');
    execFileSync('git', ['init', '-q', origin]);
    const id = ['-c', 'user.name=t', '-c', 'user.email=t@example.org'];
    execFileSync('git', ['-C', origin, ...id, 'commit', '-q', '--allow-empty', '-m', 'base']);
    writeFileSync(path.join(dir, 'script.json'), JSON.stringify({ delayMs: 1200, badPatch: 3 }));
    const configA = machineConfig('a', server.url, origin);
    const configB = machineConfig('b', server.url, origin);

    const a = startWorker('a', configA);
    const b = startWorker('b', configB);
    // Kill A once it holds a job and has recorded at least one of its steps.
    const held = await waitFor('worker A inside a job', async () => {
      const job = await store.db
        .selectFrom('jobs')
        .select(['id', 'state', 'progress'])
        .where('lease_owner', 'like', 'a:%')
        .executeTakeFirst();
      if (!job) return null;
      const runs = await store.db.selectFrom('runs').select('step').where('job_id', '=', job.id).execute();
      return runs.length >= 1 ? { ...job, steps: runs.map((r) => r.step) } : null;
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}\nA: ${a.stderr().slice(-3000)}\nB: ${b.stderr().slice(-3000)}`);
    });
    a.child.kill('SIGKILL');
    expect(await a.exit).toBeNull();
    // Under load A may have finished the job between the look and the kill: then nobody takes it.
    const atKill = await store.db
      .selectFrom('jobs')
      .select('state')
      .where('id', '=', held.id)
      .executeTakeFirstOrThrow();
    const stepsBefore = await store.db.selectFrom('runs').select(['job_id', 'step']).execute();

    // B finishes what it can; A's job stays leased to the dead machine until the lease expires.
    expect(await b.exit, b.stderr()).toBe(0);
    const stuck = await store.db.selectFrom('jobs').selectAll().where('id', '=', held.id).executeTakeFirstOrThrow();
    if (stuck.state !== 'done') {
      await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(stuck.lease_expires_at ?? '') - Date.now()) + 200));
      const again = startWorker('b', configB);
      expect(await again.exit, again.stderr()).toBe(0);
      for (const j of again.jobs) b.jobs.add(j);
      for (const j of again.seen) b.seen.add(j);
    }

    const jobs = await store.db.selectFrom('jobs').select(['id', 'state', 'lease_owner']).orderBy('id').execute();
    expect(jobs.length).toBeGreaterThanOrEqual(4);
    for (const j of jobs) expect(j.state).toBe('done');
    // Each job's steps by one worker, except the one A was killed in, which B finished.
    for (const j of jobs) {
      if (j.id === held.id) continue;
      const by = [a.jobs.has(j.id) ? 'a' : '', b.jobs.has(j.id) ? 'b' : ''].join('');
      expect(by, `job ${j.id}`).toHaveLength(1);
    }
    if (atKill.state !== 'done') expect(b.seen.has(held.id), `B took over job ${held.id}`).toBe(true);
    console.log(
      `fleet: ${jobs.length} jobs; A killed in job ${held.id} (${atKill.state}, steps ${held.steps.join(' ')}); ` +
        `steps by A: ${[...a.jobs].join(',')}, by B: ${[...b.jobs].join(',')}`,
    );
    // From the step it was in: A's steps are kept and none is recorded twice.
    const after = await store.db.selectFrom('runs').select(['job_id', 'step']).execute();
    for (const r of stepsBefore) expect(after).toContainEqual(r);
    expect(new Set(after.map((r) => `${r.job_id}/${r.step}`)).size).toBe(after.length);
    // Exactly one reply (the regression in the five-patch series), sent once, by one machine.
    const replies = await store.db.selectFrom('replies').selectAll().where('mailed', '=', 1).execute();
    expect(replies).toHaveLength(1);
    expect(replies[0]?.state).toBe('sent');
    expect(outboxFiles('a').length + outboxFiles('b').length).toBe(1);
  }, 300_000);
});
