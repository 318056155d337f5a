/**
 * Trust levels of kernel builds. A build of a configured tree's commit is `base` (trusted); a
 * build with a series applied, bisection steps included, is `series` (untrusted: its Makefiles
 * are a stranger's code). Nothing a series build can write is read by a base build:
 *
 * - build folders: base `<cache>/build/<tree>-<hash>`, series `<cache>/build/<tree>-<hash>-series`;
 *   a series folder belongs to one series (the sha256 of its mbox, kept outside the folder in
 *   `<folder>.owner`, where the sandbox cannot reach) and is made afresh, as a copy of the base
 *   folder with its mtimes (`cp -a`), when another series comes, so it starts warm and carries
 *   nothing from the series before it. Copies go from base to series only, never back. The
 *   series build sees its folder at the base folder's path (make.ts `mountAs`), so the copy's
 *   absolute paths stay valid;
 * - ccache: base builds write `<cache>/ccache`; series builds write
 *   `<cache>/ccache-series/<folder>` (emptied with the series folder when another series comes)
 *   and read the base cache through `<cache>/ccache-view` (read-only ccache remote storage): the
 *   view is a folder of symlinks in the remote layout (`ab/<rest>`) onto the base cache's files
 *   (`a/b/<rest>M|R`), made here, outside the sandbox; both are mounted read-only.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execCommand, type Exec } from '../sandbox/exec.ts';
import { InfraError } from '../errors.ts';

export type BuildTrust = 'base' | 'series';

/** A run with a series applied (whole or the first k patches) is untrusted. */
export function trustOf(req: { mbox?: string | undefined }): BuildTrust {
  return req.mbox === undefined ? 'base' : 'series';
}

/**
 * The ccache folders of a cache: what base builds write, what the series build in `seriesDir`
 * writes (one per series folder, `<cache>/ccache-series/<folder name>`), the view of the base.
 */
export function ccacheDirs(cacheDir: string, seriesDir = ''): { base: string; series: string; view: string } {
  return {
    base: path.join(cacheDir, 'ccache'),
    series: path.join(cacheDir, 'ccache-series', path.basename(seriesDir)),
    view: path.join(cacheDir, 'ccache-view'),
  };
}

/** Who a series folder belongs to: the sha256 of the series' mbox (bisection steps share it). */
export async function seriesOwner(mbox: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(mbox))
    .digest('hex');
}

/**
 * Makes `seriesDir` (and the series ccache) ready for `owner`'s build: kept when they are that
 * series', else removed, and the folder copied anew from `baseDir` (when the base folder has a
 * configuration) with mtimes kept, so make in it rebuilds only what the series changes. Returns
 * what was done, for the log.
 */
export async function prepareSeriesFolder(
  o: { cacheDir: string; baseDir: string; seriesDir: string; owner: string },
  exec: Exec = execCommand,
): Promise<'kept' | 'seeded' | 'empty'> {
  const { baseDir, seriesDir, owner } = o;
  const ownerFile = `${seriesDir}.owner`;
  const current = existsSync(ownerFile) ? (await readFile(ownerFile, 'utf8')).trim() : '';
  if (current === owner && existsSync(seriesDir)) return 'kept';
  await dropSeriesFolder(o.cacheDir, seriesDir);
  let how: 'seeded' | 'empty' = 'empty';
  if (existsSync(path.join(baseDir, '.config'))) {
    const r = await exec('cp', ['-a', '--reflink=auto', baseDir, seriesDir]);
    if (r.code !== 0)
      throw new InfraError('cannot copy the base build folder', { baseDir, seriesDir, output: r.output });
    how = 'seeded';
  } else {
    await mkdir(seriesDir, { recursive: true });
  }
  await writeFile(ownerFile, `${owner}\n`);
  return how;
}

/**
 * Forgets a series folder (its owner record first, so a half-removed folder is never "kept"), and
 * its ccache: what a series filled up to a limit is not reused by a later step.
 */
export async function dropSeriesFolder(cacheDir: string, seriesDir: string): Promise<void> {
  await rm(`${seriesDir}.owner`, { force: true });
  await rm(seriesDir, { recursive: true, force: true });
  await rm(ccacheDirs(cacheDir, seriesDir).series, { recursive: true, force: true });
}

/**
 * Adds to the view a symlink for every base cache entry it lacks (ccache's local layout
 * `a/b/<rest>M|R` as its remote layout `ab/<rest>`). Entries the base cache evicted leave
 * dangling links, which ccache reads as misses.
 */
export async function syncCcacheView(cacheDir: string): Promise<number> {
  const { base, view } = ccacheDirs(cacheDir);
  let added = 0;
  const hex = '0123456789abcdef'.split('');
  for (const a of hex) {
    for (const b of hex) {
      const from = path.join(base, a, b);
      const names = await readdir(from).catch(() => [] as string[]);
      if (names.length === 0) continue;
      const to = path.join(view, `${a}${b}`);
      await mkdir(to, { recursive: true });
      const have = new Set(await readdir(to));
      for (const n of names) {
        if (!/^[0-9a-z]+[MR]$/.test(n)) continue;
        const key = n.slice(0, -1);
        if (have.has(key)) continue;
        await symlink(path.join(from, n), path.join(to, key)).catch(() => undefined);
        added++;
      }
    }
  }
  return added;
}
