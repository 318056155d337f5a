/**
 * The qemu-pmem runner for real: the Debian 6.1 tree, a pmem/DAX kernel built with the project's
 * fragment, QEMU (TCG) with an emulated NVDIMM. One build folder is shared by all tests here
 * (they run in order: the patched kernels rebuild incrementally on it). Uses DAXBOT_CACHE_DIR
 * or <repo>/var/cache so CI reuses the tree and ccache.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { runnerSchema } from '../../config/schema.ts';
import type { Parsers } from '../../runners/qemu-pmem/analyze.ts';
import { createQemuPmemRunner } from '../../runners/qemu-pmem/runner.ts';
import { DEFAULT_LINUX_TARBALL, ensureLinuxTree, resolveCacheDir, type LinuxTree } from '../../runners/tree/setup.ts';
import type { Finding, RunResult, TestResult } from '../../runners/types.ts';
import { hasBinary as has } from '../helpers/servers/binaries.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'patches');

const available =
  existsSync(DEFAULT_LINUX_TARBALL) &&
  ['qemu-system-x86_64', 'bwrap', 'ccache', 'busybox', 'ndctl', 'daxctl', 'mkfs.ext4', 'mkfs.xfs', 'cpio', 'gcc', 'flock', 'bison', 'flex', 'bc'].every(has);

/** The real parsers (runners/parse/) when present; a minimal KTAP reader otherwise. */
async function loadParsers(): Promise<{ parsers: Parsers; symbolize: (f: Finding, vmlinux: string, tree: string) => Promise<Finding> | Finding }> {
  try {
    const m = await import('../../runners/qemu-pmem/parsers.ts');
    return { parsers: m.defaultParsers, symbolize: m.defaultSymbolize };
  } catch {
    const console = await import('../../runners/parse/console.ts');
    const parseKtap = (text: string, suite: string): TestResult[] =>
      text.split('\n').flatMap((l) => {
        const m = /^(not ok|ok) \d+ (\S+)(?: # (.*))?$/.exec(l.trim());
        if (!m?.[2]) return [];
        const skip = /^SKIP/i.test(m[3] ?? '');
        const status: TestResult['status'] = skip ? 'skip' : m[1] === 'ok' ? 'pass' : 'fail';
        return [{ suite, name: m[2], status, ...(m[3] ? { reason: m[3] } : {}) }];
      });
    return { parsers: { analyzeConsole: (l) => console.analyzeConsole(l), parseKtap }, symbolize: (f) => f };
  }
}

const byName = (r: RunResult, name: string): TestResult | undefined => r.tests.find((t) => t.name === name);

describe.skipIf(!available)('qemu-pmem harness (real kernel, real QEMU)', () => {
  let cacheDir: string;
  let tree: LinuxTree;
  let loaded: Awaited<ReturnType<typeof loadParsers>>;
  const config = runnerSchema.parse({ name: 'qemu-pmem', kind: 'qemu-pmem', testTimeout: '180s', bootTimeout: '180s', overallTimeout: '20m' });
  const log = silentLogger();

  beforeAll(async () => {
    cacheDir = resolveCacheDir(repoRoot, process.env);
    tree = await ensureLinuxTree(cacheDir, log);
    loaded = await loadParsers();
  }, 600_000);

  const runner = (extra: Partial<Parameters<typeof createQemuPmemRunner>[0]> = {}) =>
    createQemuPmemRunner({ config, repoRoot, cacheDir, parsers: loaded.parsers, symbolize: loaded.symbolize, ...extra });
  const workDir = () => mkdtemp(path.join(os.tmpdir(), 'daxbot-run-'));

  it('boots the 6.1 pmem kernel with an NVDIMM and the DAX suite passes', async () => {
    const r = await runner().run({ tree: tree.path, base: tree.tag, workDir: await workDir() }, { log });
    const consoleText = r.consoleLog ? await readFile(r.consoleLog, 'utf8') : '';
    expect(r.build?.ok, JSON.stringify(r.build?.errors)).toBe(true);
    expect(r.booted, consoleText.slice(-3000)).toBe(true);
    expect(r.failureClass, `${r.summary}\n${consoleText.slice(-4000)}`).toBe('none');
    expect(r.tests.length).toBeGreaterThanOrEqual(19);
    for (const name of ['fsdax_namespace', 'ext4_dax_mount', 'ext4_map_sync', 'ext4_odirect_from_dax', 'xfs_dax_mount', 'xfs_punch_hole_mapped', 'devdax_mmap', 'namespace_reconfigure']) {
      expect(byName(r, name)?.status, name).toBe('pass');
    }
    expect(r.timings.bootMs).toBeGreaterThan(0);
  }, 2_400_000);

  it('reports an injected guest hang at the test timeout, with what was running', async () => {
    const hangConfig = { ...config, testTimeout: '20s' };
    const r = await createQemuPmemRunner({ config: hangConfig, repoRoot, cacheDir, parsers: loaded.parsers, symbolize: loaded.symbolize, extraKernelArgs: ['daxbot.hang=ext4_mmap_rw'] })
      .run({ tree: tree.path, base: tree.tag, workDir: await workDir() }, { log });
    expect(r.failureClass).toBe('kernel');
    const hang = r.findings.find((f) => f.type === 'hang');
    expect(hang?.title).toContain('ext4_mmap_rw');
    expect(hang?.report).toContain('injected hang');
    expect(byName(r, 'ext4_mmap_rw')?.status).toBe('timeout');
    expect(r.summary).toContain('test-timeout');
  }, 1_200_000);

  it('reports a series that does not apply: which patch, which files', async () => {
    const r = await runner().run({ tree: tree.path, base: tree.tag, mbox: path.join(fixtures, 'dax-conflict-series.mbox'), workDir: await workDir() }, { log });
    expect(r.failureClass).toBe('patch');
    expect(r.apply?.ok).toBe(false);
    expect(r.build).toBeNull();
    const a = r.apply?.attempts[0];
    expect(a?.failedPatch).toBe(2);
    expect(a?.failedSubject).toContain('rate-limit the unaligned partition warning');
    expect(a?.conflictFiles).toContain('drivers/dax/super.c');
    expect(r.summary).toContain('drivers/dax/super.c');
  }, 300_000);

  it('a NULL dereference on the ext4 DAX mount path is a crash finding naming the function', async () => {
    const r = await runner().run({ tree: tree.path, base: tree.tag, mbox: path.join(fixtures, 'ext4-dax-null-deref.mbox'), workDir: await workDir() }, { log });
    expect(r.apply?.ok).toBe(true);
    expect(r.apply?.attempts[0]?.reason).toMatch(/base-commit|configured/);
    expect(r.build?.ok, JSON.stringify(r.build?.errors)).toBe(true);
    expect(r.failureClass).toBe('kernel');
    const crash = r.findings.find((f) => f.type !== 'hang');
    expect(crash?.title).toContain('ext4_dax_bsize_ok');
    expect(crash?.trace.length).toBeGreaterThan(2);
    if (crash?.symbolized) expect(crash.symbolized.join('\n')).toMatch(/super\.c:\d+/);
    expect(byName(r, 'ext4_dax_mount')?.status).toBe('fail');
  }, 2_400_000);
});
