/**
 * A checkout of ndctl at one tag, made from a git bundle (../shared/upstream/ndctl.bundle holds
 * ndctl's whole history) into <cacheDir>/ndctl-src/<tag>, never into the repository. Cloned once
 * under a private name and renamed, so a killed run never leaves a half checkout that looks
 * finished; the bundle is ours (trusted), so git runs on it directly. The checkout is what
 * `ndctlSource` names; its build is cached by content (ndctl-build.ts), so re-making it is cheap.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../../bot/errors.ts';
import { execCommand, type Exec } from '../sandbox/exec.ts';

/** ndctl's bundle relative to the repository root, and the release the tests run. */
export const NDCTL_BUNDLE = path.join('..', 'shared', 'upstream', 'ndctl.bundle');
export const NDCTL_TAG = 'v81';

export interface NdctlCheckoutOptions {
  bundle: string;
  tag: string;
  cacheDir: string;
  exec?: Exec;
}

/** Where the checkout of `tag` lives (pure). */
export function ndctlCheckoutDir(cacheDir: string, tag: string): string {
  return path.join(cacheDir, 'ndctl-src', tag.replace(/[^\w.-]/g, '_'));
}

/** Makes (or finds) the checkout; a missing bundle or tag is an InfraError naming it. */
export async function ensureNdctlCheckout(o: NdctlCheckoutOptions): Promise<string> {
  const dir = ndctlCheckoutDir(o.cacheDir, o.tag);
  if (existsSync(path.join(dir, 'meson.build'))) return dir;
  if (!existsSync(o.bundle)) throw new InfraError(`ndctl bundle not found: ${o.bundle}`, { bundle: o.bundle });
  const exec = o.exec ?? execCommand;
  await mkdir(path.dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  const env = { PATH: '/usr/bin:/bin', GIT_TERMINAL_PROMPT: '0', HOME: path.dirname(dir) };
  const steps: string[][] = [
    ['clone', '--quiet', '--no-checkout', path.resolve(o.bundle), tmp],
    ['-C', tmp, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', `refs/tags/${o.tag}`],
  ];
  for (const args of steps) {
    const r = await exec('git', args, { env, timeoutMs: 10 * 60_000 });
    if (r.code !== 0) {
      await rm(tmp, { recursive: true, force: true });
      throw new InfraError(`git ${args.includes('clone') ? 'clone' : 'checkout'} of ndctl ${o.tag} failed`, {
        bundle: o.bundle,
        output: r.output.slice(-2000),
      });
    }
  }
  try {
    await rename(tmp, dir);
  } catch {
    // Another process made the same checkout first: its copy is as good as ours.
    await rm(tmp, { recursive: true, force: true });
  }
  return dir;
}
