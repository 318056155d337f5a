/** The real boundaries of the pipeline, for the CLI: registry runners, git, the outbox or SMTP. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Config, RunnerConfig } from '../config/schema.ts';
import { exportAmMbox } from './intake/am-export.ts';
import { ingestConfiguredSources } from './intake/run-ingest.ts';
import { refreshSeries } from './intake/refresh-series.ts';
import { fetchMissingPatches } from './intake/fetch-missing.ts';
import { getRunner } from '../runners/registry.ts';
import { resolveCacheDir } from '../runners/tree/setup.ts';
import type { Runner } from '../runners/types.ts';
import { ConfigError } from './errors.ts';
import { createSender } from './report/senders.ts';
import type { Store } from './store/store.ts';
import type { PipelineDeps } from './deps.ts';
import { loadVersion } from './jobs/context.ts';
import { rawSeriesMbox } from './intake/raw-mbox.ts';
import { createScriptedRunner, type RunnerScript } from './pipeline/scripted-runner.ts';

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
  const runners = new Map<string, Runner>();
  const runnerFor = (rc: RunnerConfig): Runner => {
    let r = runners.get(rc.name);
    if (r) return r;
    if (o.script) r = createScriptedRunner(rc.name, o.script);
    else {
      const mod = getRunner(rc.kind);
      if (!mod) throw new ConfigError(`no runner module for kind ${rc.kind}`, { runner: rc.name });
      r = mod.create(rc, { repoRoot: o.repoRoot, cacheDir });
    }
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
    treePath: (name) => {
      const t = o.config.trees.find((x) => x.name === name);
      return t?.path ? path.resolve(o.configDir, t.path) : path.join(cacheDir, name);
    },
    sender: createSender(o.config, o.env, cwd),
    workDir: path.resolve(cwd, o.config.workDir),
    ingest: async () => {
      await ingestConfiguredSources(o.config, o.store, o.log, { baseDir: o.configDir });
    },
    refreshSeries: async () => {
      await refreshSeries(o.store, { now: new Date(), log: o.log });
      // Partial series waiting for patches the list was not sent: fetched from lore's all-lists archive.
      await fetchMissingPatches(o.store, o.config, o.log, { now: new Date() });
    },
    ...(o.signal && { signal: o.signal }),
  };
  return deps;
}
