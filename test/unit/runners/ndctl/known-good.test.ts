/**
 * The known-good kernel's build step: the first make of a commit is recorded, later makes of the
 * same commit are answered from the record while the build folder is unchanged, a make by anyone
 * else in the folder (a series build) voids the record, and a failed make is never recorded.
 * Real git for the slot's commit, a fake make that writes into the build folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import type { KernelBuildOptions } from '../../../../runners/build/make.ts';
import { knownGoodBuildStep } from '../../../../runners/ndctl/known-good.ts';
import type { BuildResult } from '../../../../runners/types.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-unit-known-good-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const source = path.join(dir, 'linux');
const buildDir = path.join(dir, 'build');
mkdirSync(source);
mkdirSync(buildDir);
const git = (...args: string[]): string =>
  execFileSync('git', ['-C', source, '-c', 'user.name=T', '-c', 'user.email=t@example.org', ...args], {
    encoding: 'utf8',
  });
git('init', '-q');
git('commit', '-q', '--allow-empty', '-m', 'base');

let makes = 0;
let fail = false;
/** A make that writes its output into the build folder, as kbuild does. */
const fakeMake = async (o: KernelBuildOptions): Promise<BuildResult> => {
  makes++;
  writeFileSync(path.join(o.buildDir, `out-${makes}`), String(makes));
  return { ok: !fail, configHash: 'c', buildDir: o.buildDir, durationMs: 7, errors: [], warnings: [] };
};
const options = (targets: string[], makeArgs: string[] = []): KernelBuildOptions => ({
  source,
  buildDir,
  fragments: [],
  cacheDir: dir,
  targets,
  makeArgs,
  log: silentLogger(),
});

describe('knownGoodBuildStep', () => {
  const step = knownGoodBuildStep(fakeMake);

  it('makes the kernel and the modules once, then answers both from the record', async () => {
    await step(options(['bzImage', 'modules']));
    await step(options(['modules'], ['M=tools/testing/nvdimm']));
    expect(makes).toBe(2);
    const again = await step(options(['bzImage', 'modules']));
    await step(options(['modules'], ['M=tools/testing/nvdimm']));
    expect([makes, again.ok, again.durationMs]).toEqual([2, true, 0]);
  });

  it('makes again once another make wrote into the folder, and after a new commit', async () => {
    writeFileSync(path.join(buildDir, 'a-series-build.o'), 'x');
    await step(options(['bzImage', 'modules']));
    await step(options(['modules'], ['M=tools/testing/nvdimm']));
    expect(makes).toBe(4);
    git('commit', '-q', '--allow-empty', '-m', 'next');
    await step(options(['bzImage', 'modules']));
    expect(makes).toBe(5);
  });

  it('never records a failed make', async () => {
    git('commit', '-q', '--allow-empty', '-m', 'third');
    fail = true;
    expect((await step(options(['bzImage', 'modules']))).ok).toBe(false);
    fail = false;
    await step(options(['bzImage', 'modules']));
    expect(makes).toBe(7);
  });
});
