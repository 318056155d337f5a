/**
 * The little of Atom that public-inbox's `new.atom` needs: each entry's link, id, title and
 * `updated`. Pure; a regular-expression reader is enough for the well-formed feeds public-inbox
 * writes, and avoids an XML dependency.
 */
export interface AtomEntry {
  /** The entry's link (`<url><msgid>/` on public-inbox). */
  href: string;
  id: string;
  title: string;
  /** ISO timestamp as given; `updatedMs` is it parsed (NaN when unparsable). */
  updated: string;
  updatedMs: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlText(s: string): string {
  return s
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, ent: string) => {
      if (ent.startsWith('#x')) return String.fromCodePoint(parseInt(ent.slice(2), 16));
      if (ent.startsWith('#')) return String.fromCodePoint(parseInt(ent.slice(1), 10));
      return ENTITIES[ent] ?? whole;
    });
}

function element(block: string, tag: string): string | null {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(block);
  return m ? decodeXmlText(m[1]!.replace(/<[^>]+>/g, '')).trim() : null;
}

function linkHref(block: string): string | null {
  const links = [...block.matchAll(/<link\b([^>]*)\/?>/g)].map((m) => m[1] ?? '');
  const attr = (attrs: string, name: string): string | null => {
    const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attrs);
    return m ? decodeXmlText(m[2] ?? m[3] ?? '') : null;
  };
  const preferred = links.find((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate') ?? links[0];
  return preferred === undefined ? null : attr(preferred, 'href');
}

export function parseAtomFeed(xml: string): AtomEntry[] {
  const entries: AtomEntry[] = [];
  for (const m of xml.matchAll(/<entry\b[^>]*>([\s\S]*?)<\/entry>/g)) {
    const block = m[1] ?? '';
    const href = linkHref(block);
    const updated = element(block, 'updated') ?? element(block, 'published');
    if (!href || !updated) continue;
    entries.push({
      href,
      id: element(block, 'id') ?? href,
      title: element(block, 'title') ?? '',
      updated,
      updatedMs: Date.parse(updated),
    });
  }
  return entries;
}

/** `http://host/list/msg%40id/` → `msg@id` (public-inbox escapes the Message-ID into the last path segment). */
export function messageIdFromHref(href: string): string | null {
  let path = href;
  try {
    path = new URL(href).pathname;
  } catch {
    // a relative link: use as is
  }
  const segment = path.replace(/\/+$/, '').split('/').pop();
  if (!segment) return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
