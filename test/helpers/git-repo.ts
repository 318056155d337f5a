/**
 * Small real git repositories for the tree tests: commits with fixed identities and dates, patch
 * mails from `git format-patch`, and bare "remote" repositories a test advances between polls.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

let tick = 0;

function env(): NodeJS.ProcessEnv {
  // Each commit a second later than the one before: history order is date order, as in real trees.
  const date = new Date(Date.UTC(2024, 0, 1) + tick++ * 1000).toISOString();
  return {
    ...process.env,
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.org',
    GIT_COMMITTER_NAME: 'Test Author',
    GIT_COMMITTER_EMAIL: 'author@example.org',
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
  };
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { env: env(), encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
}

export function initRepo(dir: string, branch = 'main'): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', branch);
  return dir;
}

export function initBare(dir: string): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '--bare');
  return dir;
}

/** Writes (or, for null, removes) the files and commits them; returns the commit's sha. */
export function commitFiles(dir: string, files: Record<string, string | null>, message: string): string {
  for (const [f, text] of Object.entries(files)) {
    const p = path.join(dir, f);
    if (text === null) rmSync(p, { force: true });
    else {
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

export interface FormatOptions {
  /** `--base=`: writes base-commit (and prerequisite-patch-id for commits between it and the range). */
  base?: string;
  /** A 0/N cover letter, threaded with Message-IDs (for ingest: the mails of one thread). */
  cover?: boolean;
  to?: string;
  /** Added to the subject prefix: "v2" → [PATCH v2 1/2]. */
  reroll?: number;
  /**
   * With `cover`: the cover letter's subject, also put into the Message-IDs (format-patch makes
   * them from the time, so two series made within a second would share them).
   */
  title?: string;
}

/** The commits `range` as one mbox of patch mails (format-patch --stdout). */
export function formatPatches(dir: string, range: string, opts: FormatOptions = {}): string {
  const args = ['format-patch', '--stdout', '--no-signature', range];
  if (opts.base) args.push(`--base=${opts.base}`);
  if (opts.cover) args.push('--cover-letter', '--thread=shallow');
  if (opts.to) args.push(`--to=${opts.to}`);
  if (opts.reroll) args.push(`--reroll-count=${opts.reroll}`);
  let text = git(dir, ...args) + '\n';
  if (opts.cover && opts.title) {
    const tag = opts.title.replace(/[^A-Za-z0-9]+/g, '-');
    text = text
      .replace(/^((?:Message-Id|In-Reply-To|References): <[^>]*?)\.git\./gim, `$1.${tag}.git.`)
      .replace('*** SUBJECT HERE ***', opts.title);
  }
  return text;
}

/** Numbered lines "prefix 1" .. "prefix n": file text with room for non-overlapping edits. */
export function lines(prefix: string, n = 40): string {
  return Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join('\n') + '\n';
}

/** `text` with line k (1-based) replaced. */
export function editLine(text: string, k: number, replacement: string): string {
  const l = text.split('\n');
  l[k - 1] = replacement;
  return l.join('\n');
}
