/**
 * What the tests and the bench that run ndctl's real meson suite share: the ndctl v81 checkout
 * made from ../shared/upstream/ndctl.bundle into the kernel cache (never into the repository),
 * the Debian trees, the runner configuration, and the CI subset of ndctl's tests.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../bot/log.ts';
import { nfitSimSchema, type NfitSimConfig } from '../../runners/nfit-sim/schema.ts';
import { ensureNdctlCheckout, NDCTL_BUNDLE, NDCTL_TAG } from '../../runners/nfit-sim/ndctl-checkout.ts';
import { debianTarball, debianTreeName, ensureLinuxTree, type LinuxTree } from '../../runners/tree/setup.ts';
import { kernelCacheDir, kernelTestsAvailable, repoRoot } from './kernel-env.ts';

export const ndctlBundle = path.join(repoRoot, NDCTL_BUNDLE);

/**
 * The tests CI runs of ndctl's `ndctl` and `dax` suites (the full suites run in
 * `npm run bench -- ndctl`): runners/nfit-sim/README.md says why these and what each base does.
 */
export const CI_NDCTL_TESTS = ['libndctl', 'create.sh', 'multi-dax.sh'];

/** The bundle, the kernel tools and debootstrap are there, and Debian's tarball of `series`. */
export function realNdctlAvailable(series = '6.1'): boolean {
  return (
    existsSync(ndctlBundle) &&
    (existsSync(path.join(kernelCacheDir, debianTreeName(series), '.git')) || existsSync(debianTarball(series))) &&
    kernelTestsAvailable(['debootstrap', 'mke2fs', 'qemu-img'])
  );
}

/** ndctl v81 checked out from the bundle into <cache>/ndctl-src/v81. */
export function ndctlCheckout(): Promise<string> {
  return ensureNdctlCheckout({ bundle: ndctlBundle, tag: NDCTL_TAG, cacheDir: kernelCacheDir });
}

/** The cached Debian tree of `series` ("6.1", "6.12"), unpacked once. */
export function debianTree(series: string): Promise<LinuxTree> {
  return ensureLinuxTree(kernelCacheDir, silentLogger(), {
    name: debianTreeName(series),
    tarball: debianTarball(series),
  });
}

/**
 * An nfit-sim runner with ndctl's real suites. Each ndctl test allows itself 600 s in meson; the
 * runner's per-test timeout is set above that so meson's own timeout speaks first.
 */
export function realNdctlRunner(source: string, extra: Partial<NfitSimConfig> = {}): NfitSimConfig {
  return nfitSimSchema.parse({
    name: 'nfit-sim',
    kind: 'nfit-sim',
    suites: ['ndctl-meson'],
    ndctlSource: source,
    ndctlSuites: ['ndctl', 'dax'],
    bootTimeout: '300s',
    testTimeout: '660s',
    overallTimeout: '120m',
    ...extra,
  });
}
