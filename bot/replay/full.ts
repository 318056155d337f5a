/**
 * The full replay of one series version: a job group queued as a re-run is (trigger `replay`)
 * and the queue worked until nothing is ready, with real builds and guest runs. The caller wires
 * the pipeline with a sender that writes to the replay folder, so a reply that would be mailed
 * lands there and nowhere else; a reply the policy only records is never written.
 */
import type { SeriesVersion } from '../../ingest/series/types.ts';
import type { PipelineDeps } from '../deps.ts';
import { parseBaseRecord } from '../jobs/base-record.ts';
import { insertRerunGroup } from '../queue/enqueue.ts';
import { processQueue } from '../queue/cycle.ts';
import { getJob, type JobRow } from '../store/jobs.ts';
import { versionReplies } from '../store/replies.ts';
import { testedFields, versionFields, type ReplayRow } from './types.ts';

/** One word for the group: its runners' outcomes, or the state of a job that did not finish. */
function groupOutcome(jobs: readonly JobRow[]): string {
  const words = jobs.map((j) => j.outcome ?? j.state);
  return [...new Set(words)].join('+') || 'not-run';
}

export async function replayFull(deps: PipelineDeps, version: SeriesVersion): Promise<ReplayRow> {
  const started = Date.now();
  const ids = await insertRerunGroup(deps.store.db, deps.config, version.key, {}, deps.now(), { trigger: 'replay' });
  await processQueue(deps);
  const jobs = (await Promise.all(ids.map((id) => getJob(deps.store.db, id)))).filter((j) => j !== null);
  const record = jobs.map((j) => parseBaseRecord(j.base)).find((r) => r !== null) ?? null;
  const tested = record?.tested ?? null;
  const group = jobs[0]?.groupId;
  const replies = (await versionReplies(deps.store.db, version.key)).filter(
    (r) => r.mailed && (r.groupId === group || (r.jobId !== null && ids.includes(r.jobId))),
  );
  const outcome = groupOutcome(jobs);
  const attempt = record?.discovery.attempts.find((a) => a.failedPatch !== undefined);
  return {
    ...versionFields(version),
    ...testedFields(tested),
    outcome,
    applied: tested !== null && !outcome.includes('apply-failed') && !outcome.includes('no-base'),
    ...(outcome === 'apply-failed' && attempt?.failedPatch !== undefined && { failedPatch: attempt.failedPatch }),
    wouldMail: replies.length > 0,
    ...(replies[0]?.deliveryId && { replyFile: replies[0].deliveryId }),
    ms: Date.now() - started,
    discoveryMs: (record?.discovery.ms ?? 0) - (record?.discovery.amMs ?? 0),
    amMs: record?.discovery.amMs ?? 0,
  };
}
