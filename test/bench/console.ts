/**
 * Console analyzer measured on syzkaller's report test data (real console logs with the title
 * syzkaller expects) and on the syzbot reports of the nvdimm list.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeConsole } from '../../runners/parse/console.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const syzkallerReportDir = resolve(repoRoot, '..', 'shared', 'corpus', 'syzkaller', 'linux', 'report');
export const syzbotReportDir = resolve(
  repoRoot,
  '..',
  'shared',
  'corpus',
  'lore-nvdimm',
  'extracted',
  'syzbot-reports',
);

export interface CorpusCase {
  file: string;
  /** Null: syzkaller expects no crash in this log. */
  title: string | null;
  alt: string[];
  log: string;
}

/** Header block until the first empty line, then the log (up to an optional "REPORT:" section). */
export function parseCorpusCase(file: string, content: string): CorpusCase {
  const text = content.replaceAll('\r', '');
  const blank = text.indexOf('\n\n');
  const header = blank === -1 ? text : text.slice(0, blank);
  let log = blank === -1 ? '' : text.slice(blank + 2);
  const reportAt = log.search(/^REPORT:$/m);
  if (reportAt !== -1) log = log.slice(0, reportAt);
  let title: string | null = null;
  const alt: string[] = [];
  for (const line of header.split('\n')) {
    if (line.startsWith('TITLE: ')) title = line.slice(7).trim();
    else if (line.startsWith('ALT: ')) alt.push(line.slice(5).trim());
  }
  return { file, title, alt, log };
}

export function loadSyzkallerCorpus(dir = syzkallerReportDir): CorpusCase[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => parseCorpusCase(f, readFileSync(join(dir, f), 'latin1')));
}

export interface CorpusFigures {
  files: number;
  detected: number;
  detectionRate: number;
  crashes: number;
  titlesOk: number;
  titleRate: number;
  bytes: number;
  ms: number;
  mbPerSec: number;
  misses: { file: string; expected: string | null; got: string | null }[];
}

export function evaluateSyzkallerCorpus(cases: CorpusCase[]): CorpusFigures {
  let detected = 0;
  let crashes = 0;
  let titlesOk = 0;
  let bytes = 0;
  const misses: CorpusFigures['misses'] = [];
  const t0 = performance.now();
  for (const c of cases) {
    bytes += c.log.length;
    const found = analyzeConsole(c.log, { max: 1 })[0] ?? null;
    const got = found?.title ?? null;
    if ((found !== null) === (c.title !== null)) detected++;
    if (c.title !== null) {
      crashes++;
      if (got !== null && (got === c.title || c.alt.includes(got))) titlesOk++;
      else misses.push({ file: c.file, expected: c.title, got });
    } else if (found !== null) misses.push({ file: c.file, expected: null, got });
  }
  const ms = performance.now() - t0;
  return {
    files: cases.length,
    detected,
    detectionRate: cases.length === 0 ? 0 : detected / cases.length,
    crashes,
    titlesOk,
    titleRate: crashes === 0 ? 0 : titlesOk / crashes,
    bytes,
    ms,
    mbPerSec: bytes / 1e6 / (ms / 1000),
    misses,
  };
}

export interface SyzbotFigures {
  reports: number;
  matched: number;
  rate: number;
  rows: { file: string; expected: string; got: string | null }[];
}

/** syzbot's own title ("[syzbot] [nvdimm?] WARNING in foo" minus the tags and "(2)" counters). */
export function evaluateSyzbotReports(dir = syzbotReportDir): SyzbotFigures | null {
  const index = join(dir, 'index.json');
  if (!existsSync(index)) return null;
  const parsed: unknown = JSON.parse(readFileSync(index, 'utf8'));
  if (!Array.isArray(parsed)) return null;
  const rows: SyzbotFigures['rows'] = [];
  for (const entry of parsed) {
    if (typeof entry !== 'object' || entry === null) continue;
    const file: unknown = Reflect.get(entry, 'file');
    const expected: unknown = Reflect.get(entry, 'expected_title');
    const kind: unknown = Reflect.get(entry, 'kind');
    if (typeof file !== 'string' || typeof expected !== 'string' || kind !== 'report') continue;
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const got = analyzeConsole(readFileSync(path, 'utf8'), { max: 1 })[0]?.title ?? null;
    rows.push({ file, expected: expected.replace(/ \([0-9]+\)$/, ''), got });
  }
  const matched = rows.filter((r) => r.got === r.expected).length;
  return { reports: rows.length, matched, rate: rows.length === 0 ? 0 : matched / rows.length, rows };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)} %`;
}

export function formatFigures(f: CorpusFigures): string {
  return [
    `console corpus: ${f.files} logs, ${(f.bytes / 1e6).toFixed(2)} MB`,
    `  detection (crash vs no crash): ${f.detected}/${f.files} = ${pct(f.detectionRate)}`,
    `  titles equal to TITLE or ALT:  ${f.titlesOk}/${f.crashes} = ${pct(f.titleRate)}`,
    `  throughput: ${f.mbPerSec.toFixed(1)} MB/s (${f.ms.toFixed(0)} ms)`,
  ].join('\n');
}

export async function benchConsole(): Promise<void> {
  const cases = loadSyzkallerCorpus();
  if (cases.length === 0) {
    console.log(`console corpus absent (${syzkallerReportDir}): skipped`);
    return;
  }
  const f = evaluateSyzkallerCorpus(cases);
  console.log(formatFigures(f));
  if (process.env.BENCH_VERBOSE === '1') {
    for (const m of f.misses)
      console.log(`  miss ${m.file}: expected ${JSON.stringify(m.expected)} got ${JSON.stringify(m.got)}`);
  }
  // Throughput on one big log: all corpus logs glued together, repeated to several MB.
  const glued = cases.map((c) => c.log).join('\n');
  let big = glued;
  while (big.length < 8e6) big += `\n${glued}`;
  const t0 = performance.now();
  const findings = analyzeConsole(big, { max: 100000 });
  const ms = performance.now() - t0;
  console.log(
    `  one ${(big.length / 1e6).toFixed(1)} MB log: ${findings.length} findings in ${ms.toFixed(0)} ms = ${(big.length / 1e6 / (ms / 1000)).toFixed(1)} MB/s`,
  );
  const s = evaluateSyzbotReports();
  if (s !== null) {
    console.log(`syzbot reports (nvdimm list): ${s.matched}/${s.reports} titles equal syzbot's = ${pct(s.rate)}`);
    for (const r of s.rows)
      if (r.got !== r.expected)
        console.log(`  ${r.file}: syzbot ${JSON.stringify(r.expected)} ours ${JSON.stringify(r.got)}`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await benchConsole();
}
