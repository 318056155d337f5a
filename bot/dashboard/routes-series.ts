/**
 * `/series[.json]`: the search over every series version (series-list-data.ts).
 * `/series/<ref>[.json]`: one version, where <ref> is its version key, its numeric id or any of
 * its Message-IDs (with or without <>); anything but the key redirects to the canonical URL
 * `/series/` + encodeURIComponent(key), which replies link to. `/series/<key>/mbox`: the version
 * as a git-am-ready mbox. `POST /series/<key>/rerun`: a maintainer's re-run (rerun.ts).
 * Paths are read undecoded so an encoded "/" or "#" in a key never splits it.
 */
import type { Hono } from 'hono';
import { exportAmMbox } from '../intake/am-export.ts';
import { resolveVersionRef } from '../store/read/series.ts';
import { authorizeChange } from './auth.ts';
import { field, readFields } from './body.ts';
import {
  answer,
  errorAnswer,
  jsonAnswer,
  redirectTo,
  type DashboardState,
  type DashContext,
  type DashEnv,
} from './context.ts';
import { seg } from './html.ts';
import { HttpError } from './http-error.ts';
import { renderSeriesListPage } from './page-series-list.ts';
import { renderSeriesPage } from './page-series.ts';
import { enqueueDashboardRerun, parseRerunBody } from './rerun.ts';
import { loadSeriesListView, parseSeriesQuery } from './series-list-data.ts';
import { loadSeriesView } from './series-data.ts';

type Tail = '' | '.json' | '/mbox' | '/rerun';

function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the URL');
  }
}

/** The raw rest of the path after "/series/", split into the reference and what follows it. */
function splitRef(c: DashContext): { raw: string; tail: Tail } {
  const raw = new URL(c.req.url).pathname.slice('/series/'.length);
  for (const tail of ['/rerun', '/mbox', '.json'] as const)
    if (raw.endsWith(tail) && raw.length > tail.length) return { raw: raw.slice(0, -tail.length), tail };
  return { raw, tail: '' };
}

/** The version key a reference names: the whole text first (a key may end in ".json"), then without the tail. */
async function resolve(s: DashboardState, c: DashContext): Promise<{ ref: string; key: string | null; tail: Tail }> {
  const { db } = s.deps.store;
  const whole = decodeSegment(new URL(c.req.url).pathname.slice('/series/'.length));
  const exact = await resolveVersionRef(db, whole);
  if (exact !== null) return { ref: whole, key: exact, tail: '' };
  const { raw, tail } = splitRef(c);
  const ref = decodeSegment(raw);
  return { ref, key: await resolveVersionRef(db, ref), tail };
}

function suiteChoices(s: DashboardState): string[] {
  const all = s.deps.config.runners.filter((r) => r.enabled).flatMap((r) => r.suites);
  return [...new Set(all)].sort();
}

async function mbox(s: DashboardState, c: DashContext, key: string): Promise<Response> {
  const data = s.deps.exportMbox ? await s.deps.exportMbox(key) : await exportAmMbox(s.deps.store, key);
  const name = `${key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100)}.mbox`;
  return c.body(new Uint8Array(data), 200, {
    'Content-Type': 'application/mbox',
    'Content-Disposition': `attachment; filename="${name}"`,
  });
}

async function versionGet(s: DashboardState, c: DashContext): Promise<Response> {
  const { ref, key, tail } = await resolve(s, c);
  const json = c.get('json') || tail === '.json';
  if (key === null) return errorAnswer(s, c, 404, `no series version ${ref}`, json);
  if (tail === '/rerun') return errorAnswer(s, c, 405, 'use POST to ask for a re-run', json);
  if (key !== ref) return redirectTo(c, `/series/${seg(key)}${tail}${new URL(c.req.url).search}`, 302);
  if (tail === '/mbox') return mbox(s, c, key);
  const loreUrl = s.dashboard.loreUrl;
  const view = await loadSeriesView(s.deps.store.db, key, s.deps.now(), loreUrl);
  if (!view) return errorAnswer(s, c, 404, `no series version ${ref}`, json);
  return answer(s, c, view, (ctx) => renderSeriesPage(view, ctx, suiteChoices(s)), json);
}

async function rerunPost(s: DashboardState, c: DashContext): Promise<Response> {
  const { raw, tail } = splitRef(c);
  if (tail !== '/rerun') throw new HttpError(405, 'only re-runs are posted here', {}, { Allow: 'GET, HEAD' });
  const key = decodeSegment(raw);
  const fields = await readFields(c);
  const headers = {
    authorization: c.req.header('authorization'),
    origin: c.req.header('origin'),
    referer: c.req.header('referer'),
    host: c.req.header('host'),
    'x-daxbot-user': c.req.header('x-daxbot-user'),
  };
  // Authorization before the body is validated: a stranger learns nothing about the form.
  const auth = authorizeChange({
    headers,
    secret: s.deps.secret(),
    secretEnv: s.deps.secretEnv,
    session: c.get('session'),
    csrf: field(fields, 'csrf'),
    dashboardUrl: s.deps.config.mail.dashboardUrl,
  });
  if (!auth.ok) {
    s.deps.log.warn(
      { versionKey: key, status: auth.status, reason: auth.reason, client: c.get('client') },
      'dashboard re-run refused',
    );
    if (auth.status === 401) c.header('WWW-Authenticate', 'Bearer realm="daxbot"');
    return errorAnswer(s, c, auth.status, auth.reason);
  }
  const body = parseRerunBody(fields);
  const done = await enqueueDashboardRerun(s.deps.store, s.deps.config, key, body, auth.by, s.deps.now());
  s.deps.log.info(
    { versionKey: key, jobs: done.jobIds, by: auth.by, suites: body.suites, base: body.base },
    'dashboard re-run queued',
  );
  const location = `/series/${seg(key)}#job-${done.jobIds[0] ?? ''}`;
  if (c.get('json')) {
    c.header('Location', location);
    return jsonAnswer(c, 201, done);
  }
  return redirectTo(c, location);
}

export function registerSeriesRoutes(app: Hono<DashEnv>, s: DashboardState): void {
  const list = async (c: DashContext, json: boolean): Promise<Response> => {
    const view = await loadSeriesListView(s.deps.store.db, parseSeriesQuery(c.req.query()), s.deps.now());
    return answer(s, c, view, (ctx) => renderSeriesListPage(view, ctx), json || c.get('json'));
  };
  app.get('/series', (c) => list(c, false));
  app.get('/series.json', (c) => list(c, true));
  app.get('/series/*', (c) => versionGet(s, c));
  app.post('/series/*', (c) => rerunPost(s, c));
}
