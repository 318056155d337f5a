import type { Address, Trailer } from '../parse/types.ts';

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

/** Every trailer-looking line of a reply body (before the `-- ` signature), in order. */
export function findFollowupTrailers(body: string): Trailer[] {
  const text = (body.split('\n-- \n', 1)[0] ?? '').trim() + '\n';
  const out: Trailer[] = [];
  let sawOther = false;
  for (const rawLine of rejoinWrapped(text.split('\n'))) {
    const line = rawLine.replace(/\r/g, '');
    const m = line.includes(':') ? TRAILER_LINE.exec(line) : null;
    if (!m) {
      // b4 treats a "[for the foo parts]" line after a trailer as part of it; it is not "other" text.
      if (!/^\s*\[[^\]]+\]\s*$/.test(line)) sawOther = true;
      continue;
    }
    const name = m[1] ?? '';
    // Mail clients that write HTML leave `a@b<mailto:a@b>` behind in the text part.
    let value = (m[2] ?? '').replace(/<mailto:[^>]*>/gi, '');
    const lname = name.toLowerCase();
    if (IGNORED.has(lname)) continue;
    if (sawOther && HEADERS.has(lname)) continue;
    if (!/^[\x00-\x7f]*$/.test(lname)) continue;
    if (!HAS_EMAIL.test(value) && !NON_PERSON.has(lname)) continue;
    if (/https?:\/\//.test(value)) continue;
    const ext = value.includes('#') ? /(.*\S+)(\s+#[^#]+)$/.exec(value) : null;
    if (ext) value = ext[1] ?? value;
    out.push({ name, value });
  }
  return out;
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
export function acceptedFollowupTrailers(found: readonly Trailer[], from: Address, sloppy = false): Trailer[] {
  const out: Trailer[] = [];
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

/** Does a person trailer name the sender, by address (loosely) or by display name? */
export function trailerNamesSender(t: Trailer, from: Address): boolean {
  const addr = parseTrailerAddress(t.value);
  if (addr.address && emailsMatch(addr.address, from.address)) return true;
  const tn = addr.name.toLowerCase();
  const hn = (from.name.trim() || from.address).toLowerCase();
  if (tn && tn === hn) return true;
  // b4 accepts any name when the sender's display name has a comma ("Doe, Jane"): its
  // chunk-by-chunk check compares the name with itself.
  return hn.indexOf(',') > 0;
}

/** `Name <a@b>`, `"Doe, Jane" <a@b>`, `a@b (Name)` or a bare address. */
export function parseTrailerAddress(value: string): Address {
  const angle = /^(.*?)<([^>]+)>/.exec(value);
  if (angle)
    return {
      name: (angle[1] ?? '')
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .trim(),
      address: (angle[2] ?? '').trim(),
    };
  const bare = /(\S+@\S+)/.exec(value);
  const address = bare?.[1] ?? '';
  const paren = /\(([^)]*)\)/.exec(value);
  return { name: (paren?.[1] ?? '').trim(), address };
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
