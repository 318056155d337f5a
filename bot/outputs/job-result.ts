/**
 * A job's result as the outputs see it, read back from the store (store/job-results.ts) and
 * parsed: the verdict record job-executor wrote is checked field by field, never trusted blindly.
 */
import { z } from 'zod';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { baselinesOf, loadStoredJobResult, type StoredBaseline, type StoredRun } from '../store/job-results.ts';
import type { Store } from '../store/store.ts';
import type { JobResult, ResultRecord } from './types.ts';

const recordSchema = z.object({
  verdict: z.object({
    outcome: z.string(),
    summary: z.string(),
    entries: z.array(z.object({ key: z.string(), class: z.string(), signature: z.string().optional() })).default([]),
    applyFailure: z.object({ failedPatch: z.number().int().positive().optional() }).optional(),
  }),
  bisection: z.object({ firstBad: z.number().int().positive().nullable() }).nullable().default(null),
  base: z.string(),
  suites: z.array(z.string()).default([]),
});

function parseJson(json: string | null): unknown {
  if (json === null) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** The record's fields the outputs use; null when absent or not in the expected shape. */
export function parseResultRecord(json: string | null): ResultRecord | null {
  const p = recordSchema.safeParse(parseJson(json));
  if (!p.success) return null;
  const v = p.data.verdict;
  return {
    outcome: v.outcome,
    summary: v.summary,
    base: p.data.base,
    suites: p.data.suites,
    firstBad: p.data.bisection?.firstBad ?? null,
    failedPatch: v.applyFailure?.failedPatch ?? null,
    newFailures: v.entries.filter((e) => e.class === 'new-failure').map((e) => e.key),
  };
}

const versionSchema = z.object({
  key: z.string(),
  subject: z.string(),
  patches: z.array(z.object({ counter: z.number(), messageId: z.string(), subject: z.string() })),
});

function parseVersion(json: string | null): SeriesVersion | null {
  const data = parseJson(json);
  // Written by saveSeriesVersions from a SeriesVersion; the fields the outputs read are checked.
  return versionSchema.safeParse(data).success ? (data as SeriesVersion) : null;
}

/** The dashboard's address without a trailing slash. */
export function dashboardBase(dashboardUrl: string): string {
  return dashboardUrl.replace(/\/+$/, '');
}

/** The base runs of the verdict: same runner, base and suites, and the kernel configuration built. */
async function comparedBaselines(store: Store, runner: string, rec: ResultRecord | null, runs: StoredRun[]) {
  if (!rec) return [];
  const suites = [...rec.suites].sort().join(',');
  const sameSuites = (await baselinesOf(store.db, runner, rec.base)).filter((b) => b.suites === suites);
  const built = runs.find((r) => r.role === 'series')?.result.configHash ?? null;
  const sameConfig = sameSuites.filter((b: StoredBaseline) => built === null || b.result.configHash === built);
  return sameConfig.length > 0 ? sameConfig : sameSuites;
}

export async function loadJobResult(store: Store, jobId: number, dashboardUrl: string): Promise<JobResult | null> {
  const s = await loadStoredJobResult(store.db, jobId);
  if (!s) return null;
  const base = dashboardBase(dashboardUrl);
  const seriesRun = s.runs.find((r) => r.role === 'series');
  const record = parseResultRecord(s.verdictJson);
  return {
    jobId: s.job.id,
    groupId: s.job.groupId,
    runner: s.job.runner,
    versionKey: s.job.versionKey,
    state: s.job.state,
    outcome: s.job.outcome,
    summary: s.job.summary,
    createdAt: s.job.createdAt,
    startedAt: s.job.startedAt,
    finishedAt: s.job.finishedAt,
    version: parseVersion(s.versionJson),
    record,
    runs: s.runs,
    baselines: await comparedBaselines(store, s.job.runner, record, s.runs),
    withdrawn: s.withdrawn,
    links: {
      dashboard: base,
      run: seriesRun ? `${base}/runs/${seriesRun.no}` : null,
      series: `${base}/series/${encodeURIComponent(s.job.versionKey)}`,
    },
  };
}
