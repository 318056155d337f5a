/**
 * The configuration schema. Files are read as `unknown → schema → {config, warnings} | {errors}`
 * (config/load.ts). Secrets never live here: fields ending in `Env` name environment variables.
 * The runners' part is assembled from the registered runner modules (runners/registry.ts).
 */
import { z } from 'zod';
import { sourceRegistry, type SourceSchema } from '../ingest/sources/registry.ts';
import { outputsSchema } from '../bot/outputs/schema.ts';
import { runnerConfigSchema } from '../runners/registry.ts';
import type { RunnerConfig } from '../runners/schema.ts';
import { duration } from './duration.ts';

export { toMs } from './duration.ts';
export type { RunnerConfig } from '../runners/schema.ts';
export { dispatchSchema } from '../runners/schema.ts';
export type { SourceConfig } from '../ingest/sources/registry.ts';

/** Every registered kind of mail source, each with its own schema (ingest/sources/<kind>/schema.ts). */
const sourceSchemas = Object.values(sourceRegistry).map((entry): SourceSchema => entry.schema);
const [firstSource, ...otherSources] = sourceSchemas;
if (!firstSource) throw new Error('the source registry is empty');
export const sourceSchema = z.discriminatedUnion('kind', [firstSource, ...otherSources]);

export const treeSchema = z
  .object({
    name: z.string().min(1),
    /**
     * Whose series the tree takes: `kernel`, or a subject prefix project (`ndctl` takes
     * `[ndctl PATCH]` series, tested by the runners of that project, runners/ndctl/).
     */
    project: z
      .string()
      .regex(/^[a-z][\w-]*$/)
      .default('kernel'),
    /** A git repository. Empty means a cached Debian tree that `daxbot setup` creates (`debian`). */
    path: z.string().optional(),
    /**
     * The Debian kernel series (linux-source-<X.Y>: "6.1" or "6.12") `daxbot setup` commits into
     * <cacheDir>/<name> when `path` is empty; a tree with neither is the 6.1 one.
     */
    debian: z.enum(['6.1', '6.12']).optional(),
    /**
     * A git remote (git://, https://, file://): kept as one bare clone per URL under
     * <cacheDir>/remotes/, its `branches` fetched on `schedule` and before a job whose heads are
     * older than the schedule's last tick.
     */
    url: z.string().min(1).optional(),
    /** The branch or tag series are applied to when nothing else names their base. */
    branch: z.string().default('HEAD'),
    /** Several branches (a remote's `next` and `fixes`): tried in order; `branch` is used when absent. */
    branches: z.array(z.string().min(1)).min(1).optional(),
    /** When a remote tree is fetched (cron). */
    schedule: z.string().default('0 * * * *'),
    /**
     * Lists (List-Id substrings) and subject prefixes (e.g. "ndctl") routed to this tree. The lists
     * also tell which To/Cc addresses of a series are lists (mail.ccList): `nvdimm.lists.linux.dev`
     * or `nvdimm` names nvdimm@lists.linux.dev.
     */
    lists: z.array(z.string()).default([]),
    prefixes: z.array(z.string()).default([]),
  })
  .superRefine((t, ctx) => {
    if (t.url && (t.path || t.debian))
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: 'a tree is a url, a path or a debian series, not several',
      });
    if (t.project !== 'kernel' && !t.url && !t.path)
      ctx.addIssue({ code: 'custom', path: ['url'], message: `a ${t.project} tree is a url or a path` });
    if (t.url && !t.branches && t.branch === 'HEAD')
      ctx.addIssue({ code: 'custom', path: ['branches'], message: 'a tree with a url names its branches' });
  });

/** The branches of a tree, in the order they are tried. */
export function treeBranches(tree: Pick<TreeConfig, 'branch' | 'branches'>): string[] {
  return tree.branches ?? [tree.branch];
}

/**
 * One `runners:` entry: a discriminated union on `kind` of the registered runner modules' schemas
 * (runners/<kind>/schema.ts), each strict. Lazy, so a runner registered later (a test's) counts.
 */
export const runnerSchema: z.ZodType<RunnerConfig, z.ZodTypeDef, unknown> = z.lazy(() => runnerConfigSchema());

export const mailSchema = z.object({
  /** The bot's own address and the domain of its Message-IDs. */
  from: z.string().default('daxbot <daxbot@localhost>'),
  domain: z.string().default('daxbot.localhost'),
  /** Maildir where replies are written when no SMTP is configured. */
  outbox: z.string().default('var/outbox'),
  smtp: z
    .object({
      host: z.string(),
      port: z.number().int().positive().default(25),
      secure: z.boolean().default(false),
      user: z.string().optional(),
      passwordEnv: z.string().default('DAXBOT_SMTP_PASSWORD'),
    })
    .optional(),
  /**
   * Mail the author on a pass too (default: passes are only recorded). A pass that clears a
   * mailed regression (or build or apply failure) is mailed either way.
   */
  replyOnPass: z.boolean().default(false),
  /**
   * When a series that does not apply is mailed: `certain` only when its base was certain (named
   * by a maintainer, a base-commit that was found, or matched by blobs), `always`, or `never`.
   * A series that applies to no candidate tree is never mailed ("untestable: no base").
   */
  applyFailures: z.enum(['certain', 'always', 'never']).default('certain'),
  /**
   * Result replies go To the author and Cc the To/Cc of the mail they answer (the cover letter,
   * or patch 1), never the bot's own address. ccList copies the lists among them (addresses
   * matching a tree's `lists` or the mail's List-Id), ccSeries everyone else.
   */
  ccList: z.boolean().default(true),
  ccSeries: z.boolean().default(true),
  /** Maintainers whose DKIM-verified mail may issue privileged commands. */
  maintainers: z.array(z.string()).default([]),
  /**
   * Where replies link to: the dashboard's `/series/<version key>` and `/runs/<id>` pages, and a
   * run's files (`/runs/<id>/artifacts/<name>`) the reproducer downloads.
   */
  dashboardUrl: z.string().default('http://localhost:8080'),
  /** The list archive that finds a mail by its Message-ID: a reply's `patch link:` is <archiveUrl><Message-ID>. */
  archiveUrl: z.string().url().default('https://lore.kernel.org/r/'),
});

export const dashboardSchema = z.object({
  /** host:port the maintainer dashboard listens on (loopback unless a proxy fronts it). */
  listen: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'host:port')
    .default('127.0.0.1:8080'),
  /** Environment variable holding the maintainers' secret (bearer token and login form). */
  tokenEnv: z.string().min(1).default('DAXBOT_DASHBOARD_TOKEN'),
  /**
   * Environment variable holding the key that signs session cookies; when it is not set, a key
   * made once and kept in the store signs them. Either way sessions survive a restart.
   */
  sessionKeyEnv: z.string().min(1).default('DAXBOT_DASHBOARD_SESSION_KEY'),
  /** Where each mail links to: <loreUrl><Message-ID> (lore's /r/ redirector, or another archive). */
  loreUrl: z.string().url().default('https://lore.kernel.org/r/'),
});

export const artifactsSchema = z.object({
  /** Where each run's .config, console log, bzImage, vmlinux and build log are kept, by run number. */
  dir: z.string().default('var/artifacts'),
  /** How long they are kept after the run; older ones are swept. */
  retention: duration.default('30d'),
  /** A file larger than this is not kept (its absence is recorded). */
  maxFileMiB: z.number().int().positive().default(1024),
});

export const scheduleSchema = z.object({
  /** How often the processing loop runs (cron). */
  process: z.string().default('* * * * *'),
  /** How long an incomplete series waits for its missing patches. */
  incompleteWait: duration.default('6h'),
  concurrency: z.number().int().positive().default(1),
  /** Repeats to confirm a new failure on base and series. */
  confirmRepeats: z.number().int().nonnegative().default(1),
  /**
   * How long a worker's claim on a job lasts without renewal (renewed every third of it while a
   * step runs). In a fleet, a machine that dies holds its job this long before another takes it.
   */
  lease: duration.default('2m'),
});

export const ingestSchema = z.object({
  /**
   * A message larger than this is kept (its raw bytes, quarantined with the reason) and not
   * parsed: a parse costs many times a message's size, so this bounds an ingest's memory.
   */
  maxMessageBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024),
});

export const allListsSchema = z.object({
  /**
   * lore's archive of all lists: a series whose list was Cc'd on only some of its patches has the
   * rest fetched from here by Message-ID (`<url><msgid>/t.mbox.gz`, as b4 does) while it waits.
   */
  url: z.string().url().default('https://lore.kernel.org/all/'),
  fetchMissing: z.boolean().default(true),
  /** First try this long after the series' newest mail; each further try waits twice as long. */
  fetchDelay: duration.default('10m'),
  fetchAttempts: z.number().int().positive().default(4),
});

export const configSchema = z
  .object({
    /** The SQLite file (embedded default) or a postgres:// URL. */
    database: z.string().default('var/daxbot.sqlite'),
    /** Where kernel trees, build folders, initramfs images and clones are cached. */
    cacheDir: z.string().default('var/cache'),
    /** Scratch space for worktrees and run logs. */
    workDir: z.string().default('var/work'),
    sources: z.array(sourceSchema).default([]),
    trees: z.array(treeSchema).default([
      {
        name: 'linux-6.1',
        project: 'kernel',
        debian: '6.1',
        branch: 'HEAD',
        schedule: '0 * * * *',
        lists: [],
        prefixes: [],
      },
    ]),
    runners: z.array(runnerSchema).default([]),
    mail: mailSchema.default({}),
    schedule: scheduleSchema.default({}),
    allLists: allListsSchema.default({}),
    ingest: ingestSchema.default({}),
    /** The maintainer dashboard; `daxbot run` serves it too when this section is present. */
    dashboard: dashboardSchema.optional(),
    /** Each run's build and console files, served at /runs/<no>/artifacts/<name>. */
    artifacts: artifactsSchema.default({}),
    /** Where results go besides mail: Patchwork checks, KCIDB submissions (bot/outputs/). */
    outputs: outputsSchema,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type TreeConfig = z.infer<typeof treeSchema>;
export type MailConfig = z.infer<typeof mailSchema>;
export type DashboardConfig = z.infer<typeof dashboardSchema>;
export type AllListsConfig = z.infer<typeof allListsSchema>;
export type ArtifactsConfig = z.infer<typeof artifactsSchema>;

/**
 * The Debian series a tree is made from: its `debian` key, 6.1 for a tree with no path or url; null
 * for a user's repository or a remote.
 */
export function treeDebianSeries(
  tree: Pick<TreeConfig, 'path' | 'debian' | 'url'> & { project?: string },
): string | null {
  if (tree.project !== undefined && tree.project !== 'kernel') return null;
  if (tree.debian) return tree.debian;
  return tree.path || tree.url ? null : '6.1';
}
