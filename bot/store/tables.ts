/**
 * Table types for Kysely. Columns are portable between SQLite (embedded default) and
 * PostgreSQL (the fleet): booleans are integers 0/1, timestamps ISO strings, lists JSON text.
 */
import type { ColumnType, Generated } from 'kysely';

export interface MessagesTable {
  id: Generated<number>;
  message_id: string;
  /** Id of the first stored copy with this Message-ID when the bytes differ; null for the first. */
  dup_of: number | null;
  raw: Buffer;
  raw_sha256: string;
  source: string;
  origin: string;
  received_at: string;
  /** 'ok' or 'quarantined'. */
  status: string;
  quarantine_reason: string | null;
  subject: string | null;
  from_name: string | null;
  from_address: string | null;
  date: string | null;
  in_reply_to: string | null;
  list_id: string | null;
  is_patch: number;
  is_reply: number;
  revision: number;
  counter: number;
  expected: number;
  project: string | null;
  has_diff: number;
  /** Trailers a reply gives to the patch it answers (Reviewed-by, ...), JSON; null if none. */
  followups: string | null;
  /** ParsedMessage as JSON (null when quarantined). */
  parsed: string | null;
}

/** Every time a source hands us a message we already hold byte-for-byte. */
export interface SightingsTable {
  id: Generated<number>;
  message_row: number;
  source: string;
  origin: string;
  seen_at: string;
}

export interface CheckpointsTable {
  source: string;
  value: string | null;
  updated_at: string;
}

export interface SeriesVersionsTable {
  id: Generated<number>;
  version_key: string;
  series_key: string;
  revision: number;
  project: string;
  subject: string;
  root_message_id: string;
  cover_message_id: string | null;
  thread_root_id: string;
  author: string;
  expected: number;
  present: number;
  complete: number;
  has_cover: number;
  base_commit: string | null;
  first_date: string | null;
  last_date: string | null;
  /** SeriesVersion as JSON. */
  data: string;
  created_at: ColumnType<string, string, never>;
  updated_at: string;
}

export interface Database {
  messages: MessagesTable;
  sightings: SightingsTable;
  checkpoints: CheckpointsTable;
  series_versions: SeriesVersionsTable;
  jobs: JobsTable;
  runs: RunsTable;
  baselines: BaselinesTable;
  replies: RepliesTable;
  commands: CommandsTable;
  command_marks: CommandMarksTable;
}

/** One pipeline job: test a series version (state machine in bot/jobs/). */
export interface JobsTable {
  id: Generated<number>;
  version_key: string;
  /** 'new-series' | 'rerun' | 'command'. */
  trigger: string;
  /** Higher first: manual re-runs outrank new series. */
  priority: number;
  state: string;
  runner: string;
  /** The group of jobs dispatched together (id of its first job); null: a group of one. */
  group_id: number | null;
  /** JobOptions JSON (suites, repeats). */
  options: string;
  attempts: number;
  /** Not to be claimed before (waiting window, infra backoff). */
  not_before: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  /** Last progress line, for `daxbot status`. */
  progress: string | null;
  outcome: string | null;
  summary: string | null;
  /** Verdict JSON with the bisection. */
  verdict: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** A completed step of a job: a series run, a confirmation repeat, a bisection step. */
export interface RunsTable {
  id: Generated<number>;
  job_id: number;
  /** Deterministic step name ("series:0", "bisect:3"): unique per job, so no step runs twice. */
  step: string;
  role: string;
  patch_limit: number | null;
  failure_class: string;
  duration_ms: number;
  /** RunResult JSON (console log dropped). */
  result: string;
  created_at: string;
}

/** Base runs, cached by (tree commit, config hash, suites, runner), shared by every job. */
export interface BaselinesTable {
  id: Generated<number>;
  cache_key: string;
  repeat: number;
  runner: string;
  tree_commit: string;
  config_hash: string;
  suites: string;
  duration_ms: number;
  result: string;
  created_at: string;
}

export interface RepliesTable {
  id: Generated<number>;
  message_id: string;
  version_key: string | null;
  job_id: number | null;
  /** The job group a result reply covers (unique: one reply per group); null otherwise. */
  group_id: number | null;
  /** 'result' | 'command'. */
  kind: string;
  /** What the reply says, condensed: the same digest is never mailed twice for a version. */
  digest: string;
  outcome: string;
  /** 0 when only recorded (a pass without mail.replyOnPass). */
  mailed: number;
  /** 'pending' | 'sent' | 'recorded' | 'failed' (refused until the bot gave up, migration 006). */
  state: string;
  subject: string;
  recipients: string;
  raw: string;
  delivery_id: string | null;
  created_at: string;
  sent_at: string | null;
  /** Failed delivery attempts so far. */
  attempts: Generated<number>;
  /** Why the last delivery attempt failed. */
  last_error: string | null;
  /** Not retried before this time (backoff after a failed attempt); null: due now. */
  next_attempt_at: string | null;
}

export interface CommandsTable {
  id: Generated<number>;
  /** The mail (or CLI invocation id) carrying the command. */
  message_id: string;
  version_key: string | null;
  from_address: string | null;
  text: string;
  action: string;
  /** 'accepted' | 'refused'. */
  decision: string;
  reason: string;
  job_id: number | null;
  reply_message_id: string | null;
  created_at: string;
}

/** What accepted "#daxbot unrelated" and "#daxbot invalid" commands left behind (migration 004). */
export interface CommandMarksTable {
  id: Generated<number>;
  /** 'unrelated' | 'invalid'. */
  kind: string;
  /** The series (all its versions): what an "unrelated" mark applies to. */
  series_key: string;
  /** The version the command was given on: what an "invalid" mark applies to. */
  version_key: string;
  /** For "unrelated": the crash title as the maintainer wrote it. */
  crash_title: string | null;
  /** The command's sender address. */
  marked_by: string;
  /** The command line ("<message-id>/<n>"), one mark per line. */
  command_id: string;
  created_at: string;
}
