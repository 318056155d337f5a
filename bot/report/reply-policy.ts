/**
 * Which results are mailed, and how a reply is identified. Pure.
 *
 * A reply's digest condenses what it says (outcome, the new failures, the first bad patch):
 * a version gets one reply per digest, and a re-run whose digest differs from the last one
 * gets a new reply that says what changed. That reply is mailed by the usual rules, and also
 * when it clears a problem the last mailed reply reported: whoever was told the series is
 * broken is told it no longer is, even when passes are otherwise not mailed.
 */
import { createHash } from 'node:crypto';
import type { Outcome, Verdict } from '../judge/verdict.ts';
import type { BisectionRecord } from '../jobs/plan.ts';

export interface ReplyPolicy {
  replyOnPass: boolean;
  /** mail.applyFailures: a series that does not apply is mailed on a certain base only (default). */
  applyFailures?: 'certain' | 'always' | 'never';
}

export function resultDigest(verdict: Verdict, bisection: BisectionRecord | null): string {
  const news = verdict.entries
    .filter((e) => e.class === 'new-failure')
    .map((e) => e.signature ?? e.key)
    .sort();
  const parts = [verdict.outcome, ...news];
  if (verdict.applyFailure?.failedPatch !== undefined) parts.push(`apply:${verdict.applyFailure.failedPatch}`);
  if (bisection) parts.push(`first-bad:${bisection.firstBad ?? bisection.candidates.join('|')}`);
  const nb = verdict.notBisectable;
  if (nb) parts.push(`not-bisectable:${nb.broken}-${nb.fixedBy}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/** Outcomes that blame the series: always mailed. */
export function isProblem(outcome: string): boolean {
  return outcome === 'regression' || outcome === 'apply-failed' || outcome === 'build-failed';
}

/**
 * Regressions and the author's own build failures are mailed; passes only on request. A series
 * that does not apply is the author's problem only when its base was certain (named by a
 * maintainer, its base-commit, or matched by blobs): on a guessed base it is recorded.
 */
export function shouldMail(outcome: Outcome, policy: ReplyPolicy, baseCertain = true): boolean {
  if (outcome === 'apply-failed') {
    const mode = policy.applyFailures ?? 'certain';
    return mode === 'always' || (mode === 'certain' && baseCertain);
  }
  if (isProblem(outcome)) return true;
  if (outcome === 'pass' || outcome === 'pre-existing-only') return policy.replyOnPass;
  // Machinery failures are the bot's problem, never the author's.
  return false;
}

/**
 * Whether a verdict is mailed: by its outcome (shouldMail), or because the series, which builds,
 * does not build at one of its patches (certain, and the author's to fix, whatever the outcome).
 */
export function shouldMailVerdict(
  v: Pick<Verdict, 'outcome' | 'notBisectable'>,
  policy: ReplyPolicy,
  baseCertain = true,
): boolean {
  return shouldMail(v.outcome, policy, baseCertain) || (v.notBisectable !== undefined && v.outcome !== 'infra');
}

/** Deterministic, so a restarted job finds the reply it already wrote. */
export function replyMessageId(versionKey: string, jobId: number, digest: string, domain: string): string {
  const h = createHash('sha256').update(`${versionKey}\n${jobId}\n${digest}`).digest('hex').slice(0, 24);
  return `daxbot-${h}@${domain}`;
}

export interface PreviousReply {
  messageId: string;
  digest: string;
  outcome: string;
  /**
   * The store's delivery state: 'sent', or 'pending' (queued, retried until sent), means the
   * people on the thread have it or will; 'recorded' and 'failed' reached nobody. Absent: nobody.
   */
  state?: string;
}

/** Whether a reply in this delivery state reached the thread, or will (see PreviousReply.state). */
export function reachedThread(state: string | undefined): boolean {
  return state === 'sent' || state === 'pending';
}

/**
 * True when the last reply anyone received reported a problem and the new results show none:
 * that news is mailed whatever the pass policy says. Machinery failures show nothing either way.
 */
export function clearsMailedProblem(outcomes: readonly Outcome[], previous: readonly PreviousReply[]): boolean {
  const lastMailed = [...previous].reverse().find((p) => reachedThread(p.state));
  if (!lastMailed || !isProblem(lastMailed.outcome)) return false;
  const verdicts = outcomes.filter((o) => o !== 'infra');
  return verdicts.length > 0 && !verdicts.some(isProblem);
}

export type ReplyDecision =
  | { kind: 'none'; reason: string }
  | { kind: 'reply'; mail: boolean; changedFrom: PreviousReply | null };

export function decideReply(
  verdict: Outcome | Pick<Verdict, 'outcome' | 'notBisectable'>,
  digest: string,
  previous: PreviousReply[],
  policy: ReplyPolicy,
  baseCertain = true,
): ReplyDecision {
  const v = typeof verdict === 'string' ? { outcome: verdict } : verdict;
  const last = previous[previous.length - 1] ?? null;
  if (last && last.digest === digest) return { kind: 'none', reason: `same result as ${last.messageId}` };
  return {
    kind: 'reply',
    mail: shouldMailVerdict(v, policy, baseCertain) || clearsMailedProblem([v.outcome], previous),
    changedFrom: last,
  };
}
