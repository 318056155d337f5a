/**
 * The ndctl runner's sequence with fakes at its two heavy edges (the meson build and the
 * known-good kernel's guest run) and real git: the series is applied to a small ndctl-like
 * repository in the runner's slot, a build failure is the series' build result, a build-only step
 * boots nothing, the guest run gets the slot as its ndctl source and the configured kernel tree,
 * and its failing tests are the series' (never the kernel's). Plus the build log's diagnostics.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../bot/log.ts';
import { ndctlDiagnostics, type NdctlTreeBuildOptions } from '../../../../runners/ndctl/build.ts';
import { createNdctlRunner } from '../../../../runners/ndctl/runner.ts';
import { ndctlRunnerSchema } from '../../../../runners/ndctl/schema.ts';
import type { BuildResult, RunRequest, RunResult, Runner } from '../../../../runners/types.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-unit-ndctl-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'T',
      GIT_AUTHOR_EMAIL: 't@example.org',
      GIT_COMMITTER_NAME: 'T',
      GIT_COMMITTER_EMAIL: 't@example.org',
    },
  });

/** A repository with namespace.c at its base, and a 2-patch series: patch 2 breaks the build. */
function ndctlLikeRepo(): { repo: string; mbox: string } {
  const repo = path.join(dir, 'ndctl');
  execFileSync('mkdir', ['-p', repo]);
  git(repo, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'namespace.c'), 'int size = 1;\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'base');
  git(repo, 'tag', 'v81');
  writeFileSync(path.join(repo, 'namespace.c'), 'int size = 2;\n');
  git(repo, 'commit', '-qam', 'ndctl/namespace: size 2');
  writeFileSync(path.join(repo, 'namespace.c'), 'int size = BROKEN;\n');
  git(repo, 'commit', '-qam', 'ndctl/namespace: break it');
  const mbox = path.join(dir, 'series.mbox');
  writeFileSync(mbox, git(repo, 'format-patch', '--stdout', '--subject-prefix=ndctl PATCH', 'v81..HEAD'));
  git(repo, 'checkout', '-q', 'v81');
  return { repo, mbox };
}

const built = (ok: boolean, errors: BuildResult['errors'] = []): BuildResult => ({
  ok,
  configHash: 'k',
  buildDir: '/b',
  durationMs: 1,
  errors,
  warnings: [],
});

describe('the ndctl runner', () => {
  const { repo, mbox } = ndctlLikeRepo();
  const builds: string[] = [];
  const guests: { source: string; req: RunRequest }[] = [];
  const buildTree = async (o: NdctlTreeBuildOptions): Promise<BuildResult> => {
    const src = readFileSync(path.join(o.source, 'namespace.c'), 'utf8');
    builds.push(src.trim());
    return src.includes('BROKEN')
      ? built(false, [{ file: 'namespace.c', line: 1, severity: 'error', message: "'BROKEN' undeclared" }])
      : built(true);
  };
  const kernelRunner = (source: string): Runner => ({
    name: 'k',
    description: 'fake',
    run: async (req) => {
      guests.push({ source, req });
      const two = readFileSync(path.join(source, 'namespace.c'), 'utf8').includes('2');
      const result: RunResult = {
        runner: 'k',
        tree: req.tree,
        base: 'kb',
        head: 'kb',
        configHash: 'e97379cfe130',
        apply: null,
        build: { ...built(true), bzImage: '/bz' },
        booted: true,
        tests: [{ suite: 'ndctl', name: 'create.sh', status: two ? 'fail' : 'pass' }],
        findings: [],
        failureClass: two ? 'kernel' : 'none',
        summary: two ? '1 ndctl test(s) failed: ndctl.create.sh' : '1 passed, 0 skipped',
        consoleLog: null,
        timings: { buildMs: 5, applyMs: 1, qemuMs: 9 },
      };
      return result;
    },
  });
  const config = ndctlRunnerSchema.parse({ name: 'ndctl', kind: 'ndctl', ndctlTests: ['create.sh'] });
  const runner = createNdctlRunner({
    config,
    repoRoot: dir,
    cacheDir: path.join(dir, 'cache'),
    treePath: (n) => `/trees/${n}`,
    kernelRunner,
    buildTree,
  });
  const ctx = { log: silentLogger() };
  const req = (extra: Partial<RunRequest>): RunRequest => ({
    tree: repo,
    base: 'v81',
    workDir: path.join(dir, 'w'),
    ...extra,
  });

  it('runs the base: the tree as it is, on the configured kernel tree at its revision', async () => {
    const r = await runner.run(req({}), ctx);
    expect([r.build?.ok, r.failureClass, r.tests.map((t) => t.status)]).toEqual([true, 'none', ['pass']]);
    expect(guests.at(-1)?.req).toMatchObject({ tree: '/trees/linux-6.1', base: 'HEAD', suites: ['ndctl-meson'] });
    expect(r.timings).toMatchObject({ kernelBuildMs: 5, kernelCheckoutMs: 1, qemuMs: 9 });
  });

  it('blames a failing ndctl test on the series, not on the kernel', async () => {
    const r = await runner.run(req({ mbox, patchLimit: 1 }), ctx);
    expect(builds.at(-1)).toBe('int size = 2;');
    expect([r.failureClass, r.tests.map((t) => t.status)]).toEqual(['patch', ['fail']]);
  });

  it('reports a build failure as the build result and boots nothing', async () => {
    const before = guests.length;
    const r = await runner.run(req({ mbox }), ctx);
    expect([r.build?.ok, r.failureClass, r.summary]).toEqual([
      false,
      'patch',
      "build failed: namespace.c:1: 'BROKEN' undeclared",
    ]);
    expect(guests.length).toBe(before);
  });

  it('stops after the build on a build-only step', async () => {
    const before = guests.length;
    const r = await runner.run(req({ mbox, patchLimit: 1, buildOnly: true }), ctx);
    expect([r.build?.ok, r.booted, r.summary]).toEqual([true, false, 'built (build-only step, not booted)']);
    expect(guests.length).toBe(before);
  });
});

describe('ndctlDiagnostics', () => {
  it('reads gcc errors and warnings of a ninja build as paths of the ndctl tree', () => {
    const log = [
      '[12/180] Compiling C object ndctl/ndctl.p/namespace.c.o',
      "../src/ndctl/namespace.c:629:28: error: 'availble' undeclared (first use in this function)",
      '/ndctl/src/util/json.c:40:7: warning: unused variable ‘x’ [-Wunused-variable]',
      'ninja: build stopped: subcommand failed.',
    ].join('\n');
    expect(ndctlDiagnostics(log)).toEqual({
      errors: [
        {
          file: 'ndctl/namespace.c',
          line: 629,
          column: 28,
          severity: 'error',
          message: "'availble' undeclared (first use in this function)",
        },
      ],
      warnings: [
        {
          file: 'util/json.c',
          line: 40,
          column: 7,
          severity: 'warning',
          message: 'unused variable ‘x’ [-Wunused-variable]',
        },
      ],
    });
  });
});
