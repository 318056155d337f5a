/**
 * The Patchwork output: daxbot's result for one runner as a check on each patch of the series,
 * found by Message-ID, named `<context>-<runner>`, linking to the run page. Posting is idempotent:
 * a patch whose newest check of that context already says the same is left alone, so a retry
 * after a partial failure only posts what is missing. A patch Patchwork does not know yet (its
 * parser lags behind the list) fails the post, which is retried later.
 */
import type { OutputDeps, OutputEvent, OutputModule, PostContext } from '../types.ts';
import { configuredOutput, OutputError } from '../types.ts';
import { requireToken } from '../http.ts';
import { checkContext, checkTarget, planChecks } from './checks.ts';
import { createPatchworkClient } from './client.ts';
import type { PatchworkOutputConfig } from './schema.ts';

async function postChecks(config: PatchworkOutputConfig, deps: OutputDeps, e: OutputEvent, ctx: PostContext) {
  const token = requireToken(deps.env, config.tokenEnv);
  const client = createPatchworkClient({ ...config, token, fetch: deps.fetch, signal: ctx.signal });
  const context = checkContext(config.context, e.result.runner);
  const target_url = checkTarget(e.result);
  const planned = planChecks(e);
  let posted = 0;
  let already = 0;
  const missing: string[] = [];
  for (const c of planned) {
    const id = await client.findPatch(c.messageId);
    if (id === null) {
      missing.push(c.messageId);
      continue;
    }
    const last = await client.latestCheck(id, context);
    if (last && last.state === c.state && last.target_url === target_url && last.description === c.description) {
      already++;
      continue;
    }
    await client.postCheck(id, { state: c.state, context, target_url, description: c.description });
    posted++;
  }
  if (missing.length > 0)
    throw new OutputError(
      `${missing.length} of ${planned.length} patches not in Patchwork (yet): <${missing.join('>, <')}>`,
      { permanent: false, posted },
    );
  return `${posted} ${context} check${posted === 1 ? '' : 's'} posted${already ? `, ${already} already there` : ''}`;
}

export const patchworkOutput: OutputModule<PatchworkOutputConfig> = {
  kind: 'patchwork',
  create: (config, deps) =>
    configuredOutput(config, config.pending ? ['start', 'result'] : ['result'], (e, ctx) =>
      postChecks(config, deps, e, ctx),
    ),
};
