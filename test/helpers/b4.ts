/**
 * Side-by-side with b4: cuts patch threads out of the real list archives (nvdimm, linux-xfs),
 * runs `b4 -n am -m THREAD -o DIR` on each (offline, attestation off) and keeps the am-ready mbox
 * it wrote, so tests and the bench can compare it with what `daxbot series am` writes for the same
 * thread. b4's outputs are cached by thread hash (b4 takes ~0.6 s a thread, our side a few ms).
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
import { buildThreads, type MailThread } from '../../ingest/series/threading.ts';
import { parseSubject } from '../../ingest/parse/subject.ts';
import { splitMbox } from '../../ingest/sources/mbox-split.ts';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');
/** The two list archives the comparison runs over. */
export const archives = {
  nvdimm: path.join(corpus, 'lore-nvdimm', 'nvdimm.all.mboxrd.gz'),
  xfs: path.join(corpus, 'lore-xfs', 'linux-xfs.2024-07_2025-06.mboxrd.gz'),
} as const;
export type ArchiveName = keyof typeof archives;
export const archivePath = archives.nvdimm;
export const cacheDir = path.resolve(repoRoot, 'var', 'cache', 'b4-compare');
// Changes whenever what is kept from a b4 run changes, so stale answers are not reused.
const CACHE_SALT = 'b4-am-t-output-3';

export interface CutThread {
  archive: ArchiveName;
  /** sha256 of the thread mbox (salted); the cache key. */
  hash: string;
  rootId: string;
  /** mboxrd bytes as written for b4. */
  mbox: Buffer;
  /** Each message's bytes by Message-ID (what the store would hold). */
  raws: Map<string, Buffer>;
  messages: ParsedMessage[];
  thread: MailThread;
}

/** What one `b4 am` run wrote. */
export interface B4Output {
  /** The .mbx file, or null when b4 found no patches. */
  mbx: Buffer | null;
  /** The revision in b4's file name (`v6_...`), null without a file. */
  revision: number | null;
  /** b4 warned "Thread incomplete!" (it wrote the patches it had). */
  incomplete: boolean;
  /** b4 died with a Python traceback (0.12 trips over some raw 8-bit headers): no answer to compare. */
  crashed: boolean;
  /** b4 first refused the thread for Unicode control characters (the output is from its override). */
  refusedUnicode: boolean;
  log: string;
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
    // ... and on a Subject in raw 8-bit: it gets an RFC 2047 encoded word (both tools read the same file).
    const head = out.map(encodeRawSubject).join('\n');
    const body = head.concat(split >= 0 ? text.slice(split) : '').replace(/^(>*From )/gm, '>$1');
    parts.push(`From mboxrd@z Thu Jan  1 00:00:00 1970\n${body}${body.endsWith('\n') ? '' : '\n'}\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/** `Subject: <raw UTF-8>` (read as latin1) → `Subject: =?utf-8?b?...?=`; any other line unchanged. */
function encodeRawSubject(line: string): string {
  const m = /^(subject:[ \t]*)(.*)$/i.exec(line);
  if (!m || !/[\x80-\xff]/.test(m[2] ?? '')) return line;
  return `${m[1] ?? ''}=?utf-8?b?${Buffer.from(m[2] ?? '', 'latin1').toString('base64')}?=`;
}

const archiveCache = new Map<ArchiveName, Buffer[]>();

function archiveMessages(archive: ArchiveName): Buffer[] {
  let raws = archiveCache.get(archive);
  if (!raws) {
    raws = splitMbox(gunzipSync(readFileSync(archives[archive])));
    archiveCache.set(archive, raws);
  }
  return raws;
}

/** How many threads of the archive start with a patch (not a reply); cheap (headers only). */
export function patchThreadCount(archive: ArchiveName): number {
  return patchThreadHeads(archive).threads.length;
}

const isPatchMail = (subject: string): boolean => {
  const s = parseSubject(subject);
  return s.isPatch && !s.isReply;
};

/**
 * Patch threads: those holding at least one patch mail that is not a reply. Their root may be a
 * cover without a [PATCH] prefix, or missing altogether (the list was Cc'd on some patches only).
 */
function patchThreadHeads(archive: ArchiveName) {
  const raws = archiveMessages(archive);
  const heads = raws.map((raw, i) => ({ ...scanHeaders(raw), index: i }));
  const threads = buildThreads(heads).filter((t) => t.messages.some((m) => isPatchMail(m.subject)));
  return { raws, threads };
}

/** Every `every`-th patch thread of the archive in archive order (1 = all): deterministic, spread out. */
export async function cutPatchThreads(archive: ArchiveName, every = 1): Promise<CutThread[]> {
  const { raws, threads } = patchThreadHeads(archive);
  const out: CutThread[] = [];
  for (const t of threads.filter((_, i) => i % every === 0)) {
    const threadRaws = t.messages.map((h) => raws[h.index] ?? Buffer.alloc(0));
    const messages: ParsedMessage[] = [];
    const byId = new Map<string, Buffer>();
    for (const raw of threadRaws) {
      const res = await parseMessage(raw);
      if (!res.ok || byId.has(res.message.messageId)) continue;
      messages.push(res.message);
      byId.set(res.message.messageId, raw);
    }
    const mbox = toMboxrd(threadRaws);
    out.push({
      archive,
      hash: createHash('sha256').update(`${CACHE_SALT}\n`).update(mbox).digest('hex').slice(0, 32),
      rootId: t.rootId,
      mbox,
      raws: byId,
      messages,
      // The full parse agrees with the header scan on links; one thread in, one thread out.
      thread: { rootId: t.rootId, rootPresent: t.rootPresent, messages },
    });
  }
  return out;
}

/** The parsed messages of an mbox file and their raw bytes by Message-ID (unparseable ones left out). */
export async function loadMbox(file: string): Promise<{ msgs: ParsedMessage[]; raws: Map<string, Buffer> }> {
  const msgs: ParsedMessage[] = [];
  const raws = new Map<string, Buffer>();
  for (const raw of splitMbox(readFileSync(file))) {
    const r = await parseMessage(raw);
    if (!r.ok) continue;
    msgs.push(r.message);
    raws.set(r.message.messageId, raw);
  }
  return { msgs, raws };
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

const AM_SEPARATOR = 'From git@z Thu Jan  1 00:00:00 1970\n';

/** The messages of a git-am mbox as b4 and `series am` write it (split at their exact separator line). */
export function splitAmMbox(mbx: Buffer): Buffer[] {
  const text = mbx.toString('latin1');
  if (!text.startsWith(AM_SEPARATOR)) return text.length > 0 ? [mbx] : [];
  return text
    .slice(AM_SEPARATOR.length)
    .split(`\n${AM_SEPARATOR}`)
    .map((m, i, all) => Buffer.from(`${AM_SEPARATOR}${m}${i < all.length - 1 ? '\n' : ''}`, 'latin1'));
}

/** Message-Ids of an am mbox, in order. */
export function amMessageIds(mbx: Buffer | null): string[] {
  if (!mbx) return [];
  return splitAmMbox(mbx).map((m) => {
    const head = m.toString('latin1').split('\n\n', 1)[0] ?? '';
    return /^Message-Id:\s*<([^>]+)>/im.exec(head.replace(/\n[ \t]+/g, ' '))?.[1] ?? '?';
  });
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/**
 * `b4 -n --no-stdin am -t -m THREAD.mbox -o DIR` in a scratch dir: offline, attestation off, no user
 * config. `-t` (trailers sent to the cover apply to every patch) is what current b4 does by
 * default, and what `series am` does (b4's own test data at corpus/b4 expects it); Debian's b4 0.12
 * predates that default.
 */
export async function runB4Am(mbox: Buffer): Promise<B4Output & { ok: boolean }> {
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
      // DKIM/patatt checks would want DNS and keyrings; they do not change what is written.
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
    const args = ['-n', '--no-stdin', 'am', '-t', '-m', mboxPath, '-o', outDir];
    let { code, out } = await run('b4', args, dir, env);
    // b4 refuses a patch with Unicode format characters (Trojan Source) until told otherwise;
    // `series am` writes it, so the comparison asks b4 again with its override.
    const refusedUnicode = /suspicious unicode control characters/.test(out);
    if (refusedUnicode) {
      const again = await run('b4', [...args, '--allow-unicode-control-chars'], dir, env);
      ({ code } = again);
      out = `${out}\n--- again with --allow-unicode-control-chars ---\n${again.out}`;
    }
    const crashed = out.includes('Traceback (most recent call last)');
    const incomplete = /WARNING: Thread incomplete!/.test(out);
    const file = readdirSync(outDir).find((f) => f.endsWith('.mbx'));
    if (file) {
      // Subjects only show vN when the sender wrote it; b4 names the file v6_... whenever it
      // settled on revision 6 (e.g. inherited from the cover).
      const slugRev = /^v(\d+)_/.exec(file)?.[1];
      const mbx = readFileSync(path.join(outDir, file));
      const revision = slugRev ? Number(slugRev) : 1;
      return { mbx, revision, incomplete, crashed, refusedUnicode, log: out, ok: true };
    }
    // "No patches found" is an answer; anything else is b4 failing, which must not be cached.
    const ok = code === 0 || /No patches found/.test(out);
    return { mbx: null, revision: null, incomplete, crashed, refusedUnicode, log: out, ok };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readCached(hash: string): B4Output | null {
  const meta = path.join(cacheDir, `${hash}.json`);
  if (!existsSync(meta)) return null;
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(meta, 'utf8'));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const rev = 'revision' in v ? v.revision : undefined;
  const log = 'log' in v ? v.log : undefined;
  if (!(rev === null || typeof rev === 'number') || typeof log !== 'string') return null;
  const mbxPath = path.join(cacheDir, `${hash}.mbx`);
  const mbx = existsSync(mbxPath) ? readFileSync(mbxPath) : null;
  if (rev !== null && !mbx) return null;
  const flag = (k: string): boolean => k in v && (v as Record<string, unknown>)[k] === true;
  return {
    mbx,
    revision: rev,
    incomplete: flag('incomplete'),
    crashed: flag('crashed'),
    refusedUnicode: flag('refusedUnicode'),
    log,
  };
}

/** b4's output for each thread (by hash), from the cache or by running b4 (`parallel` at a time). */
export async function b4Outputs(
  threads: readonly CutThread[],
  opts: { parallel?: number; progress?: (done: number, total: number) => void } = {},
): Promise<Map<string, B4Output>> {
  mkdirSync(cacheDir, { recursive: true });
  const out = new Map<string, B4Output>();
  const todo: CutThread[] = [];
  for (const t of threads) {
    const cached = readCached(t.hash);
    if (cached) out.set(t.hash, cached);
    else todo.push(t);
  }
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let t = todo[next++]; t; t = todo[next++]) {
      const { ok, ...result } = await runB4Am(t.mbox);
      if (!ok && !result.crashed)
        throw new Error(`b4 am failed on thread <${t.rootId}> (cache ${t.hash}):\n${result.log}`);
      if (result.mbx) writeFileSync(path.join(cacheDir, `${t.hash}.mbx`), result.mbx);
      const { mbx: _mbx, ...meta } = result;
      writeFileSync(path.join(cacheDir, `${t.hash}.json`), JSON.stringify(meta));
      out.set(t.hash, result);
      opts.progress?.(++done, todo.length);
    }
  };
  await Promise.all(Array.from({ length: opts.parallel ?? 2 }, () => worker()));
  return out;
}
