/**
 * The KCIDB submitter: each finished job's results, as one KCIDB report (report.ts), POSTed as
 * JSON to the configured endpoint with a bearer token. The report's ids are deterministic, so a
 * retry re-submits the same objects and KCIDB merges them. `daxbot export kcidb` writes the same
 * report for any span of time without sending it.
 */
import { requestText, requireToken } from '../http.ts';
import { configuredOutput, type OutputDeps, type OutputEvent, type OutputModule, type PostContext } from '../types.ts';
import { kcidbReport } from './report.ts';
import type { KcidbOutputConfig } from './schema.ts';

async function submit(config: KcidbOutputConfig, deps: OutputDeps, e: OutputEvent, ctx: PostContext) {
  const token = requireToken(deps.env, config.tokenEnv);
  const report = kcidbReport([e.result], { origin: config.origin });
  const objects = report.checkouts.length + report.builds.length + report.tests.length + report.issues.length;
  if (report.checkouts.length === 0) return 'nothing to submit (no verdict)';
  await requestText(
    deps.fetch,
    config.url,
    {
      method: 'POST',
      signal: ctx.signal,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(report),
    },
    'KCIDB',
  );
  return `submitted ${objects} objects (${report.tests.length} tests)`;
}

export const kcidbOutput: OutputModule<KcidbOutputConfig> = {
  kind: 'kcidb',
  create: (config, deps) => configuredOutput(config, ['result'], (e, ctx) => submit(config, deps, e, ctx)),
};
