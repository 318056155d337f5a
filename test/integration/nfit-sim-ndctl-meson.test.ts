/**
 * The external ndctl suite for real: the nfit-sim runner with `ndctlSource` pointing at the
 * project's stand-in checkout (test/fixtures/ndctl-standin, a meson project shaped like ndctl's
 * tests; real ndctl source is not downloadable here). It makes (or reuses) the Debian root
 * filesystem with debootstrap, builds the checkout inside it, boots the nfit_test kernel from
 * the cached linux-6.1 tree with the root filesystem and the build as virtio disks, runs
 * `meson test` in a chroot in the guest and reads the results with the meson parser. Everything
 * is cached under DAXBOT_CACHE_DIR (default <repo>/var/cache; CI: ~/.cache/daxbot), so the second
 * run on a machine is warm. Run it as `flock /tmp/daxbot-kernel-build.lock npx vitest run <this
 * file>`: the kernel and ndctl builds take that lock themselves unless an ancestor holds it.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { runnerSchema } from '../../config/schema.ts';
import { getRunner } from '../../runners/registry.ts';
import { DEFAULT_LINUX_TARBALL, ensureLinuxTree, resolveCacheDir, type LinuxTree } from '../../runners/tree/setup.ts';
import type { RunResult, TestResult } from '../../runners/types.ts';
import { hasBinary as has } from '../helpers/servers/binaries.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const standin = path.join(repoRoot, 'test', 'fixtures', 'ndctl-standin');

const available =
  existsSync(DEFAULT_LINUX_TARBALL) &&
  [
    'qemu-system-x86_64',
    'qemu-img',
    'bwrap',
    'ccache',
    'busybox',
    'ndctl',
    'mkfs.ext4',
    'mke2fs',
    'cpio',
    'gcc',
    'flock',
    'bison',
    'flex',
    'bc',
    'debootstrap',
  ].every(has);

const find = (r: RunResult, suite: string, name: string): TestResult | undefined =>
  r.tests.find((t) => t.suite === suite && t.name === name);
const explain = async (r: RunResult): Promise<string> =>
  `${r.failureClass}: ${r.summary}\n${JSON.stringify(
    r.tests.filter((t) => t.status !== 'pass'),
    null,
    1,
  )}\n${r.consoleLog && existsSync(r.consoleLog) ? (await readFile(r.consoleLog, 'utf8')).slice(-6000) : ''}`;

describe.skipIf(!available)('nfit-sim runner: the external ndctl meson suite in a Debian guest', () => {
  let cacheDir: string;
  let tree: LinuxTree;
  const log = silentLogger();

  beforeAll(async () => {
    cacheDir = resolveCacheDir(repoRoot, process.env);
    tree = await ensureLinuxTree(cacheDir, log);
  }, 600_000);

  it(
    'builds the stand-in in the root filesystem, runs meson test in the guest and reports pass and exit-77 skips with their reason',
    async () => {
      const mod = getRunner('nfit-sim');
      if (!mod) throw new Error('nfit-sim is not registered');
      const config = runnerSchema.parse({
        name: 'nfit-sim',
        kind: 'nfit-sim',
        suites: ['ndctl-meson'],
        ndctlSource: standin,
        bootTimeout: '180s',
        testTimeout: '300s',
        overallTimeout: '20m',
      });
      const workDir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-ndctl-'));
      const r = await mod
        .create(config, { repoRoot, cacheDir })
        .run({ tree: tree.path, base: tree.tag, workDir }, { log });
      // Cold and warm figures for the report (debootstrap + image, ndctl build, boot + suite).
      console.log(`ndctl-meson timings: ${JSON.stringify(r.timings)}`);
      expect(r.build?.ok, JSON.stringify(r.build?.errors)).toBe(true);
      expect(r.booted, await explain(r)).toBe(true);
      expect(r.failureClass, await explain(r)).toBe('none');
      expect(r.findings).toEqual([]);

      // The compiled test linked against the root filesystem's libndctl found the simulated bus.
      expect(find(r, 'ndctl', 'libndctl'), await explain(r)).toMatchObject({ status: 'pass' });
      expect(find(r, 'ndctl', 'create.sh'), await explain(r)).toMatchObject({ status: 'pass' });
      // Exit status 77: a skip for a missing prerequisite, with the test's own reason line.
      expect(find(r, 'dax', 'daxdev-errors.sh')).toMatchObject({
        status: 'skip',
        missingPrerequisite: true,
        reason: expect.stringMatching(/^exit status 77: kernel 6\.1\.\S+: dax_pmem_compat module not loaded$/),
      });
      // The layout real ndctl's harness needs (daxbot's own check in the stand-in): modinfo finds the
      // simulator's modules under /lib/modules/<release>/extra/, and modprobe -r / modprobe nfit_test
      // in the chroot unload and reload it with both buses back.
      expect(find(r, 'ndctl', 'daxbot-modules.sh'), await explain(r)).toMatchObject({ status: 'pass' });
      // The destructive test is only registered with ndctlDestructive.
      expect(find(r, 'dax', 'dax-ext4.sh')).toBeUndefined();
      expect(r.tests.filter((t) => t.suite === 'ndctl' || t.suite === 'dax')).toHaveLength(4);
      // The guest loaded the modules for the ndctl suite alone, and the host read how that went.
      expect(find(r, 'nfit-sim', 'module-nfit_test')).toMatchObject({ status: 'pass' });
      expect(find(r, 'nfit-sim', 'buses')).toMatchObject({ status: 'pass' });
      expect(r.timings.ndctlRootfsMs).toBeGreaterThanOrEqual(0);
    },
    90 * 60_000,
  );
});
