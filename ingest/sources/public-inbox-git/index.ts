import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../../../config/errors.ts';
import { SourceError } from '../errors.ts';
import { DEFAULT_BATCH_SIZE, parseCheckpoint } from '../checkpoint.ts';
import { catFileBatch, runGit } from './git-exec.ts';
import type { PollResult, RawMail, Source, SourceContext, SourceEnvironment } from '../types.ts';
import type { PublicInboxGitSourceConfig } from './schema.ts';

/**
 * A public-inbox v2 archive read through git: each epoch (`git/0.git`, `git/1.git`, ...) is a repository
 * whose commits each add one message as the blob `m` (a commit without `m` removed spam: skipped).
 *
 * A local folder (the inbox dir holding `git/N.git`, or a folder holding `N.git` directly) is read in
 * place. A URL (https://lore.kernel.org/nvdimm) is mirrored: epoch N is cloned from `<url>/N` into
 * `<dir>/git/N.git`, fetched on each poll, and `<url>/<last+1>` is probed for a new epoch.
 *
 * Checkpoint: the last commit read in each epoch, `{"epochs":{"0":"<sha>","1":"<sha>"}}`.
 */
const checkpointSchema = z.object({
  epochs: z.record(z.string().regex(/^\d+$/), z.string().regex(/^[0-9a-f]{40,64}$/)),
});
type Checkpoint = z.infer<typeof checkpointSchema>;

export interface PublicInboxGitDeps extends SourceEnvironment {
  /** The git binary (tests may pin one). */
  git?: string;
}

interface Epoch {
  n: number;
  gitDir: string;
}

function isUrl(s: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s);
}

async function listEpochs(root: string): Promise<Epoch[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  return names
    .map((name) => /^(\d+)\.git$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ n: Number(m[1]), gitDir: join(root, m[0]) }))
    .sort((a, b) => a.n - b.n);
}

/** One source's inbox: its name, the git binary, the lore URL it mirrors (or null) and where. */
interface Inbox {
  name: string;
  git: string | undefined;
  /** The list URL without a trailing "/" when the inbox is mirrored; null for a local folder. */
  remote: string | null;
  mirrorRoot: string;
}

/** Fetches every mirrored epoch and clones the ones that appeared since. */
async function syncMirror(inbox: Inbox, remote: string, ctx: SourceContext): Promise<Epoch[]> {
  const { name, git } = inbox;
  await mkdir(inbox.mirrorRoot, { recursive: true });
  const epochs = await listEpochs(inbox.mirrorRoot);
  for (const epoch of epochs) {
    try {
      await runGit(['fetch', '--quiet', '--prune', 'origin'], { gitDir: epoch.gitDir, git, signal: ctx.signal });
    } catch (err) {
      throw new SourceError(
        `cannot fetch epoch ${epoch.n} of ${remote}: ${errorMessage(err)}`,
        { source: name, url: `${remote}/${epoch.n}` },
        { cause: err },
      );
    }
  }
  await cloneNewEpochs(inbox, remote, epochs.length === 0 ? 0 : epochs[epochs.length - 1]!.n + 1, ctx);
  return listEpochs(inbox.mirrorRoot);
}

/** New epochs appear when the archive rolls over (about every GB of mail): clones from `first` on. */
async function cloneNewEpochs(inbox: Inbox, remote: string, first: number, ctx: SourceContext): Promise<void> {
  for (let n = first; ; n++) {
    const url = `${remote}/${n}`;
    const target = join(inbox.mirrorRoot, `${n}.git`);
    const partial = `${target}.partial`;
    await rm(partial, { recursive: true, force: true });
    try {
      await runGit(['clone', '--mirror', '--quiet', url, partial], { git: inbox.git, signal: ctx.signal });
    } catch (err) {
      await rm(partial, { recursive: true, force: true });
      if (n === 0)
        throw new SourceError(`cannot clone ${url}: ${errorMessage(err)}`, { source: inbox.name, url }, { cause: err });
      ctx.log.debug({ source: inbox.name, url }, 'no further epoch');
      return;
    }
    await rename(partial, target);
    ctx.log.info({ source: inbox.name, url, epoch: n }, 'cloned new public-inbox epoch');
  }
}

async function tipOf(inbox: Inbox, epoch: Epoch, ctx: SourceContext): Promise<string | null> {
  try {
    const { stdout } = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
      gitDir: epoch.gitDir,
      git: inbox.git,
      signal: ctx.signal,
    });
    return stdout.trim() || null;
  } catch {
    // An epoch without commits yet.
    return null;
  }
}

async function commitExists(inbox: Inbox, epoch: Epoch, sha: string, ctx: SourceContext): Promise<boolean> {
  try {
    await runGit(['cat-file', '-e', `${sha}^{commit}`], { gitDir: epoch.gitDir, git: inbox.git, signal: ctx.signal });
    return true;
  } catch {
    return false;
  }
}

function revList(inbox: Inbox, epoch: Epoch, range: string, ctx: SourceContext): Promise<{ stdout: string }> {
  // Oldest first, and only the epoch's own line of history (public-inbox never merges).
  return runGit(['rev-list', '--reverse', '--first-parent', range], {
    gitDir: epoch.gitDir,
    git: inbox.git,
    signal: ctx.signal,
  });
}

/** The commits after `since` up to `tip`, oldest first; all of them when `since` is gone. */
async function newCommits(
  inbox: Inbox,
  epoch: Epoch,
  since: string | null,
  tip: string,
  ctx: SourceContext,
): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await revList(inbox, epoch, since ? `${since}..${tip}` : tip, ctx));
  } catch (err) {
    if (!since || (await commitExists(inbox, epoch, since, ctx))) throw err;
    ctx.log.warn(
      { source: inbox.name, epoch: epoch.n, commit: since },
      'checkpoint commit is gone (history rewritten?); reading the epoch again',
    );
    ({ stdout } = await revList(inbox, epoch, tip, ctx));
  }
  return stdout.split('\n').filter((l) => l.length > 0);
}

/** Reads the epochs' new commits, oldest epoch first, up to one batch. */
async function readEpochs(
  inbox: Inbox,
  epochs: Epoch[],
  tips: Map<number, string | null>,
  cp: Checkpoint | null,
  ctx: SourceContext,
): Promise<PollResult> {
  const next: Record<string, string> = { ...(cp?.epochs ?? {}) };
  const batchSize = ctx.batchSize ?? DEFAULT_BATCH_SIZE;
  const messages: RawMail[] = [];
  let more = false;
  for (const epoch of epochs) {
    const tip = tips.get(epoch.n);
    const since = cp?.epochs[String(epoch.n)] ?? null;
    if (!tip || since === tip) continue;
    if (messages.length >= batchSize) {
      more = true;
      break;
    }
    const commits = await newCommits(inbox, epoch, since, tip, ctx);
    const take = commits.slice(0, batchSize - messages.length);
    if (take.length < commits.length) more = true;
    if (take.length === 0) continue;
    const blobs = await catFileBatch(
      epoch.gitDir,
      take.map((c) => `${c}:m`),
      { git: inbox.git, signal: ctx.signal },
    );
    take.forEach((commit, i) => {
      const raw = blobs[i];
      if (raw) messages.push({ raw, origin: `epoch ${epoch.n} commit ${commit}` });
    });
    next[String(epoch.n)] = take[take.length - 1]!;
    ctx.progress?.(messages.length, null);
    if (more) break;
  }
  return { messages, nextCheckpoint: JSON.stringify({ epochs: next }), more };
}

export function createPublicInboxGitSource(config: PublicInboxGitSourceConfig, deps: PublicInboxGitDeps = {}): Source {
  const name = config.name;
  const inbox: Inbox = {
    name,
    git: deps.git,
    remote: isUrl(config.url) ? config.url.replace(/\/+$/, '') : null,
    mirrorRoot: join(config.dir ?? join(deps.cacheDir ?? join('var', 'cache'), 'inboxes', name), 'git'),
  };

  function localEpochRoot(): string {
    const withGit = join(config.url, 'git');
    return existsSync(withGit) ? withGit : config.url;
  }

  return {
    name,
    kind: 'public-inbox-git',
    async poll(checkpoint, ctx): Promise<PollResult> {
      const cp: Checkpoint | null = parseCheckpoint(checkpointSchema, checkpoint, name);
      const epochs = inbox.remote ? await syncMirror(inbox, inbox.remote, ctx) : await listEpochs(localEpochRoot());
      if (epochs.length === 0) {
        throw new SourceError(`public-inbox source ${name}: no epochs (N.git) found`, {
          source: name,
          url: config.url,
          mirror: inbox.remote ? inbox.mirrorRoot : undefined,
        });
      }
      const tips = new Map<number, string | null>();
      for (const epoch of epochs) tips.set(epoch.n, await tipOf(inbox, epoch, ctx));
      if (cp === null && !config.backfill) {
        // Start at the current tip: history before the first poll is not imported.
        const next: Record<string, string> = {};
        for (const [n, tip] of tips) if (tip) next[String(n)] = tip;
        ctx.log.info(
          { source: name, epochs: Object.keys(next) },
          'public-inbox source starts at the current tip (backfill: false)',
        );
        return { messages: [], nextCheckpoint: JSON.stringify({ epochs: next }), more: false };
      }
      return readEpochs(inbox, epochs, tips, cp, ctx);
    },
  };
}
