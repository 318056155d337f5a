/**
 * `/runs/<no>[.json]`: one run by its number (job runs and base runs share one sequence), with
 * its kept artifacts; `/runs/<no>/artifacts/<name>`: one of them, streamed (text inline, binaries
 * as downloads; the URL replies' reproducers link to); `/baselines[.json]`: the base-run cache;
 * `/baselines/<id>`: the older base-run links, redirected to their run number.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import { z } from 'zod';
import { ARTIFACT_KINDS, isArtifactName } from '../artifacts/names.ts';
import { artifactFile, readManifest } from '../artifacts/store.ts';
import { baselineRunNo } from '../store/read/runs.ts';
import { answer, errorAnswer, redirectTo, type DashboardState, type DashContext, type DashEnv } from './context.ts';
import { renderBaselinesPage } from './page-baselines.ts';
import { renderRunPage } from './page-run.ts';
import { DEFAULT_CONSOLE_LINES, loadBaselinesView, loadRunView, type RunArtifacts } from './run-data.ts';

const linesQuerySchema = z.union([z.literal('all'), z.coerce.number().int().min(1).max(100_000)]).optional();
const NUMBER = /^(\d{1,15})(\.json)?$/;

export function artifactsDir(s: DashboardState): string {
  return s.deps.artifactsDir ?? path.resolve(s.deps.config.artifacts.dir);
}

async function runArtifacts(s: DashboardState, runNo: number): Promise<RunArtifacts | null> {
  const m = await readManifest(artifactsDir(s), runNo);
  if (!m) return null;
  const files = m.files.map((f) => ({ ...f, href: `/runs/${runNo}/artifacts/${f.name}` }));
  return { files, skipped: m.skipped, keptAt: m.keptAt };
}

async function runPage(s: DashboardState, c: DashContext): Promise<Response> {
  const m = NUMBER.exec(c.req.param('no') ?? '');
  const json = c.get('json') || Boolean(m?.[2]);
  if (!m?.[1]) return errorAnswer(s, c, 404, `no run ${c.req.param('no') ?? ''}`, json);
  const lines = linesQuerySchema.safeParse(c.req.query('lines'));
  if (!lines.success) return errorAnswer(s, c, 400, 'lines: a positive number or "all"', json);
  const limit = lines.data === 'all' ? null : (lines.data ?? DEFAULT_CONSOLE_LINES);
  const view = await loadRunView(s.deps.store.db, Number(m[1]), limit);
  if (!view) return errorAnswer(s, c, 404, `no run ${m[1]}`, json);
  view.artifacts = await runArtifacts(s, view.id);
  return answer(s, c, view, (ctx) => renderRunPage(view, ctx), json);
}

async function artifact(s: DashboardState, c: DashContext): Promise<Response> {
  const no = c.req.param('no') ?? '';
  const name = c.req.param('name') ?? '';
  if (!/^\d{1,15}$/.test(no) || !isArtifactName(name))
    return errorAnswer(s, c, 404, `no artifact ${name} of run ${no}`);
  const found = await artifactFile(artifactsDir(s), Number(no), name);
  if (!found) return errorAnswer(s, c, 404, `run ${no} has no ${name} kept (not made, or swept after its retention)`);
  const kind = ARTIFACT_KINDS[name];
  const headers: Record<string, string> = {
    'Content-Length': String(found.size),
    'Content-Type': kind.text ? 'text/plain; charset=utf-8' : 'application/octet-stream',
    'Content-Disposition': `${kind.text ? 'inline' : 'attachment'}; filename="${kind.saveAs}"`,
  };
  if (c.req.method === 'HEAD') return c.body(null, 200, headers);
  const stream = Readable.toWeb(createReadStream(found.file)) as ReadableStream<Uint8Array>;
  return c.body(stream, 200, headers);
}

async function baselineRedirect(s: DashboardState, c: DashContext): Promise<Response> {
  const m = NUMBER.exec(c.req.param('id') ?? '');
  const runNo = m?.[1] ? await baselineRunNo(s.deps.store.db, Number(m[1])) : null;
  if (runNo === null)
    return errorAnswer(s, c, 404, `no base run ${c.req.param('id') ?? ''}`, Boolean(m?.[2]) || c.get('json'));
  return redirectTo(c, `/runs/${runNo}${m?.[2] ?? ''}`, 301);
}

export function registerRunRoutes(app: Hono<DashEnv>, s: DashboardState): void {
  app.get('/runs/:no', (c) => runPage(s, c));
  app.get('/runs/:no/artifacts/:name', (c) => artifact(s, c));
  const baselines = async (c: DashContext, json: boolean): Promise<Response> => {
    const view = await loadBaselinesView(s.deps.store.db, s.deps.config.runners);
    return answer(s, c, view, (ctx) => renderBaselinesPage(view, ctx), json || c.get('json'));
  };
  app.get('/baselines', (c) => baselines(c, false));
  app.get('/baselines.json', (c) => baselines(c, true));
  app.get('/baselines/:id', (c) => baselineRedirect(s, c));
}
