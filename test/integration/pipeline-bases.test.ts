/**
 * The pipeline on a tree that moves, with real git end to end: the configured tree is a git
 * remote (a bare repository on this machine, served over file://) that the test advances between
 * polls; jobs find their base through the real boundary (bot/jobs/base-io.ts: the clone fetched
 * when older than its schedule, commits fetched by id, blob matching, trial `git am -3`), and the
 * runner applies each series with the real runners' code (runners/core/kernel-run.ts applyInSlot,
 * `git am -3` in a worktree of the clone). Only the kernel is left out: a run that applies passes,
 * and each run is recorded with its base so the test can count baseline runs per commit (the
 * pipeline-demo test builds and boots real kernels). Shown here (issue 11, must show 3-6):
 *  - a branch advances between two polls; the next series is tested on the new head, and the new
 *    head's baseline runs once for every series tested there;
 *  - a base-commit the clone lacks is fetched from the remote and the series tested on it;
 *  - a series made on an older commit, without base-commit, is tested there (blob matching), and
 *    the reply says so;
 *  - a series that conflicts with every head and has no certain base is recorded as untestable
 *    with its attempts, and nothing is mailed; the same series with a base-commit the bot has is
 *    mailed, naming the conflicting file.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBaseIo } from '../../bot/jobs/base-io.ts';
import { baseRecordView } from '../../bot/jobs/base-record.ts';
import { silentLogger } from '../../bot/log.ts';
import { runCycle } from '../../bot/queue/cycle.ts';
import { listJobs } from '../../bot/store/jobs.ts';
import { versionReplies } from '../../bot/store/replies.ts';
import { saveSeriesVersions } from '../../bot/store/series.ts';
import { openStore } from '../../bot/store/store.ts';
import { configSchema } from '../../config/schema.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { applyInSlot } from '../../runners/core/kernel-run.ts';
import { readFetchState } from '../../runners/tree/remote.ts';
import { treeRepoPath } from '../../runners/tree/remote-plan.ts';
import type { RunRequest, Runner } from '../../runners/types.ts';
import { daxbot } from '../helpers/cli.ts';
import { commitFiles, editLine, formatPatches, git, initBare, initRepo, lines } from '../helpers/git-repo.ts';
import { fakeDeps, FakeSender, runResult, version } from '../helpers/pipeline-fakes.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'daxbot-pipeline-bases-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cacheDir = path.join(tmp, 'cache');
const log = silentLogger();

// The remote: nvdimm's libnvdimm-for-next, advanced by the test through a working clone.
const upstream = initBare(path.join(tmp, 'nvdimm.git'));
const url = `file://${upstream}`;
const work = initRepo(path.join(tmp, 'nvdimm-work'));
const pmem = lines('pmem');
const bus = lines('bus');
const h1 = commitFiles(work, { 'drivers/nvdimm/pmem.c': pmem, 'drivers/nvdimm/bus.c': bus }, 'nvdimm: one');
const push = (ref = 'libnvdimm-for-next'): void => void git(work, 'push', '-q', upstream, `HEAD:refs/heads/${ref}`);
push();

const config = configSchema.parse({
  runners: [{ name: 'fake', kind: 'qemu-pmem', suites: ['dax'] }],
  schedule: { confirmRepeats: 1, incompleteWait: '1h' },
  mail: { replyOnPass: true },
  trees: [{ name: 'nvdimm', url, branches: ['libnvdimm-for-next'], schedule: '*/15 * * * *' }],
});
const treePath = (name: string): string =>
  treeRepoPath(config.trees.find((t) => t.name === name) ?? { name }, cacheDir, tmp);

/** Applies with the real runners' `git am -3` in a worktree of the clone; a series that applies passes. */
class ApplyingRunner implements Runner {
  readonly name = 'fake';
  readonly description = 'real git am -3 on the base, no kernel';
  calls: { base: string; series: boolean }[] = [];
  async run(req: RunRequest) {
    const result = runResult({ tree: req.tree });
    const ok = await applyInSlot(req, path.join(req.workDir, 'slot'), result, () => undefined);
    this.calls.push({ base: result.base ?? req.base, series: req.mbox !== undefined });
    return ok ? result : { ...result, tests: [], build: null, booted: false };
  }
}

const runner = new ApplyingRunner();
const sender = new FakeSender();
const store = await openStore(path.join(tmp, 'db.sqlite'));
let clock = new Date('2025-01-01T10:01:00Z');
const mboxes = new Map<string, string>();
const deps = fakeDeps(store, runner, sender, {
  config,
  now: () => clock,
  treePath,
  resolveCommit: async () => null,
  exportMbox: async (key) => Buffer.from(mboxes.get(key) ?? ''),
  bases: createBaseIo({ cacheDir, trees: config.trees, log, now: () => clock, prerequisites: async () => [] }),
});

/** An author's series: one patch per edit, made on `at` in a throwaway clone of the remote. */
function authorSeries(name: string, at: string, edits: Record<string, string>[]): string {
  const w = path.join(tmp, `author-${name}`);
  git(tmp, 'clone', '-q', '--no-checkout', upstream, w);
  git(w, 'checkout', '-q', '--detach', at);
  edits.forEach((files, i) => commitFiles(w, files, `${name}: patch ${i + 1}`));
  return formatPatches(w, `${at}..HEAD`);
}

/** Posts a series version (store + mbox) at the clock's time and runs one cycle of the bot. */
async function post(key: string, mbox: string, over: Partial<SeriesVersion> = {}): Promise<number> {
  mboxes.set(key, mbox);
  const n = (mbox.match(/^From [0-9a-f]{40} /gm) ?? []).length;
  const at = clock.toISOString();
  const v = version(key, n, { subject: `nvdimm: ${key}`, firstDate: at, lastDate: at, ...over });
  await saveSeriesVersions(store.db, [v], at);
  const r = await runCycle(deps, { since: null, skipIngest: true });
  const errors = (await listJobs(store.db)).flatMap((j) => (j.error ? [j.error] : []));
  expect({ exits: r.jobs.map((j) => j.exit), errors }).toEqual({ exits: ['done'], errors: [] });
  return r.jobs[0]?.id ?? -1;
}

async function jobOf(id: number) {
  const job = (await listJobs(store.db)).find((j) => j.id === id);
  return { job, base: baseRecordView(job?.base ?? null) };
}

const baseRuns = (sha: string): number => runner.calls.filter((c) => !c.series && c.base === sha).length;
function bodyOf(raw: string): string {
  const text = raw.replace(/\r\n/g, '\n');
  return text.slice(text.indexOf('\n\n') + 2);
}

describe('a tree that moves, through the pipeline', () => {
  let h2 = '';

  it('tests the first series on the head fetched at its first poll, and runs that baseline once', async () => {
    const id = await post('sA#v1', authorSeries('a', h1, [{ 'drivers/nvdimm/bus.c': editLine(bus, 5, 'a') }]));
    const { job, base } = await jobOf(id);
    expect(job).toMatchObject({ state: 'done', outcome: 'pass' });
    expect(base?.tested).toMatchObject({ tree: 'nvdimm', base: h1, certain: true });
    expect(runner.calls).toEqual([
      { base: h1, series: true },
      { base: h1, series: false },
    ]);
  });

  it('a branch advanced upstream is not seen before the next tick, and is after it', async () => {
    h2 = commitFiles(work, { 'drivers/nvdimm/pmem.c': editLine(pmem, 35, 'pmem upstream') }, 'nvdimm: two');
    push();
    clock = new Date('2025-01-01T10:10:00Z');
    const early = await post('sB#v1', authorSeries('b', h1, [{ 'drivers/nvdimm/bus.c': editLine(bus, 10, 'b') }]));
    expect((await jobOf(early)).base?.tested?.base).toBe(h1);
    clock = new Date('2025-01-01T10:16:00Z');
    const late = await post('sC#v1', authorSeries('c', h1, [{ 'drivers/nvdimm/bus.c': editLine(bus, 15, 'c') }]));
    expect((await jobOf(late)).base?.tested).toMatchObject({
      base: h2,
      how: `blobs of 1 file match nvdimm at ${h2.slice(0, 8)}`,
    });
    clock = new Date('2025-01-01T10:17:00Z');
    const next = await post('sD#v1', authorSeries('d', h1, [{ 'drivers/nvdimm/bus.c': editLine(bus, 20, 'd') }]));
    expect((await jobOf(next)).base?.tested?.base).toBe(h2);
    // Each head's baseline ran once, shared by every series tested on it.
    expect([baseRuns(h1), baseRuns(h2)]).toEqual([1, 1]);
    expect(runner.calls.filter((c) => c.series).map((c) => c.base)).toEqual([h1, h1, h2, h2]);
  });

  it('a series made on an older commit, without base-commit, is tested there (blobs), and the reply says so', async () => {
    // pmem.c changed upstream since h1: its h1 blob is only in h1.
    const id = await post('sE#v1', authorSeries('e', h1, [{ 'drivers/nvdimm/pmem.c': editLine(pmem, 2, 'e') }]));
    const { base } = await jobOf(id);
    expect(base?.tested).toMatchObject({
      base: h1,
      certain: true,
      how: `blobs of 1 file match nvdimm at ${h1.slice(0, 8)}`,
    });
    const [reply] = await versionReplies(store.db, 'sE#v1');
    expect(reply).toMatchObject({ outcome: 'pass', mailed: true });
    expect(bodyOf(reply?.raw ?? '')).toMatch(new RegExp(`found: +blobs of 1 file match nvdimm at ${h1.slice(0, 8)}`));
  });

  it('a remote that cannot be fetched: the job goes on with the last good head, nothing is blamed', async () => {
    const mbox = authorSeries('h', h1, [{ 'drivers/nvdimm/bus.c': editLine(bus, 25, 'h') }]);
    renameSync(upstream, `${upstream}.away`);
    try {
      clock = new Date('2025-01-01T10:31:00Z'); // after the 10:30 tick: a fetch is due, and fails
      const id = await post('sH#v1', mbox);
      expect((await jobOf(id)).job).toMatchObject({ outcome: 'pass' });
      expect((await jobOf(id)).base?.tested?.base).toBe(h2);
      expect(await readFetchState(treePath('nvdimm'), url)).toMatchObject({
        failures: 1,
        heads: { 'libnvdimm-for-next': h2 },
      });
    } finally {
      renameSync(`${upstream}.away`, upstream);
    }
  });

  it('a base-commit the clone does not have is fetched from the remote, and the series tested on it', async () => {
    git(work, 'checkout', '-q', '-b', 'topic', h1);
    const topic = commitFiles(work, { 'drivers/nvdimm/bus.c': editLine(bus, 30, 'topic') }, 'nvdimm: topic');
    push('topic');
    git(work, 'checkout', '-q', 'main');
    expect(git(treePath('nvdimm'), 'cat-file', '-t', h2)).toBe('commit');
    const mbox = authorSeries('f', topic, [{ 'drivers/nvdimm/bus.c': editLine(editLine(bus, 30, 'topic'), 31, 'f') }]);
    const id = await post('sF#v1', mbox, { baseCommit: topic });
    const { base } = await jobOf(id);
    expect(base?.tested).toMatchObject({ base: topic, how: 'base-commit trailer', certain: true });
    expect(base?.attempts.map((a) => a.note)).toEqual([
      `base-commit ${topic.slice(0, 12)} not in nvdimm`,
      `base-commit ${topic.slice(0, 12)} fetched from ${url}`,
    ]);
    expect(runner.calls.filter((c) => c.series).at(-1)?.base).toBe(topic);
    // The reply says how the base was found and what was tried before it.
    const body = bodyOf((await versionReplies(store.db, 'sF#v1'))[0]?.raw ?? '');
    expect(body).toMatch(/found: +base-commit trailer\n +tried: +base-commit [0-9a-f]{12} not in nvdimm\n/);
    expect(git(treePath('nvdimm'), 'rev-parse', `refs/daxbot/commits/${topic}`)).toBe(topic);
  });

  it('a series that conflicts with no certain base is untestable, recorded with its attempts, not mailed', async () => {
    // The author's tree had a change of its own next to the patch: its blob is in no tree.
    const w = path.join(tmp, 'author-g');
    git(tmp, 'clone', '-q', upstream, w);
    git(w, 'checkout', '-q', '-b', 'private', h2);
    const mine = editLine(editLine(pmem, 35, 'pmem upstream'), 10, 'private');
    commitFiles(w, { 'drivers/nvdimm/pmem.c': mine }, 'private');
    commitFiles(w, { 'drivers/nvdimm/pmem.c': editLine(mine, 11, 'g') }, 'g: patch 1');
    const mbox = formatPatches(w, 'HEAD~1..HEAD');
    const mailedBefore = sender.sent.length;
    const id = await post('sG#v1', mbox);
    const { job, base } = await jobOf(id);
    expect(job).toMatchObject({ state: 'done', outcome: 'no-base' });
    expect(job?.summary).toBe('untestable: no base (applies to none of 1 branch head tried)');
    expect(base?.tested).toBeNull();
    expect(base?.attempts.map((a) => [a.step, a.ok, a.note.replace(/[0-9a-f]{12}/g, 'SHA')])).toEqual([
      ['blobs', false, '1 of 1 blobs not in nvdimm'],
      [
        'trial',
        false,
        'does not apply to the head of nvdimm libnvdimm-for-next (SHA): patch 1 conflicts in drivers/nvdimm/pmem.c',
      ],
    ]);
    expect(await versionReplies(store.db, 'sG#v1')).toEqual([]);
    expect(sender.sent.length).toBe(mailedBefore);
    // Shown by `daxbot series show` and `daxbot status` (the dashboard: test/unit/bot/dashboard).
    const db = path.join(tmp, 'db.sqlite');
    const show = await daxbot(['--db', db, 'series', 'show', 'sG#v1-1@example.org']);
    expect(show.stdout).toContain(
      `  job #${id} (fake, no-base)\n    base: none: untestable, no base (recorded, not mailed)\n`,
    );
    expect(show.stdout).toMatch(
      /\n {6}no {3}trial: does not apply to the head of nvdimm libnvdimm-for-next .*pmem\.c\n/,
    );
    const status = await daxbot(['--db', db, 'status', '--all', '--json']);
    expect(status.stdout).toContain('untestable: no base (applies to none of 1 branch head tried)');

    // The same patch, posted again with a base-commit the bot has: certain, so the author hears of it.
    const again = await post('sG#v2', mbox, { revision: 2, baseCommit: h2 });
    expect((await jobOf(again)).job).toMatchObject({ outcome: 'apply-failed' });
    const [reply] = await versionReplies(store.db, 'sG#v2');
    expect(reply).toMatchObject({ outcome: 'apply-failed', mailed: true });
    const body = bodyOf(reply?.raw ?? '');
    expect(body).toContain(`does not apply to ${h2.slice(0, 12)} (base found: base-commit trailer)`);
    expect(body).toMatch(/Conflicts in:\n\s+drivers\/nvdimm\/pmem\.c/);
    expect(sender.sent.length).toBe(mailedBefore + 1);
  });
});
