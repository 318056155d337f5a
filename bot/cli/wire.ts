/**
 * The pipeline's dependencies for a command that runs jobs (`run`, `bisect`): the configuration,
 * the store and the logger of the command line, and the scripted runner when
 * DAXBOT_SCRIPTED_RUNNER names a script (tests: runs are scripted, no kernel is built).
 */
import type { PipelineDeps } from '../deps.ts';
import type { CliContext } from './context.ts';

export async function wireFromCli(ctx: CliContext, signal?: AbortSignal): Promise<PipelineDeps> {
  const { loadRunnerScript } = await import('../pipeline/scripted-runner.ts');
  const { wirePipeline } = await import('../wire.ts');
  const scriptFile = ctx.env.DAXBOT_SCRIPTED_RUNNER;
  const script = scriptFile ? await loadRunnerScript(scriptFile) : undefined;
  if (script)
    ctx.log.warn({ script: scriptFile }, 'DAXBOT_SCRIPTED_RUNNER is set: runs are scripted, no kernel is built');
  return wirePipeline({
    config: await ctx.config(),
    store: await ctx.store(),
    log: ctx.log,
    repoRoot: ctx.repoRoot,
    env: ctx.env,
    configDir: ctx.configDir(),
    ...(signal && { signal }),
    ...(script && { script }),
  });
}
