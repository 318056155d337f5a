/** The real boundaries of the pipeline, for the CLI: registry runners, git, the outbox or SMTP. */
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import { toMs, type Config, type RunnerConfig } from '../config/schema.ts';
import { createRunner } from '../runners/registry.ts';
import { createScriptedRunner, type RunnerScript } from '../runners/scripted/runner.ts';
import { resolveCacheDir } from '../runners/tree/setup.ts';
import type { Runner } from '../runners/types.ts';
import { exportAmMbox } from './intake/am-export.ts';
import { fetchMissingPatches } from './intake/fetch-missing.ts';
import { refreshSeries } from './intake/refresh-series.ts';
import { ingestConfiguredSources } from './intake/run-ingest.ts';
import { createOutputs } from './outputs/registry.ts';
import { createSender } from './report/senders.ts';
import type { Store } from './store/store.ts';
import type { PipelineDeps } from './deps.ts';
import { loadVersion } from './jobs/context.ts';
import { rawMessagesMbox, rawSeriesMbox } from './intake/raw-mbox.ts';
import { createBaseIo } from './jobs/base-io.ts';
import { findPrerequisites } from './jobs/prerequisites.ts';
import { treeRepoPath } from '../runners/tree/remote-plan.ts';

const exec = promisify(execFile);

export async function gitResolveCommit(tree: string, rev: string): Promise<string | null> {
  try {
    const { stdout } = await exec('git', ['-C', tree, 'rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    const sha = stdout.trim();
    return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

/** Keeps each recorded run's artifacts, and sweeps those past their retention at most hourly. */
function artifactKeeper(config: Config, cwd: string): NonNullable<PipelineDeps['keepArtifacts']> {
  const dir = path.resolve(cwd, config.artifacts.dir);
  let lastSweep = 0;
  return async (runNo, result, workDir) => {
    const { keepRunArtifacts } = await import('./artifacts/keep.ts');
    const maxBytes = config.artifacts.maxFileMiB * 1_048_576;
    await keepRunArtifacts({ dir, runNo, result, workDir, now: new Date(), maxBytes });
    if (Date.now() - lastSweep < 3_600_000) return;
    lastSweep = Date.now();
    const { sweepArtifacts } = await import('./artifacts/store.ts');
    await sweepArtifacts(dir, toMs(config.artifacts.retention), new Date());
  };
}

export interface WireOptions {
  config: Config;
  store: Store;
  log: Logger;
  repoRoot: string;
  env: NodeJS.ProcessEnv;
  /** Folder relative source paths resolve against (the config file's). */
  configDir: string;
  cwd?: string;
  signal?: AbortSignal;
  /** A scripted runner replaces every configured runner (DAXBOT_SCRIPTED_RUNNER). */
  script?: RunnerScript;
}

export function wirePipeline(o: WireOptions): PipelineDeps {
  const cwd = o.cwd ?? process.cwd();
  const cacheDir = resolveCacheDir(cwd, o.env, o.config.cacheDir);
  const treePathOf = (name: string): string =>
    treeRepoPath(o.config.trees.find((x) => x.name === name) ?? { name }, cacheDir, o.configDir);
  const runners = new Map<string, Runner>();
  const runnerFor = (rc: RunnerConfig): Runner => {
    const had = runners.get(rc.name);
    if (had) return had;
    const r = o.script
      ? createScriptedRunner(rc.name, o.script)
      : createRunner(rc, { repoRoot: o.repoRoot, cacheDir, treePath: treePathOf });
    runners.set(rc.name, r);
    return r;
  };
  const deps: PipelineDeps = {
    store: o.store,
    config: o.config,
    log: o.log,
    now: () => new Date(),
    runnerFor,
    // b4-style am mbox (follow-up trailers applied); the raw mails as a fallback if it fails.
    exportMbox: async (key) =>
      exportAmMbox(o.store, key).catch(async () => rawSeriesMbox(o.store, await loadVersion(deps, key))),
    resolveCommit: gitResolveCommit,
    treePath: treePathOf,
    bases: createBaseIo({
      cacheDir,
      trees: o.config.trees,
      log: o.log,
      now: () => new Date(),
      prerequisites: (req) =>
        findPrerequisites(
          {
            db: o.store.db,
            exportMbox: (key) => deps.exportMbox(key),
            messagesMbox: (ids) => rawMessagesMbox(o.store, ids),
          },
          req,
        ),
    }),
    sender: createSender(o.config, o.env, cwd),
    outputs: createOutputs(o.config.outputs, { env: o.env, fetch }),
    workDir: path.resolve(cwd, o.config.workDir),
    ingest: async () => {
      await ingestConfiguredSources(o.config, o.store, o.log, { baseDir: o.configDir });
    },
    refreshSeries: async () => {
      await refreshSeries(o.store, { now: new Date(), log: o.log });
      // Partial series waiting for patches the list was not sent: fetched from lore's all-lists archive.
      await fetchMissingPatches(o.store, o.config, o.log, { now: new Date() });
    },
    keepArtifacts: artifactKeeper(o.config, cwd),
    leaseMs: toMs(o.config.schedule.lease),
    // DAXBOT_WORKER names this machine in a fleet sharing one PostgreSQL store (README).
    worker: (o.env.DAXBOT_WORKER || hostname()).replaceAll(':', '_'),
    ...(o.signal && { signal: o.signal }),
  };
  return deps;
}
