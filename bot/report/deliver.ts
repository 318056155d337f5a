/**
 * Delivery of stored replies, one at a time, with a failure kept on the reply instead of thrown.
 * A mail server that refuses one reply (a 550 for one recipient) must not stop the cycle: before,
 * the refused reply stayed pending, was tried first thing in every cycle, and its error ended the
 * cycle before anything new was enqueued or run. Now a failed attempt is recorded (count, last
 * error, next attempt after a backoff) and the caller goes on. A permanent refusal (5xx) is tried
 * a few times, because it is often ours to fix (authentication, relay settings), then the reply is
 * marked 'failed' and left alone; a transient one (no connection, 4xx) is retried longer, but not
 * forever either. `daxbot status` lists such replies.
 */
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { markReplySent, pendingReplies, recordDeliveryFailure, type ReplyRow } from '../store/replies.ts';
import type { Database } from '../store/tables.ts';
import type { PipelineDeps } from '../deps.ts';
import {
  afterFailedAttempt,
  DEFAULT_DELIVERY_POLICY,
  deliveryErrorText,
  isPermanentDeliveryError,
  type DeliveryResult,
} from './delivery-policy.ts';

export interface DeliverOptions {
  log: Logger;
  /** Committed together with the reply's 'sent' mark (the job's state change). */
  onSent?: (trx: Transaction<Database>, sentAt: string) => Promise<void>;
}

/**
 * Sends one pending reply. Only the sender's failure is caught and recorded; a store failure
 * still throws, since nothing else can go on without the store either.
 */
export async function deliverReply(deps: PipelineDeps, reply: ReplyRow, opts: DeliverOptions): Promise<DeliveryResult> {
  let deliveryId: string;
  try {
    deliveryId = await deps.sender.send({ messageId: reply.messageId, recipients: reply.recipients, raw: reply.raw });
  } catch (err) {
    const policy = { ...DEFAULT_DELIVERY_POLICY, ...deps.delivery };
    const attempts = reply.attempts + 1;
    const permanent = isPermanentDeliveryError(err);
    const error = deliveryErrorText(err);
    const next = afterFailedAttempt(attempts, permanent, deps.now(), policy);
    await recordDeliveryFailure(deps.store.db, reply.messageId, { attempts, error, ...next });
    const ctx = {
      reply: reply.messageId,
      kind: reply.kind,
      version: reply.versionKey,
      attempts,
      permanent,
      err: error,
    };
    if (next.failed || next.nextAttemptAt === null) {
      opts.log.error(ctx, `reply delivery failed ${attempts} time(s): giving up (daxbot status lists it)`);
      return { kind: 'failed', attempts, error, permanent };
    }
    opts.log.warn(
      { ...ctx, nextAttemptAt: next.nextAttemptAt },
      `reply delivery failed: retry after ${next.nextAttemptAt}`,
    );
    return { kind: 'retry', attempts, error, permanent, nextAttemptAt: next.nextAttemptAt };
  }
  const sentAt = deps.now().toISOString();
  await deps.store.db.transaction().execute(async (trx) => {
    await markReplySent(trx, reply.messageId, deliveryId, sentAt);
    await opts.onSent?.(trx, sentAt);
  });
  return { kind: 'sent', deliveryId, sentAt };
}

export interface FlushReport {
  sent: number;
  /** Failed this time, tried again after their backoff. */
  deferred: number;
  /** Failed this time and given up. */
  failed: number;
}

/**
 * Sends every pending reply that is due: answers to commands, and result replies whose first
 * delivery failed or was cut short by a kill between writing and sending. Each is delivered on
 * its own, so one refused reply never holds back the others or the rest of the cycle.
 */
export async function flushPendingReplies(deps: PipelineDeps): Promise<FlushReport> {
  const report: FlushReport = { sent: 0, deferred: 0, failed: 0 };
  for (const r of await pendingReplies(deps.store.db, { dueAt: deps.now().toISOString() })) {
    const d = await deliverReply(deps, r, { log: deps.log });
    if (d.kind === 'sent') report.sent++;
    else if (d.kind === 'retry') report.deferred++;
    else report.failed++;
  }
  return report;
}
