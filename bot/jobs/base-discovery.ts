/**
 * Which tree and base a series is tested on, found as b4 and the 0-day robot find them, in order:
 *  1. a base a maintainer named;
 *  2. the `base-commit:` trailer, looked up in every configured tree, then fetched by id from each
 *     tree's remote;
 *  3. `prerequisite-patch-id:` / `prerequisite-message-id:`: the prerequisite patches from the
 *     store go first, under the series, in every later step and in the base that is tested;
 *  4. blob matching: the newest commit on a configured branch whose files have the series'
 *     preimage blobs;
 *  5. a trial `git am -3` on each tree's branch heads in routing order; the first that applies.
 * Steps 1, 2 and 4 give a certain base (when every prerequisite was found): a series that does not
 * apply there is the author's problem. Step 5's base is a guess, and no candidate at all means
 * "untestable: no base". Every attempt is recorded with its time. Callable on its own (a replay
 * runs only this and `git am`): the boundary is DiscoveryIo.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { seriesFiles, type PreimageBlob } from '../../runners/tree/series-blobs.ts';
import type {
  BaseAttempt,
  BaseChoice,
  BaseDiscovery,
  DiscoveryIo,
  DiscoveryRequest,
  DiscoveryTree,
} from './base-types.ts';
import { prerequisiteNotes, short, treeBranchLabel, trialNote } from './base-notes.ts';

interface Run {
  req: DiscoveryRequest;
  io: DiscoveryIo;
  attempts: BaseAttempt[];
  amMs: number;
  heads: Map<string, Record<string, string>>;
}

/** The series with its prerequisites under it, as patch files and the paths and blobs they name. */
interface Stack {
  prerequisites: string[];
  series: string[];
  paths: string[];
  preimages: PreimageBlob[];
  /** The prerequisite patches' text (what the prerequisite base is keyed by). */
  prerequisiteText: string;
  /** Prerequisite trailers the store did not have. */
  missing: number;
}

function record(run: Run, attempt: Omit<BaseAttempt, 'ms'>, since: number): void {
  run.attempts.push({ ...attempt, ms: Date.now() - since });
}

async function headsOf(run: Run, tree: DiscoveryTree): Promise<Record<string, string>> {
  let h = run.heads.get(tree.name);
  if (!h) {
    h = await run.io.heads(tree);
    run.heads.set(tree.name, h);
  }
  return h;
}

/** A rev looked up in every tree, then (a full sha) fetched by id from each remote. */
async function findRevision(
  run: Run,
  step: 'maintainer' | 'base-commit',
  rev: string,
  label: string,
): Promise<{ tree: DiscoveryTree; sha: string } | null> {
  let t = Date.now();
  for (const tree of run.req.trees) {
    const sha = await run.io.commit(tree, rev);
    if (!sha) continue;
    record(run, { step, ok: true, tree: tree.name, commit: sha, note: `${label} found in ${tree.name}` }, t);
    return { tree, sha };
  }
  const names = run.req.trees.map((x) => x.name).join(', ');
  record(run, { step, ok: false, note: `${label} not in ${names || 'any tree'}` }, t);
  const remotes = run.req.trees.filter((x) => x.url);
  if (!/^[0-9a-f]{40}$/.test(rev)) {
    if (remotes.length > 0)
      record(run, { step, ok: false, note: `${label} is no full commit id: not fetched by id` }, t);
    return null;
  }
  for (const tree of remotes) {
    t = Date.now();
    const sha = (await run.io.fetchCommit(tree, rev)) ? await run.io.commit(tree, rev) : null;
    const note = sha ? `${label} fetched from ${tree.url}` : `${label} not on ${tree.url}`;
    record(run, { step, ok: sha !== null, tree: tree.name, ...(sha && { commit: sha }), note }, t);
    if (sha) return { tree, sha };
  }
  return null;
}

async function loadStack(run: Run, dir: string): Promise<Stack> {
  const t = Date.now();
  const { req } = run;
  const found =
    req.prerequisitePatchIds.length + req.prerequisiteMessageIds.length === 0
      ? []
      : await run.io.prerequisites({
          patchIds: req.prerequisitePatchIds,
          messageIds: req.prerequisiteMessageIds,
          before: req.date ?? null,
        });
  for (const n of prerequisiteNotes(found)) record(run, { step: 'prerequisites', ...n }, t);
  const preText = found.map((f) => f.mbox).join('');
  let prerequisites: string[] = [];
  if (preText) {
    await writeFile(path.join(dir, 'prerequisites.mbox'), preText);
    prerequisites = await run.io.split(path.join(dir, 'prerequisites.mbox'), await mkdtemp(path.join(dir, 'pre-')));
  }
  const series = await run.io.split(req.mbox, await mkdtemp(path.join(dir, 'series-')));
  const files = seriesFiles(preText + (await readFile(req.mbox, 'utf8')));
  const missing = found.filter((f) => f.label === null).length;
  return { prerequisites, series, ...files, prerequisiteText: preText, missing };
}

async function byBlobs(run: Run, stack: Stack): Promise<BaseChoice | null> {
  const n = stack.preimages.length;
  let t = Date.now();
  if (n === 0) {
    record(run, { step: 'blobs', ok: false, note: 'no blobs to match: the series only adds files' }, t);
    return null;
  }
  for (const tree of run.req.trees) {
    t = Date.now();
    const missing = await run.io.missingBlobs(tree, stack.preimages);
    if (missing.length > 0) {
      record(
        run,
        { step: 'blobs', ok: false, tree: tree.name, note: `${missing.length} of ${n} blobs not in ${tree.name}` },
        t,
      );
      continue;
    }
    const heads = await headsOf(run, tree);
    for (const branch of tree.branches) {
      t = Date.now();
      const m = await run.io.matchOnBranch(tree, branch, heads[branch] ?? branch, stack.preimages);
      const where = treeBranchLabel(tree, branch);
      if (m.commit) {
        const how = `blobs of ${n} file${n === 1 ? '' : 's'} match ${tree.name} at ${m.commit.slice(0, 8)}`;
        record(run, { step: 'blobs', ok: true, tree: tree.name, branch, commit: m.commit, note: how }, t);
        return { tree: tree.name, branch, base: m.commit, upstream: m.commit, method: 'blobs', certain: true, how };
      }
      const note = `blobs of ${m.matched} of ${n} files match at best on ${where} (${m.walked} commits back)`;
      record(run, { step: 'blobs', ok: false, tree: tree.name, branch, note }, t);
    }
  }
  return null;
}

async function byTrial(run: Run, stack: Stack): Promise<BaseChoice | null> {
  for (const tree of run.req.trees) {
    const heads = await headsOf(run, tree);
    for (const branch of tree.branches) {
      const head = heads[branch];
      if (!head) continue;
      const t = Date.now();
      const where = treeBranchLabel(tree, branch);
      const r = await run.io.trial(tree, {
        base: head,
        reason: `head of ${where}`,
        patches: [...stack.prerequisites, ...stack.series],
        paths: stack.paths,
      });
      run.amMs += Date.now() - t;
      const a = r.attempt;
      const note = trialNote(where, head, a, stack.prerequisites.length);
      record(run, { step: 'trial', ok: a.ok, tree: tree.name, branch, commit: head, note, ...failure(a, stack) }, t);
      if (a.ok)
        return {
          tree: tree.name,
          branch,
          base: head,
          upstream: head,
          method: 'tree-head',
          certain: false,
          how: `applied to the head of ${where}`,
        };
    }
  }
  return null;
}

function failure(a: { failedPatch?: number; conflictFiles?: string[] }, stack: Stack): Partial<BaseAttempt> {
  const out: Partial<BaseAttempt> = {};
  if (a.failedPatch !== undefined) out.failedPatch = a.failedPatch - stack.prerequisites.length;
  if (a.conflictFiles) out.conflictFiles = a.conflictFiles;
  return out;
}

/** The chosen base with the prerequisite series applied on top (kept under refs/daxbot/prereq/). */
async function withPrerequisites(run: Run, choice: BaseChoice, stack: Stack): Promise<BaseChoice> {
  let out = choice;
  if (stack.missing > 0) out = { ...out, certain: false, how: `${out.how}; a prerequisite is not in the store` };
  if (stack.prerequisites.length === 0) return out;
  const tree = run.req.trees.find((x) => x.name === choice.tree);
  if (!tree) return out;
  const t = Date.now();
  const key = createHash('sha256').update(`${choice.upstream}\n${stack.prerequisiteText}`).digest('hex');
  const r = await run.io.trial(tree, {
    base: choice.upstream,
    reason: 'prerequisites',
    patches: stack.prerequisites,
    paths: stack.paths,
    keepRef: `refs/daxbot/prereq/${key.slice(0, 24)}`,
  });
  run.amMs += Date.now() - t;
  const note = r.head
    ? `prerequisite series applied on ${short(choice.upstream)}: ${short(r.head)}`
    : `the prerequisite series does not apply on ${short(choice.upstream)}`;
  record(
    run,
    { step: 'prerequisites', ok: r.head !== null, tree: tree.name, ...(r.head && { commit: r.head }), note },
    t,
  );
  if (!r.head) return { ...out, certain: false, how: `${out.how}; the prerequisite series does not apply there` };
  return { ...out, base: r.head, how: `${out.how}, with the prerequisite series applied first` };
}

async function fallbackChoice(run: Run): Promise<BaseChoice | null> {
  const tree = run.req.trees[0];
  const branch = tree?.branches[0];
  const head = tree && branch ? (await headsOf(run, tree))[branch] : undefined;
  if (!tree || !branch || !head) return null;
  const how = `the head of ${treeBranchLabel(tree, branch)}, where the series does not apply`;
  return { tree: tree.name, branch, base: head, upstream: head, method: 'tree-head', certain: false, how };
}

async function choose(run: Run, dir: string): Promise<{ choice: BaseChoice | null; stack: Stack }> {
  const { req } = run;
  // Every tree's heads first: a remote is fetched when older than its schedule (its clone made at
  // the first fetch), so the lookups below see what the remote has now.
  for (const tree of req.trees) await headsOf(run, tree);
  let found: { tree: DiscoveryTree; sha: string } | null = null;
  let first: Omit<BaseChoice, 'tree' | 'base' | 'upstream'> | null = null;
  if (req.requested) {
    found = await findRevision(
      run,
      'maintainer',
      req.requested.rev,
      `base ${req.requested.rev} named by ${req.requested.by}`,
    );
    first = {
      branch: null,
      method: 'maintainer',
      certain: true,
      how: `base ${req.requested.rev} named by ${req.requested.by}`,
    };
  }
  if (!found && req.baseCommit) {
    found = await findRevision(run, 'base-commit', req.baseCommit, `base-commit ${short(req.baseCommit)}`);
    first = { branch: null, method: 'base-commit', certain: true, how: 'base-commit trailer' };
  }
  const stack = await loadStack(run, dir);
  if (found && first)
    return { choice: { ...first, tree: found.tree.name, base: found.sha, upstream: found.sha }, stack };
  return { choice: (await byBlobs(run, stack)) ?? (await byTrial(run, stack)), stack };
}

export async function discoverBase(req: DiscoveryRequest, io: DiscoveryIo): Promise<BaseDiscovery> {
  const started = Date.now();
  const run: Run = { req, io, attempts: [], amMs: 0, heads: new Map() };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-base-'));
  try {
    const { choice, stack } = await choose(run, dir);
    const final = choice ? await withPrerequisites(run, choice, stack) : null;
    const fallback = final ? null : await fallbackChoice(run);
    return { choice: final, fallback, attempts: run.attempts, ms: Date.now() - started, amMs: run.amMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
