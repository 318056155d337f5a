/**
 * `npm ci` accepts the lockfile: what a fresh clone (and CI's scripts/install-deps.sh) runs. npm
 * refuses a lockfile that lacks a package the tree may need on some platform ("Missing:
 * @rollup/rollup-linux-x64-musl@4.x from lock file"), which is how a lockfile written against a
 * registry that lists platform packages without serving them breaks. `npm ci --dry-run` in a
 * folder holding only package.json and package-lock.json makes npm's own check, installs nothing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { repoRoot } from '../helpers/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-npm-ci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npmCiDryRun(cwd: string) {
  return spawnSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
}

describe('npm ci', () => {
  it('accepts package-lock.json in a fresh folder', () => {
    const d = mkdtempSync(path.join(dir, 'fresh-'));
    for (const f of ['package.json', 'package-lock.json']) copyFileSync(path.join(repoRoot, f), path.join(d, f));
    const r = npmCiDryRun(d);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  }, 120_000);

  it('refuses a lockfile that lacks a platform package (what this test guards against)', () => {
    const d = mkdtempSync(path.join(dir, 'broken-'));
    copyFileSync(path.join(repoRoot, 'package.json'), path.join(d, 'package.json'));
    const lock = z
      .object({ packages: z.record(z.unknown()) })
      .passthrough()
      .parse(JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')));
    const packages = lock.packages;
    const platform = Object.keys(packages).find((k) => k.startsWith('node_modules/@rollup/rollup-linux-x64-musl'));
    expect(platform).toBeDefined();
    delete packages[platform ?? ''];
    writeFileSync(path.join(d, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const r = npmCiDryRun(d);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Missing: @rollup\/rollup-linux-x64-musl@.* from lock file/);
  }, 120_000);
});
