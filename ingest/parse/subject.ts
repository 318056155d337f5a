import type { SubjectInfo } from './types.ts';

/** Prefix words that name a project routed apart from the kernel (`[ndctl PATCH v2 3/5]`). */
export const DEFAULT_PROJECTS: readonly string[] = ['ndctl', 'daxctl', 'cxl-cli'];

export interface SubjectOptions {
  /** Lower-case prefix words that name another project; defaults to DEFAULT_PROJECTS. */
  projects?: readonly string[];
}

// `Re:`, `RE:`, `Aw:`, `Fwd:`, `Fw:`, `Sv:`, `Antw:`, Outlook's `Re[2]:`. Patchwork also treats a
// bare `Re ` (no colon) as a reply; only `re` gets that leniency, `Fw foo` is too likely prose.
const REPLY_RE = /^(?:(?:re|aw|fwd?|sv|antw|wg)(?:\[\d+\])?\s*:|re\s)\s*/i;
const FORWARD_RE = /^fwd?(?:\[\d+\])?\s*:/i;
const BRACKET_RE = /^\[([^\]]*)\]\s*/;

/** Folds every whitespace run (including header folding) to one space, as mail clients display it. */
export function foldWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Splits a bracket group's contents into lower-case words on whitespace and commas. */
export function splitPrefixes(group: string): string[] {
  return group
    .split(/[\s,]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length > 0);
}

/**
 * k/n from the prefix words. Accepts `1/2`, `01/13`, hg's `1 of 2`, and words glued to a marker
 * (`PATCH1/8`, `v2PATCH1/4`) which old scripts produce.
 */
export function seriesMarker(prefixes: readonly string[]): { counter: number; expected: number } | null {
  const joined = ` ${prefixes.join(' ')} `;
  const m = /(?:^|[^\d.])(\d+)\s*(?:\/|\sof\s)\s*(\d+)(?=[\s\]]|$)/.exec(joined);
  if (!m?.[1] || !m[2]) return null;
  const counter = Number.parseInt(m[1], 10);
  const expected = Number.parseInt(m[2], 10);
  // `0/0` or `3/2` are typos, not markers we can place a patch with.
  if (expected === 0 || counter > expected) return null;
  return { counter, expected };
}

/** `v2`, `V6`, `PATCHv2`, `v2RESEND`, `v2PATCH1/4`; else `(v2)` in the remaining subject. */
export function revisionOf(prefixes: readonly string[], rest: string): number {
  for (const p of prefixes) {
    const m = /^(?:patch|rfc|resend)?v(\d+)(?:\.\d+)*(?:$|patch|resend|rfc|[-:])/.exec(p);
    if (m?.[1]) {
      const v = Number.parseInt(m[1], 10);
      if (v > 0) return v;
    }
  }
  const m = /\([vV](\d+)\)/.exec(rest);
  if (m?.[1]) {
    const v = Number.parseInt(m[1], 10);
    if (v > 0) return v;
  }
  return 1;
}

/** Parses a (RFC 2047-decoded) Subject: reply markers, bracketed prefixes, version and k/n. */
export function parseSubject(raw: string, opts: SubjectOptions = {}): SubjectInfo {
  const projects = opts.projects ?? DEFAULT_PROJECTS;
  const folded = foldWhitespace(raw);
  let rest = folded;
  let isReply = false;
  const prefixes: string[] = [];

  // Reply markers and bracket groups may interleave (`Re: [PATCH] Re: foo` is rare but real).
  for (;;) {
    const reply = REPLY_RE.exec(rest);
    if (reply) {
      // A forwarded patch is still someone else's mail about it, not a new submission.
      isReply = true;
      rest = rest.slice(reply[0].length);
      continue;
    }
    const bracket = BRACKET_RE.exec(rest);
    if (bracket) {
      prefixes.push(...splitPrefixes(bracket[1] ?? ''));
      rest = rest.slice(bracket[0].length);
      continue;
    }
    break;
  }

  const isRfc = prefixes.some((p) => /(?:^|[^a-z])rfc(?:$|[^a-z])/.test(p));
  const isPatch = isRfc || prefixes.some((p) => p.includes('patch'));
  const isResend = prefixes.some((p) => p.includes('resend'));
  const project = prefixes.find((p) => projects.includes(p)) ?? null;
  const marker = seriesMarker(prefixes);

  return {
    raw: folded,
    subject: rest.trim(),
    isReply,
    prefixes,
    isPatch,
    isRfc,
    isResend,
    project,
    revision: revisionOf(prefixes, rest),
    counter: marker?.counter ?? 1,
    expected: marker?.expected ?? 1,
  };
}

/** True when the subject only forwards (`Fwd:`) rather than answers. */
export function isForward(raw: string): boolean {
  return FORWARD_RE.test(raw.trimStart());
}
