import type { Address } from './types.ts';
import type { HeaderLine } from './mime-decoded.ts';

/**
 * Reads the fields ingest needs out of mailparser's processed header map. The map's values are
 * `unknown` to us (mailparser is untyped JS and fuzzed mail makes odd shapes), so every value is
 * checked rather than cast.
 */

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** `<a@b>` → `a@b`; the first bracketed id if there are several or trailing junk. */
export function cleanMessageId(raw: string): string | null {
  // Control characters (fuzzed mail has NULs) would make ids that no reply can quote.
  const v = raw.replace(/[\x00-\x1f\x7f]/g, '');
  const m = /<([^<>]+)>/.exec(v);
  const id = (m?.[1] ?? v.replace(/[<>]/g, '')).trim();
  if (id === '' || /\s/.test(id)) return id === '' ? null : (id.split(/\s+/)[0] ?? null);
  return id;
}

export function messageIdOf(headers: Map<string, unknown>): string | null {
  const v = str(headers.get('message-id'));
  return v === null ? null : cleanMessageId(v);
}

export function inReplyToOf(headers: Map<string, unknown>): string | null {
  const v = str(headers.get('in-reply-to'));
  return v === null ? null : cleanMessageId(v);
}

/** References, oldest first (the order senders write them), without brackets or duplicates. */
export function referencesOf(headers: Map<string, unknown>, selfId: string | null): string[] {
  const v = headers.get('references');
  const parts = Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? [v]
      : [];
  const out: string[] = [];
  for (const m of parts.join(' ').matchAll(/<([^<>\s]+)>/g)) {
    const id = m[1];
    if (id && id !== selfId && !out.includes(id)) out.push(id);
  }
  return out;
}

function addressesIn(v: unknown, out: Address[]): void {
  if (!Array.isArray(v)) return;
  for (const a of v) {
    if (typeof a !== 'object' || a === null) continue;
    const group: unknown = Reflect.get(a, 'group');
    if (Array.isArray(group)) {
      addressesIn(group, out);
      continue;
    }
    const address = str(Reflect.get(a, 'address')) ?? '';
    const name = str(Reflect.get(a, 'name')) ?? '';
    if (address === '' && name === '') continue;
    out.push({ name, address });
  }
}

/** Addresses of a From/To/Cc header (all occurrences merged, groups flattened). */
export function addressListOf(headers: Map<string, unknown>, key: 'from' | 'to' | 'cc'): Address[] {
  const v = headers.get(key);
  const out: Address[] = [];
  // mailparser gives `{ value: [...] }`, or an array of those when the header repeats.
  for (const entry of Array.isArray(v) ? v : [v]) {
    if (typeof entry === 'object' && entry !== null) addressesIn(Reflect.get(entry, 'value'), out);
  }
  return out;
}

export function subjectOf(headers: Map<string, unknown>): string {
  return str(headers.get('subject')) ?? '';
}

/** The List-Id (`<nvdimm.lists.linux.dev>` → `nvdimm.lists.linux.dev`), or null. */
export function listIdOf(headers: Map<string, unknown>, lines: readonly HeaderLine[]): string | null {
  const list = headers.get('list');
  if (typeof list === 'object' && list !== null) {
    const id: unknown = Reflect.get(list, 'id');
    if (typeof id === 'object' && id !== null) {
      const v = str(Reflect.get(id, 'id'));
      if (v) return v;
    }
  }
  const line = lines.find((l) => l.key === 'list-id');
  const m = line ? /<([^<>\s]+)>/.exec(line.line) : null;
  return m?.[1] ?? null;
}

/**
 * Date → ISO string, or null when missing or unparseable. Read from the raw line because
 * mailparser silently replaces an invalid Date with "now", which would lie about the mail.
 */
export function dateOf(lines: readonly HeaderLine[]): string | null {
  let last: HeaderLine | undefined;
  for (const l of lines) if (l.key === 'date') last = l;
  if (!last) return null;
  const value = last.line
    .slice(last.line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]*/g, ' ')
    .trim();
  if (value === '' || value.length > 200) return null;
  const d = new Date(value);
  const t = d.getTime();
  // Years outside 1970..9999 are fuzz or broken clocks; toISOString would also throw past ±275760.
  if (Number.isNaN(t) || d.getUTCFullYear() < 1970 || d.getUTCFullYear() > 9999) return null;
  return d.toISOString();
}
