/**
 * The one hook between the pipeline and the outputs. `withOutputs` wraps the execution of a
 * claimed job: on its first claim it records the job's posts and sends the `start` event (in the
 * background: the job does not wait for it); when the job is done it sends the `result` event.
 * `flushOutputs` retries whatever is due, when a worker finds the queue empty.
 *
 * Contract with the pipeline: nothing here throws, and a job never waits on an output beyond the
 * output's own timeout after it is done. A failed post is recorded on its row (attempts, last
 * error, next attempt after a backoff, as for a reply: report/delivery-policy.ts) and retried, until the
 * output gives up on it. Posts are recorded before the job runs, so a kill at any point loses
 * nothing: the next flush finds the result post of a job that finished meanwhile.
 *
 * Order: a `start` post not sent by the time the job is done is superseded, never sent after the
 * result (Patchwork shows the newest check of a context).
 */
import type { PipelineDeps } from '../deps.ts';
import {
  afterFailedAttempt,
  DEFAULT_DELIVERY_POLICY,
  deliveryErrorText,
  isPermanentDeliveryError,
} from '../report/delivery-policy.ts';
import { errorMessage } from '../errors.ts';
import type { JobRow } from '../store/jobs.ts';
import {
  claimOutputPost,
  dueOutputPosts,
  markOutputPostSent,
  outputBackingOff,
  recordOutputPostFailure,
  recordOutputPosts,
  supersedeStartPosts,
  type OutputPostRow,
} from '../store/output-posts.ts';
import { loadJobResult } from './job-result.ts';
import type { Output } from './types.ts';

/** Never throws: a failure of the outputs' own bookkeeping is logged and left to the next flush. */
async function guarded(deps: PipelineDeps, what: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    deps.log.error({ err: errorMessage(err) }, `outputs: ${what} failed; retried later`);
  }
}

async function attempt(deps: PipelineDeps, output: Output, row: OutputPostRow): Promise<void> {
  const db = deps.store.db;
  const now = deps.now();
  // Held back for the attempt's length and as long again: a worker killed mid-post frees it then.
  const holdUntil = new Date(now.getTime() + 2 * output.timeoutMs).toISOString();
  if (!(await claimOutputPost(db, row.id, now.toISOString(), holdUntil))) return;
  const log = deps.log.child({ output: output.name, job: row.jobId, event: row.event });
  const result = await loadJobResult(deps.store, row.jobId, deps.config.mail.dashboardUrl);
  if (!result) return;
  try {
    const detail = await output.post(
      { event: row.event, result },
      { signal: AbortSignal.timeout(output.timeoutMs), log },
    );
    await markOutputPostSent(db, row.id, detail, deps.now().toISOString());
    log.info(`outputs: ${output.name} ${row.event}: ${detail}`);
  } catch (err) {
    const attempts = row.attempts + 1;
    const permanent = isPermanentDeliveryError(err);
    const error = deliveryErrorText(err);
    const next = afterFailedAttempt(attempts, permanent, deps.now(), { ...DEFAULT_DELIVERY_POLICY, ...deps.delivery });
    await recordOutputPostFailure(db, row.id, { attempts, error, ...next });
    const ctx = { attempts, permanent, err: error, nextAttemptAt: next.nextAttemptAt };
    if (next.failed) log.error(ctx, `outputs: ${output.name} ${row.event} failed ${attempts} time(s): giving up`);
    else log.warn(ctx, `outputs: ${output.name} ${row.event} failed: retry after ${next.nextAttemptAt}`);
  }
}

/** Sends the due posts (of one job, or all): starts of running jobs, results of finished ones. */
async function postDue(deps: PipelineDeps, outputs: readonly Output[], jobId?: number): Promise<void> {
  const byName = new Map(outputs.map((o) => [o.name, o]));
  const nowIso = deps.now().toISOString();
  for (const row of await dueOutputPosts(deps.store.db, nowIso, jobId)) {
    const output = byName.get(row.output);
    // An output no longer configured keeps its rows untouched, in case it comes back.
    if (!output) continue;
    const done = row.jobState === 'done';
    if (row.event === 'start' && done) {
      await supersedeStartPosts(deps.store.db, row.jobId);
      continue;
    }
    if (row.event === 'result' && !done) continue;
    // While an output's last failure waits for its retry, new posts to it wait with it.
    if (row.attempts === 0 && (await outputBackingOff(deps.store.db, output.name, nowIso))) continue;
    await attempt(deps, output, row);
  }
}

async function begin(deps: PipelineDeps, outputs: readonly Output[], job: JobRow): Promise<void> {
  // Only a job's first claim starts it; a resumed job was announced already.
  const fresh = job.state === 'new';
  const posts = outputs.flatMap((o) => [
    ...(fresh && o.events.includes('start') ? [{ output: o.name, jobId: job.id, event: 'start' as const }] : []),
    { output: o.name, jobId: job.id, event: 'result' as const },
  ]);
  await recordOutputPosts(deps.store.db, posts, deps.now().toISOString());
  if (fresh) await postDue(deps, outputs, job.id);
}

/**
 * Runs a claimed job (`execute`) with the outputs told: the start while it runs, the result once
 * it is done. Returns what `execute` returned; `execute`'s own errors pass through untouched.
 */
export async function withOutputs<T extends string>(
  deps: PipelineDeps,
  job: JobRow,
  execute: () => Promise<T>,
): Promise<T> {
  const outputs = deps.outputs ?? [];
  if (outputs.length === 0) return execute();
  const started = guarded(deps, `starting job ${job.id}`, () => begin(deps, outputs, job));
  let exit: T;
  try {
    exit = await execute();
  } finally {
    await started;
  }
  if (exit === 'done') await guarded(deps, `result of job ${job.id}`, () => postDue(deps, outputs, job.id));
  return exit;
}

/** Retries every due post (all jobs). Cheap when nothing is due; never throws. */
export async function flushOutputs(deps: PipelineDeps): Promise<void> {
  const outputs = deps.outputs ?? [];
  if (outputs.length === 0) return;
  await guarded(deps, 'retrying posts', () => postDue(deps, outputs));
}
