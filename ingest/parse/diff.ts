/**
 * Splits a plain-text patch mail body the way `git mailinfo` does: the commit message ends at the
 * first "patch break" line; what follows a bare `---` up to the diff is the notes (diffstat,
 * changelog); the diff runs from its first header line to the end.
 */

export interface InbodyHeaders {
  from?: string;
  subject?: string;
  date?: string;
}

export interface PatchSplit {
  /** Commit message: in-body headers removed, trailing blank lines dropped. */
  message: string;
  /** `From:`/`Subject:`/`Date:` lines at the top of the body, which override the mail's own. */
  inbody: InbodyHeaders;
  /** Text between the `---` separator and the diff (diffstat, version notes), or null. */
  notes: string | null;
  /** From the first `diff -`/`Index: `/`--- file` line to the end, or null. */
  diff: string | null;
  /** Everything from the patch break line on (git mailinfo's "patch" output), or null. */
  patch: string | null;
  /** Paths the diff touches (new side), in order, without duplicates. */
  files: string[];
}

export interface SplitOptions {
  /** Honour `-- >8 --` lines: drop everything above them (git am --scissors). Default false, as git. */
  scissors?: boolean;
  /** Read `From:`/`Subject:`/`Date:` at the top of the body (git's default). Default true. */
  inbodyHeaders?: boolean;
}

/** git mailinfo's patchbreak(): `diff -`, `Index: `, `--- file`, or `---` plus only whitespace. */
export function isPatchBreak(line: string): boolean {
  if (line.startsWith('diff -') || line.startsWith('Index: ')) return true;
  if (!line.startsWith('---')) return false;
  if (line.length >= 5 && line[3] === ' ' && !/\s/.test(line[4] ?? '')) return true;
  return /^---\s*$/.test(line);
}

/**
 * git's is_scissors_line(): a `>8`/`8<`/`>%`/`%<` mark in a dashed perforation that fills more
 * than a third of the line, so "cut here" text may sit beside it.
 */
export function isScissorsLine(line: string): boolean {
  let scissors = 0;
  let gap = 0;
  let perforation = 0;
  let inPerforation = false;
  let first = -1;
  let last = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (/\s/.test(c)) {
      if (inPerforation) {
        perforation++;
        gap++;
      }
      continue;
    }
    last = i;
    if (first < 0) first = i;
    if (c === '-') {
      inPerforation = true;
      perforation++;
      continue;
    }
    const two = line.slice(i, i + 2);
    if (two === '>8' || two === '8<' || two === '>%' || two === '%<') {
      inPerforation = true;
      perforation += 2;
      scissors += 2;
      last = i + 1;
      i++;
      continue;
    }
    inPerforation = false;
  }
  const visible = first >= 0 ? last - first + 1 : 0;
  return scissors > 0 && visible >= 8 && visible < perforation * 3 && gap * 2 < perforation;
}

const INBODY_RE = /^(from|subject|date):\s*(.*)$/i;

/** The line starting at `pos` (without its LF) and where the next one starts (> length at the end). */
function lineAt(text: string, pos: number): [string, number] {
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? [text.slice(pos), text.length + 1] : [text.slice(pos, nl), nl + 1];
}

/** A line that opens a diff proper (not a `---` notes separator). */
function isDiffStartAt(text: string, pos: number): boolean {
  const [line, next] = lineAt(text, pos);
  if (line.startsWith('diff -') || line.startsWith('Index: ')) return true;
  return /^--- \S/.test(line) && next <= text.length && text.startsWith('+++ ', next);
}

/** What follows the patch break: the notes (after a "---" line, before the diff) and the diff. */
function notesAndDiff(text: string, breakPos: number): { notes: string | null; diff: string | null } {
  let notes: string | null = null;
  let start = -1;
  const [breakLine, afterBreak] = lineAt(text, breakPos);
  if (isDiffStartAt(text, breakPos) || !/^---\s*$/.test(breakLine)) {
    start = breakPos;
  } else {
    for (let pos = afterBreak; pos <= text.length; pos = lineAt(text, pos)[1]) {
      if (isDiffStartAt(text, pos)) {
        start = pos;
        break;
      }
    }
    const joined =
      afterBreak > text.length
        ? ''
        : text.slice(afterBreak, start >= 0 ? Math.max(afterBreak, start - 1) : text.length);
    notes = joined.trim() === '' ? null : joined.trimEnd();
  }
  return { notes, diff: start >= 0 ? text.slice(start) : null };
}

/**
 * Splits a decoded text/plain body (LF or CRLF) into message, notes and diff. Walks lines only up
 * to the diff: the diff itself (most of a patch mail) is sliced, never split into lines.
 */
export function splitPatchBody(input: string, opts: SplitOptions = {}): PatchSplit {
  const useInbody = opts.inbodyHeaders ?? true;
  const text = input.includes('\r') ? input.replace(/\r\n/g, '\n') : input;
  let message: string[] = [];
  let inbody: InbodyHeaders = {};
  let headerStage = true;
  let lastInbody: keyof InbodyHeaders | null = null;
  let breakPos = -1;

  for (let pos = 0; pos <= text.length; ) {
    const [line, next] = lineAt(text, pos);
    if (isPatchBreak(line)) {
      breakPos = pos;
      break;
    }
    pos = next;
    if (opts.scissors && isScissorsLine(line)) {
      message = [];
      inbody = {};
      headerStage = true;
      lastInbody = null;
      continue;
    }
    if (headerStage) {
      if (line.trim() === '') {
        // Blank lines before the in-body headers are skipped; the one after them ends the block.
        if (lastInbody !== null || Object.keys(inbody).length > 0) headerStage = false;
        lastInbody = null;
        continue;
      }
      if (useInbody) {
        // mailinfo takes a leading "[PATCH] title" line as an in-body Subject.
        if (/^\[PATCH\]\s/.test(line) && inbody.subject === undefined) {
          inbody.subject = line.trim();
          lastInbody = 'subject';
          continue;
        }
        const m = INBODY_RE.exec(line);
        if (m?.[1]) {
          lastInbody = m[1].toLowerCase() === 'from' ? 'from' : m[1].toLowerCase() === 'subject' ? 'subject' : 'date';
          inbody[lastInbody] = (m[2] ?? '').trim();
          continue;
        }
        if (lastInbody && /^[ \t]/.test(line)) {
          inbody[lastInbody] = `${inbody[lastInbody] ?? ''} ${line.trim()}`.trim();
          continue;
        }
      }
      headerStage = false;
    }
    message.push(line);
  }

  while (message.length > 0 && (message[message.length - 1] ?? '').trim() === '') message.pop();

  const { notes, diff } = breakPos >= 0 ? notesAndDiff(text, breakPos) : { notes: null, diff: null };
  return {
    message: message.join('\n'),
    inbody,
    notes,
    diff,
    patch: breakPos >= 0 ? text.slice(breakPos) : null,
    files: diff === null ? [] : diffFiles(diff),
  };
}

/** The commit message part only: everything before the first patch break or signature. */
export function commitMessageOf(text: string): string {
  const lines = (text.includes('\r') ? text.replace(/\r\n/g, '\n') : text).split('\n');
  const out: string[] = [];
  for (const line of lines) {
    if (isPatchBreak(line) || line === '-- ') break;
    out.push(line);
  }
  return out.join('\n');
}

/** Undoes git's C-style quoting of a path (`"a/sp ace\t"`). */
function unquote(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"') || p.length < 2) return p;
  const bytes: number[] = [];
  const body = p.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? '';
    if (c !== '\\') {
      for (const b of Buffer.from(c, 'utf8')) bytes.push(b);
      continue;
    }
    const next = body[i + 1] ?? '';
    const oct = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (oct) {
      bytes.push(Number.parseInt(oct[0], 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Splits `diff --git A B` into its two paths; handles quoted paths and the common equal-name case. */
function gitDiffPaths(rest: string): [string, string] | null {
  if (rest.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*")\s+(.+)$/.exec(rest);
    return m?.[1] && m[2] ? [unquote(m[1]), unquote(m[2])] : null;
  }
  const q = rest.indexOf(' "');
  if (q > 0) return [rest.slice(0, q), unquote(rest.slice(q + 1))];
  // Unquoted paths may contain spaces; git writes both sides with the same tail, so split there.
  const parts = rest.split(' ');
  for (let k = 1; k < parts.length; k++) {
    const a = parts.slice(0, k).join(' ');
    const b = parts.slice(k).join(' ');
    if (a.replace(/^[^/]*\//, '') === b.replace(/^[^/]*\//, '')) return [a, b];
  }
  const [a, ...b] = parts;
  return a !== undefined ? [a, b.join(' ')] : null;
}

function stripSide(path: string, prefix: 'a/' | 'b/', other: string, otherPrefix: 'a/' | 'b/'): string {
  // Only strip when the diff really uses a/ b/ prefixes (not --no-prefix, not CVS).
  return path.startsWith(prefix) && (other.startsWith(otherPrefix) || other === '/dev/null') ? path.slice(2) : path;
}

/** Paths a diff touches, new side (old side for deletions). */
export function diffFiles(diff: string): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => {
    if (p && p !== '/dev/null' && !seen.has(p)) {
      seen.add(p);
      files.push(p);
    }
  };
  if (diff.startsWith('diff --git ') || diff.includes('\ndiff --git ')) {
    // A git diff names every file on its `diff --git` line; scanning just those is the cheap path.
    for (const m of diff.matchAll(/^diff --git (.*)$/gm)) {
      const paths = gitDiffPaths(m[1] ?? '');
      if (paths) add(stripSide(paths[1], 'b/', paths[0], 'a/'));
    }
    return files;
  }
  const lines = diff.split('\n');
  // A git diff names every file on its `diff --git` line; `---`/`+++` pairs are only trusted in
  // plain diffs, since inside a hunk `--- x` / `+++ y` can be a removed and an added line.
  const isGit = lines.some((l) => l.startsWith('diff --git '));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (isGit) {
      if (!line.startsWith('diff --git ')) continue;
      const paths = gitDiffPaths(line.slice('diff --git '.length));
      if (paths) add(stripSide(paths[1], 'b/', paths[0], 'a/'));
      continue;
    }
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
      const oldPath = unquote((line.slice(4).split('\t')[0] ?? '').trim());
      const newPath = unquote(((lines[i + 1] ?? '').slice(4).split('\t')[0] ?? '').trim());
      if (newPath === '/dev/null') add(stripSide(oldPath, 'a/', newPath, 'b/'));
      else add(stripSide(newPath, 'b/', oldPath, 'a/'));
      i++;
    }
  }
  return files;
}
