/**
 * The configuration schema. Files are read as `unknown → schema → {config, warnings} | {errors}`
 * (config/load.ts). Secrets never live here: fields ending in `Env` name environment variables.
 */
import { z } from 'zod';
import { fstestsConfigShape } from '../runners/qemu-pmem/fstests-config.ts';
import { sourceRegistry, type SourceSchema } from '../ingest/sources/registry.ts';
import { duration } from './duration.ts';

export { toMs } from './duration.ts';
export type { SourceConfig } from '../ingest/sources/registry.ts';

/** Every registered kind of mail source, each with its own schema (ingest/sources/<kind>/schema.ts). */
const sourceSchemas = Object.values(sourceRegistry).map((entry): SourceSchema => entry.schema);
const [firstSource, ...otherSources] = sourceSchemas;
if (!firstSource) throw new Error('the source registry is empty');
export const sourceSchema = z.discriminatedUnion('kind', [firstSource, ...otherSources]);

export const treeSchema = z.object({
  name: z.string().min(1),
  /** A git repository. Empty means a cached Debian tree that `daxbot setup` creates (`debian`). */
  path: z.string().optional(),
  /**
   * The Debian kernel series (linux-source-<X.Y>: "6.1" or "6.12") `daxbot setup` commits into
   * <cacheDir>/<name> when `path` is empty; a tree with neither is the 6.1 one.
   */
  debian: z.enum(['6.1', '6.12']).optional(),
  /** The branch or tag series are applied to when they name no base-commit. */
  branch: z.string().default('HEAD'),
  /**
   * Lists (List-Id substrings) and subject prefixes (e.g. "ndctl") routed to this tree. The lists
   * also tell which To/Cc addresses of a series are lists (mail.ccList): `nvdimm.lists.linux.dev`
   * or `nvdimm` names nvdimm@lists.linux.dev.
   */
  lists: z.array(z.string()).default([]),
  prefixes: z.array(z.string()).default([]),
});

export const nvdimmSchema = z.object({
  /** Size of each emulated NVDIMM in MiB (the backend adds the label area). */
  sizeMiB: z.number().int().positive().default(1024),
  labelSizeKiB: z.number().int().positive().default(128),
});

/**
 * Which series a runner is sent (bot/queue/dispatch-rule.ts): those touching one of `paths`
 * (`drivers/cxl/`, `include/linux/cxl*`) or sent to one of `lists`. Absent or empty: every series.
 */
export const dispatchSchema = z
  .object({
    paths: z.array(z.string().min(1)).default([]),
    lists: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const runnerSchema = z.object({
  name: z.string().min(1),
  /** Registry key of the runner module: "qemu-pmem", "nfit-sim" or "cxl-sim". */
  kind: z.enum(['qemu-pmem', 'nfit-sim', 'cxl-sim']),
  enabled: z.boolean().default(true),
  dispatch: dispatchSchema.optional(),
  /** Kconfig fragments from config/kernel/ (without .config) or paths. */
  fragments: z.array(z.string()).default(['pmem']),
  suites: z.array(z.string()).default(['dax']),
  memoryMiB: z.number().int().positive().default(2048),
  cpus: z.number().int().positive().default(2),
  /**
   * The emulated NVDIMMs. The first holds the fsdax/devdax namespaces the suite reconfigures;
   * the second, small one stays a label-less raw namespace (/dev/pmem1): the non-DAX block
   * device the O_DIRECT test writes to from a DAX mapping (a DAX target would pin nothing).
   */
  nvdimms: z.array(nvdimmSchema).default([
    { sizeMiB: 1024, labelSizeKiB: 128 },
    { sizeMiB: 256, labelSizeKiB: 128 },
  ]),
  bootTimeout: duration.default('120s'),
  testTimeout: duration.default('300s'),
  overallTimeout: duration.default('30m'),
  /** Number of parallel make jobs; 0 = number of cores. */
  jobs: z.number().int().nonnegative().default(0),
  /**
   * An ndctl source checkout for the external meson suite (nfit-sim, suite "ndctl-meson"). It is
   * built inside a cached Debian root filesystem and its `meson test` runs in the guest.
   */
  ndctlSource: z.string().optional(),
  /** The meson suites of that checkout to run ("ndctl" means "ndctl:ndctl"; cxl needs cxl_test). */
  ndctlSuites: z
    .array(z.string().regex(/^[\w.:-]+$/))
    .min(1)
    .default(['ndctl', 'dax']),
  /**
   * meson test names to run from those suites (e.g. [create.sh, clear.sh]); empty runs them all.
   * CI runs a representative subset; the full suites run in `npm run bench -- ndctl`.
   */
  ndctlTests: z.array(z.string().regex(/^[\w.+-]+$/)).default([]),
  /** Build with -Ddestructive=enabled (tests that reformat the simulated devices). */
  ndctlDestructive: z.boolean().default(false),
  /** Further `meson setup` options; the defaults drop what a test guest does not need. */
  ndctlMesonOptions: z.array(z.string().regex(/^-D[\w-]+=\S*$/)).default(['-Ddocs=disabled', '-Dsystemd=disabled']),
  /** meson's --timeout-multiplier (each ndctl test declares its own timeout). */
  ndctlTimeoutMultiplier: z.number().int().positive().default(1),
  ...fstestsConfigShape,
});

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
   * Result replies go To the author and Cc the To/Cc of the mail they answer (the cover letter,
   * or patch 1), never the bot's own address. ccList copies the lists among them (addresses
   * matching a tree's `lists` or the mail's List-Id), ccSeries everyone else.
   */
  ccList: z.boolean().default(true),
  ccSeries: z.boolean().default(true),
  /** Maintainers whose DKIM-verified mail may issue privileged commands. */
  maintainers: z.array(z.string()).default([]),
  /** Where replies link to: the dashboard's `/series/<version key>` and `/runs/<id>` pages. */
  dashboardUrl: z.string().default('http://localhost:8080'),
});

export const dashboardSchema = z.object({
  /** host:port the maintainer dashboard listens on (loopback unless a proxy fronts it). */
  listen: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'host:port')
    .default('127.0.0.1:8080'),
  /** Environment variable holding the maintainers' secret (bearer token and login form). */
  tokenEnv: z.string().min(1).default('DAXBOT_DASHBOARD_TOKEN'),
});

export const scheduleSchema = z.object({
  /** How often the processing loop runs (cron). */
  process: z.string().default('* * * * *'),
  /** How long an incomplete series waits for its missing patches. */
  incompleteWait: duration.default('6h'),
  concurrency: z.number().int().positive().default(1),
  /** Repeats to confirm a new failure on base and series. */
  confirmRepeats: z.number().int().nonnegative().default(1),
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
    trees: z.array(treeSchema).default([{ name: 'linux-6.1', debian: '6.1', branch: 'HEAD', lists: [], prefixes: [] }]),
    runners: z.array(runnerSchema).default([]),
    mail: mailSchema.default({}),
    schedule: scheduleSchema.default({}),
    allLists: allListsSchema.default({}),
    /** The maintainer dashboard; `daxbot run` serves it too when this section is present. */
    dashboard: dashboardSchema.optional(),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type TreeConfig = z.infer<typeof treeSchema>;
export type RunnerConfig = z.infer<typeof runnerSchema>;
export type MailConfig = z.infer<typeof mailSchema>;
export type DashboardConfig = z.infer<typeof dashboardSchema>;
export type AllListsConfig = z.infer<typeof allListsSchema>;

/**
 * The Debian series a tree is made from: its `debian` key, 6.1 for a tree with no path; null for
 * a user's repository.
 */
export function treeDebianSeries(tree: Pick<TreeConfig, 'path' | 'debian'>): string | null {
  if (tree.debian) return tree.debian;
  return tree.path ? null : '6.1';
}
