import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Maildir helpers. A message keeps its unique name when it moves from new/ to cur/ and gains
 * flags (`<unique>:2,S`), so the unique part is what identifies it across polls.
 */

export function uniqueName(filename: string): string {
  const colon = filename.indexOf(':');
  return colon < 0 ? filename : filename.slice(0, colon);
}

export interface MaildirEntry {
  unique: string;
  /** Path relative to the maildir ("new/…" or "cur/…"). */
  rel: string;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Lists the messages of a maildir, sorted by unique name (delivery time first, by the maildir
 * naming convention). new/ is listed before cur/ so that a message moving between them during
 * the listing is seen at least once.
 */
export async function listMaildir(root: string): Promise<MaildirEntry[]> {
  const byUnique = new Map<string, MaildirEntry>();
  for (const sub of ['new', 'cur']) {
    for (const name of await listDir(join(root, sub))) {
      if (name.startsWith('.')) continue;
      const unique = uniqueName(name);
      byUnique.set(unique, { unique, rel: `${sub}/${name}` });
    }
  }
  return [...byUnique.values()].sort((a, b) => (a.unique < b.unique ? -1 : a.unique > b.unique ? 1 : 0));
}

/** Reads a listed message; if it moved meanwhile (new/ → cur/, flags changed) it is looked up again. Null when gone. */
export async function readMaildirEntry(root: string, entry: MaildirEntry): Promise<Buffer | null> {
  try {
    return await readFile(join(root, entry.rel));
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
  }
  for (const sub of ['cur', 'new']) {
    for (const name of await listDir(join(root, sub))) {
      if (uniqueName(name) !== entry.unique) continue;
      try {
        return await readFile(join(root, sub, name));
      } catch {
        // moved again; give up on this poll
      }
    }
  }
  return null;
}
