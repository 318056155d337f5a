/**
 * Symbolic links a patch adds or changes, and which of them point outside the tree. A patch from
 * a stranger that adds `evil -> /etc/shadow` would otherwise be checked out into the worktree, and
 * a build that reads it (or an error message that quotes it) leaks the file. Pure: reads the
 * patch text only. Git marks a symlink by mode 120000; its content, the target, is the one added
 * line of the hunk ("\ No newline at end of file" follows it).
 */
import path from 'node:path';

export interface PatchSymlink {
  /** The link's path in the tree. */
  path: string;
  target: string;
}

const DIFF_HEADER = /^diff --git a\/(.+?) b\/(.+)$/;
const SYMLINK_MODE = /^(new file mode|new mode|index [0-9a-f]+\.\.[0-9a-f]+) 120000$/;

/** Every symlink the patch creates or retargets, with its new target. */
export function patchSymlinks(text: string): PatchSymlink[] {
  const out: PatchSymlink[] = [];
  let file: string | null = null;
  let symlink = false;
  let inHunk = false;
  for (const line of text.split('\n')) {
    const header = DIFF_HEADER.exec(line);
    if (header) {
      file = header[2] ?? null;
      symlink = false;
      inHunk = false;
      continue;
    }
    if (file === null) continue;
    if (!inHunk && SYMLINK_MODE.test(line)) symlink = true;
    else if (line.startsWith('@@')) inHunk = true;
    else if (inHunk && symlink && line.startsWith('+') && !line.startsWith('+++')) {
      out.push({ path: file, target: line.slice(1) });
      symlink = false;
    }
  }
  return out;
}

/** Absolute, or climbing above the tree's top from where the link sits. */
export function pointsOutside(link: PatchSymlink): boolean {
  if (link.target.startsWith('/')) return true;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(link.path), link.target));
  return resolved === '..' || resolved.startsWith('../');
}

/** The first symlink of the patch that points outside the tree, or null. */
export function outsideSymlink(text: string): PatchSymlink | null {
  return patchSymlinks(text).find(pointsOutside) ?? null;
}
