import type { Trailer } from './types.ts';
import { commitMessageOf } from './diff.ts';

/** Trailer names in their canonical spelling; lookup is case-insensitive. */
const CANONICAL: ReadonlyMap<string, string> = new Map(
  [
    'Signed-off-by',
    'Reviewed-by',
    'Acked-by',
    'Tested-by',
    'Reported-by',
    'Suggested-by',
    'Co-developed-by',
    'Requested-by',
    'Reviewed-and-tested-by',
    'Debugged-by',
    'Originally-by',
    'Helped-by',
    'Cc',
    'Fixes',
    'Link',
    'Closes',
    'BugLink',
    'Message-ID',
    'Change-Id',
  ].map((n) => [n.toLowerCase(), n]),
);

/** Names whose value is not a person (b4's "utility" trailers). */
const NON_PERSON = new Set(['fixes', 'link', 'buglink', 'closes', 'message-id', 'change-id', 'base-commit']);

// b4 ignores these lookalikes: signatures carry "Phone:"/"Email:" lines.
const IGNORED = new Set(['phone', 'email', 'mobile', 'tel', 'fax', 'web']);

// `Token-With-Dashes: value`; an indented line is allowed because quoted-printable wrapping
// and some clients indent the trailer block.
const TRAILER_LINE = /^\s*([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*):\s+(\S.*?)\s*$/;
const EXTINFO_LINE = /^\s*\[[^\]]+\]\s*$/;
const EMAIL_RE = /\S+@\S+\.\S+/;

/** `reviewed-BY` → `Reviewed-by`; unknown names get git's usual shape (first letter upper, rest lower). */
export function canonicalTrailerName(name: string): string {
  const known = CANONICAL.get(name.toLowerCase());
  if (known) return known;
  return name.charAt(0).toUpperCase() + name.slice(1).toLowerCase();
}

/** Rejoins the two wraps b4 also repairs: a `Fixes:` title and a name whose `<email>` wrapped. */
function unwrap(text: string): string {
  return text
    .replace(/^(\S+:\s+[\da-f]+\s+\([^)\n]+)\n([^\n]+\))/gm, '$1 $2')
    .replace(/^(\S+:\s+[^<\n]+)\n(<[^>\n]+>)$/gm, '$1 $2');
}

function matchTrailer(line: string): Trailer | null {
  const m = TRAILER_LINE.exec(line);
  if (!m?.[1] || m[2] === undefined) return null;
  if (IGNORED.has(m[1].toLowerCase())) return null;
  return { name: canonicalTrailerName(m[1]), value: m[2] };
}

/** The text after the last blank line, found from the end (messages of replies can be long). */
function lastParagraph(message: string): string {
  let end = message.length;
  while (end > 0) {
    const nl = message.lastIndexOf('\n', end - 1);
    const line = message.slice(nl + 1, end);
    if (line.trim() === '') return message.slice(end + 1);
    if (nl < 0) break;
    end = nl;
  }
  return message;
}

/**
 * Trailers of a commit message: the last paragraph, if it reads as a trailer block. Like git
 * interpret-trailers, a block is accepted when every line is a trailer, or at least a quarter are
 * and one of them is a name we know (so a closing "Note: ..." sentence is not mistaken for one).
 * Accepts a whole patch body too: the diff, the `---` notes and the signature are cut off first.
 */
export function parseTrailers(body: string): Trailer[] {
  return trailersOfMessage(commitMessageOf(body));
}

/** parseTrailers for text already cut to the commit message (splitPatchBody's `message`). */
export function trailersOfMessage(commitMessage: string): Trailer[] {
  const message = (commitMessage.includes('\r') ? commitMessage.replace(/\r/g, '') : commitMessage).trimEnd();
  const last = unwrap(lastParagraph(message));
  const trailers: Trailer[] = [];
  let others = 0;
  let known = false;
  for (const line of last.split('\n')) {
    if (line.trim() === '') continue;
    const t = matchTrailer(line);
    if (t) {
      trailers.push(t);
      if (CANONICAL.has(t.name.toLowerCase())) known = true;
      continue;
    }
    const prev = trailers[trailers.length - 1];
    // git folds indented continuation lines into the previous trailer.
    if (prev && /^[ \t]+\S/.test(line) && !EXTINFO_LINE.test(line)) {
      prev.value = `${prev.value} ${line.trim()}`;
      continue;
    }
    // `[for the foo bits]` under a trailer qualifies it; it is neither trailer nor prose.
    if (EXTINFO_LINE.test(line)) continue;
    others++;
  }
  if (trailers.length === 0) return [];
  if (others > 0 && !(known && trailers.length * 3 >= others)) return [];
  return trailers;
}

/**
 * Trailers a reviewer gives in a reply (`Reviewed-by: A <a@b.c>` under the quoted patch).
 * Only person trailers (`*-by` with an e-mail address) count, as b4 does for follow-ups: a
 * `Fixes:` or `Link:` in a reply is discussion, not a tag for the patch. Quoted lines, the
 * signature and any diff the reply carries are ignored.
 */
export function parseFollowupTrailers(replyBody: string): Trailer[] {
  let text = replyBody.includes('\r') ? replyBody.replace(/\r/g, '') : replyBody;
  const sig = text.search(/^-- $/m);
  if (sig >= 0) text = text.slice(0, sig);
  const diff = text.search(/^diff --git /m);
  if (diff >= 0) text = text.slice(0, diff);
  const out: Trailer[] = [];
  const seen = new Set<string>();
  // Candidate lines only: a quoted line starts with `>`, so the anchor already skips quotes.
  for (const m of text.matchAll(/^[ \t]*([A-Za-z][A-Za-z0-9-]*-by):[ \t]+(\S.*?)[ \t]*$/gim)) {
    const name = canonicalTrailerName(m[1] ?? '');
    let value = m[2] ?? '';
    // b4's repair of `Name` / `<email>` wrapped onto the next line.
    if (!EMAIL_RE.test(value) && m.index !== undefined) {
      const after = text.slice(m.index + m[0].length + 1).split('\n', 1)[0] ?? '';
      if (/^<[^>]+>$/.test(after.trim())) value = `${value} ${after.trim()}`;
    }
    if (IGNORED.has(name.toLowerCase()) || NON_PERSON.has(name.toLowerCase())) continue;
    if (!EMAIL_RE.test(value) || /https?:\/\//i.test(value)) continue;
    const key = `${name}\n${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name, value });
  }
  return out;
}

export interface BaseInfo {
  baseCommit: string | null;
  prerequisitePatchIds: string[];
  prerequisiteMessageIds: string[];
  changeId: string | null;
}

/**
 * b4/git-format-patch footers: `base-commit:`, `prerequisite-patch-id:`,
 * `prerequisite-message-id:` and `change-id:`. They sit after the diff or in the cover letter,
 * at the start of a line (a quoted `> base-commit:` in a reply is not ours).
 */
export function parseBaseInfo(text: string): BaseInfo {
  const info: BaseInfo = { baseCommit: null, prerequisitePatchIds: [], prerequisiteMessageIds: [], changeId: null };
  // Cheap screen first: the anchored regex below would visit every line of every mail. git and
  // b4 always write these names in lower case.
  if (!text.includes('base-commit:') && !text.includes('prerequisite-') && !text.includes('change-id:')) return info;
  const re = /^(base-commit|prerequisite-patch-id|prerequisite-message-id|change-id):[ \t]*(\S+)[ \t]*\r?$/gim;
  for (const m of text.matchAll(re)) {
    const key = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? '';
    switch (key) {
      case 'base-commit':
        if (info.baseCommit === null && /^[0-9a-f]{7,64}$/i.test(value)) info.baseCommit = value.toLowerCase();
        break;
      case 'prerequisite-patch-id':
        if (/^[0-9a-f]{7,64}$/i.test(value) && !info.prerequisitePatchIds.includes(value)) {
          info.prerequisitePatchIds.push(value.toLowerCase());
        }
        break;
      case 'prerequisite-message-id': {
        const id = value.replace(/^<|>$/g, '');
        if (id && !info.prerequisiteMessageIds.includes(id)) info.prerequisiteMessageIds.push(id);
        break;
      }
      case 'change-id':
        if (info.changeId === null) info.changeId = value;
        break;
    }
  }
  return info;
}
