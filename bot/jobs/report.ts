/**
 * The end of a job tested on one runner: its verdict is recorded and, when the reply policy says
 * so (report/reply-policy.ts), a reply is composed, stored and sent. The reply row and the job's
 * state change commit together, so a restart after that only sends; a refused delivery is the
 * reply's (recorded on it and retried with backoff by flushPendingReplies), never the job's.
 */
import type { Logger } from 'pino';
import type { PipelineDeps } from '../deps.ts';
import type { Verdict } from '../judge/verdict.ts';
import { renderResultMail } from '../report/compose.ts';
import { deliverReply } from '../report/deliver.ts';
import { decideReply, replyMessageId, resultDigest, type PreviousReply } from '../report/reply-policy.ts';
import { getJobVerdict, updateJob, type JobRow, type JobUpdate } from '../store/jobs.ts';
import { invalidMark } from '../store/marks.ts';
import { ensureReply, getReply, versionReplies, type ReplyRow } from '../store/replies.ts';
import type { JobContext } from './context.ts';
import { verdictRecordJson } from './group-plan.ts';
import { recordedSetup } from './group-report.ts';
import type { BisectionRecord } from './plan.ts';

interface Outcome {
  verdict: Verdict;
  bisection: BisectionRecord | null;
  /** The verdict record the job row keeps (group-plan.ts VerdictRecord). */
  json: string;
}

/** The job's row once nothing is left to do. */
function finished(o: Outcome, at: string, note?: string): JobUpdate {
  const summary = note ? `${o.verdict.summary} (${note})` : o.verdict.summary;
  return { state: 'done', outcome: o.verdict.outcome, summary, verdict: o.json, progress: null, finishedAt: at };
}

/** The previous reply's verdict, for the "Changed since" paragraph. */
async function previousVerdict(
  deps: PipelineDeps,
  earlier: ReplyRow[],
  changedFrom: PreviousReply | null,
): Promise<{ verdict: Verdict; messageId: string } | null> {
  if (!changedFrom) return null;
  const prevRow = earlier.find((r) => r.messageId === changedFrom.messageId);
  const stored = prevRow?.jobId != null ? await getJobVerdict(deps.store.db, prevRow.jobId) : null;
  const parsed: unknown = stored ? JSON.parse(stored) : null;
  if (parsed && typeof parsed === 'object' && 'verdict' in parsed)
    return { verdict: parsed.verdict as Verdict, messageId: changedFrom.messageId }; // our own JSON
  return null;
}

/**
 * Composes the reply and stores it with the job's 'reporting' state, or finishes the job when
 * the policy wants no new reply. Returns the stored reply, or null when there is none.
 */
async function composeReply(
  deps: PipelineDeps,
  job: JobRow,
  ctx: JobContext,
  o: Outcome,
  ids: { digest: string; messageId: string },
  log: Logger,
): Promise<ReplyRow | null> {
  const db = deps.store.db;
  const nowIso = deps.now().toISOString();
  const earlier = (await versionReplies(db, job.versionKey)).filter((r) => r.jobId !== job.id);
  const { replyOnPass, applyFailures } = deps.config.mail;
  const decision = decideReply(o.verdict, ids.digest, earlier, { replyOnPass, applyFailures }, ctx.certain);
  if (decision.kind === 'none') {
    await updateJob(db, job.id, finished(o, nowIso, decision.reason), nowIso);
    log.info({ outcome: o.verdict.outcome }, `done: ${o.verdict.summary}; no new reply (${decision.reason})`);
    return null;
  }
  // The QEMU command line for the reproducer is read from the job's runs by renderResultMail.
  const composed = await renderResultMail({
    db,
    jobId: job.id,
    lists: deps.config.trees.flatMap((t) => t.lists),
    version: ctx.version,
    verdict: o.verdict,
    bisection: o.bisection,
    previous: await previousVerdict(deps, earlier, decision.changedFrom),
    runner: ctx.runnerConfig,
    setup: recordedSetup(ctx),
    trees: deps.config.trees,
    mail: deps.config.mail,
    messageId: ids.messageId,
    date: deps.now(),
  });
  return db.transaction().execute(async (trx) => {
    // A withdrawn report (#daxbot invalid) keeps being recorded, never mailed.
    const withdrawn = (await invalidMark(trx, job.versionKey)) !== null;
    const row = await ensureReply(
      trx,
      {
        messageId: ids.messageId,
        versionKey: job.versionKey,
        jobId: job.id,
        kind: 'result',
        digest: ids.digest,
        outcome: o.verdict.outcome,
        mailed: decision.mail && !withdrawn,
        subject: composed.subject,
        recipients: composed.recipients,
        raw: composed.raw,
      },
      nowIso,
    );
    const reporting = { outcome: o.verdict.outcome, summary: o.verdict.summary, verdict: o.json };
    await updateJob(trx, job.id, { state: 'reporting', progress: 'reporting', ...reporting }, nowIso);
    return row;
  });
}

/** Sends a pending reply (or leaves a recorded one) and finishes the job either way. */
async function sendAndFinish(deps: PipelineDeps, job: JobRow, o: Outcome, reply: ReplyRow, log: Logger): Promise<void> {
  const db = deps.store.db;
  const nowIso = deps.now().toISOString();
  if (reply.state !== 'pending') {
    await updateJob(db, job.id, finished(o, nowIso), nowIso);
    const how = reply.state === 'recorded' ? 'recorded, not mailed' : reply.state;
    log.info({ outcome: o.verdict.outcome, reply: reply.state }, `done: ${o.verdict.summary}; reply ${how}`);
    return;
  }
  const d = await deliverReply(deps, reply, {
    log,
    onSent: (trx, sentAt) => updateJob(trx, job.id, finished(o, sentAt), sentAt),
  });
  if (d.kind !== 'sent') await updateJob(db, job.id, finished(o, nowIso), nowIso);
  log.info(
    { outcome: o.verdict.outcome, messageId: reply.messageId, delivery: d.kind },
    `done: ${o.verdict.summary}; reply ${d.kind === 'sent' ? 'sent' : `not delivered yet (${d.kind})`}`,
  );
}

/** Records a single-runner job's verdict and replies as the policy says (see the header). */
export async function reportResult(
  deps: PipelineDeps,
  job: JobRow,
  ctx: JobContext,
  verdict: Verdict,
  bisection: BisectionRecord | null,
  log: Logger,
): Promise<void> {
  const digest = resultDigest(verdict, bisection);
  const messageId = replyMessageId(job.versionKey, job.id, digest, deps.config.mail.domain);
  const json = verdictRecordJson({ verdict, bisection, ...recordedSetup(ctx) });
  const o: Outcome = { verdict, bisection, json };
  const reply =
    (await getReply(deps.store.db, messageId)) ?? (await composeReply(deps, job, ctx, o, { digest, messageId }, log));
  if (reply) await sendAndFinish(deps, job, o, reply, log);
}
