/**
 * The runner modules by kind: one line per module in RUNNER_MODULES; a test (or a plugin) adds a
 * kind with one registerRunner call. The lookups below are how everything else reaches a module:
 * the CLI and the pipeline create runners, replies and baseline keys read profiles, and
 * config/schema.ts validates each `runners:` entry with the union of the registered schemas.
 * See runners/module.ts for the contract and runners/README.md for adding a runner.
 */
import { z } from 'zod';
import { ConfigError } from '../config/errors.ts';
import { codeRoot, runnerDigest } from './core/digest.ts';
import { cxlSimRunner } from './cxl-sim/index.ts';
import type { RegisteredRunner, RunnerDeps, RunnerProfile } from './module.ts';
import { ndctlRunner } from './ndctl/index.ts';
import { nfitSimRunner } from './nfit-sim/index.ts';
import { qemuPmemRunner } from './qemu-pmem/index.ts';
import type { RunnerConfig } from './schema.ts';
import { scriptedRunner } from './scripted/index.ts';
import type { Runner } from './types.ts';

export type { RegisteredRunner, RunnerDeps, RunnerProfile } from './module.ts';

const RUNNER_MODULES: RegisteredRunner[] = [
  qemuPmemRunner, // runners/qemu-pmem/
  nfitSimRunner, // runners/nfit-sim/
  scriptedRunner, // runners/scripted/
  cxlSimRunner, // runners/cxl-sim/
  ndctlRunner, // runners/ndctl/
];

const modules = new Map(RUNNER_MODULES.map((m) => [m.kind, m]));
/** The assembled config schema, remade when a module is registered. */
let assembled: z.ZodType<RunnerConfig, z.ZodTypeDef, unknown> | null = null;

/** Adds a runner kind. Registering another module under a kind already taken is refused. */
export function registerRunner(mod: RegisteredRunner): void {
  const had = modules.get(mod.kind);
  if (had && had !== mod) throw new Error(`runner kind ${mod.kind} is already registered`);
  modules.set(mod.kind, mod);
  assembled = null;
}

/** The module for a kind; undefined when none is registered. */
export function getRunner(kind: string): RegisteredRunner | undefined {
  return modules.get(kind);
}

export function listRunners(): RegisteredRunner[] {
  return [...modules.values()];
}

/** The module for a kind, or a ConfigError naming the registered kinds. */
export function requireRunner(kind: string): RegisteredRunner {
  const mod = modules.get(kind);
  if (mod) return mod;
  throw new ConfigError(`no runner module for kind ${kind} (registered: ${[...modules.keys()].join(', ')})`, { kind });
}

export function createRunner(config: RunnerConfig, deps: RunnerDeps): Runner {
  return requireRunner(config.kind).create(config, deps);
}

/** The project whose series a runner tests: `kernel`, or `ndctl` for the ndctl runner. */
export function runnerProject(config: RunnerConfig): string {
  return requireRunner(config.kind).project;
}

export function runnerProfile(config: RunnerConfig): RunnerProfile {
  return requireRunner(config.kind).profile(config);
}

/**
 * What a cached baseline of this runner depends on besides the tree commit (core/digest.ts): its
 * settings, its profile's fragments and its module's guest paths.
 */
export function runnerConfigHash(config: RunnerConfig, root: string = codeRoot): string {
  const mod = requireRunner(config.kind);
  return runnerDigest(config, { fragments: mod.profile(config).fragments, guestPaths: mod.guestPaths }, root);
}

/** One `runners:` entry: the registered modules' schemas as a discriminated union on `kind`. */
export function runnerConfigSchema(): z.ZodType<RunnerConfig, z.ZodTypeDef, unknown> {
  if (assembled) return assembled;
  const [first, ...rest] = listRunners().map((m) => m.schema);
  if (!first) throw new Error('no runner module is registered');
  const union = z.discriminatedUnion('kind', [first, ...rest]);
  assembled = union;
  return union;
}
