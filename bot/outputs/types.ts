/**
 * The output contract. An output tells a place outside daxbot (a Patchwork instance, a KCIDB
 * submission endpoint) about a job: that it started, and its result. The pipeline calls one hook
 * per job (publish.ts); an output only receives `JobResult`s read back from the store, so what it
 * sends is always what the store holds, on the first attempt and on a retry alike.
 *
 * `post` throws on failure (an `OutputError` whose `permanent` says whether repeating can help);
 * the caller records the failure on the post and retries it later. It never throws for the job.
 */
import type { Logger } from 'pino';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { DaxbotError } from '../errors.ts';
import type { OutputEventKind } from '../store/output-posts.ts';
import type { StoredBaseline, StoredRun } from '../store/job-results.ts';
import { outputName, type OutputConfig } from './schema.ts';

export type { OutputEventKind };

/** The part of job-executor's verdict record the outputs use, parsed (job-result.ts). */
export interface ResultRecord {
  outcome: string;
  /** One line. */
  summary: string;
  base: string;
  suites: string[];
  /** 1-based first bad patch named by the bisection, or null. */
  firstBad: number | null;
  /** 1-based patch that did not apply, or null. */
  failedPatch: number | null;
  /** New failures as the verdict names them ("crash/<signature>", "dax/mount"). */
  newFailures: string[];
}

export interface JobResult {
  jobId: number;
  groupId: number;
  /** The runner's configured name. */
  runner: string;
  versionKey: string;
  state: string;
  /** The job's outcome ('infra' when it gave up); null while it runs. */
  outcome: string | null;
  summary: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Null only if the version vanished from the store. */
  version: SeriesVersion | null;
  /** Null before the verdict, and for a job that gave up on infrastructure failures. */
  record: ResultRecord | null;
  runs: StoredRun[];
  /** The base runs the verdict compared against (same runner, base, suites and kernel config). */
  baselines: StoredBaseline[];
  /** The report on this version was withdrawn by a maintainer (#daxbot invalid). */
  withdrawn: boolean;
  /**
   * The dashboard (its address without a trailing slash) and its pages: the job's first series
   * run (null before it ran), and the series version.
   */
  links: { dashboard: string; run: string | null; series: string };
}

export interface OutputEvent {
  event: OutputEventKind;
  result: JobResult;
}

export interface PostContext {
  /** Aborts the post when the output's time is up. */
  signal: AbortSignal;
  log: Logger;
}

export interface Output {
  /** Unique among the configured outputs; the store keys posts by it. */
  readonly name: string;
  readonly kind: string;
  /** The events it wants; 'result' always, 'start' where it shows something while a job runs. */
  readonly events: readonly OutputEventKind[];
  /** Time for one post, all its requests together. */
  readonly timeoutMs: number;
  /** Sends one event; returns a short note of what it did ("4 checks posted"). */
  post(event: OutputEvent, ctx: PostContext): Promise<string>;
}

/** What an output may use besides its configuration: the environment (tokens) and fetch. */
export interface OutputDeps {
  env: NodeJS.ProcessEnv;
  fetch: typeof fetch;
}

/** One output kind: its configuration schema and its constructor (registry.ts). */
export interface OutputModule<C extends { kind: string; name?: string | undefined }> {
  readonly kind: C['kind'];
  create(config: C, deps: OutputDeps): Output;
}

/**
 * The Output a module makes of one configured output: named by outputName, with the kind and
 * the timeout of its configuration, wanting `events`, and posting through `post`.
 */
export function configuredOutput(
  config: Pick<OutputConfig, 'kind' | 'name' | 'timeoutMs'>,
  events: readonly OutputEventKind[],
  post: Output['post'],
): Output {
  return { name: outputName(config), kind: config.kind, events, timeoutMs: config.timeoutMs, post };
}

/** A post failed. `permanent`: the other side refused it and repeating will not change that. */
export class OutputError extends DaxbotError {
  constructor(
    message: string,
    context: Record<string, unknown> & { permanent: boolean },
    options?: { cause?: unknown },
  ) {
    super('output', message, context, options);
  }
}
