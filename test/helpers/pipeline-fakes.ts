import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Config } from '../../config/schema.ts';
import { configSchema } from '../../config/schema.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { silentLogger } from '../../bot/log.ts';
import { saveSeriesVersions } from '../../bot/store/series.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import type { PipelineDeps } from '../../bot/deps.ts';
import type { DiscoveryIo } from '../../bot/jobs/base-types.ts';
import type { MailSender } from '../../bot/report/senders.ts';
import type { Finding, RunRequest, RunResult, Runner } from '../../runners/types.ts';

export function testConfig(over: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    runners: [{ name: 'fake', kind: 'qemu-pmem', suites: ['dax'] }],
    schedule: { confirmRepeats: 1, incompleteWait: '1h' },
    ...over,
  });
}

export function version(key: string, n: number, over: Partial<SeriesVersion> = {}): SeriesVersion {
  return {
    key,
    seriesKey: key.replace(/#.*/, ''),
    revision: 1,
    project: 'kernel',
    subject: `series ${key}`,
    rootMessageId: `${key}-0@example.org`,
    coverMessageId: n > 1 ? `${key}-0@example.org` : null,
    expected: n,
    patches: Array.from({ length: n }, (_, i) => ({
      counter: i + 1,
      messageId: `${key}-${i + 1}@example.org`,
      subject: `patch number ${i + 1}`,
      from: { name: 'Ann Author', address: 'ann@example.org' },
      date: '2024-06-01T10:00:00.000Z',
      followupTrailers: [],
    })),
    missing: [],
    complete: true,
    isRfc: false,
    isResend: false,
    author: { name: 'Ann Author', address: 'ann@example.org' },
    firstDate: '2024-06-01T10:00:00.000Z',
    lastDate: '2024-06-01T10:00:00.000Z',
    baseCommit: null,
    prerequisitePatchIds: [],
    prerequisiteMessageIds: [],
    changeId: null,
    partialReroll: false,
    threadRootId: `${key}-0@example.org`,
    ...over,
  };
}

export const crashFinding: Finding = {
  title: 'BUG: kernel NULL pointer dereference, address: 0000000000000008',
  type: 'null-deref',
  rip: 'fs_dax_get_by_bdev+0x1c/0x90',
  trace: ['ext4_fill_super+0x31b/0x39d0', 'get_tree_bdev+0x16d/0x260', 'vfs_get_tree+0x25/0xd0'],
  report: 'BUG: kernel NULL pointer dereference',
};

export function runResult(over: Partial<RunResult> = {}): RunResult {
  return {
    runner: 'fake',
    tree: 'linux',
    base: 'a'.repeat(40),
    head: 'b'.repeat(40),
    configHash: 'cfg',
    apply: null,
    build: { ok: true, configHash: 'cfg', buildDir: '/tmp/b', durationMs: 1, errors: [], warnings: [] },
    booted: true,
    tests: [{ suite: 'dax', name: 'mount-dax', status: 'pass' }],
    findings: [],
    failureClass: 'none',
    summary: '',
    consoleLog: null,
    timings: {},
    ...over,
  };
}

export interface FakeRunnerOptions {
  /** Patch k (1-based) that crashes the kernel when applied; null for a clean series. */
  badPatch?: number | null;
  /** The base itself crashes (a pre-existing failure). */
  baseCrashes?: boolean;
  /** Patches in the series (for a run without patchLimit). */
  patches?: number;
  /** Throw InfraError for the first N calls. */
  infraFailures?: number;
  /** Patches 1..k do not build for these k (a later patch fixes it: the series builds). */
  brokenPrefixes?: number[];
  /** Build-only calls fail for infrastructure reasons. */
  buildOnlyInfra?: boolean;
}

/** A run whose build failed with one compiler error. */
export function brokenBuild(): RunResult {
  const error = { file: 'drivers/nvdimm/pmem.c', line: 531, column: 6, severity: 'error' as const, message: 'no x' };
  return runResult({
    build: { ok: false, configHash: 'cfg', buildDir: '/tmp/b', durationMs: 1, errors: [error], warnings: [] },
    booted: false,
    tests: [],
    failureClass: 'patch',
    summary: 'build failed',
  });
}

export class FakeRunner implements Runner {
  readonly name = 'fake';
  readonly description = 'scripted results for unit tests';
  calls: RunRequest[] = [];
  private infraLeft: number;
  constructor(private readonly opts: FakeRunnerOptions) {
    this.infraLeft = opts.infraFailures ?? 0;
  }
  async run(req: RunRequest): Promise<RunResult> {
    this.calls.push(req);
    if (this.infraLeft > 0) {
      this.infraLeft--;
      return runResult({ failureClass: 'infra', summary: 'qemu died' });
    }
    const inMbox = req.mbox
      ? Number(/patches=(\d+)/.exec(await readFile(req.mbox, 'utf8').catch(() => ''))?.[1] ?? NaN)
      : NaN;
    const applied = req.mbox ? (req.patchLimit ?? (Number.isNaN(inMbox) ? (this.opts.patches ?? 1) : inMbox)) : 0;
    if (req.buildOnly && this.opts.buildOnlyInfra) return runResult({ failureClass: 'infra', summary: 'slot broken' });
    if (req.mbox && this.opts.brokenPrefixes?.includes(applied)) return brokenBuild();
    const bad = this.opts.badPatch;
    const crashes = this.opts.baseCrashes || (bad != null && applied >= bad);
    if (!crashes) return runResult();
    return runResult({
      findings: [crashFinding],
      tests: [{ suite: 'dax', name: 'mount-dax', status: 'fail', reason: 'kernel crashed' }],
      failureClass: 'kernel',
      summary: 'crash',
    });
  }
}

export class FakeSender implements MailSender {
  sent: { messageId: string; raw: string }[] = [];
  async send(mail: { messageId: string; raw: string }): Promise<string> {
    // Idempotent by Message-ID, like the outbox.
    if (!this.sent.some((m) => m.messageId === mail.messageId)) this.sent.push(mail);
    return `fake:${mail.messageId}`;
  }
}

export async function storeWith(versions: SeriesVersion[]): Promise<Store> {
  const store = await openStore(':memory:');
  await saveSeriesVersions(store.db, versions, '2024-06-01T12:00:00.000Z');
  return store;
}

/** A real SQLite file in a fresh temp folder: transactions and triggers as in production. */
export async function fileStoreWith(versions: SeriesVersion[]): Promise<Store> {
  const store = await openStore(path.join(mkdtempSync(path.join(tmpdir(), 'daxbot-unit-store-')), 'db.sqlite'));
  await saveSeriesVersions(store.db, versions, '2024-06-01T12:00:00.000Z');
  return store;
}

/**
 * Base discovery on the fake trees: heads and commits through `resolveCommit`, no remote, no blob
 * matches, and every series applies to the first head tried (so it is tested on the routed
 * tree's head, or on the base-commit / requested base when `resolveCommit` knows them).
 */
export function resolvingBaseIo(deps: Pick<PipelineDeps, 'resolveCommit'>): DiscoveryIo {
  return {
    async heads(tree) {
      const heads: Record<string, string> = {};
      for (const b of tree.branches) heads[b] = (await deps.resolveCommit(tree.repo, b)) ?? 'c'.repeat(40);
      return heads;
    },
    commit: (tree, rev) => deps.resolveCommit(tree.repo, rev),
    fetchCommit: async () => false,
    missingBlobs: async (_tree, wanted) => wanted,
    matchOnBranch: async (_tree, branch) => ({ branch, commit: null, matched: 0, total: 0, walked: 0 }),
    trial: async (_tree, req) => ({ attempt: { base: req.base, reason: req.reason, ok: true }, head: req.base }),
    prerequisites: async () => [],
    split: async (mbox) => [mbox],
  };
}

export function fakeDeps(
  store: Store,
  runner: Runner,
  sender: MailSender,
  over: Partial<PipelineDeps> = {},
): PipelineDeps {
  const deps: Omit<PipelineDeps, 'bases'> & { bases?: DiscoveryIo } = {
    store,
    config: testConfig(),
    log: silentLogger(),
    now: () => new Date('2024-06-02T00:00:00.000Z'),
    runnerFor: () => runner,
    exportMbox: async (key) => {
      const v = await store.db
        .selectFrom('series_versions')
        .select('present')
        .where('version_key', '=', key)
        .executeTakeFirst();
      return Buffer.from(`mbox of ${key}\npatches=${v?.present ?? 0}\n`);
    },
    resolveCommit: async () => 'c'.repeat(40),
    treePath: () => '/nonexistent/tree',
    sender,
    // One folder per deps: job ids repeat across the in-memory stores of parallel tests.
    workDir: mkdtempSync(path.join(tmpdir(), 'daxbot-unit-pipeline-')),
    ingest: async () => undefined,
    refreshSeries: async () => undefined,
    ...over,
  };
  return { ...deps, bases: deps.bases ?? resolvingBaseIo(deps) };
}
