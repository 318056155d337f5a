/**
 * The body of an am-ready message as `b4 am` rebuilds it (b4's get_body_parts, find_trailers,
 * fix_trailers and rebuild_message): the commit message, the trailer block of its last paragraph
 * with the follow-up trailers appended (existing ones first, each new one once, your own
 * Signed-off-by last), then everything from `---` (or the diff) on, then the `-- ` signature.
 * Trailers compare by name and value, never by their `# comment` or `[for the foo parts]` extra.
 * Pure.
 */
import type { FollowupTrailer } from './types.ts';

export interface BodyTrailer {
  name: string;
  value: string;
  /** ` # for the foo parts` (kept with its leading space) or a `[for the foo parts]` line. */
  extinfo: string | null;
}

interface BodyParts {
  message: string;
  trailers: BodyTrailer[];
  basement: string;
  signature: string;
}

// Python's \w and \d read every script's letters and digits, not ASCII only.
const TRAILER_LINE = /^\s*([\p{L}\p{N}_][^\s]+):\s+(\S.*)/iu;
const IGNORED = new Set(['phone', 'email']);
const HEADERS = new Set(['subject', 'date', 'from']);

const stripNewlines = (s: string): string => s.replace(/^\n+|\n+$/g, '');

/** A trailer and its extra as one line (or two, for a `[...]` extra), as b4 prints it. */
export function trailerText(t: BodyTrailer): string {
  const base = `${t.name}: ${t.value}`;
  if (!t.extinfo) return base;
  return t.extinfo.trimStart().startsWith('#') ? `${base}${t.extinfo}` : `${base}\n${t.extinfo}`;
}

/** b4's find_trailers for a commit message paragraph: trailers, and every other line. */
export function findBodyTrailers(paragraph: string): { trailers: BodyTrailer[]; others: string[] } {
  let body = `${(paragraph.split('\n-- \n', 1)[0] ?? '').trim()}\n`;
  // The two wrappings people commonly paste: "Fixes: abc (foo\nbar)" and "Name\n<addr>".
  body = body.replace(/^(\S+:\s+[\p{Nd}a-f]+\s+\([^)]+)\n([^\n]+\))/gimu, '$1 $2');
  body = body.replace(/^(\S+:\s+[^<]+)\n(<[^>]+>)$/gmu, '$1 $2');
  const trailers: BodyTrailer[] = [];
  const others: string[] = [];
  let wasTrailer = false;
  for (const raw of body.split('\n')) {
    const line = raw.replace(/^\r+|\r+$/g, '');
    const m = TRAILER_LINE.exec(line);
    if (m) {
      const name = m[1] ?? '';
      let value = m[2] ?? '';
      const lname = name.toLowerCase();
      if (IGNORED.has(lname)) continue;
      if (others.length > 0 && HEADERS.has(lname)) continue;
      let extinfo: string | null = null;
      const ext = value.includes('#') ? /^(.*\S+)(\s+#[^#]+)$/u.exec(value) : null;
      if (ext) {
        value = ext[1] ?? value;
        extinfo = ext[2] ?? null;
      }
      wasTrailer = true;
      trailers.push({ name, value, extinfo });
      continue;
    }
    const last = trailers[trailers.length - 1];
    if (line.length > 2 && wasTrailer && last && /^\s*\[[^\]]+\]\s*$/u.test(line)) {
      last.extinfo = line;
      wasTrailer = false;
      continue;
    }
    wasTrailer = false;
    others.push(line);
  }
  return { trailers, others };
}

/** b4's get_body_parts: the message, the last paragraph's trailers, the basement and the signature. */
export function bodyParts(text: string): BodyParts {
  let body = stripNewlines(text.replace(/\r/g, ''));
  let signature = '';
  const sig = body.lastIndexOf('\n-- \n');
  if (sig >= 0) {
    signature = body.slice(sig + 5);
    body = body.slice(0, sig).replace(/\n+$/, '');
  }
  let head = body;
  let basement = '';
  const sep = /^---\n/m.exec(body);
  if (sep) {
    head = body.slice(0, sep.index);
    basement = body.slice(sep.index + 4).replace(/\n+$/, '');
  } else if (body.includes('\ndiff ')) {
    const at = body.indexOf('\ndiff ');
    head = body.slice(0, at);
    basement = body.slice(at + 1).replace(/\n+$/, '');
  }
  const paras = stripNewlines(head).split('\n\n');
  // The first paragraph always stays in the message: b4 never finds it to be all headers
  // (its trailer scan counts the paragraph's final empty line as other text).
  const parts: string[] = [paras[0] ?? ''];
  const last = findBodyTrailers(paras[paras.length - 1] ?? '');
  if (paras.length === 1) return { message: last.others.join('\n'), trailers: last.trailers, basement, signature };
  parts.push(...paras.slice(1, -1));
  if (last.others.length > 0) parts.push(last.others.join('\n'));
  return { message: parts.join('\n\n'), trailers: last.trailers, basement, signature };
}

const same = (a: { name: string; value: string }, b: { name: string; value: string }): boolean =>
  a.name.toLowerCase() === b.name.toLowerCase() && a.value.toLowerCase() === b.value.toLowerCase();

/** b4's fix_trailers with its default options, then rebuild_message. */
export function withFollowupTrailers(
  text: string,
  followups: readonly FollowupTrailer[],
  signOff: string | null,
): string {
  const parts = bodyParts(text);
  const sob: BodyTrailer | null = signOff ? { name: 'Signed-off-by', value: signOff, extinfo: null } : null;
  const fixed = [...parts.trailers];
  let hasSob = false;
  if (sob) {
    const i = fixed.findIndex((t) => same(t, sob));
    if (i >= 0) {
      hasSob = true;
      fixed.splice(i, 1);
    }
  }
  for (const t of followups) {
    if (sob && same(t, sob)) continue;
    if (fixed.some((x) => same(x, t))) continue;
    fixed.push({ name: t.name, value: t.value, extinfo: t.extinfo ?? null });
  }
  if (sob && (hasSob || signOff)) fixed.push(sob);
  return rebuildBody(parts.message, fixed, parts.basement, parts.signature);
}

function rebuildBody(message: string, trailers: readonly BodyTrailer[], basement: string, signature: string): string {
  let out = '';
  if (message.length > 0) {
    out += `${message.replace(/[\r\n]+$/, '')}\n`;
    if (trailers.length > 0) out += '\n';
  }
  for (const t of trailers) out += `${trailerText(t)}\n`;
  if (basement.length > 0) {
    if (trailers.length === 0) out += '\n';
    out += `---\n${basement.replace(/[\r\n]+$/, '')}\n`;
  }
  if (signature.length > 0) out += `-- \n${signature.replace(/[\r\n]+$/, '')}\n`;
  return out;
}
