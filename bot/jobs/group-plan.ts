/**
 * Pure parts of a job group's one reply: which siblings are finished, the combined digest, the
 * deterministic Message-ID and whether the combined result is mailed. group-report.ts does
 * the I/O around them.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Verdict } from '../judge/verdict.ts';
import type { GroupMemberRow } from '../store/job-groups.ts';
import type { BisectionRecord } from './plan.ts';
import {
  clearsMailedProblem,
  resultDigest,
  shouldMailVerdict,
  type PreviousReply,
  type ReplyDecision,
  type ReplyPolicy,
} from '../report/reply-policy.ts';

const outcomeSchema = z.enum(['pass', 'regression', 'apply-failed', 'build-failed', 'infra', 'pre-existing-only']);

/** The verdict record a job writes to `jobs.verdict` (verdictRecordJson); only its outline is checked. */
const verdictRecordSchema = z.object({
  verdict: z
    .object({
      outcome: outcomeSchema,
      summary: z.string(),
      entries: z.array(z.object({ key: z.string(), class: z.string() }).passthrough()),
    })
    .passthrough(),
  bisection: z
    .object({
      n: z.number(),
      steps: z.array(z.unknown()),
      firstBad: z.number().nullable(),
      candidates: z.array(z.number()),
    })
    .passthrough()
    .nullable(),
  base: z.string(),
  baseReason: z.string(),
  suites: z.array(z.string()),
  treeName: z.string().optional(),
  certain: z.boolean().optional(),
  baseAttempts: z.array(z.string()).optional(),
});

export interface VerdictRecord {
  verdict: Verdict;
  bisection: BisectionRecord | null;
  base: string;
  baseReason: string;
  suites: string[];
  /** The tree tested (records from before base discovery lack it: the routed tree). */
  treeName?: string;
  /** The base was certain (mail.applyFailures: certain); records from before: certain. */
  certain?: boolean;
  /** The base discovery attempts passed over before the base. */
  baseAttempts?: string[];
}

export type MemberResult =
  | { kind: 'verdict'; jobId: number; runner: string; record: VerdictRecord }
  /** Gave up on machinery failures (or finished without a readable verdict): shown, never blamed. */
  | { kind: 'infra'; jobId: number; runner: string; summary: string };

export type MemberStatus = MemberResult | { kind: 'pending'; jobId: number; runner: string };

/** What a job keeps in `jobs.verdict` once it has a verdict (parseVerdictRecord reads it back). */
export function verdictRecordJson(r: VerdictRecord): string {
  return JSON.stringify({
    verdict: r.verdict,
    bisection: r.bisection,
    base: r.base,
    baseReason: r.baseReason,
    suites: r.suites,
    ...(r.treeName !== undefined && { treeName: r.treeName }),
    ...(r.certain !== undefined && { certain: r.certain }),
    ...(r.baseAttempts !== undefined && { baseAttempts: r.baseAttempts }),
  });
}

export function parseVerdictRecord(json: string): VerdictRecord | null {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = verdictRecordSchema.safeParse(data);
  if (!parsed.success) return null;
  // The outline is checked above and the rest is the executor's own Verdict, written by it.
  return data as VerdictRecord;
}

/**
 * A sibling is finished when its verdict is recorded (state reporting or done) or it gave up
 * on infrastructure failures. Everything else is still running or queued.
 */
export function memberStatus(row: GroupMemberRow): MemberStatus {
  const settled = row.state === 'reporting' || row.state === 'done';
  if (settled && row.verdict !== null) {
    const record = parseVerdictRecord(row.verdict);
    if (record) return { kind: 'verdict', jobId: row.id, runner: row.runner, record };
    return { kind: 'infra', jobId: row.id, runner: row.runner, summary: 'its verdict record is unreadable' };
  }
  // A series with no base (jobs/no-base.ts) was not tested on that runner: shown, never blamed.
  if (settled && row.outcome === 'no-base')
    return { kind: 'infra', jobId: row.id, runner: row.runner, summary: row.summary ?? 'untestable: no base' };
  if (settled && row.outcome === 'infra')
    return {
      kind: 'infra',
      jobId: row.id,
      runner: row.runner,
      summary: row.summary ?? row.error ?? 'machinery failure',
    };
  if (row.state === 'done')
    return { kind: 'infra', jobId: row.id, runner: row.runner, summary: row.summary ?? 'finished without a verdict' };
  return { kind: 'pending', jobId: row.id, runner: row.runner };
}

/** The pending siblings, or every member's result when none is pending. */
export function groupProgress(
  rows: readonly GroupMemberRow[],
): { done: false; pending: string[] } | { done: true; results: MemberResult[] } {
  const statuses = rows.map(memberStatus);
  const pending = statuses.filter((s) => s.kind === 'pending').map((s) => s.runner);
  if (pending.length > 0) return { done: false, pending };
  return { done: true, results: statuses.filter((s): s is MemberResult => s.kind !== 'pending') };
}

/** What the combined reply says, condensed: each runner with its own result digest. */
export function groupDigest(results: readonly MemberResult[]): string {
  const lines = results
    .map((r) => `${r.runner}:${r.kind === 'infra' ? 'infra' : resultDigest(r.record.verdict, r.record.bisection)}`)
    .sort();
  return createHash('sha256')
    .update(['group', ...lines].join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/** Deterministic from version, group and combined digest: a restarted composer finds its row. */
export function groupReplyMessageId(versionKey: string, groupId: number, digest: string, domain: string): string {
  const h = createHash('sha256').update(`${versionKey}\ngroup:${groupId}\n${digest}`).digest('hex').slice(0, 24);
  return `daxbot-${h}@${domain}`;
}

/**
 * The reply policy on the combined result: mailed when any runner's outcome would be mailed on
 * its own, or when it clears a problem the last mailed reply reported (reply-policy.ts).
 * Runners without a verdict count for nothing; with no verdict at all there is no reply (as
 * for a single job that gave up).
 */
export function decideGroupReply(
  results: readonly MemberResult[],
  digest: string,
  previous: PreviousReply[],
  policy: ReplyPolicy,
): ReplyDecision {
  const verdicts = results.filter((r) => r.kind === 'verdict');
  if (verdicts.length === 0 || verdicts.every((r) => r.record.verdict.outcome === 'infra'))
    return { kind: 'none', reason: 'no runner produced a verdict' };
  const last = previous[previous.length - 1] ?? null;
  if (last && last.digest === digest) return { kind: 'none', reason: `same result as ${last.messageId}` };
  const outcomes = verdicts.map((r) => r.record.verdict.outcome);
  const mailed = verdicts.some((r) => shouldMailVerdict(r.record.verdict, policy, r.record.certain ?? true));
  return {
    kind: 'reply',
    mail: mailed || clearsMailedProblem(outcomes, previous),
    changedFrom: last,
  };
}
