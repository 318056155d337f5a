/**
 * Patchwork checks against a real Patchwork v3.1.3 (../shared/upstream, on Debian's Django with
 * SQLite; test/helpers/servers/patchwork.ts). The demo inbox goes into Patchwork through its own
 * `manage.py parsemail`, and into daxbot from the same mbox; a real `daxbot run --once` child
 * with an `outputs: [{ kind: patchwork }]` section tests both series on two runners (scripted
 * runs, patch 3 of the five crashes: the pipeline is real, the kernel is not; the demo test
 * runs QEMU) and posts checks. They are read back through Patchwork's REST API.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobOutputPosts } from '../../bot/store/output-posts.ts';
import { listJobs } from '../../bot/store/jobs.ts';
import { jobRunRefs } from '../../bot/store/runs.ts';
import { openStore } from '../../bot/store/store.ts';
import { splitMbox } from '../../ingest/sources/mbox-split.ts';
import { exited, repoRoot, startBot, writeScriptedDemoConfig } from '../helpers/bot-process.ts';
import { patchworkAvailable, startPatchwork, type RunningPatchwork } from '../helpers/servers/patchwork.ts';

const available = patchworkAvailable();
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-patchwork-test-'));
const DASHBOARD = 'https://daxbot.example.org';
let pw: RunningPatchwork | undefined;

beforeAll(async () => {
  if (!available) return;
  pw = await startPatchwork({
    linkname: 'nvdimm',
    listId: 'nvdimm.lists.linux.dev',
    listEmail: 'nvdimm@lists.linux.dev',
  });
  for (const mail of splitMbox(readFileSync(path.join(repoRoot, 'test/fixtures/demo/inbox.mbox'))))
    await pw.parsemail(mail);
}, 300_000);

afterAll(async () => {
  await pw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Check {
  state: string;
  context: string;
  target_url: string | null;
  description: string | null;
}

async function api<T>(p: string): Promise<T> {
  const res = await fetch(`${pw?.url}/api/1.2${p}`);
  if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
  return (await res.json()) as T; // Patchwork's documented answer; the assertions check it
}

async function checksOf(messageId: string): Promise<Check[]> {
  const [patch] = await api<{ id: number }[]>(`/patches/?msgid=${encodeURIComponent(messageId)}&project=nvdimm`);
  if (!patch) throw new Error(`${messageId} is not in Patchwork`);
  return api<Check[]>(`/patches/${patch.id}/checks/?order=id`);
}

function runBot(config: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = startBot(config, { DAXBOT_DB: path.join(dir, 'db.sqlite'), ...env });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return exited(child).then((code) => ({ code, stderr }));
}

describe.skipIf(!available)('Patchwork checks on a real Patchwork v3.1.3', () => {
  it('posts pending, then each runner’s result on every patch, linking the run page', async () => {
    if (!pw) throw new Error('patchwork did not start');
    const config = writeScriptedDemoConfig(dir, {
      runners: ['{ name: qemu-pmem, kind: qemu-pmem, suites: [dax] }', '{ name: nfit-sim, kind: nfit-sim }'],
      schedule: '{ confirmRepeats: 0, concurrency: 1 }',
      script: { delayMs: 0, badPatch: 3 },
      mail: [`dashboardUrl: ${DASHBOARD}`],
      extra: ['outputs:', `  - { kind: patchwork, url: "${pw.url}", project: nvdimm }`],
    });
    const env = { DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json'), DAXBOT_PATCHWORK_TOKEN: pw.token };
    const first = await runBot(config, env);
    expect(first.code, first.stderr).toBe(0);

    const store = await openStore(path.join(dir, 'db.sqlite'));
    const jobs = await listJobs(store.db);
    expect(jobs.map((j) => j.state)).toEqual(['done', 'done', 'done', 'done']);
    for (const job of jobs) {
      const posts = await jobOutputPosts(store.db, job.id);
      expect(posts.map((p) => [p.event, p.state])).toEqual([
        ['start', 'sent'],
        ['result', 'sent'],
      ]);
      const runId = (await jobRunRefs(store.db, job.id)).seriesRunId;
      const version = await store.db
        .selectFrom('series_versions')
        .select('data')
        .where('version_key', '=', job.versionKey)
        .executeTakeFirstOrThrow();
      const patches = (JSON.parse(version.data) as { patches: { counter: number; messageId: string }[] }).patches;
      const bad = job.versionKey.startsWith('cover.1795320939');
      for (const p of patches) {
        const mine = (await checksOf(p.messageId)).filter((c) => c.context === `daxbot-${job.runner}`);
        const want = !bad || p.counter < 3 ? 'success' : 'fail';
        expect(
          mine.map((c) => c.state),
          `${job.runner} ${p.counter}`,
        ).toEqual(['pending', want]);
        expect(mine[0]?.target_url).toBe(`${DASHBOARD}/series/${encodeURIComponent(job.versionKey)}`);
        expect(mine[1]?.target_url).toBe(`${DASHBOARD}/runs/${runId}`);
        for (const c of mine) expect(c.description).toMatch(/^[^\n]{1,200}$/);
        if (bad && p.counter === 3) expect(mine[1]?.description).toMatch(/^first bad patch: /);
      }
    }

    // A result post repeated (as after a kill between posting and recording it) finds its checks
    // already there, through Patchwork's own newest-check query, and adds none.
    const [first5] = jobs.filter((j) => j.versionKey.startsWith('cover.1795320939'));
    await store.db
      .updateTable('output_posts')
      .set({ state: 'pending', sent_at: null })
      .where('job_id', '=', first5?.id ?? -1)
      .where('event', '=', 'result')
      .execute();
    const second = await runBot(config, env);
    expect(second.code, second.stderr).toBe(0);
    const again = (await jobOutputPosts(store.db, first5?.id ?? -1)).find((p) => p.event === 'result');
    expect([again?.state, again?.detail]).toEqual([
      'sent',
      `0 daxbot-${first5?.runner} checks posted, 5 already there`,
    ]);
    // Two contexts, two checks each, on patch 1 of the five.
    expect(await checksOf('adef441b18d26594ca33508dbb589a7ec393075c.1795320939.git.ann@example.org')).toHaveLength(4);
    await store.close();
  }, 300_000);
});
