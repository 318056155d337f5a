/**
 * The end of a job whose series applies to no candidate tree: "untestable: no base". Nothing is
 * run and nothing is mailed; the job keeps every attempt (jobs.base) for `daxbot status`,
 * `series show` and the dashboard. In a multi-runner group the group is finished as for any
 * member: without a verdict from any runner there is no reply.
 */
import type { Logger } from 'pino';
import type { PipelineDeps } from '../deps.ts';
import { updateJob, type JobRow } from '../store/jobs.ts';
import { noBaseSummary } from './base-notes.ts';
import type { JobContext } from './context.ts';
import { finishGroup, inMultiRunnerGroup } from './group-report.ts';

export const NO_BASE_OUTCOME = 'no-base';

export async function finishNoBase(deps: PipelineDeps, job: JobRow, ctx: JobContext, log: Logger): Promise<void> {
  const db = deps.store.db;
  const nowIso = deps.now().toISOString();
  const summary = ctx.record ? noBaseSummary(ctx.record.discovery) : 'untestable: no base';
  if (await inMultiRunnerGroup(deps, job)) {
    const progress = 'no base; finishing the group';
    await updateJob(
      db,
      job.id,
      { state: 'reporting', outcome: NO_BASE_OUTCOME, summary, verdict: null, progress },
      nowIso,
    );
    await finishGroup(deps, job, log);
    return;
  }
  const done = { state: 'done', outcome: NO_BASE_OUTCOME, summary, verdict: null, progress: null, finishedAt: nowIso };
  await updateJob(db, job.id, done, nowIso);
  log.info({ outcome: NO_BASE_OUTCOME }, `done: ${summary}; recorded, not mailed`);
}
