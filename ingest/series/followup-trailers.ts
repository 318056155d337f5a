import type { Address, Trailer } from '../parse/types.ts';
import { pyParseAddr } from './py-address.ts';
import { trailerText } from './am-body.ts';

/*
 * Trailers as `b4 am` reads them from a reply. A reply's trailers can sit anywhere in its own
 * (unquoted) text, not only in a final paragraph, so every line is looked at. Rules follow b4's
 * follow-up mode: a value must hold an e-mail address unless the name is a known non-person
 * trailer, links are refused (people paste URLs after "See:"), and person trailers only count
 * when they name the sender (else anyone could add Reviewed-by for someone else).
 */

const IGNORED = new Set(['phone', 'email']);
const HEADERS = new Set(['subject', 'date', 'from']);
const NON_PERSON = new Set(['fixes', 'subject', 'date', 'link', 'buglink', 'obsoleted-by', 'change-id', 'base-commit']);
const UTILITY = new Set(['fixes', 'link', 'buglink', 'obsoleted-by', 'message-id', 'change-id', 'base-commit']);
/** Commonly part of quoted patch metadata, never a review trailer. */
const NOT_FOLLOWUP = new Set(['from', 'author', 'cc', 'to']);

const TRAILER_LINE = /^\s*(\w\S+):\s+(\S.*)/;
const HAS_EMAIL = /\S+@\S+\.\S+/;

/** A trailer found in a reply, with the ` # comment` or `[for the foo parts]` line sent with it. */
export interface FoundTrailer extends Trailer {
  extinfo?: string;
}

/** Every trailer-looking line of a reply body (before the `-- ` signature), in order. */
export function findFollowupTrailers(body: string): FoundTrailer[] {
  const text = (body.split('\n-- \n', 1)[0] ?? '').trim() + '\n';
  const out: FoundTrailer[] = [];
  let sawOther = false;
  // As in b4, a refused trailer line leaves this as it was.
  let wasTrailer = false;
  for (const rawLine of rejoinWrapped(text.split('\n'))) {
    const line = rawLine.replace(/\r/g, '');
    const m = line.includes(':') ? TRAILER_LINE.exec(line) : null;
    if (!m) {
      const last = out[out.length - 1];
      // "[for the foo parts]" right under a trailer belongs to it.
      if (line.length > 2 && wasTrailer && last && /^\s*\[[^\]]+\]\s*$/.test(line)) last.extinfo = line;
      else sawOther = true;
      wasTrailer = false;
      continue;
    }
    const name = m[1] ?? '';
    let value = m[2] ?? '';
    const lname = name.toLowerCase();
    if (IGNORED.has(lname)) continue;
    if (sawOther && HEADERS.has(lname)) continue;
    if (!/^[\x00-\x7f]*$/.test(lname)) continue;
    if (!HAS_EMAIL.test(value) && !NON_PERSON.has(lname)) continue;
    if (/https?:\/\//.test(value)) continue;
    const ext = value.includes('#') ? /(.*\S+)(\s+#[^#]+)$/.exec(value) : null;
    if (ext) value = ext[1] ?? value;
    out.push(ext?.[2] ? { name, value, extinfo: ext[2] } : { name, value });
    wasTrailer = true;
  }
  return out;
}

/**
 * A reply's whole text as b4 scans it for trailers: the message, what follows a `---` line, and
 * any diff (a suggested change, with the trailers after it).
 */
export function replyText(m: { body: string; notes?: string | null; diff?: string | null }): string {
  const head = m.notes ? `${m.body}\n---\n${m.notes}` : m.body;
  return m.diff ? `${head}\n${m.diff}` : head;
}

/** Trailers as reply text again (how the store keeps a reply without its quoted body). */
export function followupTrailerText(trailers: readonly FoundTrailer[]): string {
  return trailers.map((t) => trailerText({ name: t.name, value: t.value, extinfo: t.extinfo ?? null })).join('\n');
}

/** Re-joins the two wrappings people commonly paste: "Fixes: abc (foo\nbar)" and "Name\n<addr>". */
function rejoinWrapped(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const next = lines[i + 1];
    if (next !== undefined && line.includes(':')) {
      if (/^\S+:\s+[\da-f]+\s+\([^)]+$/i.test(line) && next.endsWith(')')) {
        out.push(`${line} ${next}`);
        i++;
        continue;
      }
      if (/^\S+:\s+[^<]+$/.test(line) && /^<[^>]+>$/.test(next)) {
        out.push(`${line} ${next}`);
        i++;
        continue;
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * Of the trailers found in a reply, those it contributes: metadata-looking names dropped, person
 * trailers must match the sender.
 */
export function acceptedFollowupTrailers<T extends Trailer>(found: readonly T[], from: Address, sloppy = false): T[] {
  const out: T[] = [];
  for (const t of found) {
    const lname = t.name.toLowerCase();
    if (NOT_FOLLOWUP.has(lname)) continue;
    if (sloppy || !isPersonTrailer(t) || trailerNamesSender(t, from)) out.push(t);
  }
  return out;
}

export function isPersonTrailer(t: Trailer): boolean {
  const lname = t.name.toLowerCase();
  if (UTILITY.has(lname) || t.value.includes('://')) return false;
  return HAS_EMAIL.test(t.value);
}

/**
 * Does a person trailer name the sender? Its address (read by Python's strict parser, as b4 reads
 * it: `Name <a@b>> ---` names nobody) matches loosely, or its name is the sender's.
 */
export function trailerNamesSender(t: Trailer, from: Address): boolean {
  const [name, address] = pyParseAddr(t.value);
  if (address && emailsMatch(address, from.address)) return true;
  const hn = (from.name.trim() || from.address).toLowerCase();
  if (name.toLowerCase() === hn) return true;
  // b4 accepts any name when the sender's display name has a comma ("Doe, Jane"): its
  // chunk-by-chunk check compares the name with itself.
  return hn.indexOf(',') > 0;
}

/**
 * Equal addresses, ignoring case, `+detail` parts and one level of subdomain
 * (foo@linux.intel.com is foo@intel.com), as b4 accepts them.
 */
export function emailsMatch(a: string, b: string): boolean {
  let x = a.toLowerCase();
  let y = b.toLowerCase();
  if (x === y) return true;
  if (!x.includes('@') || !y.includes('@')) return false;
  x = x.replace(/\+[^@]+@/, '@');
  y = y.replace(/\+[^@]+@/, '@');
  if (x === y) return true;
  const [xl, xd = ''] = x.split('@', 2);
  const [yl, yd = ''] = y.split('@', 2);
  if (xl !== yl) return false;
  const dots = (s: string): number => s.split('.').length - 1;
  return Math.abs(dots(xd) - dots(yd)) === 1 && (xd.endsWith(`.${yd}`) || yd.endsWith(`.${xd}`));
}
