/**
 * daxbot's results as one KCIDB report (kcidb-io schema v5.3). Pure: the same jobs give the same
 * report, byte for byte, so a re-export or a re-submission merges into the same KCIDB objects.
 *
 * - A checkout per tested base plus series (`<origin>:<version key>@<base>`), and one for the
 *   base alone (`<origin>:base:<tree>:<base>`, empty patchset), which the verdict compared with.
 * - A build per runner configuration: the series build of each job, and each cached base build.
 * - A test per suite test per run (repeats are separate runs), plus `boot`, each linking its
 *   run page as log; statuses: pass PASS, fail and timeout FAIL, error ERROR, skip SKIP.
 * - A crash is an issue (one per crash signature) with an incident per run that showed it.
 * Bisection runs (partial series) are left out; a job that gave up on infrastructure failures,
 * or whose report a maintainer withdrew, is not exported.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Finding, RunResult, TestResult } from '../../../runners/types.ts';
import { crashSignature } from '../../judge/signature.ts';
import type { JobResult } from '../types.ts';
import type { KcidbBuild, KcidbReport, KcidbStatus, KcidbTest } from './types.ts';
import { KCIDB_VERSION } from './types.ts';

export interface KcidbOptions {
  /** The CI system's name in KCIDB: lower-case letters, digits and "_". */
  origin: string;
}

const MAX_EXCERPT = 16384;

/** A run to export: its id and page, and the build its tests belong to. */
interface ExportRun {
  idPrefix: string;
  url: string;
  buildId: string;
  recordedAt: string;
  durationMs: number;
  result: RunResult;
}

class Collector {
  readonly report: KcidbReport = {
    version: { ...KCIDB_VERSION },
    checkouts: [],
    builds: [],
    tests: [],
    issues: [],
    incidents: [],
  };
  private readonly seen = new Set<string>();
  /** Adds an object unless one of the same kind and id is in already (the first one stays). */
  add<K extends Exclude<keyof KcidbReport, 'version'>>(kind: K, obj: KcidbReport[K][number]): void {
    const key = `${kind}\n${obj.id}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    (this.report[kind] as KcidbReport[K][number][]).push(obj);
  }
}

function excerpt(text: string | undefined | null): string | undefined {
  if (!text) return undefined;
  // KCIDB strings never hold NUL; the limit counts characters.
  const clean = text.replace(/\0/g, '');
  return clean.length > MAX_EXCERPT ? clean.slice(clean.length - MAX_EXCERPT) : clean;
}

function startOf(recordedAt: string, durationMs: number): string {
  return new Date(Date.parse(recordedAt) - durationMs).toISOString();
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A KCIDB test path: segments of letters, digits, "_" and "-", joined by dots. */
export function testPath(suite: string, name: string): string {
  return [suite, ...name.split('/')]
    .map((s) => s.replace(/[^a-zA-Z0-9_-]+/g, '_'))
    .filter((s) => s.length > 0)
    .join('.');
}

export function testStatus(status: TestResult['status']): KcidbStatus {
  if (status === 'pass') return 'PASS';
  if (status === 'skip') return 'SKIP';
  if (status === 'error') return 'ERROR';
  // A timeout is the kernel's as much as a failure is (the verdict counts both as failures).
  return 'FAIL';
}

function buildStatus(r: RunResult): KcidbStatus {
  if (!r.build) return 'MISS';
  return r.build.ok ? 'PASS' : 'FAIL';
}

function buildExcerpt(r: RunResult): string | undefined {
  const errors = r.build?.errors ?? [];
  if (errors.length > 0) return excerpt(errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join('\n'));
  return excerpt(r.build?.outputExcerpt);
}

function addTests(c: Collector, run: ExportRun, origin: string): void {
  const r = run.result;
  if (!r.build?.ok) return;
  const used = new Set<string>();
  const add = (t: Omit<KcidbTest, 'id' | 'build_id' | 'origin' | 'log_url'> & { path: string }): void => {
    // Two tests of one run with the same path (a repeated name) must keep distinct ids.
    let p = t.path;
    for (let n = 2; used.has(p); n++) p = `${t.path}_${n}`;
    used.add(p);
    c.add('tests', { id: `${run.idPrefix}:${p}`, build_id: run.buildId, origin, log_url: run.url, ...t, path: p });
  };
  add({ path: 'boot', status: r.booted ? 'PASS' : 'FAIL', start_time: startOf(run.recordedAt, run.durationMs) });
  for (const t of r.tests) {
    const log = excerpt(t.excerpt ?? t.reason);
    add({
      path: testPath(t.suite, t.name),
      status: testStatus(t.status),
      comment: t.reason ? `${t.suite}/${t.name}: ${t.reason}` : `${t.suite}/${t.name}`,
      ...(t.durationMs !== undefined && { duration: t.durationMs / 1000 }),
      ...(log !== undefined && { log_excerpt: log }),
    });
  }
}

function addCrashes(c: Collector, run: ExportRun, origin: string): void {
  run.result.findings.forEach((f: Finding, i: number) => {
    const signature = crashSignature(f.title);
    const issueId = `${origin}:crash:${shortHash(signature)}`;
    c.add('issues', {
      id: issueId,
      version: 1,
      origin,
      comment: f.title,
      culprit: { code: true, tool: false, harness: false },
      misc: { signature, type: f.type, rip: f.rip },
    });
    c.add('incidents', {
      id: `${run.idPrefix}:crash${i}`,
      origin,
      issue_id: issueId,
      issue_version: 1,
      build_id: run.buildId,
      present: true,
      comment: f.title,
    });
  });
}

function addRun(c: Collector, run: ExportRun, origin: string): void {
  addTests(c, run, origin);
  addCrashes(c, run, origin);
}

function treeName(r: JobResult): string {
  const tree = r.runs[0]?.result.tree;
  return tree ? path.basename(tree) : 'linux';
}

function buildOf(id: string, checkoutId: string, run: ExportRun, extra: Partial<KcidbBuild>, origin: string) {
  const r = run.result;
  const b: KcidbBuild = {
    id,
    checkout_id: checkoutId,
    origin,
    start_time: startOf(run.recordedAt, run.durationMs),
    architecture: 'x86_64',
    status: buildStatus(r),
    log_url: run.url,
    ...(r.build && { duration: r.build.durationMs / 1000 }),
    ...(buildExcerpt(r) !== undefined && { log_excerpt: buildExcerpt(r) }),
    ...extra,
  };
  return b;
}

function addBase(c: Collector, r: JobResult, o: KcidbOptions, tree: string, base: string): void {
  const dash = r.links.dashboard;
  const checkoutId = `${o.origin}:base:${tree}:${base}`;
  c.add('checkouts', {
    id: checkoutId,
    origin: o.origin,
    tree_name: tree,
    ...(/^[0-9a-f]{40}$/.test(base) && { git_commit_hash: base }),
    patchset_hash: '',
    valid: true,
    comment: `${tree} at ${base.slice(0, 12)}, the base daxbot compares series with`,
  });
  for (const b of r.baselines) {
    const buildId = `${o.origin}:base-build:${shortHash(b.cacheKey)}`;
    const run: ExportRun = { ...b, idPrefix: `${o.origin}:baseline${b.id}`, url: `${dash}/baselines/${b.id}`, buildId };
    const misc = { runner: b.runner, kernel_config_hash: b.result.configHash, cache_key: b.cacheKey };
    c.add('builds', buildOf(buildId, checkoutId, run, { config_name: b.runner, misc }, o.origin));
    addRun(c, run, o.origin);
  }
}

function addSeries(c: Collector, r: JobResult, o: KcidbOptions, tree: string, base: string): void {
  const version = r.version;
  const record = r.record;
  if (!version || !record) return;
  const dash = r.links.dashboard;
  const checkoutId = `${o.origin}:${r.versionKey}@${base}`;
  const seriesRuns = r.runs.filter((x) => x.role === 'series');
  const apply = seriesRuns[0]?.result.apply;
  const failedApply = apply?.attempts.find((a) => !a.ok);
  c.add('checkouts', {
    id: checkoutId,
    origin: o.origin,
    tree_name: tree,
    ...(/^[0-9a-f]{40}$/.test(base) && { git_commit_hash: base }),
    ...(version.rootMessageId.includes('@') && { message_id: version.rootMessageId }),
    comment: `[PATCH v${version.revision}] ${version.subject}`,
    ...(r.startedAt && { start_time: r.startedAt }),
    valid: apply ? apply.ok : record.outcome !== 'apply-failed',
    log_url: r.links.series,
    ...(failedApply?.output && { log_excerpt: excerpt(failedApply.output) }),
    misc: { version_key: r.versionKey, patches: version.patches.map((p) => p.messageId) },
  });
  const buildId = `${o.origin}:job${r.jobId}:build`;
  seriesRuns.forEach((s, i) => {
    const run: ExportRun = { ...s, idPrefix: `${o.origin}:run${s.id}`, url: `${dash}/runs/${s.no}`, buildId };
    if (i === 0 && (!apply || apply.ok)) {
      const misc = { runner: r.runner, job: r.jobId, outcome: record.outcome, kernel_config_hash: s.result.configHash };
      c.add(
        'builds',
        buildOf(buildId, checkoutId, run, { config_name: r.runner, comment: record.summary, misc }, o.origin),
      );
    }
    if (!apply || apply.ok) addRun(c, run, o.origin);
  });
}

/** One report of every job given, objects shared between jobs (a base, a crash) listed once. */
export function kcidbReport(jobs: JobResult[], o: KcidbOptions): KcidbReport {
  const c = new Collector();
  for (const r of jobs) {
    if (!r.record || r.withdrawn || !r.version) continue;
    const tree = treeName(r);
    addSeries(c, r, o, tree, r.record.base);
    addBase(c, r, o, tree, r.record.base);
  }
  return c.report;
}
