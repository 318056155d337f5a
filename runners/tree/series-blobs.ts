/**
 * What a series' diffs say about the tree it was made on (pure). Every `diff --git` block names
 * the blob of the file before the change (`index <pre>..<post>`); the first time a series touches
 * a path, that preimage blob is the file as it was in the author's base. Later patches touching
 * the same path start from the series' own result and say nothing about the base.
 *
 * Used for blob matching (b4 shazam --guess-base, the 0-day robot) and for the paths a trial
 * `git am` needs checked out.
 */

/** A file as the series' base held it: its path there and its (usually abbreviated) blob id. */
export interface PreimageBlob {
  path: string;
  blob: string;
}

export interface SeriesFiles {
  /** First preimage of each path the series changes, renames or deletes (new files have none). */
  preimages: PreimageBlob[];
  /** Every path the diffs name, old and new side, in order of appearance. */
  paths: string[];
}

interface FileBlock {
  oldPath: string | null;
  newPath: string | null;
  preBlob: string | null;
  created: boolean;
}

const NULL_BLOB = /^0+$/;

/**
 * `"a/foo\tbar"` → `a/foo<TAB>bar`: git quotes paths with unusual characters, C-style (octal
 * escapes are bytes; kernel paths are ASCII, and the git commands here run with quotePath off).
 */
export function unquotePath(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const map: Record<string, string> = { n: '\n', t: '\t', '"': '"', '\\': '\\' };
  return p
    .slice(1, -1)
    .replace(/\\([0-7]{3}|.)/g, (_, c: string) =>
      c.length === 3 ? String.fromCharCode(parseInt(c, 8)) : (map[c] ?? c),
    );
}

function stripPrefix(p: string, prefix: 'a/' | 'b/'): string | null {
  const u = unquotePath(p.trim());
  if (u === '/dev/null') return null;
  return u.startsWith(prefix) ? u.slice(2) : u;
}

/** `diff --git a/x b/x`: the two paths when they are the same (the common case). */
function pathsOfDiffLine(rest: string): { a: string | null; b: string | null } {
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half)) {
    const a = rest.slice(0, half);
    const b = rest.slice(half + 1);
    if (a.slice(2) === b.slice(2)) return { a: stripPrefix(a, 'a/'), b: stripPrefix(b, 'b/') };
  }
  const m = /^(\S+) (\S+)$/.exec(rest);
  return m?.[1] && m[2] ? { a: stripPrefix(m[1], 'a/'), b: stripPrefix(m[2], 'b/') } : { a: null, b: null };
}

/** Reads one header line of a `diff --git` block into the block; false at the end of the header. */
function readHeader(line: string, block: FileBlock): boolean {
  const index = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
  if (index?.[1]) {
    block.preBlob = NULL_BLOB.test(index[1]) ? null : index[1];
    return true;
  }
  if (/^new file mode /.test(line)) block.created = true;
  else if (line.startsWith('rename from ') || line.startsWith('copy from '))
    block.oldPath = unquotePath(line.slice(line.indexOf('from ') + 5));
  else if (line.startsWith('rename to ') || line.startsWith('copy to '))
    block.newPath = unquotePath(line.slice(line.indexOf('to ') + 3));
  else if (line.startsWith('--- ')) block.oldPath = stripPrefix(line.slice(4).split('\t')[0] ?? '', 'a/');
  else if (line.startsWith('+++ ')) {
    block.newPath = stripPrefix(line.slice(4).split('\t')[0] ?? '', 'b/');
    return false;
  } else if (!/^(old mode|new mode|deleted file mode|similarity index|dissimilarity index) /.test(line)) return false;
  return true;
}

function blocksOf(text: string): FileBlock[] {
  const blocks: FileBlock[] = [];
  let current: FileBlock | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('diff --git ')) {
      const { a, b } = pathsOfDiffLine(line.slice('diff --git '.length));
      current = { oldPath: a, newPath: b, preBlob: null, created: false };
      blocks.push(current);
      continue;
    }
    if (current && !readHeader(line, current)) current = null;
  }
  return blocks;
}

/**
 * The preimages and paths of the diffs in `text` (an mbox or patch files joined, in series order).
 * A path a previous block created or changed is the series' own from then on.
 */
export function seriesFiles(text: string): SeriesFiles {
  const preimages: PreimageBlob[] = [];
  const paths: string[] = [];
  const seen = new Set<string>();
  const addPath = (p: string | null): void => {
    if (p !== null && !paths.includes(p)) paths.push(p);
  };
  for (const b of blocksOf(text)) {
    addPath(b.oldPath);
    addPath(b.newPath);
    const pre = b.oldPath ?? b.newPath;
    if (pre !== null && !b.created && b.preBlob && !seen.has(pre)) preimages.push({ path: pre, blob: b.preBlob });
    if (pre !== null) seen.add(pre);
    if (b.newPath !== null) seen.add(b.newPath);
  }
  return { preimages, paths };
}

/** True when `full` (a 40-hex id) is the object `abbrev` names. */
export function sameBlob(abbrev: string, full: string | undefined): boolean {
  return full !== undefined && full.startsWith(abbrev.toLowerCase());
}
