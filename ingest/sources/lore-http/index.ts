import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { SourceError } from '../errors.ts';
import { toMs } from '../../../config/duration.ts';
import { messageIdFromHref, parseAtomFeed, type AtomEntry } from './atom.ts';
import { DEFAULT_BATCH_SIZE, parseCheckpoint } from '../checkpoint.ts';
import { backoffDelay, defaultSleep, fetchWithBackoff, type BackoffOptions } from './http-backoff.ts';
import { splitMbox } from '../mbox-split.ts';
import type { PollResult, RawMail, Source, SourceContext, SourceEnvironment } from '../types.ts';
import type { LoreHttpSourceConfig } from './schema.ts';

/**
 * A public-inbox web archive (lore.kernel.org or any public-inbox-httpd) read over HTTP: `new.atom`
 * says which messages are new, and each one's whole thread is fetched as `<url><msgid>/t.mbox.gz`
 * (so replies that arrived out of order come along; the store drops duplicates). The thread
 * fetch is its own client (createLoreClient), also used on lore's all-lists archive to fetch the
 * patches of a series that only some reached the list (bot/intake/fetch-missing.ts).
 *
 * Checkpoint: the newest `updated` handed on and the Message-IDs already handed on that the feed
 * still lists. An entry is new when its id is not in that list: comparing timestamps alone would
 * miss a late-delivered message whose Date (what `updated` carries) is older than the newest.
 * The feed only holds the latest entries (25 on public-inbox), so polls must come often enough.
 */
const checkpointSchema = z.object({
  updated: z.string().nullable(),
  ids: z.array(z.string()),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

export interface LoreHttpDeps extends SourceEnvironment {
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  /** First retry delay (doubles each time, capped at config.maxBackoff). */
  baseDelayMs?: number;
  /** Attempts per request within one poll. */
  maxAttempts?: number;
}

const MESSAGE_ID = /^Message-ID:[ \t]*<?([^>\r\n]+)>?/im;

function messageIdOf(raw: Buffer): string | null {
  const end = raw.indexOf('\n\n');
  const head = raw.subarray(0, end < 0 ? Math.min(raw.length, 65536) : end).toString('latin1');
  return MESSAGE_ID.exec(head.replace(/\r?\n[ \t]+/g, ' '))?.[1]?.trim() ?? null;
}

/** Reads whole threads from a public-inbox archive by Message-ID, as b4 does. */
export interface LoreClient {
  /** `<url><msgid>/t.mbox.gz` split into mails; null when the archive does not have that message. */
  fetchThread(messageId: string, ctx: SourceContext): Promise<RawMail[] | null>;
}

export interface LoreClientOptions {
  /** Names the archive in logs and errors (the source name). */
  name: string;
  /** The inbox (or all-lists) base URL, e.g. https://lore.kernel.org/all/ */
  url: string;
  maxDelayMs: number;
}

export function createLoreClient(opts: LoreClientOptions, deps: LoreHttpDeps = {}): LoreClient {
  const base = opts.url.endsWith('/') ? opts.url : `${opts.url}/`;
  const name = opts.name;
  return {
    async fetchThread(messageId, ctx) {
      const url = `${base}${encodeURIComponent(messageId)}/t.mbox.gz`;
      const res = await fetchWithBackoff(url, backoffOptions(name, opts.maxDelayMs, deps, ctx));
      if (res.status === 404 || res.status === 410) {
        // Never archived, or removed (spam) since.
        ctx.log.warn({ source: name, url }, 'thread is not in the archive; skipping');
        await res.body?.cancel().catch(() => undefined);
        return null;
      }
      if (!res.ok) throw new SourceError(`GET ${url}: HTTP ${res.status}`, { source: name, url, status: res.status });
      const body = Buffer.from(await res.arrayBuffer());
      let mbox: Buffer;
      try {
        mbox = body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
      } catch (err) {
        throw new SourceError(`GET ${url}: bad gzip data`, { source: name, url }, { cause: err });
      }
      return splitMbox(mbox).map((raw) => ({ raw, origin: url }));
    },
  };
}

function backoffOptions(name: string, maxDelayMs: number, deps: LoreHttpDeps, ctx: SourceContext): BackoffOptions {
  return {
    fetch: ctx.fetch ?? fetch,
    sleep: deps.sleep ?? defaultSleep,
    now: deps.now ?? Date.now,
    baseDelayMs: deps.baseDelayMs ?? 1000,
    maxDelayMs,
    maxAttempts: deps.maxAttempts ?? 4,
    signal: ctx.signal,
    onRetry: (info) => ctx.log.warn({ source: name, ...info }, 'lore request failed; backing off'),
  };
}

/** What one source's polls share: its name, the inbox URL, its backoff and its thread client. */
interface Inbox {
  name: string;
  /** The inbox base URL, ending in "/". */
  base: string;
  maxDelayMs: number;
  deps: LoreHttpDeps;
  client: LoreClient;
}

/** The feed's entries with a Message-ID, oldest first. */
async function readFeed(inbox: Inbox, ctx: SourceContext): Promise<{ entry: AtomEntry; msgid: string }[]> {
  const feedUrl = `${inbox.base}new.atom`;
  const res = await fetchWithBackoff(feedUrl, backoffOptions(inbox.name, inbox.maxDelayMs, inbox.deps, ctx));
  if (!res.ok)
    throw new SourceError(`GET ${feedUrl}: HTTP ${res.status}`, {
      source: inbox.name,
      url: feedUrl,
      status: res.status,
    });
  return (
    parseAtomFeed(await res.text())
      .map((entry) => ({ entry, msgid: messageIdFromHref(entry.href) }))
      .filter((e): e is { entry: AtomEntry; msgid: string } => e.msgid !== null)
      // Oldest first; equal times keep the feed's order reversed (the feed is newest first).
      .map((e, i) => ({ ...e, i }))
      .sort((a, b) => a.entry.updatedMs - b.entry.updatedMs || b.i - a.i)
  );
}

async function pollOnce(inbox: Inbox, cp: Checkpoint | null, ctx: SourceContext): Promise<PollResult> {
  const entries = await readFeed(inbox, ctx);
  const seen = new Set(cp?.ids ?? []);
  const fresh = entries.filter((e) => !seen.has(e.msgid));
  const batchSize = ctx.batchSize ?? DEFAULT_BATCH_SIZE;
  const messages: RawMail[] = [];
  const handed = new Set<string>();
  const fetchedIds = new Set<string>();
  let newest = cp?.updated ?? null;
  let done = 0;
  for (const { entry, msgid } of fresh) {
    if (messages.length >= batchSize) break;
    if (!fetchedIds.has(msgid)) {
      const thread = await inbox.client.fetchThread(msgid, ctx);
      for (const mail of thread ?? []) {
        const id = messageIdOf(mail.raw);
        if (id) fetchedIds.add(id);
        messages.push(mail);
      }
    }
    handed.add(msgid);
    if (newest === null || entry.updatedMs > Date.parse(newest)) newest = entry.updated;
    done++;
    ctx.progress?.(done, fresh.length);
  }
  // Keep only ids the feed still lists (bounded by the feed size) plus what was just handed on.
  const inFeed = new Set(entries.map((e) => e.msgid));
  const ids = [
    ...new Set([...(cp?.ids ?? []).filter((id) => inFeed.has(id) || entries.length === 0), ...handed]),
  ].sort();
  return { messages, nextCheckpoint: JSON.stringify({ updated: newest, ids }), more: done < fresh.length };
}

export function createLoreHttpSource(config: LoreHttpSourceConfig, deps: LoreHttpDeps = {}): Source {
  const name = config.name;
  const base = config.url.endsWith('/') ? config.url : `${config.url}/`;
  const maxDelayMs = toMs(config.maxBackoff);
  const now = deps.now ?? Date.now;
  const baseDelayMs = deps.baseDelayMs ?? 1000;
  const inbox: Inbox = {
    name,
    base,
    maxDelayMs,
    deps,
    client: createLoreClient({ name, url: base, maxDelayMs }, deps),
  };
  // Failures across polls: after a failed poll the next ones are skipped until the backoff ends.
  let failures = 0;
  let pausedUntil = 0;
  return {
    name,
    kind: 'lore-http',
    async poll(checkpoint, ctx) {
      const cp = parseCheckpoint(checkpointSchema, checkpoint, name);
      if (now() < pausedUntil) {
        ctx.log.debug({ source: name, until: new Date(pausedUntil).toISOString() }, 'backing off; poll skipped');
        return { messages: [], nextCheckpoint: checkpoint, more: false };
      }
      try {
        const result = await pollOnce(inbox, cp, ctx);
        failures = 0;
        pausedUntil = 0;
        return result;
      } catch (err) {
        failures++;
        pausedUntil = now() + backoffDelay(failures - 1, baseDelayMs * 2 ** (deps.maxAttempts ?? 4), maxDelayMs);
        throw err;
      }
    },
  };
}
