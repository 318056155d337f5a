/**
 * Symbolizes a Finding's frames ("fs_dax_release+0x12/0x40") to file:line with the build's
 * vmlinux: the tree's own scripts/faddr2line when there is one (it knows kernel symbol sizes and
 * inlining), else nm + addr2line. Frames of modules (`[nd_pmem]`) and anything that cannot be
 * resolved keep their raw text: symbolizing never loses a frame.
 *
 * The tree is the patched worktree, so scripts/faddr2line is the series author's code, and the
 * vmlinux is built from it: both are untrusted. Every command therefore runs in the same
 * bubblewrap sandbox as the build (no network, scrubbed environment, only the tree and the
 * vmlinux folder visible, read-only), never as the bot.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { runSandboxed } from '../sandbox/bwrap.ts';
import type { Finding } from '../types.ts';

export type ExecFn = (cmd: string, args: string[], opts: { cwd?: string; timeoutMs: number }) => Promise<string>;

/** An ExecFn that runs each command in the sandbox with only `visible` (read-only) in reach. */
export function sandboxedExec(visible: string[]): ExecFn {
  return async (cmd, args, opts) => {
    const r = await runSandboxed({ readOnly: [...new Set(visible)], ...(opts.cwd && { cwd: opts.cwd }) }, cmd, args, {
      timeoutMs: opts.timeoutMs,
      maxOutput: 32 << 20,
    });
    if (r.code !== 0 && !r.stdout) throw new Error(`${cmd} exited ${r.code ?? r.signal}: ${r.output.slice(-500)}`);
    return r.stdout;
  };
}

const FRAME = /^(?:\?\s*)?([A-Za-z_][\w.]*)\+(0x[0-9a-f]+)\/(0x[0-9a-f]+)(\s+\[[\w-]+\])?$/;
/** Enough frames to read the story; faddr2line scans the symbol table once per frame. */
const MAX_FRAMES = 16;

interface Frame {
  text: string;
  func: string;
  offset: number;
  size: number;
  module: boolean;
}

export function parseFrame(text: string): Frame | null {
  const m = FRAME.exec(text.trim());
  if (!m || !m[1] || !m[2] || !m[3]) return null;
  return { text: text.trim(), func: m[1], offset: parseInt(m[2], 16), size: parseInt(m[3], 16), module: Boolean(m[4]) };
}

/** Reads faddr2line's output: a `func+off/size:` line, then `func at file:line` lines (inlined first). */
export function parseFaddr2line(out: string, tree?: string): Map<string, string> {
  const map = new Map<string, string>();
  let current: string | null = null;
  for (const line of out.split('\n')) {
    const head = /^(\S+\+0x[0-9a-f]+\/0x[0-9a-f]+):$/.exec(line.trim());
    if (head?.[1]) {
      current = head[1];
      continue;
    }
    const at = /^(?:\(inlined by\) )?(\S+) at (\S+):(\d+)/.exec(line.trim());
    if (current && at?.[2] && at[3] && !map.has(current)) {
      // With O= builds the compiler records paths relative to the build folder (../../fs/x.c):
      // show them relative to the source tree, as a maintainer types them.
      const file = (tree && at[2].startsWith('/') ? relative(tree, at[2]) : at[2]).replace(/^(\.\.\/)+/, '');
      map.set(current, `${file}:${at[3]}`);
    }
  }
  return map;
}

/**
 * Frames already symbolized, per build: keyed by the vmlinux's identity (its path, inode, size
 * and modification time: a relink changes them) and the tree. A repeat of the same crash on the
 * same build (a confirming run, a bisection step that did not relink) asks the tools nothing.
 * Holds the last `capacity` builds; an answer of "not resolvable" is remembered too.
 */
export class SymbolCache {
  private readonly builds = new Map<string, Map<string, string | null>>();
  constructor(private readonly capacity = 16) {}

  /** The frames known for a build (the most recently used build moves last). */
  forBuild(key: string): Map<string, string | null> {
    let known = this.builds.get(key);
    if (known) this.builds.delete(key);
    else known = new Map();
    this.builds.set(key, known);
    while (this.builds.size > this.capacity) {
      const oldest = this.builds.keys().next().value;
      if (oldest === undefined) break;
      this.builds.delete(oldest);
    }
    return known;
  }
}

/** The identity of a vmlinux file and tree; null when it cannot be read. */
export async function buildIdentity(vmlinux: string, tree: string | undefined): Promise<string | null> {
  try {
    const st = await stat(vmlinux);
    return [resolve(vmlinux), st.dev, st.ino, st.size, st.mtimeMs, st.ctimeMs, tree ? resolve(tree) : ''].join('|');
  } catch {
    return null;
  }
}

export interface SymbolizeOptions {
  exec?: ExecFn;
  /** Answers remembered across calls; without it every call runs the tools. */
  cache?: SymbolCache;
}

export async function symbolizeFinding(
  finding: Finding,
  vmlinux: string,
  tree?: string,
  opts: SymbolizeOptions = {},
): Promise<Finding> {
  if (!vmlinux || !existsSync(vmlinux)) return finding;
  const frames = [finding.rip, ...finding.trace].filter((f): f is string => Boolean(f)).map(parseFrame);
  const wanted = [
    ...new Set(frames.filter((f): f is Frame => f !== null && !f.module).map((f) => f.text.replace(/^\?\s*/, ''))),
  ].slice(0, MAX_FRAMES);
  if (wanted.length === 0) return finding;
  const identity = opts.cache ? await buildIdentity(vmlinux, tree) : null;
  const known = identity && opts.cache ? opts.cache.forBuild(identity) : new Map<string, string | null>();
  const missing = wanted.filter((w) => !known.has(w));
  if (missing.length > 0) {
    const exec = opts.exec ?? sandboxedExec(tree ? [tree, dirname(vmlinux)] : [dirname(vmlinux)]);
    let where: Map<string, string>;
    try {
      where = await locate(missing, vmlinux, tree, exec);
    } catch {
      return finding;
    }
    for (const w of missing) known.set(w, where.get(w) ?? null);
  }
  const symbolized = finding.trace.map((t) => {
    const f = parseFrame(t);
    const loc = f ? known.get(f.text.replace(/^\?\s*/, '')) : undefined;
    return loc ? `${t} (${loc})` : t;
  });
  return { ...finding, symbolized };
}

/** file:line of each frame: the tree's scripts/faddr2line when it has one, else nm + addr2line. */
async function locate(frames: string[], vmlinux: string, tree: string | undefined, exec: ExecFn) {
  const script = tree ? join(tree, 'scripts', 'faddr2line') : '';
  if (script && existsSync(script)) {
    return parseFaddr2line(await exec('bash', [script, vmlinux, ...frames], { cwd: tree, timeoutMs: 120_000 }), tree);
  }
  return viaAddr2line(frames, vmlinux, exec);
}

/** Without the tree's script: symbol addresses from nm, then addr2line on address+offset. */
async function viaAddr2line(frames: string[], vmlinux: string, exec: ExecFn): Promise<Map<string, string>> {
  const nm = await exec('nm', ['--defined-only', vmlinux], { timeoutMs: 60_000 });
  const addr = new Map<string, bigint>();
  for (const line of nm.split('\n')) {
    const m = /^([0-9a-f]+) [tTwW] (\S+)$/.exec(line);
    if (m?.[1] && m[2] && !addr.has(m[2])) addr.set(m[2], BigInt(`0x${m[1]}`));
  }
  const asked: { frame: string; address: string }[] = [];
  for (const text of frames) {
    const f = parseFrame(text);
    const base = f ? addr.get(f.func) : undefined;
    if (f && base !== undefined) asked.push({ frame: text, address: `0x${(base + BigInt(f.offset)).toString(16)}` });
  }
  const out = new Map<string, string>();
  if (asked.length === 0) return out;
  const lines = (await exec('addr2line', ['-e', vmlinux, ...asked.map((a) => a.address)], { timeoutMs: 60_000 })).split(
    '\n',
  );
  asked.forEach((a, i) => {
    const loc = lines[i]?.trim();
    if (loc && !loc.startsWith('??')) out.set(a.frame, loc.replace(/ \(discriminator \d+\)$/, ''));
  });
  return out;
}
