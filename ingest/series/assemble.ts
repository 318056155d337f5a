import type { ParsedMessage } from '../parse/types.ts';
import type { AssembleOptions, FollowupTrailer, SeriesPatch, SeriesVersion } from './types.ts';
import { buildThreads, type MailThread } from './threading.ts';
import { viewMessage, type MessageView } from './message-view.ts';
import { linkHistory } from './history.ts';
import type { FoundTrailer } from './followup-trailers.ts';

export type { AssembleOptions, FollowupTrailer, SeriesPatch, SeriesVersion } from './types.ts';

/*
 * Series assembly follows `b4 am` (b4's LoreMailbox/LoreSeries), so that what we test is what a
 * maintainer gets from `b4 am` on the same thread:
 *  - one series per revision per thread; a patch is any non-reply with a diff, placed at its k;
 *  - the first message at a slot wins, except that an explicit k/n beats an inferred one;
 *  - a 0/n is the cover; failing that, a diffstat-only parent of a patch is taken as the cover;
 *  - a patch without vN under a vN cover (or under vN's patch 1) inherits N;
 *  - a second bare `[PATCH]` from the same author, later, is taken as the next revision;
 *  - partial reroll: a revision whose patches were all sent as replies to the same k/n of the
 *    previous revision borrows the missing ones from it;
 *  - trailers in replies walk up to the patch (or cover) they answer; cover trailers apply to all.
 * Unlike b4, every revision found in a thread is returned (b4 only shows the newest), and the
 * input order only matters where b4's does (revision inference looks at messages seen before).
 */

interface WorkSeries {
  revision: number;
  expected: number;
  slots: (MessageView | null)[];
  complete: boolean;
  partialReroll: boolean;
  borrowed: Set<number>;
  subject: string;
}

/** Assembles every series version found in the messages (grouped into threads first). */
export function assembleSeries(messages: readonly ParsedMessage[], opts: AssembleOptions = {}): SeriesVersion[] {
  const versions = buildThreads(messages).flatMap((t) => assembleThread(t, opts));
  return opts.linkHistory === false ? versions : linkHistory(versions);
}

/** The series versions of one thread, lowest revision first. */
export function assembleThread(thread: MailThread, opts: AssembleOptions = {}): SeriesVersion[] {
  const reroll = opts.partialReroll ?? true;
  const coverTrailers = opts.coverTrailers ?? true;
  const views = thread.messages.map((m, i) => viewMessage(m, i, opts.sloppyTrailers ?? false));

  const byId = new Map<string, MessageView>();
  const series = new Map<number, WorkSeries>();
  const covers = new Map<number, MessageView>();
  const followups: MessageView[] = [];

  for (const v of views) {
    // b4 looks up parents among the messages it has seen so far; mirror that.
    const seen = byId;
    if (seen.has(v.id)) continue;
    seen.set(v.id, v);
    if (v.reply) {
      followups.push(v);
      continue;
    }
    if (v.counter === 0 && (!v.countersInferred || v.hasDiffstat)) {
      covers.set(v.revision, v); // a later cover of the same revision replaces the earlier one
      continue;
    }
    if (!v.hasDiff) continue; // neither patch nor cover: discussion without Re:, ignored

    if (!series.has(v.revision) && v.revisionInferred && v.m.inReplyTo) {
      const irt = seen.get(v.m.inReplyTo);
      if (irt && irt.hasDiffstat && !irt.hasDiff) v.revision = irt.revision;
      else if (irt && v.counter > 0 && irt.hasDiff && irt.counter === 1) v.revision = irt.revision;
    }
    if (!series.has(v.revision)) series.set(v.revision, newSeries(v.revision, v.expected));
    if (v.counter === 1 && v.countersInferred && v.isPatchPrefix && !v.isResend) {
      const other = series.get(v.revision)?.slots[1];
      if (other && other.countersInferred && emailEq(other, v) && other.time < v.time) {
        // Same author re-sent a single patch without bumping vN: call it the next revision.
        v.revision = series.size + 1;
        series.set(v.revision, newSeries(v.revision, v.expected));
      }
    }
    const ser = series.get(v.revision);
    if (ser) addPatch(ser, v);
  }

  collectFollowupTrailers(followups, byId);

  const done = new Map<number, WorkSeries | null>();
  const getSeries = (rev: number): WorkSeries | null => {
    if (done.has(rev)) return done.get(rev) ?? null;
    const ser = series.get(rev);
    if (!ser || ser.slots.every((s) => s === null)) {
      done.set(rev, null);
      return null;
    }
    done.set(rev, ser); // guards the recursion below
    if (!ser.complete && reroll) partialReroll(ser, series, byId, getSeries);
    const cover = covers.get(rev);
    if (cover) {
      addPatch(ser, cover);
    } else if (!ser.slots[0]) {
      for (const p of ser.slots) {
        if (!p || !p.m.inReplyTo) continue;
        const parent = byId.get(p.m.inReplyTo);
        if (parent && parent.hasDiffstat && !parent.hasDiff) {
          ser.slots[0] = parent; // a "naked" cover letter: diffstat, no diff, no 0/n
          ser.subject = parent.m.subject.subject;
          break;
        }
      }
    }
    return ser;
  };

  const revisions = [...series.keys()].sort((a, b) => a - b);
  const out: SeriesVersion[] = [];
  for (const rev of revisions) {
    const ser = getSeries(rev);
    if (ser) out.push(toVersion(ser, thread, views, coverTrailers));
  }
  // Within one thread, all revisions share the key of the first one.
  const seriesKey = out[0]?.rootMessageId ?? thread.rootId;
  for (const v of out) {
    v.seriesKey = seriesKey;
    v.key = `${seriesKey}#v${v.revision}`;
  }
  return out;
}

/** b4's choice for `b4 am` on a thread: the highest revision. */
export function newestVersion(versions: readonly SeriesVersion[]): SeriesVersion | null {
  let best: SeriesVersion | null = null;
  for (const v of versions) if (!best || v.revision > best.revision) best = v;
  return best;
}

/** What daxbot tests: the newest complete version, else (nothing complete) the newest. */
export function versionToTest(versions: readonly SeriesVersion[]): SeriesVersion | null {
  const complete = versions.filter((v) => v.complete);
  return newestVersion(complete.length > 0 ? complete : versions);
}

function newSeries(revision: number, expected: number): WorkSeries {
  return {
    revision,
    expected,
    slots: new Array<MessageView | null>(expected + 1).fill(null),
    complete: false,
    partialReroll: false,
    borrowed: new Set(),
    subject: '(untitled)',
  };
}

function addPatch(ser: WorkSeries, v: MessageView): void {
  while (ser.slots.length < v.expected + 1) ser.slots.push(null);
  ser.expected = v.expected;
  const old = ser.slots[v.counter];
  if (!old) ser.slots[v.counter] = v;
  else if (old.reply || (old.countersInferred && !v.countersInferred)) ser.slots[v.counter] = v;
  ser.complete = ser.slots.slice(1).every((s) => s !== null);
  // The cover's subject, else the lowest patch present (a list Cc'd on part of a series).
  const head = ser.slots[0] ?? ser.slots.slice(1).find((s) => s !== null);
  if (head) ser.subject = head.m.subject.subject;
}

function emailEq(a: MessageView, b: MessageView): boolean {
  return a.m.from.address.toLowerCase() === b.m.from.address.toLowerCase();
}

/**
 * A revision qualifies as a partial reroll when every patch it has was sent in reply to the
 * previous revision's patch with the same k/n (possibly further up the reply chain).
 */
function partialReroll(
  ser: WorkSeries,
  series: Map<number, WorkSeries>,
  byId: Map<string, MessageView>,
  getSeries: (rev: number) => WorkSeries | null,
): void {
  if (ser.revision <= 1 || !series.has(ser.revision - 1)) return;
  const prev = getSeries(ser.revision - 1);
  if (!prev) return;
  for (const p of ser.slots) {
    if (!p) continue;
    let up = p.m.inReplyTo ? byId.get(p.m.inReplyTo) : undefined;
    if (!up) return;
    let found = false;
    for (let hops = 0; up && hops < 1000; hops++) {
      if (p.counter === up.counter && p.expected === up.expected) {
        found = true;
        break;
      }
      up = up.m.inReplyTo ? byId.get(up.m.inReplyTo) : undefined;
    }
    if (!found) return;
  }
  for (let at = 0; at < ser.slots.length; at++) {
    const from = prev.slots[at];
    if (!from) continue;
    if (!ser.slots[at]) {
      ser.slots[at] = from;
      ser.borrowed.add(at);
    }
  }
  if (ser.slots.slice(1).every((s) => s !== null)) {
    ser.complete = true;
    ser.partialReroll = true;
    ser.subject = prev.subject;
  }
}

/** Hands each reply's tags to the patch or cover it answers, walking up through replies. */
function collectFollowupTrailers(followups: readonly MessageView[], byId: Map<string, MessageView>): void {
  for (const f of followups) {
    if (f.ownTrailers.length === 0) continue;
    let parent: MessageView | undefined;
    if (f.m.inReplyTo === null) {
      for (const ref of f.m.references) {
        const r = byId.get(ref);
        if (r && ref !== f.id) {
          parent = r;
          break;
        }
      }
    } else {
      parent = byId.get(f.m.inReplyTo);
    }
    if (!parent) continue;
    const tags: FollowupTrailer[] = f.creditedTrailers.map((t) => followupOf(t, f.id));
    for (let hops = 0; parent && hops < 1000; hops++) {
      if (!parent.reply) {
        parent.followupTrailers.push(...tags);
        break;
      }
      const up: MessageView | undefined = parent.m.inReplyTo ? byId.get(parent.m.inReplyTo) : undefined;
      if (!up) break;
      // b4 also credits tags given in the intermediate reply to the patch further up.
      for (const t of parent.ownTrailers) tags.push(followupOf(t, parent.id));
      parent = up;
    }
  }
}

function followupOf(t: FoundTrailer, fromMessageId: string): FollowupTrailer {
  return { ...t, fromMessageId };
}

function trailerKey(name: string, value: string): string {
  return `${name.toLowerCase()}\n${value.toLowerCase()}`;
}

function toVersion(
  ser: WorkSeries,
  thread: MailThread,
  views: readonly MessageView[],
  coverTrailers: boolean,
): SeriesVersion {
  const cover = ser.slots[0] ?? null;
  const present = ser.slots.slice(1).filter((s): s is MessageView => s !== null);
  const root = cover ?? ser.slots[1] ?? present[0];
  if (!root) throw new Error('series without messages'); // getSeries drops empty ones

  // Tags given to an identical patch in another revision carry over (b4 matches by diff hash).
  const byHash = new Map<string, FollowupTrailer[]>();
  for (const v of views) {
    if (!v.pwHash || v.reply || v.followupTrailers.length === 0 || v.revision === ser.revision) continue;
    byHash.set(v.pwHash, [...(byHash.get(v.pwHash) ?? []), ...v.followupTrailers]);
  }
  const coverTags = coverTrailers && cover ? cover.followupTrailers : [];

  const patches: SeriesPatch[] = [];
  const missing: number[] = [];
  for (let k = 1; k < ser.slots.length; k++) {
    const p = ser.slots[k];
    if (!p) {
      missing.push(k);
      continue;
    }
    const own = new Set(p.m.trailers.map((t) => trailerKey(t.name, t.value)));
    const seen = new Set<string>();
    const tags: FollowupTrailer[] = [];
    const carried = p.pwHash ? (byHash.get(p.pwHash) ?? []) : [];
    for (const t of [...p.followupTrailers, ...carried, ...coverTags]) {
      const key = trailerKey(t.name, t.value);
      if (own.has(key) || seen.has(key)) continue;
      seen.add(key);
      tags.push(t);
    }
    patches.push({
      counter: k,
      messageId: p.id,
      subject: p.m.subject.subject,
      from: p.m.from,
      date: p.m.date,
      followupTrailers: tags,
    });
  }

  const members = [...(cover ? [cover] : []), ...present];
  const dates = members.map((v) => v.m.date).filter((d): d is string => d !== null);
  dates.sort((a, b) => Date.parse(a) - Date.parse(b));
  const firstOf = <T>(pick: (m: ParsedMessage) => T | null): T | null => {
    for (const v of members) {
      const x = pick(v.m);
      if (x !== null) return x;
    }
    return null;
  };
  const union = (pick: (m: ParsedMessage) => string[]): string[] => [...new Set(members.flatMap((v) => pick(v.m)))];

  return {
    key: '',
    seriesKey: '',
    revision: ser.revision,
    project: root.m.subject.project ?? 'kernel',
    subject: ser.subject,
    rootMessageId: root.id,
    coverMessageId: cover?.id ?? null,
    expected: ser.slots.length - 1,
    patches,
    missing,
    complete: missing.length === 0,
    isRfc: members.some((v) => !v.reply && v.m.subject.isRfc),
    isResend: members.some((v) => v.isResend),
    author: root.m.from,
    firstDate: dates[0] ?? null,
    lastDate: dates[dates.length - 1] ?? null,
    baseCommit: firstOf((m) => m.baseCommit),
    prerequisitePatchIds: union((m) => m.prerequisitePatchIds),
    prerequisiteMessageIds: union((m) => m.prerequisiteMessageIds),
    changeId: firstOf((m) => m.changeId),
    partialReroll: ser.partialReroll,
    threadRootId: thread.rootId,
  };
}
