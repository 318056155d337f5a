/**
 * What a command mail is about and who is on its thread, read from the store: the series version
 * its In-Reply-To chain leads to (through the bot's own replies too), the addresses on that thread
 * (the series' author and recipients, the authors of the mails the command answers), and the
 * versions on which a crash title was reported. Read-only; decisions are made in process.ts.
 */
import { z } from 'zod';
import type { PipelineDeps } from '../deps.ts';
import { sameCrash } from '../judge/unrelated.ts';
import { addressOf } from '../report/headers.ts';
import { seriesJobVerdicts } from '../store/jobs.ts';
import { threadLinkOf } from '../store/messages.ts';
import { replyVersionKey } from '../store/replies.ts';
import { findSeriesVersions, getSeriesVersion, seriesKeyOf } from '../store/series.ts';
import { threadMail } from '../store/thread-mail.ts';

/** The series version a command is about, and the series it belongs to. */
export interface Target {
  versionKey: string;
  seriesKey: string;
}

export interface TargetAndThread {
  target: Target | null;
  /** Lower-cased addresses on the thread: whom an answer may go to without being backscatter. */
  onThread: Set<string>;
}

/** Up the In-Reply-To chain to a series version; the authors met on the way are on the thread. */
export async function targetOf(deps: PipelineDeps, inReplyTo: string | null): Promise<TargetAndThread> {
  const db = deps.store.db;
  const onThread = new Set<string>();
  let ref = inReplyTo;
  let versionKey: string | null = null;
  for (let depth = 0; ref && depth < 30 && !versionKey; depth++) {
    versionKey = await replyVersionKey(db, ref);
    if (versionKey) break;
    const found = await findSeriesVersions(db, ref);
    versionKey = found[found.length - 1]?.version_key ?? null;
    const link = await threadLinkOf(db, ref);
    if (link?.fromAddress) onThread.add(addressOf(link.fromAddress));
    if (!versionKey) ref = link?.inReplyTo ?? null;
  }
  if (!versionKey) return { target: null, onThread };
  for (const a of await seriesParticipants(deps, versionKey)) onThread.add(a);
  const seriesKey = await seriesKeyOf(db, versionKey);
  return { target: seriesKey === null ? null : { versionKey, seriesKey }, onThread };
}

/** The series' author, its patches' authors and the To/Cc of its root mail, lower-cased. */
async function seriesParticipants(deps: PipelineDeps, versionKey: string): Promise<string[]> {
  const version = await getSeriesVersion(deps.store.db, versionKey);
  if (!version) return [];
  const root = await threadMail(deps.store.db, version.rootMessageId);
  return [
    version.author?.address ?? '',
    ...version.patches.map((p) => p.from?.address ?? ''),
    ...(root ? [...root.to, ...root.cc].map((a) => a.address) : []),
  ]
    .filter((a) => a !== '')
    .map(addressOf);
}

// Only what is needed from a stored job verdict (our own JSON, still checked: it outlives code).
const storedVerdictSchema = z.object({
  verdict: z.object({ entries: z.array(z.object({ kind: z.string(), name: z.string() })) }),
});

/** Versions of the series on which the bot reported a crash with this title. */
export async function reportedOn(deps: PipelineDeps, seriesKey: string, title: string): Promise<string[]> {
  const out: string[] = [];
  for (const r of await seriesJobVerdicts(deps.store.db, seriesKey)) {
    let json: unknown;
    try {
      json = JSON.parse(r.verdict);
    } catch {
      continue;
    }
    const parsed = storedVerdictSchema.safeParse(json);
    if (!parsed.success) continue;
    const crashed = parsed.data.verdict.entries.some((e) => e.kind === 'crash' && sameCrash(e.name, title));
    if (crashed && !out.includes(r.versionKey)) out.push(r.versionKey);
  }
  return out;
}
