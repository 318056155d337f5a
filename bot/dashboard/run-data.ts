/**
 * The data behind `/runs/<id>` (a job's step), `/baselines/<id>` (a cached base run) and
 * `/baselines` (which base commits are cached for which runner and suites). Console logs are
 * cut to an excerpt: the store keeps up to 200 KB of each, a page needs the end of it.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { RunnerConfig } from '../../config/schema.ts';
import { runnerConfigHash } from '../pipeline/runner-digest.ts';
import { baselineRow, baselineRows, runRow } from '../store/read/runs.ts';
import type { Database } from '../store/tables.ts';
import { parseStored, storedRunResultSchema, type StoredRunResult } from './stored-json.ts';

export const DEFAULT_CONSOLE_LINES = 300;

export interface ConsoleExcerpt {
  totalLines: number;
  /** 1-based number of the first line shown. */
  firstLine: number;
  text: string;
}

export interface RunView {
  kind: 'run' | 'baseline';
  id: number;
  /** Job runs: the job and its series version. */
  jobId: number | null;
  versionKey: string | null;
  step: string;
  role: string;
  patchLimit: number | null;
  runner: string;
  durationMs: number;
  createdAt: string;
  result: Omit<StoredRunResult, 'consoleLog'> | null;
  console: ConsoleExcerpt | null;
}

export interface BaselineGroup {
  cacheKey: string;
  runner: string;
  treeCommit: string;
  configHash: string;
  /** True when the hash matches the runner's current configuration (the cache is live). */
  currentConfig: boolean;
  suites: string[];
  repeats: {
    id: number;
    repeat: number;
    failureClass: string;
    summary: string;
    durationMs: number;
    createdAt: string;
  }[];
}

export interface BaselinesView {
  groups: BaselineGroup[];
}

/** The last `limit` lines (all when null). Pure. */
export function consoleExcerpt(log: string | null, limit: number | null): ConsoleExcerpt | null {
  if (log === null || log === '') return null;
  const lines = log.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const from = limit === null ? 0 : Math.max(0, lines.length - limit);
  return { totalLines: lines.length, firstLine: from + 1, text: lines.slice(from).join('\n') };
}

function split(stored: string, limit: number | null): { result: RunView['result']; console: ConsoleExcerpt | null } {
  const parsed = parseStored(storedRunResultSchema, stored);
  if (!parsed) return { result: null, console: null };
  const { consoleLog, ...rest } = parsed;
  return { result: rest, console: consoleExcerpt(consoleLog, limit) };
}

export async function loadRunView(db: Kysely<Database>, id: number, limit: number | null): Promise<RunView | null> {
  const found = await runRow(db, id);
  if (!found) return null;
  const { run: r, job } = found;
  const { result, console } = split(r.result, limit);
  return {
    kind: 'run',
    id: r.id,
    jobId: r.job_id,
    versionKey: job?.version_key ?? null,
    step: r.step,
    role: r.role,
    patchLimit: r.patch_limit,
    runner: job?.runner ?? result?.runner ?? '',
    durationMs: r.duration_ms,
    createdAt: r.created_at,
    result,
    console,
  };
}

export async function loadBaselineRunView(
  db: Kysely<Database>,
  id: number,
  limit: number | null,
): Promise<RunView | null> {
  const r = await baselineRow(db, id);
  if (!r) return null;
  const { result, console } = split(r.result, limit);
  return {
    kind: 'baseline',
    id: r.id,
    jobId: null,
    versionKey: null,
    step: `base:${r.repeat}`,
    role: 'base',
    patchLimit: null,
    runner: r.runner,
    durationMs: r.duration_ms,
    createdAt: r.created_at,
    result,
    console,
  };
}

const baselineSummarySchema = z.object({ failureClass: z.string().catch(''), summary: z.string().catch('') });

export async function loadBaselinesView(
  db: Kysely<Database>,
  runners: readonly RunnerConfig[],
): Promise<BaselinesView> {
  const rows = await baselineRows(db);
  const current = new Map(runners.map((rc) => [rc.name, runnerConfigHash(rc)]));
  const groups = new Map<string, BaselineGroup>();
  for (const r of rows) {
    let g = groups.get(r.cache_key);
    if (!g) {
      g = {
        cacheKey: r.cache_key,
        runner: r.runner,
        treeCommit: r.tree_commit,
        configHash: r.config_hash,
        currentConfig: current.get(r.runner) === r.config_hash,
        suites: r.suites === '' ? [] : r.suites.split(','),
        repeats: [],
      };
      groups.set(r.cache_key, g);
    }
    const s = parseStored(baselineSummarySchema, r.result);
    g.repeats.push({
      id: r.id,
      repeat: r.repeat,
      failureClass: s?.failureClass ?? '',
      summary: s?.summary ?? '',
      durationMs: r.duration_ms,
      createdAt: r.created_at,
    });
  }
  for (const g of groups.values()) g.repeats.sort((a, b) => a.repeat - b.repeat);
  return { groups: [...groups.values()] };
}
