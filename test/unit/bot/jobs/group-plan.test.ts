import { describe, expect, it } from 'vitest';
import { judge } from '../../../../bot/judge/verdict.ts';
import { dispatchRunners } from '../../../../bot/queue/enqueue.ts';
import {
  decideGroupReply,
  groupDigest,
  groupProgress,
  groupReplyMessageId,
  memberStatus,
  type MemberResult,
} from '../../../../bot/jobs/group-plan.ts';
import type { GroupMemberRow } from '../../../../bot/store/job-groups.ts';
import { crashFinding, runResult, testConfig } from '../../../helpers/pipeline-fakes.ts';

const pass = judge({ baseRuns: [runResult()], seriesRuns: [runResult()] });
const crash = runResult({
  findings: [crashFinding],
  tests: [{ suite: 'dax', name: 'mount-dax', status: 'fail' }],
  failureClass: 'kernel',
});
const regression = judge({ baseRuns: [runResult()], seriesRuns: [crash] });
const record = (verdict: typeof pass): string =>
  JSON.stringify({
    verdict,
    bisection: null,
    base: 'c'.repeat(40),
    baseReason: 'configured branch HEAD',
    suites: ['dax'],
  });

const row = (over: Partial<GroupMemberRow>): GroupMemberRow => ({
  id: 1,
  versionKey: 'v',
  runner: 'qemu-pmem',
  state: 'testing',
  outcome: null,
  summary: null,
  error: null,
  verdict: null,
  ...over,
});

const verdictOf = (runner: string, v: typeof pass, jobId = 1): MemberResult => ({
  kind: 'verdict',
  jobId,
  runner,
  record: { verdict: v, bisection: null, base: 'c', baseReason: 'r', suites: ['dax'] },
});

describe('dispatchRunners', () => {
  const config = testConfig({
    runners: [
      { name: 'qemu-pmem', kind: 'qemu-pmem' },
      { name: 'off', kind: 'qemu-pmem', enabled: false },
      { name: 'nfit-sim', kind: 'nfit-sim' },
    ],
  });
  it('every enabled runner in configuration order, or the one named', () => {
    expect(dispatchRunners(config)).toEqual(['qemu-pmem', 'nfit-sim']);
    expect(dispatchRunners(config, 'nfit-sim')).toEqual(['nfit-sim']);
    expect(() => dispatchRunners(config, 'off')).toThrow('runner off is disabled');
    expect(() => dispatchRunners(config, 'x')).toThrow('runner x is not configured');
  });
});

describe('memberStatus and groupProgress', () => {
  it('a sibling is finished once its verdict is recorded or it gave up', () => {
    expect(memberStatus(row({ state: 'testing' })).kind).toBe('pending');
    expect(memberStatus(row({ state: 'judging' })).kind).toBe('pending');
    expect(memberStatus(row({ state: 'infra-failed', outcome: 'infra' })).kind).toBe('pending');
    expect(memberStatus(row({ state: 'reporting', verdict: record(pass) }))).toMatchObject({
      kind: 'verdict',
      record: { verdict: { outcome: 'pass' } },
    });
    expect(memberStatus(row({ state: 'done', verdict: record(regression) }))).toMatchObject({
      kind: 'verdict',
      record: { verdict: { outcome: 'regression' } },
    });
    expect(
      memberStatus(row({ state: 'reporting', outcome: 'infra', summary: 'gave up after 3 infrastructure failures' })),
    ).toEqual({ kind: 'infra', jobId: 1, runner: 'qemu-pmem', summary: 'gave up after 3 infrastructure failures' });
    expect(memberStatus(row({ state: 'done', verdict: '{"not":"a record"}' }))).toMatchObject({
      kind: 'infra',
      summary: 'its verdict record is unreadable',
    });
  });

  it('lists the pending runners, or every result when none is pending', () => {
    const a = row({ id: 1, runner: 'qemu-pmem', state: 'done', verdict: record(pass) });
    const b = row({ id: 2, runner: 'nfit-sim', state: 'building' });
    expect(groupProgress([a, b])).toEqual({ done: false, pending: ['nfit-sim'] });
    const p = groupProgress([a, { ...b, state: 'reporting', verdict: record(regression) }]);
    expect(p.done && p.results.map((r) => [r.runner, r.kind])).toEqual([
      ['qemu-pmem', 'verdict'],
      ['nfit-sim', 'verdict'],
    ]);
  });
});

describe('groupDigest and the Message-ID', () => {
  it('does not depend on the order of the results, and changes with any runner’s result', () => {
    const a = verdictOf('qemu-pmem', regression);
    const b = verdictOf('nfit-sim', pass, 2);
    expect(groupDigest([a, b])).toBe(groupDigest([b, a]));
    expect(groupDigest([a, b])).toMatch(/^[0-9a-f]{16}$/);
    expect(groupDigest([a, verdictOf('nfit-sim', regression, 2)])).not.toBe(groupDigest([a, b]));
    expect(groupDigest([a, { kind: 'infra', jobId: 2, runner: 'nfit-sim', summary: 'x' }])).not.toBe(
      groupDigest([a, b]),
    );
  });

  it('is deterministic from version, group and digest', () => {
    const id = groupReplyMessageId('v#1', 7, 'abc', 'daxbot.localhost');
    expect(id).toMatch(/^daxbot-[0-9a-f]{24}@daxbot\.localhost$/);
    expect(groupReplyMessageId('v#1', 7, 'abc', 'daxbot.localhost')).toBe(id);
    expect(groupReplyMessageId('v#1', 8, 'abc', 'daxbot.localhost')).not.toBe(id);
    expect(groupReplyMessageId('v#1', 7, 'abd', 'daxbot.localhost')).not.toBe(id);
  });
});

describe('decideGroupReply', () => {
  const quiet = { replyOnPass: false };
  it('mails when any runner’s outcome would be mailed', () => {
    const results = [verdictOf('qemu-pmem', pass), verdictOf('nfit-sim', regression, 2)];
    expect(decideGroupReply(results, 'd', [], quiet)).toEqual({ kind: 'reply', mail: true, changedFrom: null });
  });
  it('passes only with replyOnPass; an infrastructure failure is never a reason to mail', () => {
    const results: MemberResult[] = [
      verdictOf('qemu-pmem', pass),
      { kind: 'infra', jobId: 2, runner: 'nfit-sim', summary: 'gave up' },
    ];
    expect(decideGroupReply(results, 'd', [], quiet)).toEqual({ kind: 'reply', mail: false, changedFrom: null });
    expect(decideGroupReply(results, 'd', [], { replyOnPass: true })).toEqual({
      kind: 'reply',
      mail: true,
      changedFrom: null,
    });
  });
  it('no verdict at all: no reply; the same digest as the last reply: no new reply', () => {
    expect(decideGroupReply([{ kind: 'infra', jobId: 1, runner: 'a', summary: 'x' }], 'd', [], quiet).kind).toBe(
      'none',
    );
    const prev = { messageId: 'm@x', digest: 'd', outcome: 'pass' };
    expect(decideGroupReply([verdictOf('a', regression)], 'd', [prev], quiet)).toEqual({
      kind: 'none',
      reason: 'same result as m@x',
    });
    expect(decideGroupReply([verdictOf('a', regression)], 'e', [prev], quiet)).toEqual({
      kind: 'reply',
      mail: true,
      changedFrom: prev,
    });
  });
  it('a combined pass after a mailed regression is mailed without replyOnPass; after a recorded one it is not', () => {
    const results: MemberResult[] = [
      verdictOf('qemu-pmem', pass),
      { kind: 'infra', jobId: 2, runner: 'nfit-sim', summary: 'gave up' },
    ];
    const sent = { messageId: 'm@x', digest: 'r', outcome: 'regression', state: 'sent' };
    expect(decideGroupReply(results, 'd', [sent], quiet)).toEqual({ kind: 'reply', mail: true, changedFrom: sent });
    const recorded = { ...sent, state: 'recorded' };
    expect(decideGroupReply(results, 'd', [recorded], quiet)).toEqual({
      kind: 'reply',
      mail: false,
      changedFrom: recorded,
    });
  });
});
