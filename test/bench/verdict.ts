/**
 * The speed of a verdict (issue 16), real kernel and QEMU, warm build caches, one store:
 *  1. the five-patch demo series (patch 3 crashes ext4 at a DAX mount), fresh store: base and
 *     series runs, their confirmation, the bisection;
 *  2. the 13-patch series test/fixtures/patches/verdict-13-series.mbox on the same 6.1 base
 *     (patch 10 crashes at the same kind of mount): the base's runs come from the baseline cache.
 * For each: the anatomy of every step (apply, build, initramfs, boot, suite, shutdown, symbolize,
 * the runner's other time, and the bot's bookkeeping before the step), the total from the start
 * of the cycle to the reply, the bisection steps, and the goals as ratios within this run:
 *  - a bisection step takes at most 1.5 × (its rebuild + boot + suite), passing and crashing;
 *  - a guest whose results are complete (done marker) or that crashed stops within 2 s;
 *  - the 13-patch series: at most 8 minutes and at most ceil(log2 13) + 1 = 5 bisection steps.
 * BENCH_VERDICT_SERIES=5 or 13 measures one series alone (fresh store).
 * Cost: about 12 kernel runs (incremental builds of a few files each); 10-20 minutes on 2 cores.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { runCycle } from '../../bot/queue/cycle.ts';
import { wireRepoPipeline } from '../helpers/kernel-env.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import { resolveCacheDir } from '../../runners/tree/setup.ts';
import type { RunRequest, RunResult, Runner } from '../../runners/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** One runner call as the bot saw it: which step, its wall time, and the bot's time before it. */
export interface StepRecord {
  label: string;
  kind: 'series' | 'base' | 'bisect' | 'prefix';
  wallMs: number;
  botBeforeMs: number;
  result: RunResult;
}

/** A build-only step of a series that builds is a per-patch build (every patch builds), not bisection. */
function stepKind(req: RunRequest): StepRecord['kind'] {
  if (req.mbox === undefined) return 'base';
  if (req.patchLimit === undefined) return 'series';
  return req.buildOnly ? 'prefix' : 'bisect';
}

/** Wraps a runner to record every call and the bot's own time between calls. */
function recorded(inner: Runner, steps: StepRecord[], clock: { lastEnd: number }): Runner {
  return {
    name: inner.name,
    description: inner.description,
    async run(req, ctx) {
      const t = performance.now();
      const kind = stepKind(req);
      const nth = steps.filter((s) => s.kind === kind).length + 1;
      const label = kind === 'bisect' || kind === 'prefix' ? `${kind} 1..${req.patchLimit ?? '?'}` : `${kind} ${nth}`;
      const result = await inner.run(req, ctx);
      const end = performance.now();
      steps.push({ label, kind, wallMs: end - t, botBeforeMs: t - clock.lastEnd, result });
      clock.lastEnd = end;
      return result;
    },
  };
}

const s = (ms: number | undefined): string => (ms === undefined ? '-' : (ms / 1000).toFixed(1));

/** What the guest spent after its results were complete (done marker) or after it crashed. */
export function shutdownMs(t: Record<string, number>): number | undefined {
  const end = t.guestDoneMs ?? t.crashMs;
  return t.qemuMs === undefined || end === undefined ? undefined : Math.max(0, t.qemuMs - end);
}

/** The guest's suite time: from the first test to the results (or the kill, when they never came). */
function suiteMs(t: Record<string, number>): number | undefined {
  if (t.bootMs === undefined) return undefined;
  return (t.guestDoneMs ?? t.qemuMs ?? t.bootMs) - t.bootMs;
}

/**
 * Time the step stood in line behind other work on this shared machine: for its build slot
 * (another job or test using the same tree and config) and for the machine-wide build lock.
 */
export function waitMs(t: Record<string, number>): number {
  const buildLock = t.buildWallMs === undefined || t.buildMs === undefined ? 0 : t.buildWallMs - t.buildMs;
  return (t.slotWaitMs ?? 0) + Math.max(0, buildLock);
}

/** The essential work of a step: its incremental rebuild, boot and suite. */
export function essentialMs(t: Record<string, number>): number {
  return (t.buildMs ?? 0) + (t.bootMs ?? 0) + (suiteMs(t) ?? 0);
}

function outcomeOf(r: RunResult): string {
  if (r.findings.length > 0) return 'crash';
  if (r.build && !r.build.ok) return 'no build';
  return r.failureClass === 'none' ? 'pass' : r.failureClass;
}

export function anatomyTable(steps: StepRecord[]): string {
  const head = [
    'step',
    'result',
    'apply',
    'build',
    'initrd',
    'boot',
    'suite',
    'shutdown',
    'symbol',
    'wait',
    'other',
    'bot',
    'wall',
  ];
  const rows = steps.map((st) => {
    const t = st.result.timings;
    const known = (t.applyMs ?? 0) + (t.buildMs ?? 0) + (t.initramfsMs ?? 0) + (t.qemuMs ?? 0) + (t.symbolizeMs ?? 0);
    const cells = [t.applyMs, t.buildMs, t.initramfsMs, t.bootMs, suiteMs(t), shutdownMs(t), t.symbolizeMs];
    const other = st.wallMs - known - waitMs(t);
    return [st.label, outcomeOf(st.result), ...cells.map(s), s(waitMs(t)), s(other), s(st.botBeforeMs), s(st.wallMs)];
  });
  const all = [head, ...rows];
  const width = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) => r.map((c, i) => (i < 2 ? c.padEnd(width[i] ?? 0) : c.padStart(width[i] ?? 0))).join('  '))
    .join('\n');
}

/** A step's time as the bot spends it: its own bookkeeping before it and the run, without the waits. */
function stepMs(x: StepRecord): number {
  return x.botBeforeMs + x.wallMs - waitMs(x.result.timings);
}

interface SeriesFigures {
  name: string;
  totalMs: number;
  steps: StepRecord[];
}

const mark = (ok: boolean): string => (ok ? 'met' : 'NOT met');

export function goalLines(f: SeriesFigures, patches: number, totalGoalMs: number | null): string[] {
  const bisect = f.steps.filter((x) => x.kind === 'bisect');
  const bound = Math.ceil(Math.log2(patches)) + 1;
  const out = [
    `total from the cycle's start to the reply: ${s(f.totalMs)} s` +
      (totalGoalMs === null ? '' : ` (goal <= ${totalGoalMs / 60000} min: ${mark(f.totalMs <= totalGoalMs)})`),
    `runs: ${f.steps.filter((x) => x.kind === 'series').length} series, ${f.steps.filter((x) => x.kind === 'base').length} base, ` +
      `${bisect.length} bisection steps (goal <= ${bound}: ${mark(bisect.length <= bound)}), ` +
      `${f.steps.filter((x) => x.kind === 'prefix').length} per-patch builds (build only)`,
  ];
  for (const kind of ['pass', 'crash']) {
    const ratios = bisect
      .filter((x) => outcomeOf(x.result) === kind)
      .map((x) => ({ x, r: stepMs(x) / Math.max(1, essentialMs(x.result.timings)) }));
    if (ratios.length === 0) out.push(`goal 1 (${kind}ing bisection step): no such step`);
    for (const { x, r } of ratios)
      out.push(
        `goal 1, ${kind}ing step ${x.label}: (bot + wall - wait) / (build + boot + suite) = ${r.toFixed(2)} (<= 1.5: ${mark(r <= 1.5)})`,
      );
  }
  const stops = f.steps.map((x) => shutdownMs(x.result.timings)).filter((x): x is number => x !== undefined);
  const worst = stops.length ? Math.max(...stops) : undefined;
  out.push(`goal 2, slowest guest stop after results/crash: ${s(worst)} s (<= 2 s: ${mark((worst ?? 0) <= 2000)})`);
  return out;
}

function benchConfig(loaded: Config, dir: string, mbox: string, name: string): Config {
  return {
    ...loaded,
    cacheDir: resolveCacheDir(repoRoot, process.env),
    workDir: path.join(dir, 'work'),
    sources: [{ kind: 'mbox', name, path: mbox, schedule: loaded.sources[0]?.schedule ?? '*/10 * * * *' }],
    mail: { ...loaded.mail, outbox: path.join(dir, 'outbox') },
  };
}

async function measure(store: Store, config: Config, name: string): Promise<SeriesFigures> {
  const steps: StepRecord[] = [];
  const deps = wireRepoPipeline(config, store);
  const real = deps.runnerFor;
  const t = performance.now();
  const clock = { lastEnd: t };
  deps.runnerFor = (rc) => recorded(real(rc), steps, clock);
  await runCycle(deps, { since: null });
  return { name, totalMs: performance.now() - t, steps };
}

/** The demo inbox's five-patch series alone (the two-patch one passes and would add a run). */
function demoFivePatch(dir: string): string {
  const inbox = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'demo', 'inbox.mbox'), 'utf8');
  const start = inbox.search(
    /^From \S+ Mon Sep 17 00:00:00 2001\nMessage-Id: <cover\.\d+\.git[^\n]*\n(?:[^\n]+\n)*Subject: \[PATCH 0\/5\]/m,
  );
  if (start < 0) throw new Error('the demo inbox has no five-patch series');
  const file = path.join(dir, 'demo-5.mbox');
  writeFileSync(file, inbox.slice(start));
  return file;
}

/** The verdict lines of the replies in the outbox (the results the speed must not change). */
function replyLines(outbox: string, seen: Set<string>): string[] {
  const lines: string[] = [];
  for (const sub of ['new', 'cur']) {
    const folder = path.join(outbox, sub);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).filter((n) => !seen.has(n))) {
      seen.add(name);
      const text = readFileSync(path.join(folder, name), 'utf8');
      lines.push(...text.split('\n').filter((l) => /^(Subject: |first bad commit:|\d+\/\d+ series runs)/.test(l)));
    }
  }
  return lines;
}

function print(f: SeriesFigures, patches: number, totalGoalMs: number | null, reply: string[]): void {
  process.stdout.write(`-- ${f.name}\n${anatomyTable(f.steps)}\n`);
  for (const l of goalLines(f, patches, totalGoalMs)) process.stdout.write(`${l}\n`);
  for (const l of reply) process.stdout.write(`reply: ${l}\n`);
}

export async function benchVerdict(): Promise<void> {
  const loaded = loadConfig(path.join(repoRoot, 'config', 'demo.yaml'), process.env);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-bench-verdict-'));
  const store = await openStore(path.join(dir, 'db.sqlite'));
  const outbox = path.join(dir, 'outbox');
  const seen = new Set<string>();
  try {
    process.stdout.write(
      "times in s; wait = queued behind other work for the build slot and the build lock; other = the runner's " +
        "time outside the phases; bot = the bot's own time before the step (the first: ingest and base discovery)\n",
    );
    const only = process.env.BENCH_VERDICT_SERIES;
    if (only !== '13') {
      const config = benchConfig(loaded.config, dir, demoFivePatch(dir), 'demo5');
      const five = await measure(store, config, '5-patch demo series (patch 3 crashes), fresh store');
      print(five, 5, null, replyLines(outbox, seen));
    }
    if (only !== '5') {
      const thirteen = path.join(repoRoot, 'test', 'fixtures', 'patches', 'verdict-13-series.mbox');
      const config = benchConfig(loaded.config, dir, thirteen, 'verdict13');
      const name = `13-patch series (patch 10 crashes), ${only === '13' ? 'fresh store' : 'base cached'}`;
      print(await measure(store, config, name), 13, 8 * 60_000, replyLines(outbox, seen));
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
