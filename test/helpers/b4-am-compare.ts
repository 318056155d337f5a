/**
 * `daxbot series am` against `b4 am`, thread by thread: each thread mbox (the very file b4 read)
 * is imported with `daxbot ingest --mbox` into a fresh store and written with `daxbot series am`,
 * both run in this process through the real command line (buildProgram), and the result is compared
 * byte for byte with b4's .mbx. A difference is either in the selection (other patches, or
 * none) or in the content of the same patches; both count as a mismatch.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildProgram } from '../../bot/cli/main.ts';
import {
  amMessageIds,
  b4Outputs,
  cutPatchThreads,
  splitAmMbox,
  type ArchiveName,
  type B4Output,
  type CutThread,
} from './b4.ts';

export interface OurAm {
  /** The mbox `series am` wrote, or null when it wrote none. */
  mbx: Buffer | null;
  /** What the command printed (stdout and the error, if it failed). */
  log: string;
}

async function daxbot(argv: string[], db: string): Promise<{ out: string[]; error: string | null }> {
  const out: string[] = [];
  const env = { ...process.env, DAXBOT_LOG_LEVEL: 'silent' };
  const { program, cleanup } = buildProgram(env, (l) => out.push(l));
  program.exitOverride();
  program.configureOutput({ writeErr: (s) => out.push(s.trimEnd()), writeOut: (s) => out.push(s.trimEnd()) });
  try {
    await program.parseAsync(['node', 'daxbot', '--db', db, ...argv]);
    return { out, error: null };
  } catch (err) {
    return { out, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await cleanup();
  }
}

/** `daxbot ingest --mbox THREAD` then `daxbot series am <thread root> -o FILE` on a fresh SQLite store. */
export async function daxbotSeriesAm(t: CutThread): Promise<OurAm> {
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-am-'));
  try {
    const mboxPath = path.join(dir, 'thread.mbox');
    const outPath = path.join(dir, 'out.mbx');
    const db = path.join(dir, 'store.sqlite');
    writeFileSync(mboxPath, t.mbox);
    const ingest = await daxbot(['ingest', '--mbox', mboxPath], db);
    if (ingest.error) throw new Error(`daxbot ingest failed on <${t.rootId}>: ${ingest.error}`);
    // The thread's root names every version assembled from it, even when the root itself is missing.
    // `--`: some Message-IDs start with a dash.
    const am = await daxbot(['series', 'am', '-o', outPath, '--', t.rootId], db);
    const mbx = existsSync(outPath) ? readFileSync(outPath) : null;
    return { mbx, log: [...am.out, ...(am.error ? [`error: ${am.error}`] : [])].join('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type AmVerdict = 'same' | 'selection' | 'content' | 'b4-crashed';

export interface AmComparison {
  verdict: AmVerdict;
  /** Readable account of the difference (empty when the same). */
  detail: string;
}

/** Compares our mbox with b4's: the same messages in the same order, then the same bytes. */
export function compareAm(ours: Buffer | null, theirs: B4Output): AmComparison {
  if (theirs.crashed) return { verdict: 'b4-crashed', detail: 'b4 crashed' };
  const a = amMessageIds(ours);
  const b = amMessageIds(theirs.mbx);
  if (a.join('\n') !== b.join('\n')) {
    return {
      verdict: 'selection',
      detail: `ours: ${a.length} patches [${a.join(' ')}]\n  b4: ${b.length} [${b.join(' ')}]`,
    };
  }
  if (!ours || !theirs.mbx || ours.equals(theirs.mbx)) return { verdict: 'same', detail: '' };
  const am = splitAmMbox(ours);
  const bm = splitAmMbox(theirs.mbx);
  for (let i = 0; i < Math.max(am.length, bm.length); i++) {
    const x = am[i]?.toString('utf8') ?? '';
    const y = bm[i]?.toString('utf8') ?? '';
    if (x === y) continue;
    const xl = x.split('\n');
    const yl = y.split('\n');
    let l = 0;
    while (l < xl.length && xl[l] === yl[l]) l++;
    return {
      verdict: 'content',
      detail: `message ${i + 1} <${a[i] ?? '?'}> line ${l + 1}:\n  ours: ${JSON.stringify(xl[l])}\n  b4:   ${JSON.stringify(yl[l])}`,
    };
  }
  return { verdict: 'content', detail: 'mbox bytes differ outside the messages' };
}

export interface ThreadComparison {
  thread: CutThread;
  theirs: B4Output;
  ours: OurAm;
  result: AmComparison;
}

/** Every `every`-th patch thread of the archive through both tools. */
export async function compareArchive(
  archive: ArchiveName,
  every: number,
  opts: { parallel?: number; onThread?: (c: ThreadComparison) => void } = {},
): Promise<ThreadComparison[]> {
  const threads = await cutPatchThreads(archive, every);
  const b4 = await b4Outputs(threads, { parallel: opts.parallel ?? 2 });
  const out: ThreadComparison[] = [];
  for (const thread of threads) {
    const theirs = b4.get(thread.hash);
    if (!theirs) throw new Error(`no b4 output for <${thread.rootId}>`);
    const ours = await daxbotSeriesAm(thread);
    const c = { thread, theirs, ours, result: compareAm(ours.mbx, theirs) };
    opts.onThread?.(c);
    out.push(c);
  }
  return out;
}

export interface ComparisonSummary {
  threads: number;
  /** Threads b4 gave an answer for (it crashes on a few). */
  compared: number;
  same: number;
  rate: number;
  /** Threads where b4 warned "Thread incomplete!" (the list got part of the series), and how many match. */
  partial: number;
  partialSame: number;
  byVerdict: Record<AmVerdict, number>;
}

export function summarize(results: readonly ThreadComparison[]): ComparisonSummary {
  const byVerdict: Record<AmVerdict, number> = { same: 0, selection: 0, content: 0, 'b4-crashed': 0 };
  for (const c of results) byVerdict[c.result.verdict]++;
  const compared = results.length - byVerdict['b4-crashed'];
  const partial = results.filter((c) => c.theirs.incomplete);
  return {
    threads: results.length,
    compared,
    same: byVerdict.same,
    rate: compared > 0 ? byVerdict.same / compared : 0,
    partial: partial.length,
    partialSame: partial.filter((c) => c.result.verdict === 'same').length,
    byVerdict,
  };
}

/** One mismatch, readable: the thread, what differs, and what `series am` said. */
export function describeMismatch(c: ThreadComparison): string {
  const t = c.thread;
  return [
    `${c.result.verdict}: <${t.rootId}> (${t.archive}, ${t.messages.length} messages, cache ${t.hash})`,
    `  ${c.result.detail.replace(/\n/g, '\n  ')}`,
    `  series am: ${c.ours.log.replace(/\n/g, ' | ')}`,
  ].join('\n');
}
