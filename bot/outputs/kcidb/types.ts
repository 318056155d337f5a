/**
 * The KCIDB I/O objects daxbot writes (kcidb-io schema v5, as kcidb_io.schema.LATEST names it:
 * 5.3). Only the properties daxbot fills are listed; every one is optional in the schema except
 * the ids, `origin`, and the links between objects.
 */

export const KCIDB_VERSION = { major: 5, minor: 3 } as const;

export type KcidbStatus = 'FAIL' | 'ERROR' | 'MISS' | 'PASS' | 'DONE' | 'SKIP';

export interface KcidbCheckout {
  id: string;
  origin: string;
  tree_name?: string;
  git_commit_hash?: string;
  /** "" for the base alone: no patches applied. */
  patchset_hash?: string;
  message_id?: string;
  comment?: string;
  start_time?: string;
  valid?: boolean;
  log_url?: string;
  log_excerpt?: string;
  misc?: Record<string, unknown>;
}

export interface KcidbBuild {
  id: string;
  checkout_id: string;
  origin: string;
  comment?: string;
  start_time?: string;
  duration?: number;
  architecture?: string;
  config_name?: string;
  log_url?: string;
  log_excerpt?: string;
  status?: KcidbStatus;
  misc?: Record<string, unknown>;
}

export interface KcidbTest {
  id: string;
  build_id: string;
  origin: string;
  path?: string;
  comment?: string;
  status?: KcidbStatus;
  start_time?: string;
  duration?: number;
  log_url?: string;
  log_excerpt?: string;
  environment?: { comment?: string; misc?: Record<string, unknown> };
  misc?: Record<string, unknown>;
}

export interface KcidbIssue {
  id: string;
  version: number;
  origin: string;
  comment?: string;
  report_url?: string;
  culprit?: { code?: boolean; tool?: boolean; harness?: boolean };
  misc?: Record<string, unknown>;
}

export interface KcidbIncident {
  id: string;
  origin: string;
  issue_id: string;
  issue_version: number;
  build_id?: string;
  test_id?: string;
  present?: boolean;
  comment?: string;
}

export interface KcidbReport {
  version: { major: number; minor: number };
  checkouts: KcidbCheckout[];
  builds: KcidbBuild[];
  tests: KcidbTest[];
  issues: KcidbIssue[];
  incidents: KcidbIncident[];
}
