import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ageRewrittenFiles, recordBuiltTree, slotHead } from '../../../../runners/build/built-tree.ts';
import {
  DEFAULT_BUILD_LIMITS,
  limitDiagnostic,
  limitedCommand,
  limitInOutput,
} from '../../../../runners/build/limits.ts';
import { buildDirFor, sandboxFor } from '../../../../runners/build/make.ts';
import { prepareSeriesFolder, syncCcacheView, trustOf } from '../../../../runners/build/trust.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'daxbot-isolation-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trust levels', () => {
  it('a series (bisection steps too) is untrusted and gets its own folder and ccache', () => {
    expect(trustOf({})).toBe('base');
    expect(trustOf({ mbox: '/w/series.mbox' })).toBe('series');
    expect(buildDirFor('/c', 'linux-6.1-abc', 'h')).toBe('/c/build/linux-6.1-abc-h');
    expect(buildDirFor('/c', 'linux-6.1-abc', 'h', 'series')).toBe('/c/build/linux-6.1-abc-h-series');
    const base = sandboxFor({ source: '/s', buildDir: '/c/build/t-h', cacheDir: '/c' });
    expect(base.readWrite).toEqual(['/c/build/t-h', '/c/ccache']);
    expect(base.env.CCACHE_DIR).toBe('/c/ccache');
    const series = sandboxFor({
      source: '/s',
      buildDir: '/c/build/t-h-series',
      cacheDir: '/c',
      trust: 'series',
      mountAs: '/c/build/t-h',
    });
    // The series folder is seen at the base folder's path; the base folder itself is not seen.
    expect(series.readWrite).toEqual(['/c/ccache-series/t-h-series']);
    expect(series.bindAs).toEqual([['/c/build/t-h-series', '/c/build/t-h']]);
    expect(series.cwd).toBe('/c/build/t-h');
    expect(series.readOnly).toEqual(['/s', '/c/ccache', '/c/ccache-view']);
    expect(series.env).toMatchObject({
      CCACHE_DIR: '/c/ccache-series/t-h-series',
      CCACHE_REMOTE_STORAGE: 'file:/c/ccache-view|read-only',
    });
  });

  it('seeds a series folder from the base with mtimes, keeps it for its series, renews it for another', async () => {
    const cache = path.join(dir, 'cache');
    const baseDir = path.join(cache, 'build', 't-h');
    const seriesDir = `${baseDir}-series`;
    mkdirSync(path.join(baseDir, 'init'), { recursive: true });
    writeFileSync(path.join(baseDir, '.config'), 'CONFIG_X=y\n');
    writeFileSync(path.join(baseDir, 'init', 'main.o'), 'obj');
    const old = new Date('2026-01-01T00:00:00Z');
    execFileSync('touch', ['-d', old.toISOString(), path.join(baseDir, 'init', 'main.o')]);
    const o = { cacheDir: cache, baseDir, seriesDir, owner: 'a' };
    expect(await prepareSeriesFolder(o)).toBe('seeded');
    expect(statSync(path.join(seriesDir, 'init', 'main.o')).mtimeMs).toBe(old.getTime());
    writeFileSync(path.join(seriesDir, 'planted'), 'x');
    mkdirSync(path.join(cache, 'ccache-series', 't-h-series'), { recursive: true });
    writeFileSync(path.join(cache, 'ccache-series', 't-h-series', 'planted'), 'x');
    expect(await prepareSeriesFolder(o)).toBe('kept');
    expect(existsSync(path.join(seriesDir, 'planted'))).toBe(true);
    expect(await prepareSeriesFolder({ ...o, owner: 'b' })).toBe('seeded');
    expect(existsSync(path.join(seriesDir, 'planted'))).toBe(false);
    expect(existsSync(path.join(cache, 'ccache-series', 't-h-series', 'planted'))).toBe(false);
    expect(existsSync(path.join(baseDir, 'planted'))).toBe(false);
  });

  it("links the base cache's entries into the remote layout of the view", async () => {
    const cache = path.join(dir, 'cache-view');
    mkdirSync(path.join(cache, 'ccache', '3', 'd'), { recursive: true });
    writeFileSync(path.join(cache, 'ccache', '3', 'd', '78dsok0un8M'), 'm');
    writeFileSync(path.join(cache, 'ccache', '3', 'd', 'stats'), '');
    expect(await syncCcacheView(cache)).toBe(1);
    expect(readlinkSync(path.join(cache, 'ccache-view', '3d', '78dsok0un8'))).toBe(
      path.join(cache, 'ccache', '3', 'd', '78dsok0un8M'),
    );
    expect(await syncCcacheView(cache)).toBe(0);
  });
});

describe('build limits', () => {
  it('runs the command under prlimit (and as the build uid when root)', () => {
    const c = limitedCommand({ processes: 10, fileSizeMiB: 1, cpuSeconds: 5, diskMiB: 100 }, 'make', ['-j2']);
    expect(c.cmd).toBe('prlimit');
    expect(c.args.slice(0, 4)).toEqual(['--nproc=10', `--fsize=${1024 * 1024}`, '--cpu=5', '--']);
    expect(c.args.slice(-2)).toEqual(['make', '-j2']);
    if (process.getuid?.() === 0) expect(c.args).toContain('--reuid=65534');
  });

  it('names the limit a failed make ran into, and blames no file', () => {
    expect(limitInOutput('sh: fork: retry: Resource temporarily unavailable')).toBe('processes');
    expect(limitInOutput('make[2]: *** [x] File size limit exceeded')).toBe('fileSize');
    expect(limitInOutput('CPU time limit exceeded (core dumped)')).toBe('cpuTime');
    expect(limitInOutput("pmem.c:3:1: error: expected ';'")).toBeNull();
    expect(limitDiagnostic('disk', DEFAULT_BUILD_LIMITS)).toEqual({
      file: '',
      line: 0,
      severity: 'error',
      message: `build stopped: the build folder grew past its disk limit (${DEFAULT_BUILD_LIMITS.diskMiB} MiB)`,
    });
  });
});

/** `git -C repo ...` with a fixed identity, returning its trimmed output. */
function gitIn(repo: string): (...a: string[]) => string {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't' };
  return (...a) =>
    execFileSync('git', ['-C', repo, ...a], { encoding: 'utf8', env: { ...env, GIT_COMMITTER_EMAIL: 't@t' } }).trim();
}

describe('back and forth in one slot', () => {
  it('ages what git rewrote only when the folder was last built from the tree the slot holds', async () => {
    const repo = path.join(dir, 'repo');
    const git = gitIn(repo);
    mkdirSync(repo);
    git('init', '-q');
    writeFileSync(path.join(repo, 'a.c'), 'int a;\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD');
    const buildDir = path.join(dir, 'o');
    await recordBuiltTree(repo, buildDir);
    writeFileSync(path.join(repo, 'a.c'), 'int a, b;\n');
    git('commit', '-qam', 'series');
    const series = await slotHead(repo);
    git('checkout', '-q', base);
    expect(await ageRewrittenFiles(repo, buildDir, series, base)).toBe(1);
    expect(statSync(path.join(repo, 'a.c')).mtime.getUTCFullYear()).toBe(2000);
    git('checkout', '-q', series ?? '');
    expect(await ageRewrittenFiles(repo, buildDir, base, base)).toBe(0);
    // The same series again (new commits, same tree) through the base: what git rewrote is aged.
    await recordBuiltTree(repo, buildDir);
    git('checkout', '-q', base);
    git('cherry-pick', series ?? '');
    writeFileSync(path.join(repo, 'a.c'), 'int a, b;\n');
    expect(await ageRewrittenFiles(repo, buildDir, series, base)).toBe(1);
  });

  it('owes what it aged to the other folders of the slot: a bisection step rebuilds the patch it leaves out', async () => {
    const repo = path.join(dir, 'repo2');
    const git = gitIn(repo);
    mkdirSync(repo);
    git('init', '-q');
    writeFileSync(path.join(repo, 'a.c'), 'int a;\n');
    writeFileSync(path.join(repo, 'b.c'), 'int b;\n');
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD');
    const [baseDir, seriesDir] = [path.join(dir, 'b'), path.join(dir, 'b-series')];
    const siblings = [baseDir, seriesDir];
    await recordBuiltTree(repo, baseDir);
    writeFileSync(path.join(repo, 'a.c'), 'int a2;\n');
    git('commit', '-qam', 'patch 1');
    const p1 = git('rev-parse', 'HEAD');
    writeFileSync(path.join(repo, 'b.c'), 'int b2;\n');
    git('commit', '-qam', 'patch 2');
    const whole = git('rev-parse', 'HEAD');
    await recordBuiltTree(repo, seriesDir);
    // The base run: both files aged for the base folder, and owed to the series folder.
    git('checkout', '-q', base);
    expect(await ageRewrittenFiles(repo, baseDir, whole, base, siblings)).toBe(2);
    // A bisection step with patch 1 only: b.c is the base's again, but the series folder's b.o is patch 2's.
    git('checkout', '-q', p1);
    expect(await ageRewrittenFiles(repo, seriesDir, base, base, siblings)).toBe(0);
    expect(statSync(path.join(repo, 'b.c')).mtime.getUTCFullYear()).toBeGreaterThan(2000);
    expect(existsSync(`${seriesDir}.touch`)).toBe(false);
  });
});
