/**
 * One reply for a series version tested on several runners. Each job of the group records
 * its verdict and finishes; the job that finds every sibling finished composes the one reply
 * from all the group's verdicts and sends it.
 *
 * Durability, with kill -9 at any point:
 * - a job's verdict commits before it looks at its siblings, so of two siblings finishing at
 *   the same moment the later commit always sees both verdicts (neither can miss the other);
 * - both may then compose, but the reply row is keyed by the group (a unique index) and by a
 *   Message-ID derived from version, group and combined digest: one insert wins, and only the
 *   job whose insert won sends, in the same transaction as its state change;
 * - a job killed after recording its verdict is still active and redoes this on restart;
 *   a composer killed after its insert finds its row and only sends.
 */
import type { Logger } from 'pino';
import type { Verdict } from '../judge/verdict.ts';
import { groupMembers } from '../store/job-groups.ts';
import { updateJob, type JobRow } from '../store/jobs.ts';
import { invalidMark } from '../store/marks.ts';
import { claimReply, groupReply, versionReplies, type ReplyRow } from '../store/replies.ts';
import { deliverReply } from '../report/deliver.ts';
import type { PipelineDeps } from '../deps.ts';
import {
  decideGroupReply,
  groupDigest,
  groupProgress,
  groupReplyMessageId,
  verdictRecordJson,
  type MemberResult,
} from './group-plan.ts';
import { loadVersion, routedTreeName } from './context.ts';
import type { BisectionRecord } from './plan.ts';
import { renderGroupMail } from '../report/compose.ts';

/** More than one job in the group: its reply is the group's, composed by the last to finish. */
export async function inMultiRunnerGroup(deps: PipelineDeps, job: JobRow): Promise<boolean> {
  return (await groupMembers(deps.store.db, job.groupId)).length > 1;
}

export interface RecordedSetup {
  base: string;
  baseReason: string;
  suites: string[];
}

/** A verdict is in: record it, then finish the group if this was its last job. */
export async function reportInGroup(
  deps: PipelineDeps,
  job: JobRow,
  setup: RecordedSetup,
  verdict: Verdict,
  bisection: BisectionRecord | null,
  log: Logger,
): Promise<void> {
  const nowIso = deps.now().toISOString();
  const verdictJson = verdictRecordJson({
    verdict,
    bisection,
    base: setup.base,
    baseReason: setup.baseReason,
    suites: setup.suites,
  });
  // Committed on its own, before the siblings are read (see the header).
  await updateJob(
    deps.store.db,
    job.id,
    {
      state: 'reporting',
      outcome: verdict.outcome,
      summary: verdict.summary,
      verdict: verdictJson,
      progress: 'verdict recorded',
    },
    nowIso,
  );
  await finishGroup(deps, job, log);
}

/** The job gave up on infrastructure failures: it counts as finished, shown as such, never blamed. */
export async function giveUpInGroup(
  deps: PipelineDeps,
  job: JobRow,
  u: { attempts: number; summary: string; error: string },
  log: Logger,
): Promise<void> {
  const nowIso = deps.now().toISOString();
  // 'reporting', not 'done': a kill before the group is finished leaves the job to redo it.
  await updateJob(
    deps.store.db,
    job.id,
    {
      state: 'reporting',
      attempts: u.attempts,
      outcome: 'infra',
      summary: u.summary,
      error: u.error,
      verdict: null,
      progress: 'gave up; finishing the group',
    },
    nowIso,
  );
  await finishGroup(deps, job, log);
}

/** A job that already gave up and was killed before finishing its group (see giveUpInGroup). */
export function gaveUpUnfinished(job: JobRow): boolean {
  return job.state === 'reporting' && job.outcome === 'infra';
}

async function markDone(deps: PipelineDeps, job: JobRow, progress: null | string = null): Promise<void> {
  const nowIso = deps.now().toISOString();
  await updateJob(deps.store.db, job.id, { state: 'done', progress, finishedAt: nowIso }, nowIso);
}

/**
 * Composes the group's reply and stores it, unless the policy wants none (then this job is done
 * and null is returned). Of two siblings composing at once, one insert wins (see the header).
 */
async function composeGroupReply(
  deps: PipelineDeps,
  job: JobRow,
  results: MemberResult[],
  digest: string,
  log: Logger,
): Promise<ReplyRow | null> {
  const db = deps.store.db;
  const earlier = (await versionReplies(db, job.versionKey)).filter((r) => r.groupId !== job.groupId);
  const decision = decideGroupReply(results, digest, earlier, { replyOnPass: deps.config.mail.replyOnPass });
  if (decision.kind === 'none') {
    await markDone(deps, job);
    log.info({ group: job.groupId }, `done; no reply for the group (${decision.reason})`);
    return null;
  }
  const messageId = groupReplyMessageId(job.versionKey, job.groupId, digest, deps.config.mail.domain);
  const version = await loadVersion(deps, job.versionKey);
  const composed = await renderGroupMail({
    db,
    lists: deps.config.trees.flatMap((t) => t.lists),
    version,
    results,
    runners: deps.config.runners,
    treeName: await routedTreeName(deps, version),
    previous: decision.changedFrom
      ? { messageId: decision.changedFrom.messageId, outcome: decision.changedFrom.outcome }
      : null,
    mail: deps.config.mail,
    messageId,
    date: deps.now(),
  });
  const nowIso = deps.now().toISOString();
  // A withdrawn report (#daxbot invalid) keeps being recorded, never mailed, as for one runner.
  // Read before the transaction, so that the transaction starts with its write: a SQLite
  // transaction that reads first cannot wait for another process's write lock.
  const withdrawn = (await invalidMark(db, job.versionKey)) !== null;
  // The reply row and this job's state change commit together: after this, a restart only sends.
  return db.transaction().execute(async (trx) => {
    const c = await claimReply(
      trx,
      {
        messageId,
        versionKey: job.versionKey,
        jobId: job.id,
        groupId: job.groupId,
        kind: 'result',
        digest,
        outcome: composed.outcome,
        mailed: decision.mail && !withdrawn,
        subject: composed.subject,
        recipients: composed.recipients,
        raw: composed.raw,
      },
      nowIso,
    );
    if (c.inserted) await updateJob(trx, job.id, { state: 'reporting', progress: 'reporting for the group' }, nowIso);
    return c.row;
  });
}

/** Composes and sends the group's reply if every sibling is finished; marks this job done. */
export async function finishGroup(deps: PipelineDeps, job: JobRow, log: Logger): Promise<void> {
  const db = deps.store.db;
  const progress = groupProgress(await groupMembers(db, job.groupId));
  if (!progress.done) {
    await markDone(deps, job);
    log.info(
      { group: job.groupId, pending: progress.pending },
      `done; the group's reply waits for ${progress.pending.join(', ')}`,
    );
    return;
  }
  const results = progress.results;
  const digest = groupDigest(results);
  const reply = (await groupReply(db, job.groupId)) ?? (await composeGroupReply(deps, job, results, digest, log));
  if (!reply) return;
  // Only the job whose insert won sends: a sibling that composed at the same moment just stops.
  if (reply.jobId !== job.id) {
    await markDone(deps, job);
    log.info({ group: job.groupId, reply: reply.messageId, by: reply.jobId }, "done; the group reply is another job's");
    return;
  }
  if (reply.state === 'pending') {
    // As for one runner: a refused delivery stays on the reply (retried by flushPendingReplies
    // after its backoff, or marked failed) and the job is done either way.
    const d = await deliverReply(deps, reply, {
      log,
      onSent: (trx, sentAt) => updateJob(trx, job.id, { state: 'done', progress: null, finishedAt: sentAt }, sentAt),
    });
    if (d.kind !== 'sent') await markDone(deps, job);
    log.info(
      { group: job.groupId, outcome: reply.outcome, messageId: reply.messageId, delivery: d.kind },
      `done; the group reply (${results.length} runners) ${d.kind === 'sent' ? 'sent' : `not delivered yet (${d.kind})`}`,
    );
    return;
  }
  await markDone(deps, job);
  log.info(
    { group: job.groupId, reply: reply.state },
    `done; the group reply ${reply.state === 'recorded' ? 'recorded, not mailed' : reply.state}`,
  );
}
