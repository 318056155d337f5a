/**
 * The runner module contract. A runner kind is one folder (index.ts exporting its module made
 * with defineRunner, schema.ts, README.md, its own files) plus one line in runners/registry.ts.
 * The module owns everything about its kind:
 *
 * - `schema`: its zod config schema, made with runnerSchemaFor (runners/schema.ts): the common
 *   keys plus its own, strict, `kind` its literal. config/schema.ts assembles the registered
 *   schemas, so `config check` validates each runner's own keys and refuses unknown ones;
 * - `create`: the Runner (runners/types.ts) for a parsed config; kernel runners build it on the
 *   core sequence (runners/core/sequence.ts);
 * - `profile`: what it really tests with a config (fragments, suites, NVDIMMs), for replies and
 *   the baseline key;
 * - `guestPaths`: the files and folders its guest runs, whose content is part of the digest a
 *   baseline is cached under (runners/core/digest.ts);
 * - `guest`: what the run's initramfs holds, in a phrase (the reply's reproducer lists the run's files);
 * - `project`: whose series it tests (`kernel` when absent; `ndctl` for runners/ndctl/): a series
 *   goes to the runners and trees of its own project.
 *
 * The registry holds a module as a RegisteredRunner: each call gets the config parsed by the
 * module's own schema, so a module reads its own keys typed, and the bot sees only the common ones.
 */
import type { z } from 'zod';
import { ConfigError } from '../config/errors.ts';
import type { RunnerConfig } from './schema.ts';
import type { Runner } from './types.ts';

export interface RunnerDeps {
  repoRoot: string;
  cacheDir: string;
  /** Extra guest kernel arguments (test knobs like "daxbot.hang=NAME"). */
  extraKernelArgs?: string[];
  /** A configured tree's repository by name (a runner that uses another tree than the tested one). */
  treePath?: (name: string) => string;
}

/** What a runner really tests with a given config: what a reply and a baseline key must name. */
export interface RunnerProfile {
  fragments: string[];
  suites: string[];
  /** Where the NVDIMMs come from, in words for a reply. */
  platform: string;
  /** The NVDIMMs QEMU emulates (none when a simulator brings its own buses). */
  nvdimms: { sizeMiB: number; labelSizeKiB: number }[];
}

/** A module's schema: a zod object whose output has the common keys (runnerSchemaFor makes one). */
export type RunnerSchema = z.ZodObject<
  { kind: z.ZodTypeAny } & z.ZodRawShape,
  z.UnknownKeysParam,
  z.ZodTypeAny,
  RunnerConfig
>;

export interface RunnerModule<S extends RunnerSchema> {
  kind: string;
  /** The project whose series it tests (the subject prefix, `ndctl`); `kernel` when absent. */
  project?: string;
  /** One line for `daxbot runner list`. */
  description: string;
  schema: S;
  create(config: z.output<S>, deps: RunnerDeps): Runner;
  profile(config: z.output<S>): RunnerProfile;
  /** Relative to the code root (or absolute): files and folders the guest runs. */
  guestPaths: readonly string[];
  /** What the run's initramfs holds, in a phrase: "the guest, with ... built from the tested tree". */
  guest: string;
}

/** A module as the registry holds it: any runner's config in, parsed by the module's schema. */
export interface RegisteredRunner {
  kind: string;
  project: string;
  description: string;
  schema: RunnerSchema;
  create(config: RunnerConfig, deps: RunnerDeps): Runner;
  profile(config: RunnerConfig): RunnerProfile;
  guestPaths: readonly string[];
  guest: string;
}

/** Throws unless the schema's `kind` is the module's literal kind (a module author's mistake). */
function checkKind(kind: string, schema: RunnerSchema): void {
  const k: unknown = schema.shape.kind;
  const value = k && typeof k === 'object' && 'value' in k ? k.value : undefined;
  if (value !== kind) throw new Error(`runner module ${kind}: its schema's kind must be z.literal('${kind}')`);
}

export function defineRunner<S extends RunnerSchema>(mod: RunnerModule<S>): RegisteredRunner {
  checkKind(mod.kind, mod.schema);
  const own = (config: RunnerConfig): z.output<S> => {
    const parsed = mod.schema.safeParse(config);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`runner ${config.name} (${mod.kind}): ${issues.join('; ')}`, { runner: config.name });
  };
  return {
    kind: mod.kind,
    project: mod.project ?? 'kernel',
    description: mod.description,
    schema: mod.schema,
    create: (config, deps) => mod.create(own(config), deps),
    profile: (config) => mod.profile(own(config)),
    guestPaths: mod.guestPaths,
    guest: mod.guest,
  };
}
