/** JobResults built by hand for the outputs' pure parts (fixed ids and times, no store). */
import type { JobResult, ResultRecord } from '../../../../bot/outputs/types.ts';
import type { StoredBaseline, StoredRun } from '../../../../bot/store/job-results.ts';
import type { RunResult } from '../../../../runners/types.ts';
import { runResult, version } from '../../../helpers/pipeline-fakes.ts';

export const BASE = 'ab'.repeat(20);
const DASH = 'https://d.example.org';

export function storedRun(id: number, result: Partial<RunResult> = {}, step = 'series:0'): StoredRun {
  return {
    id,
    no: id,
    step,
    role: step.split(':')[0] ?? 'series',
    patchLimit: null,
    durationMs: 90_000,
    recordedAt: '2024-06-01T00:30:00.000Z',
    result: runResult({ tree: '/cache/linux-6.1', base: BASE, ...result }),
  };
}

export function storedBaseline(id: number, repeat = 0): StoredBaseline {
  return {
    id,
    cacheKey: `qemu-pmem|${BASE}|cfg|dax`,
    repeat,
    runner: 'qemu-pmem',
    treeCommit: BASE,
    configHash: 'cfg',
    suites: 'dax',
    durationMs: 60_000,
    recordedAt: '2024-06-01T00:10:00.000Z',
    result: runResult({ tree: '/cache/linux-6.1', base: BASE, head: BASE }),
  };
}

export function jobResult(record: Partial<ResultRecord> | null, over: Partial<JobResult> = {}): JobResult {
  const jobId = over.jobId ?? 7;
  return {
    jobId,
    groupId: jobId,
    runner: 'qemu-pmem',
    versionKey: 's#v1',
    state: 'done',
    outcome: record ? (record.outcome ?? 'pass') : 'infra',
    summary: record ? (record.summary ?? 'no failures') : 'gave up after 3 infrastructure failures',
    createdAt: '2024-06-01T00:00:00.000Z',
    startedAt: '2024-06-01T00:00:00.000Z',
    finishedAt: '2024-06-01T01:00:00.000Z',
    version: version('s#v1', 5),
    record: record && {
      outcome: 'pass',
      summary: 'no failures',
      base: BASE,
      suites: ['dax'],
      firstBad: null,
      failedPatch: null,
      newFailures: [],
      ...record,
    },
    runs: [],
    baselines: [],
    withdrawn: false,
    links: { dashboard: DASH, run: `${DASH}/runs/3`, series: `${DASH}/s` },
    ...over,
  };
}
