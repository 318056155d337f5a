/**
 * `npm run bench -- b4`: `daxbot series am` against `b4 am` on every patch thread of both list
 * archives (nvdimm, a year of linux-xfs), the full form of test/integration/b4-compare.test.ts.
 * Prints per archive how many threads give the same am mbox byte for byte (partial series
 * included), every difference with its detail (also written to var/bench/b4-differences.txt),
 * and the time per thread of both tools measured on the same fresh sample of threads. b4's
 * outputs come from var/cache/b4-compare/ (filled on the first run, ~0.6 s a thread).
 * BENCH_B4_EVERY=N compares every Nth thread only.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { archives, b4Available, cutPatchThreads, repoRoot, runB4Am, type ArchiveName } from '../helpers/b4.ts';
import { compareArchive, daxbotSeriesAm, describeMismatch, summarize } from '../helpers/b4-am-compare.ts';

async function timing(archive: ArchiveName, sample: number): Promise<{ oursMs: number; b4Ms: number }> {
  const threads = (await cutPatchThreads(archive, 1)).filter((_, i) => i % 50 === 0).slice(0, sample);
  let oursMs = 0;
  let b4Ms = 0;
  for (const t of threads) {
    let s = performance.now();
    await daxbotSeriesAm(t);
    oursMs += performance.now() - s;
    s = performance.now();
    await runB4Am(t.mbox);
    b4Ms += performance.now() - s;
  }
  return { oursMs: oursMs / threads.length, b4Ms: b4Ms / threads.length };
}

export async function benchB4(): Promise<void> {
  if (!b4Available()) {
    process.stdout.write('b4: not installed (apt-get install b4); skipped\n');
    return;
  }
  const every = Number(process.env.BENCH_B4_EVERY ?? 1);
  const report: string[] = [];
  for (const archive of Object.keys(archives) as ArchiveName[]) {
    const started = performance.now();
    const results = await compareArchive(archive, every);
    const s = summarize(results);
    const line =
      `b4 ${archive}: ${s.same}/${s.compared} patch threads give the same am mbox ` +
      `(${(s.rate * 100).toFixed(1)}%, goal >= 98%); partial series ${s.partialSame}/${s.partial}; ` +
      `other patches ${s.byVerdict.selection}, other content ${s.byVerdict.content}, b4 crashed ${s.byVerdict['b4-crashed']}; ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s`;
    process.stdout.write(`${line}\n`);
    report.push(line, ...results.filter((c) => c.result.verdict !== 'same').map(describeMismatch), '');
    for (const c of results) if (c.result.verdict !== 'same') process.stdout.write(`${describeMismatch(c)}\n`);
    const t = await timing(archive, 10);
    process.stdout.write(
      `b4 ${archive}: per thread series am (ingest + am, in process) ${t.oursMs.toFixed(0)} ms, ` +
        `b4 am ${t.b4Ms.toFixed(0)} ms: ratio ${(t.b4Ms / t.oursMs).toFixed(1)}x\n`,
    );
  }
  const out = path.join(repoRoot, 'var', 'bench', 'b4-differences.txt');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${report.join('\n')}\n`);
  process.stdout.write(`b4: differences written to ${path.relative(repoRoot, out)}\n`);
}
