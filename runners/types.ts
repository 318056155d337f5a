/**
 * The runner contract. A runner takes a kernel tree, a base and (optionally) a series, and
 * returns a RunResult. It never throws for a patch or kernel failure: those are results.
 * It throws only `InfraError` (runners/errors.ts) when the machinery itself failed.
 */
import type { Logger } from 'pino';

export type TestStatus = 'pass' | 'fail' | 'skip' | 'error' | 'timeout';

export interface TestResult {
  /** Which suite produced it: "dax", "ndctl", "fstests", "nfit-sim", ... */
  suite: string;
  name: string;
  status: TestStatus;
  /**
   * Why it was skipped or failed, in one line (e.g. "exit status 77: missing prerequisite"). On
   * a pass: information the test reports, never a problem (nfit-sim's bus1-broken-dimms names the
   * simulated DIMMs' failure flags).
   */
  reason?: string;
  /** True when a skip means the environment lacks a prerequisite (ndctl's exit status 77). */
  missingPrerequisite?: boolean;
  durationMs?: number;
  /** A few lines of the test's own output around the failure. */
  excerpt?: string;
  /**
   * The title of the crash (a Finding's) that stopped the guest before this test gave its
   * result: the test did not fail on its own. Absent when it ran to its result.
   */
  stoppedBy?: string;
}

export type FindingType =
  | 'oops'
  | 'bug'
  | 'warning'
  | 'gpf'
  | 'kasan'
  | 'ubsan'
  | 'lockdep'
  | 'hung-task'
  | 'soft-lockup'
  | 'rcu-stall'
  | 'panic'
  | 'null-deref'
  | 'paging-fault'
  | 'hang'
  | 'other';

/** A crash or warning read from the kernel console. */
export interface Finding {
  /** syzkaller-style title, e.g. "BUG: kernel NULL pointer dereference in fs_dax_release". */
  title: string;
  type: FindingType;
  /** "fs_dax_release+0x12/0x40" or null. */
  rip: string | null;
  /** Call trace frames, innermost first, as printed ("ext4_fill_super+0x1a2/0x2c0"). */
  trace: string[];
  /** The same frames with file:line from the build's vmlinux, when symbolized. */
  symbolized?: string[];
  process?: string | null;
  taint?: string | null;
  /** The report text cut from the console. */
  report: string;
  /**
   * The guest test that had started when the kernel printed it (the suite's name for it): the
   * verdict counts failures of that test and of the tests after it in the same boot as the
   * crash's, not as failures of their own (bot/judge/follows-crash.ts).
   */
  test?: string;
}

export type FailureClass = 'none' | 'patch' | 'kernel' | 'infra';

export interface ApplyAttempt {
  base: string;
  /** Why this base was tried: "base-commit trailer", "configured branch for list", ... */
  reason: string;
  ok: boolean;
  /** 1-based patch number that failed. */
  failedPatch?: number;
  failedSubject?: string;
  conflictFiles?: string[];
  output?: string;
}

export interface ApplyResult {
  ok: boolean;
  /** The commit that was chosen as base (full sha). */
  base: string | null;
  /** HEAD after applying: the commit that is built. */
  head: string | null;
  /** One commit sha per applied patch, in order. */
  patchCommits: string[];
  attempts: ApplyAttempt[];
}

export interface BuildDiagnostic {
  file: string;
  line: number;
  column?: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface BuildResult {
  ok: boolean;
  configHash: string;
  buildDir: string;
  durationMs: number;
  errors: BuildDiagnostic[];
  /** Every warning of the build folder as it now stands, not only of this make (warning-state.ts). */
  warnings: BuildDiagnostic[];
  /** The folder's warning record covers every unit, so `warnings` can be compared with the base's. */
  warningsComplete?: boolean;
  /**
   * What the sandbox compiles and links with, for replies: the first lines of `gcc --version`
   * and `ld --version` ("gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40").
   */
  compiler?: string;
  /** Path of the built kernel image and vmlinux (for symbolizing). */
  bzImage?: string;
  vmlinux?: string;
  outputExcerpt?: string;
  /** The resource limit that stopped the build (runners/build/limits.ts), in words. */
  limitHit?: string;
  /** `base` (a configured tree's commit) or `series` (a series applied): which folders it used. */
  trust?: 'base' | 'series';
}

export interface RunResult {
  runner: string;
  tree: string;
  base: string | null;
  head: string | null;
  configHash: string | null;
  apply: ApplyResult | null;
  build: BuildResult | null;
  booted: boolean;
  tests: TestResult[];
  findings: Finding[];
  failureClass: FailureClass;
  /** Human explanation of failureClass (e.g. "guest hung during dax.mmap_sync; killed after 300 s"). */
  summary: string;
  consoleLog: string | null;
  /** The QEMU command line that was used, for the reproducer in replies. */
  qemuCommand?: string[];
  timings: Record<string, number>;
}

export interface RunRequest {
  /** Kernel git tree (the cached linux-source repo, or a user's clone). */
  tree: string;
  /** A rev in that tree. */
  base: string;
  /** Why this base (recorded in the apply attempts): "configured branch HEAD of linux-6.1 (list ...)". */
  baseReason?: string;
  /** An am-ready mbox to apply, or none (a baseline run). */
  mbox?: string;
  /**
   * The base was chosen by base discovery (bot/jobs/base-discovery.ts): the series is applied
   * there only, and the mbox's base-commit trailer is not tried first.
   */
  baseFound?: boolean;
  /** Apply only the first k patches of the mbox (for bisection). */
  patchLimit?: number;
  /** Which suites to run; runner default when absent. */
  suites?: string[];
  /** Stop after the build (a build bisection step): nothing is booted, no suite runs. */
  buildOnly?: boolean;
  /** Where this run may write (worktree, logs). */
  workDir: string;
}

export interface RunContext {
  log: Logger;
  signal?: AbortSignal;
  /** Called with progress lines ("build: 1200/3400 objects", "test 3/12 dax.mmap"). */
  progress?: (step: string, detail?: string) => void;
}

export interface Runner {
  readonly name: string;
  readonly description: string;
  run(request: RunRequest, ctx: RunContext): Promise<RunResult>;
}
