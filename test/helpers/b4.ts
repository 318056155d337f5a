/**
 * Side-by-side with b4: cuts patch threads out of the real nvdimm archive, runs `b4 am` on each
 * (offline, attestation off) and reads which patches it picked, so tests and the bench can
 * compare that with our own assembly. Results are cached by thread hash: b4 takes ~0.4 s a
 * thread, our assembly well under a millisecond.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseMessage } from '../../ingest/parse/message.ts';
import type { ParsedMessage } from '../../ingest/parse/types.ts';
import { newestVersion, assembleThread } from '../../ingest/series/assemble.ts';
import { buildThreads, type MailThread } from '../../ingest/series/threading.ts';
import { parseSubject } from '../../ingest/parse/subject.ts';
import { splitMbox } from '../../ingest/sources/mbox-split.ts';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const archivePath = path.resolve(repoRoot, '..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');
export const cacheDir = path.resolve(repoRoot, 'var', 'cache', 'b4-compare');
const CACHE_SALT = 'b4-am-selection-2';

/** What an `am` run selected: the revision and the patches, in order. */
export interface AmSelection {
  revision: number | null;
  messageIds: string[];
  subjects: string[];
  /** b4 died with a Python traceback (0.12 trips over some raw 8-bit headers): no answer to compare. */
  crashed?: boolean;
}

export interface CutThread {
  /** sha256 of the thread mbox; the cache key. */
  hash: string;
  rootId: string;
  /** mboxrd bytes as written for b4. */
  mbox: Buffer;
  messages: ParsedMessage[];
  thread: MailThread;
}

export function b4Available(): boolean {
  return ['/usr/bin/b4', '/usr/local/bin/b4'].some((p) => existsSync(p));
}

/** Quotes body lines that look like separators (mboxrd), so Python's mbox reader keeps each message whole. */
export function toMboxrd(raws: readonly Buffer[]): Buffer {
  const parts: string[] = [];
  for (const raw of raws) {
    const text = raw.toString('latin1').replace(/\r\n/g, '\n');
    const split = text.indexOf('\n\n');
    // b4 0.12 crashes on a folded Subject/From/Date (it copies the raw value into a new header).
    const lines = (split >= 0 ? text.slice(0, split) : text).split('\n');
    const out: string[] = [];
    for (const line of lines) {
      const prev = out.length - 1;
      if (/^[ \t]/.test(line) && prev >= 0 && /^(subject|from|date):/i.test(out[prev] ?? '')) {
        out[prev] = `${out[prev] ?? ''} ${line.trim()}`;
      } else {
        out.push(line);
      }
    }
    const head = out.join('\n');
    const body = head.concat(split >= 0 ? text.slice(split) : '').replace(/^(>*From )/gm, '>$1');
    parts.push(`From mboxrd@z Thu Jan  1 00:00:00 1970\n${body}${body.endsWith('\n') ? '' : '\n'}\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/**
 * Threads of the archive whose root is a patch (not a reply), every k-th in archive order so the
 * pick is deterministic and spreads over the years; k is chosen to give about `target` threads.
 */
export async function cutPatchThreads(target = 210): Promise<CutThread[]> {
  // Threading needs three headers only; full parsing is kept for the threads we pick.
  const raws = splitMbox(gunzipSync(readFileSync(archivePath)));
  const heads = raws.map((raw, i) => ({ ...scanHeaders(raw), index: i }));
  const patchThreads = buildThreads(heads).filter((t) => {
    const root = t.messages.find((m) => m.messageId === t.rootId);
    if (!root) return false;
    const s = parseSubject(root.subject);
    return s.isPatch && !s.isReply;
  });
  const step = Math.max(1, Math.floor(patchThreads.length / target));
  const picked = patchThreads.filter((_, i) => i % step === 0);
  const out: CutThread[] = [];
  for (const t of picked) {
    const threadRaws = t.messages.map((h) => raws[h.index] ?? Buffer.alloc(0));
    const messages: ParsedMessage[] = [];
    for (const raw of threadRaws) {
      const res = await parseMessage(raw);
      if (res.ok) messages.push(res.message);
    }
    const mbox = toMboxrd(threadRaws);
    out.push({
      // The salt changes whenever what we read from b4 changes, so stale answers are not reused.
      hash: createHash('sha256').update(`${CACHE_SALT}\n`).update(mbox).digest('hex').slice(0, 32),
      rootId: t.rootId,
      mbox,
      messages,
      // The full parse agrees with the header scan on links; one thread in, one thread out.
      thread: { rootId: t.rootId, rootPresent: t.rootPresent, messages },
    });
  }
  return out;
}

/** Message-ID, In-Reply-To, References and Subject from the header block, without MIME decoding. */
export function scanHeaders(raw: Buffer): {
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  subject: string;
} {
  const text = raw.subarray(0, Math.min(raw.length, 65536)).toString('latin1').replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const head = (end >= 0 ? text.slice(0, end) : text).replace(/\n[ \t]+/g, ' ');
  const field = (name: string): string | null => {
    const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(head);
    return m?.[1] ?? null;
  };
  const ids = (v: string | null): string[] =>
    [...(v ?? '').matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] ?? '').filter((x) => x);
  const messageId =
    ids(field('Message-ID'))[0] ?? `no-id-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
  const refs = ids(field('References')).filter((r) => r !== messageId);
  return {
    messageId,
    inReplyTo: ids(field('In-Reply-To'))[0] ?? null,
    references: refs,
    subject: field('Subject') ?? '',
  };
}

/** Reads the git-am mbox b4 wrote: Message-Id and Subject of each message, in order. */
export function readAmMbox(text: string): AmSelection {
  const messageIds: string[] = [];
  const subjects: string[] = [];
  let revision: number | null = null;
  for (const chunk of text.split(/^From git@z Thu Jan {2}1 00:00:00 1970\n/m)) {
    const head = chunk.split('\n\n', 1)[0] ?? '';
    const unfolded = head.replace(/\n[ \t]+/g, ' ');
    const id = /^Message-Id:\s*<([^>]+)>/im.exec(unfolded)?.[1];
    const subject = /^Subject:\s*(.*)$/im.exec(unfolded)?.[1];
    if (!id || subject === undefined) continue;
    messageIds.push(id);
    subjects.push(subject);
    const v = /^\[[^\]]*\bv(\d+)\b[^\]]*\]/i.exec(subject);
    revision ??= v?.[1] ? Number(v[1]) : 1;
  }
  return { revision, messageIds, subjects };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** `b4 -n --no-stdin am -m THREAD.mbox -o DIR` in a scratch dir: offline, attestation off, no user config. */
export async function runB4Am(mbox: Buffer): Promise<AmSelection & { log: string; ok: boolean }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'daxbot-b4-'));
  try {
    const mboxPath = path.join(dir, 'thread.mbox');
    const outDir = path.join(dir, 'out');
    mkdirSync(outDir);
    writeFileSync(mboxPath, mbox);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      XDG_CACHE_HOME: path.join(dir, 'cache'),
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      GIT_CONFIG_NOSYSTEM: '1',
      // DKIM/patatt checks would want DNS and keyrings; they do not change which patches are picked.
      // b4 builds a Signed-off-by for "you" even when it does not add it, and gives up without one.
      LANG: 'C.UTF-8',
      GIT_CONFIG_COUNT: '3',
      GIT_CONFIG_KEY_0: 'b4.attestation-policy',
      GIT_CONFIG_VALUE_0: 'off',
      GIT_CONFIG_KEY_1: 'user.name',
      GIT_CONFIG_VALUE_1: 'Daxbot Test',
      GIT_CONFIG_KEY_2: 'user.email',
      GIT_CONFIG_VALUE_2: 'daxbot@example.invalid',
      GIT_CEILING_DIRECTORIES: dir,
    };
    const { code, out } = await run('b4', ['-n', '--no-stdin', 'am', '-m', mboxPath, '-o', outDir], dir, env);
    const mbx = readdirSync(outDir).find((f) => f.endsWith('.mbx'));
    if (mbx) {
      // Subjects only show vN when the sender wrote it; b4 names the file v6_... whenever it
      // settled on revision 6 (e.g. inherited from the cover).
      const slugRev = /^v(\d+)_/.exec(mbx)?.[1];
      return {
        ...readAmMbox(readFileSync(path.join(outDir, mbx), 'utf8')),
        revision: slugRev ? Number(slugRev) : 1,
        log: out,
        ok: true,
      };
    }
    // "No patches found" is an answer; anything else is b4 failing, which must not be cached.
    return { revision: null, messageIds: [], subjects: [], log: out, ok: code === 0 || /No patches found/.test(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** b4's selection for each thread, from the cache or by running b4 (`parallel` at a time). */
export async function b4Selections(threads: readonly CutThread[], parallel = 2): Promise<Map<string, AmSelection>> {
  mkdirSync(cacheDir, { recursive: true });
  const out = new Map<string, AmSelection>();
  const todo: CutThread[] = [];
  for (const t of threads) {
    const file = path.join(cacheDir, `${t.hash}.json`);
    if (existsSync(file)) {
      const parsed = parseCached(readFileSync(file, 'utf8'));
      if (parsed) {
        out.set(t.hash, parsed);
        continue;
      }
    }
    todo.push(t);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let t = todo[next++]; t; t = todo[next++]) {
      const { log, ok, ...result } = await runB4Am(t.mbox);
      const crashed = !ok && log.includes('Traceback (most recent call last)');
      if (!ok && !crashed) throw new Error(`b4 am failed on thread <${t.rootId}> (cache ${t.hash}):\n${log}`);
      const sel: AmSelection = crashed ? { ...result, crashed: true } : result;
      writeFileSync(path.join(cacheDir, `${t.hash}.json`), JSON.stringify(sel));
      out.set(t.hash, sel);
    }
  };
  await Promise.all(Array.from({ length: parallel }, () => worker()));
  return out;
}

function parseCached(text: string): AmSelection | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const rev = 'revision' in v ? v.revision : undefined;
  const ids = 'messageIds' in v ? v.messageIds : undefined;
  const subs = 'subjects' in v ? v.subjects : undefined;
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!(rev === null || typeof rev === 'number') || !strings(ids) || !strings(subs)) return null;
  const crashed = 'crashed' in v && v.crashed === true;
  return { revision: rev, messageIds: ids, subjects: subs, ...(crashed ? { crashed } : {}) };
}

/** Our selection for the same thread, with b4's rule: the newest revision in the thread. */
export function ourSelection(t: CutThread): AmSelection {
  const v = newestVersion(assembleThread(t.thread));
  if (!v) return { revision: null, messageIds: [], subjects: [] };
  return {
    revision: v.revision,
    messageIds: v.patches.map((p) => p.messageId),
    subjects: v.patches.map((p) => p.subject),
  };
}

export function sameSelection(a: AmSelection, b: AmSelection): boolean {
  if (a.messageIds.length === 0 && b.messageIds.length === 0) return true;
  return a.revision === b.revision && a.messageIds.join('\n') === b.messageIds.join('\n');
}
