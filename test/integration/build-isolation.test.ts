/**
 * Series builds cannot poison base builds, and a hostile Makefile ends as its build's failure
 * (heavy: the cached 6.1 tree, real make in the sandbox, build-only runs of the nfit-sim runner
 * so nothing boots; it shares that runner's warm base folder and ccache with its own tests, so
 * each build here is incremental). Hostile series are project-written patches to
 * drivers/nvdimm/Makefile, which every build of the nfit-sim config visits: one plants files in
 * the build folder and the ccache folders and touches a base object into the future; one is a
 * fork bomb; one fills the disk.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../bot/log.ts';
import { runnerSchema } from '../../config/schema.ts';
import { createRunner } from '../../runners/registry.ts';
import { ensureLinuxTree, type LinuxTree } from '../../runners/tree/setup.ts';
import type { RunResult } from '../../runners/types.ts';
import { kernelCacheDir as cacheDir, kernelTestsAvailable, repoRoot } from '../helpers/kernel-env.ts';

const log = silentLogger();
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** An am-ready mbox appending `lines` to drivers/nvdimm/Makefile of `tree` at HEAD. */
function makefilePatch(tree: string, subject: string, lines: string[]): string {
  const text = execFileSync('git', ['-C', tree, 'show', 'HEAD:drivers/nvdimm/Makefile'], { encoding: 'utf8' });
  const all = text.replace(/\n$/, '').split('\n');
  const ctx = all.slice(-3);
  const start = all.length - 2;
  return [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    'From: Eve Mallory <eve@example.org>',
    'Date: Thu, 1 Jan 2026 00:00:00 +0000',
    `Subject: [PATCH] nvdimm: ${subject}`,
    `Message-Id: <${subject.replace(/\W+/g, '-')}@example.org>`,
    '',
    '---',
    '',
    'diff --git a/drivers/nvdimm/Makefile b/drivers/nvdimm/Makefile',
    '--- a/drivers/nvdimm/Makefile',
    '+++ b/drivers/nvdimm/Makefile',
    `@@ -${start},3 +${start},${3 + lines.length} @@`,
    ...ctx.map((l) => ` ${l}`),
    ...lines.map((l) => `+${l}`),
    '-- ',
    '2.39.2',
    '',
  ].join('\n');
}

describe.skipIf(!kernelTestsAvailable())('build isolation and limits (heavy, real builds)', () => {
  let tree: LinuxTree;
  let dir: string;
  let baseDir = '';
  const config = runnerSchema.parse({
    name: 'nfit-sim',
    kind: 'nfit-sim',
    // Small limits so the hostile builds end quickly; a normal incremental build is far below.
    buildLimits: { processes: 256, fileSizeMiB: 256, cpuSeconds: 600, diskMiB: 1200 },
  });
  const runner = () => createRunner(config, { repoRoot, cacheDir });
  const build = async (name: string, mbox?: string): Promise<RunResult> => {
    const workDir = path.join(dir, name);
    const t = Date.now();
    const r = await runner().run(
      { tree: tree.path, base: tree.tag, workDir, buildOnly: true, ...(mbox && { mbox }) },
      { log },
    );
    // The cost of each build, for the report (lock waits excluded from buildMs).
    console.log(`${name}: build ${r.build?.durationMs} ms, run ${Date.now() - t} ms, ${r.build?.buildDir}`);
    if (!r.build?.ok) console.log(`${name}: ${r.build?.limitHit ?? ''}\n${r.build?.outputExcerpt ?? ''}`);
    return r;
  };
  const mbox = async (name: string, lines: string[]): Promise<string> => {
    const file = path.join(dir, `${name}.mbox`);
    await writeFile(file, makefilePatch(tree.path, name, lines));
    return file;
  };

  beforeAll(async () => {
    // The 6.1 tree, as the nfit-sim tests; ISOLATION_TREE=6.12 for the other one.
    tree = await ensureLinuxTree(cacheDir, log, process.env.ISOLATION_TREE === '6.12' ? { name: 'linux-6.12' } : {});
    dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-isolation-'));
  }, 600_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a series that plants files and future timestamps: the next base and series builds do not see them', async () => {
    const base1 = await build('base-1');
    expect(base1.build?.ok, JSON.stringify(base1.build?.errors)).toBe(true);
    baseDir = base1.build?.buildDir ?? '';
    const vmlinux = sha(path.join(baseDir, 'vmlinux'));
    const mainO = statSync(path.join(baseDir, 'init', 'main.o')).mtimeMs;
    const ccacheBase = path.join(cacheDir, 'ccache');
    const hostile = await mbox('plant', [
      '$(shell echo planted > $(objtree)/planted-by-series)',
      '$(shell echo planted > $$CCACHE_DIR/planted-by-series)',
      `$(shell echo planted > ${ccacheBase}/planted-by-series 2>/dev/null)`,
      `$(shell echo planted > ${baseDir}/planted-by-series 2>/dev/null)`,
      `$(shell touch -d 2030-01-01 ${baseDir}/init/main.o $(objtree)/init/main.o 2>/dev/null)`,
    ]);
    const series = await build('plant', hostile);
    expect(series.build?.ok, JSON.stringify(series.build?.errors)).toBe(true);
    const seriesDir = series.build?.buildDir ?? '';
    expect(seriesDir).toBe(`${baseDir}-series`);
    // It ran: what it wrote is in its own folders, nowhere a base build reads.
    expect(existsSync(path.join(seriesDir, 'planted-by-series'))).toBe(true);
    expect(statSync(path.join(seriesDir, 'init', 'main.o')).mtime.getUTCFullYear()).toBe(2030);
    expect(existsSync(path.join(cacheDir, 'ccache-series', path.basename(seriesDir), 'planted-by-series'))).toBe(true);
    expect(existsSync(path.join(ccacheBase, 'planted-by-series'))).toBe(false);
    expect(existsSync(path.join(baseDir, 'planted-by-series'))).toBe(false);
    expect(statSync(path.join(baseDir, 'init', 'main.o')).mtimeMs).toBe(mainO);

    const base2 = await build('base-2');
    expect(base2.build?.ok).toBe(true);
    expect(sha(path.join(baseDir, 'vmlinux'))).toBe(vmlinux);
    expect(existsSync(path.join(baseDir, 'planted-by-series'))).toBe(false);

    // The next series (another one) starts from the base folder again: nothing planted.
    const benign = await build('benign', await mbox('benign', ['# a comment']));
    expect(benign.build?.ok).toBe(true);
    expect(existsSync(path.join(seriesDir, 'planted-by-series'))).toBe(false);
    expect(existsSync(path.join(cacheDir, 'ccache-series', path.basename(seriesDir), 'planted-by-series'))).toBe(false);
    expect(statSync(path.join(seriesDir, 'init', 'main.o')).mtime.getUTCFullYear()).toBeLessThan(2030);
  }, 3_600_000);

  it('a fork bomb and a disk filler each end as their build failure within the limits; then builds work', async () => {
    const t1 = Date.now();
    const bomb = await build(
      'fork-bomb',
      await mbox('fork-bomb', ["$(shell sh -c 'b(){ b | b & }; b' >/dev/null 2>&1)"]),
    );
    expect(bomb.build?.ok).toBe(false);
    expect(bomb.failureClass).toBe('patch');
    expect(bomb.build?.limitHit).toMatch(/process limit \(256 processes\)/);
    expect(bomb.build?.errors).toEqual([expect.objectContaining({ file: '', message: bomb.build?.limitHit })]);
    console.log(`fork bomb stopped after ${Date.now() - t1} ms: ${bomb.build?.limitHit}`);

    const t2 = Date.now();
    const filler = await build(
      'disk-filler',
      await mbox('disk-filler', [
        "$(shell sh -c 'i=0; while [ $$i -lt 60 ]; do dd if=/dev/zero of=$(objtree)/fill$$i bs=1M count=200; i=$$((i+1)); done' >/dev/null 2>&1)",
      ]),
    );
    expect(filler.build?.ok).toBe(false);
    expect(filler.build?.limitHit).toMatch(/disk limit \(1200 MiB\)/);
    console.log(`disk filler stopped after ${Date.now() - t2} ms: ${filler.build?.limitHit}`);
    // What it filled is gone; the base folder never saw it.
    expect(existsSync(path.join(`${baseDir}-series`, 'fill0'))).toBe(false);
    expect(existsSync(path.join(baseDir, 'fill0'))).toBe(false);

    const after = await build('after-limits');
    expect(after.build?.ok, JSON.stringify(after.build?.errors)).toBe(true);
    const benign = await build('benign-after', await mbox('benign-after', ['# still fine']));
    expect(benign.build?.ok, JSON.stringify(benign.build?.errors)).toBe(true);
  }, 3_600_000);
});
