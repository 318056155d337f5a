/**
 * Which job of a version's group builds each patch (judge/per-patch.ts): the build is the same
 * for every runner of a configuration, so one runner does it, the first of the group (in job
 * order) whose `buildEachPatch` is on (its own setting, else `schedule.buildEachPatch`). Its
 * finding reaches the group's one reply through its verdict.
 */
import type { RunnerConfig } from '../../runners/schema.ts';
import type { PipelineDeps } from '../deps.ts';
import { groupMembers } from '../store/job-groups.ts';
import type { JobRow } from '../store/jobs.ts';

/** Pure: the id of the member that builds each patch, or null when none of them does. */
export function perPatchBuilder(
  members: readonly { id: number; runner: string }[],
  runners: readonly RunnerConfig[],
  global: boolean,
): number | null {
  for (const m of members) {
    const config = runners.find((r) => r.name === m.runner);
    if (config && (config.buildEachPatch ?? global)) return m.id;
  }
  return null;
}

/** Whether this job builds each patch of its series. */
export async function buildsEachPatch(deps: PipelineDeps, job: JobRow): Promise<boolean> {
  const members = await groupMembers(deps.store.db, job.groupId);
  const all = members.length > 0 ? members : [{ id: job.id, runner: job.runner }];
  return perPatchBuilder(all, deps.config.runners, deps.config.schedule.buildEachPatch) === job.id;
}
