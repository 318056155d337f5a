/**
 * Base discovery in jobs (context.ts findJobBase, no-base.ts), on a fake boundary: one discovery
 * per group (the siblings of a multi-runner group test the same base), a series with no base
 * ends every job of its group untested and unmailed, and `mail.applyFailures` decides whether
 * an apply failure is mailed on a guessed base.
 */
import { describe, expect, it } from 'vitest';
import type { DiscoveryIo } from '../../../../bot/jobs/base-types.ts';
import { runCycle } from '../../../../bot/queue/cycle.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { versionReplies } from '../../../../bot/store/replies.ts';
import type { RunRequest, Runner } from '../../../../runners/types.ts';
import {
  FakeSender,
  fakeDeps,
  resolvingBaseIo,
  runResult,
  storeWith,
  testConfig,
  version,
} from '../../../helpers/pipeline-fakes.ts';

const HEAD = 'd'.repeat(40);

/** The fake boundary, counting trials, where the series applies to no head unless `applies`. */
function bases(applies: boolean): DiscoveryIo & { trials: number } {
  const io = resolvingBaseIo({ resolveCommit: async () => HEAD });
  const out = {
    ...io,
    trials: 0,
    async trial(tree: Parameters<DiscoveryIo['trial']>[0], req: Parameters<DiscoveryIo['trial']>[1]) {
      out.trials++;
      if (applies) return io.trial(tree, req);
      const attempt = { base: req.base, reason: req.reason, ok: false, failedPatch: 1, conflictFiles: ['fs/dax.c'] };
      return { attempt, head: null };
    },
  };
  return out;
}

/** Records its requests; every series run fails to apply (as on a head the series was not made for). */
class Recording implements Runner {
  readonly description = 'records requests';
  calls: RunRequest[] = [];
  constructor(
    readonly name: string,
    private readonly applies = true,
  ) {}
  async run(req: RunRequest) {
    this.calls.push(req);
    if (this.applies || !req.mbox) return runResult({ runner: this.name, base: req.base });
    const attempt = {
      base: req.base,
      reason: req.baseReason ?? '',
      ok: false,
      failedPatch: 1,
      conflictFiles: ['fs/dax.c'],
    };
    return runResult({
      runner: this.name,
      apply: { ok: false, base: req.base, head: null, patchCommits: [], attempts: [attempt] },
      build: null,
      booted: false,
      tests: [],
      failureClass: 'patch',
      summary: 'series does not apply',
    });
  }
}

const runners = [
  { name: 'qemu-pmem', kind: 'qemu-pmem', suites: ['dax'] },
  { name: 'nfit-sim', kind: 'nfit-sim', suites: ['nfit-sim'] },
];

describe('base discovery in jobs', () => {
  it('looks once per group: both runners test the base the first job found', async () => {
    const store = await storeWith([version('g#v1', 1)]);
    const io = bases(true);
    const made = new Map(runners.map((r) => [r.name, new Recording(r.name)]));
    const deps = fakeDeps(store, new Recording('unused'), new FakeSender(), {
      config: testConfig({ runners, mail: { replyOnPass: true } }),
      runnerFor: (rc) => made.get(rc.name) ?? new Recording(rc.name),
      bases: io,
    });
    await runCycle(deps, { since: null });
    const jobs = await listJobs(store.db);
    expect(jobs.map((j) => j.outcome)).toEqual(['pass', 'pass']);
    expect(io.trials).toBe(1);
    expect(jobs[0]?.base).toBe(jobs[1]?.base);
    for (const r of made.values()) expect(r.calls.map((c) => [c.base, c.baseFound])).toContainEqual([HEAD, true]);
  });

  it('no base: every job of the group ends untested, nothing runs, nothing is mailed', async () => {
    const store = await storeWith([version('n#v1', 1)]);
    const made = new Map(runners.map((r) => [r.name, new Recording(r.name)]));
    const sender = new FakeSender();
    const deps = fakeDeps(store, new Recording('unused'), sender, {
      config: testConfig({ runners, mail: { replyOnPass: true } }),
      runnerFor: (rc) => made.get(rc.name) ?? new Recording(rc.name),
      bases: bases(false),
    });
    await runCycle(deps, { since: null });
    const jobs = await listJobs(store.db);
    expect(jobs.map((j) => [j.state, j.outcome])).toEqual([
      ['done', 'no-base'],
      ['done', 'no-base'],
    ]);
    expect([...made.values()].flatMap((r) => r.calls)).toEqual([]);
    expect(await versionReplies(store.db, 'n#v1')).toEqual([]);
    expect(sender.sent).toEqual([]);
  });

  it('mail.applyFailures: always tests a series with no base on the routed head and mails its failure', async () => {
    const store = await storeWith([version('a#v1', 1)]);
    const runner = new Recording('fake', false);
    const sender = new FakeSender();
    const deps = fakeDeps(store, runner, sender, {
      config: testConfig({ mail: { applyFailures: 'always' } }),
      bases: bases(false),
    });
    await runCycle(deps, { since: null });
    expect((await listJobs(store.db)).map((j) => j.outcome)).toEqual(['apply-failed']);
    expect(runner.calls.map((c) => c.base)).toEqual([HEAD]);
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0]?.raw).toMatch(/base found: the head of linux-6\.1, where\s+the series does not apply/);
  });

  it('mail.applyFailures: certain (the default) keeps a failure on a guessed base off the list', async () => {
    // The trial applied on the head (a guess), the run did not: recorded, not mailed.
    const store = await storeWith([version('c#v1', 1)]);
    const sender = new FakeSender();
    const deps = fakeDeps(store, new Recording('fake', false), sender, { bases: bases(true) });
    await runCycle(deps, { since: null });
    expect((await listJobs(store.db)).map((j) => j.outcome)).toEqual(['apply-failed']);
    expect(await versionReplies(store.db, 'c#v1')).toMatchObject([{ outcome: 'apply-failed', mailed: false }]);
    expect(sender.sent).toEqual([]);
  });
});
