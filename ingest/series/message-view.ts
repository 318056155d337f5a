import { createHash } from 'node:crypto';
import type { ParsedMessage } from '../parse/types.ts';
import type { FollowupTrailer } from './types.ts';
import { readB4Subject } from './b4-subject.ts';
import { acceptedFollowupTrailers, findFollowupTrailers, replyText, type FoundTrailer } from './followup-trailers.ts';

/**
 * What series assembly needs to know about one message, read the way b4 reads it. Kept apart
 * from ParsedMessage because b4's rules differ from the general parser in small ways that decide
 * which patches end up in a series (e.g. only `Re:`/`Aw:`/`Fwd:` make a reply, a reply's prefixes
 * are not read at all).
 */
export interface MessageView {
  m: ParsedMessage;
  id: string;
  /** Position in input order; ties are broken by it. */
  order: number;
  reply: boolean;
  hasDiff: boolean;
  hasDiffstat: boolean;
  revision: number;
  revisionInferred: boolean;
  counter: number;
  expected: number;
  countersInferred: boolean;
  isPatchPrefix: boolean;
  isResend: boolean;
  /** Epoch ms; a missing date sorts last, like b4's "now". */
  time: number;
  /** Trailers this message gives as a reply (b4: all of them, before checking who sent them). */
  ownTrailers: FoundTrailer[];
  /** Of those, the ones b4 credits (person trailers must name the sender). */
  creditedTrailers: FoundTrailer[];
  /** Trailers that replies (and replies to those) sent to this message. */
  followupTrailers: FollowupTrailer[];
  pwHash: string | null;
}

const B4_REPLY = /^(Re|Aw|Fwd):/i;
// b4 also takes any 2-3 letter word with a colon before a bracket ("Sv: [PATCH", "RE: [PATCH").
const B4_REPLY_SHORT = /^[\p{L}\p{N}_]{2,3}:\s*\[/u;
const DIFFSTAT_RE = /^\s*\d+ file.*\d+ (insertion|deletion)/im;

export function viewMessage(m: ParsedMessage, order: number, sloppyTrailers: boolean): MessageView {
  const raw = m.subject.raw.trim();
  let reply = B4_REPLY.test(raw) || B4_REPLY_SHORT.test(raw);
  const hasDiff = m.diff !== null;
  // b4 reads trailers anywhere in a reply's text: after a `---`, after a suggested diff.
  const text = replyText({ body: m.body, notes: notesOf(m), diff: m.diff });
  const found = hasDiff ? [] : findFollowupTrailers(text);
  // A reply whose author dropped "Re:" but which carries a tag and no diff is still a reply.
  if (!reply && found.length > 0 && m.inReplyTo && !hasDiff) reply = true;

  const b = readB4Subject(m.subject.raw);
  // Mercurial's "[PATCH 1 of 2]", which b4 does not read, counts as 1/2 (as patchwork reads it).
  const s = m.subject;
  if (b.countersInferred && (s.counter !== 1 || s.expected !== 1)) {
    b.counter = s.counter;
    b.expected = s.expected;
    b.countersInferred = false;
  }
  const time = m.date ? Date.parse(m.date) : Number.NaN;
  const view: MessageView = {
    m,
    id: m.messageId,
    order,
    reply,
    hasDiff,
    hasDiffstat: m.hasDiffstat ?? (DIFFSTAT_RE.test(m.body) || DIFFSTAT_RE.test(notesOf(m))),
    // b4 does not read a reply's prefixes: a "Re: [PATCH v2 3/5]" counts as 1/1 of v1.
    revision: reply ? 1 : b.revision,
    revisionInferred: reply ? true : b.revisionInferred,
    counter: reply ? 1 : b.counter,
    // b4 takes "3/2" (an extra patch) as 3 of 3.
    expected: reply ? 1 : Math.max(b.expected, b.counter),
    countersInferred: reply ? true : b.countersInferred,
    isPatchPrefix: !reply && b.patch,
    isResend: !reply && b.resend,
    time: Number.isNaN(time) ? Number.POSITIVE_INFINITY : time,
    ownTrailers: [],
    creditedTrailers: [],
    followupTrailers: [],
    pwHash: hasDiff ? (m.diffHash ?? (m.diff ? patchworkHash(m.diff) : null)) : null,
  };
  if (reply) {
    const all = hasDiff ? findFollowupTrailers(text) : found;
    view.ownTrailers = all.filter((t) => !['from', 'author', 'cc', 'to'].includes(t.name.toLowerCase()));
    view.creditedTrailers = acceptedFollowupTrailers(all, m.from, sloppyTrailers);
  }
  return view;
}

/** The `---` notes (diffstat, changelog) when the parser keeps them; older ParsedMessages lack the field. */
function notesOf(m: ParsedMessage): string {
  return 'notes' in m && typeof m.notes === 'string' ? m.notes : '';
}

/**
 * Patchwork's diff hash: file names without their top directory, hunk headers without line
 * numbers, and the -/+/context lines. Equal hashes mean "the same change", which lets review
 * tags given to v1 carry over to an unchanged patch in v2.
 */
export function patchworkHash(diff: string): string {
  const h = createHash('sha1');
  for (const line of diff.split('\n')) {
    if (line.length === 0) continue;
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    const file = /^(---|\+\+\+) (\S+)/.exec(line);
    let out: string;
    if (file) {
      const side = file[1] === '---' ? 'a/' : 'b/';
      out = `${file[1]} ${side}${(file[2] ?? '').split('/').slice(1).join('/')}`;
    } else if (hunk) {
      out = `@@ -${hunk[1] ? Number(hunk[1]) : 1} +${hunk[2] ? Number(hunk[2]) : 1} @@`;
    } else if (line[0] === '-' || line[0] === '+' || line[0] === ' ') {
      out = line;
    } else {
      continue;
    }
    h.update(`${out}\n`);
  }
  return h.digest('hex');
}
