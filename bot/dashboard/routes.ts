/**
 * Routing: each page has an HTML form and a JSON twin (a `.json` suffix or
 * `Accept: application/json`), built from the same view object. The series URL is exactly the
 * one replies link to: `/series/` + encodeURIComponent(version key).
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../../config/schema.ts';
import { DaxbotError, errorMessage } from '../errors.ts';
import type { Store } from '../store/store.ts';
import {
  authorizeChange,
  checkSameOrigin,
  cookieHeader,
  LOGIN_COOKIE,
  LoginThrottle,
  newToken,
  parseCookies,
  secretMatches,
  SESSION_COOKIE,
  SessionStore,
  userNameSchema,
  type Session,
} from './auth.ts';
import { readFields } from './body.ts';
import { HttpError } from './http-error.ts';
import { CONTENT_SECURITY_POLICY, type PageContext } from './layout.ts';
import { renderBaselinesPage } from './page-baselines.ts';
import { renderErrorPage, renderHelpPage, renderLoginPage } from './page-misc.ts';
import { renderQueuePage } from './page-queue.ts';
import { renderRunPage } from './page-run.ts';
import { renderSeriesPage } from './page-series.ts';
import { loadQueueView } from './queue-data.ts';
import { enqueueDashboardRerun, parseRerunBody } from './rerun.ts';
import { DEFAULT_CONSOLE_LINES, loadBaselineRunView, loadBaselinesView, loadRunView } from './run-data.ts';
import { loadSeriesView } from './series-data.ts';
import { seg } from './html.ts';

/** The dashboard's boundaries, passed in: the store, the configuration, the clock, the secret. */
export interface DashboardDeps {
  store: Store;
  config: Config;
  log: Logger;
  now: () => Date;
  /** The maintainers' secret, read from the environment variable the config names. */
  secret: () => string | undefined;
  /** That variable's name, for refusals that say what is missing. */
  secretEnv: string;
}

export interface DashboardState {
  deps: DashboardDeps;
  sessions: SessionStore;
  throttle: LoginThrottle;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const linesQuerySchema = z.union([z.literal('all'), z.coerce.number().int().min(1).max(100_000)]).optional();
const idSchema = z.coerce.number().int().positive();

interface DashRequest {
  req: IncomingMessage;
  method: string;
  path: string;
  query: URLSearchParams;
  json: boolean;
  cookies: Map<string, string>;
  session: Session | null;
  client: string;
}

function htmlReply(status: number, body: string, headers: Record<string, string | string[]> = {}): Reply {
  return { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', ...headers }, body };
}

function jsonReply(status: number, data: unknown, headers: Record<string, string | string[]> = {}): Reply {
  return {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: `${JSON.stringify(data, null, 2)}\n`,
  };
}

function redirect(location: string, headers: Record<string, string | string[]> = {}): Reply {
  return {
    status: 303,
    headers: { ...SECURITY_HEADERS, Location: location, 'Content-Type': 'text/plain; charset=utf-8', ...headers },
    body: `see ${location}\n`,
  };
}

function pageContext(s: DashboardState, r: DashRequest): PageContext {
  return {
    now: s.deps.now(),
    viewer: r.session ? { user: r.session.user, csrf: r.session.csrf } : null,
    rerunEnabled: Boolean(s.deps.secret()),
  };
}

function errorReply(
  s: DashboardState,
  r: DashRequest,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  if (r.json) return jsonReply(status, { error: message, status }, headers);
  const hint = status === 401 ? 'Maintainers log in at /login, or send the secret as a bearer token.' : undefined;
  return htmlReply(status, renderErrorPage(pageContext(s, r), status, message, hint), headers);
}

/** Only a local path: "next" must not send the browser to another site after login. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !/[\r\n]/.test(next) ? next : '/';
}

/** "/series/<enc>[.json]" → the version key; a key is never split at "/" (it is encoded). */
function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the URL');
  }
}

function secureCookies(config: Config): boolean {
  return config.mail.dashboardUrl.startsWith('https:');
}

async function seriesPage(s: DashboardState, r: DashRequest, rest: string): Promise<Reply> {
  const { db } = s.deps.store;
  let key = decodeSegment(rest);
  let json = r.json;
  let view = await loadSeriesView(db, key, s.deps.now());
  // "<key>.json" is the JSON twin, unless a key really ends in ".json".
  if (!view && key.endsWith('.json')) {
    key = key.slice(0, -'.json'.length);
    json = true;
    view = await loadSeriesView(db, key, s.deps.now());
  }
  if (!view) return errorReply(s, { ...r, json }, 404, `no series version ${key}`);
  return json ? jsonReply(200, view) : htmlReply(200, renderSeriesPage(view, pageContext(s, r)));
}

async function runPage(s: DashboardState, r: DashRequest, kind: 'run' | 'baseline', rest: string): Promise<Reply> {
  const json = r.json || rest.endsWith('.json');
  const idText = rest.replace(/\.json$/, '');
  const id = idSchema.safeParse(idText);
  if (!id.success) return errorReply(s, { ...r, json }, 404, `no ${kind} ${idText}`);
  const lines = linesQuerySchema.safeParse(r.query.get('lines') ?? undefined);
  if (!lines.success) return errorReply(s, { ...r, json }, 400, 'lines: a positive number or "all"');
  const limit = lines.data === 'all' ? null : (lines.data ?? DEFAULT_CONSOLE_LINES);
  const view =
    kind === 'run'
      ? await loadRunView(s.deps.store.db, id.data, limit)
      : await loadBaselineRunView(s.deps.store.db, id.data, limit);
  if (!view) return errorReply(s, { ...r, json }, 404, `no ${kind} ${id.data}`);
  return json ? jsonReply(200, view) : htmlReply(200, renderRunPage(view, pageContext(s, r)));
}

async function rerunPost(s: DashboardState, r: DashRequest, rest: string): Promise<Reply> {
  const key = decodeSegment(rest);
  const fields = await readFields(r.req);
  // Authorization before the body is validated: a stranger learns nothing about the form.
  const csrfField =
    typeof fields === 'object' && fields !== null && 'csrf' in fields && typeof fields.csrf === 'string'
      ? fields.csrf
      : undefined;
  const auth = authorizeChange({
    headers: r.req.headers,
    secret: s.deps.secret(),
    secretEnv: s.deps.secretEnv,
    session: r.session,
    csrf: csrfField,
    dashboardUrl: s.deps.config.mail.dashboardUrl,
  });
  if (!auth.ok) {
    s.deps.log.warn(
      { versionKey: key, status: auth.status, reason: auth.reason, client: r.client },
      'dashboard re-run refused',
    );
    return errorReply(
      s,
      r,
      auth.status,
      auth.reason,
      auth.status === 401 ? { 'WWW-Authenticate': 'Bearer realm="daxbot"' } : {},
    );
  }
  const body = parseRerunBody(fields);
  const done = await enqueueDashboardRerun(s.deps.store, s.deps.config, key, body, auth.by, s.deps.now());
  s.deps.log.info(
    { versionKey: key, jobs: done.jobIds, by: auth.by, suites: body.suites, repeat: body.repeat },
    'dashboard re-run queued',
  );
  const location = `/series/${seg(key)}#job-${done.jobIds[0] ?? ''}`;
  if (r.json) return jsonReply(201, done, { Location: location });
  return redirect(location);
}

const loginBodySchema = z.object({
  name: userNameSchema,
  secret: z.string().min(1, 'the secret is needed'),
  csrf: z.string().optional(),
  next: z.string().optional(),
});

function loginForm(s: DashboardState, r: DashRequest, status: number, next: string, error?: string): Reply {
  const token = newToken();
  const body = renderLoginPage(pageContext(s, r), { next, csrf: token, ...(error !== undefined && { error }) });
  return htmlReply(status, body, {
    'Set-Cookie': cookieHeader(LOGIN_COOKIE, token, { maxAgeS: 3600, secure: secureCookies(s.deps.config) }),
  });
}

async function loginPost(s: DashboardState, r: DashRequest): Promise<Reply> {
  const fields = await readFields(r.req);
  const now = s.deps.now().getTime();
  const nextRaw = typeof fields === 'object' && fields !== null && 'next' in fields ? fields.next : undefined;
  const next = safeNext(nextRaw);
  const secret = s.deps.secret();
  if (!secret)
    return errorReply(s, r, 403, `logging in is off: the environment variable ${s.deps.secretEnv} is not set`);
  if (s.throttle.blocked(r.client, now))
    return errorReply(s, r, 429, 'too many failed logins from this address; try again in 15 minutes');
  const origin = checkSameOrigin(r.req.headers, s.deps.config.mail.dashboardUrl);
  if (!origin.ok) return errorReply(s, r, 403, origin.reason);
  const parsed = loginBodySchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return loginForm(s, r, 400, next, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const cookieToken = r.cookies.get(LOGIN_COOKIE);
  if (!cookieToken || !parsed.data.csrf || !secretMatches(parsed.data.csrf, cookieToken))
    return loginForm(s, r, 403, next, 'the login form expired or came from elsewhere: submit it again');
  if (!secretMatches(parsed.data.secret, secret)) {
    s.throttle.fail(r.client, now);
    s.deps.log.warn({ client: r.client }, 'dashboard login failed');
    return loginForm(s, r, 401, next, 'wrong secret');
  }
  s.throttle.succeed(r.client);
  s.sessions.delete(r.cookies.get(SESSION_COOKIE));
  const session = s.sessions.create(parsed.data.name, now);
  s.deps.log.info({ user: session.user, client: r.client }, 'dashboard login');
  const secure = secureCookies(s.deps.config);
  return redirect(next, {
    'Set-Cookie': [
      cookieHeader(SESSION_COOKIE, session.id, { maxAgeS: 12 * 3600, secure }),
      cookieHeader(LOGIN_COOKIE, '', { maxAgeS: 0, secure }),
    ],
  });
}

async function logoutPost(s: DashboardState, r: DashRequest): Promise<Reply> {
  const fields = await readFields(r.req);
  if (r.session) {
    const origin = checkSameOrigin(r.req.headers, s.deps.config.mail.dashboardUrl);
    const csrf =
      typeof fields === 'object' && fields !== null && 'csrf' in fields && typeof fields.csrf === 'string'
        ? fields.csrf
        : '';
    // A forged logout is harmless but still refused: only our own page may end the session.
    if (!origin.ok || !secretMatches(csrf, r.session.csrf))
      return errorReply(s, r, 403, origin.ok ? 'missing or wrong CSRF token' : origin.reason);
    s.sessions.delete(r.session.id);
  }
  return redirect('/', {
    'Set-Cookie': cookieHeader(SESSION_COOKIE, '', { maxAgeS: 0, secure: secureCookies(s.deps.config) }),
  });
}

async function route(s: DashboardState, r: DashRequest): Promise<Reply> {
  const { path, method } = r;
  const get = method === 'GET' || method === 'HEAD';
  const { db } = s.deps.store;
  if (path.startsWith('/series/')) {
    const rest = path.slice('/series/'.length);
    if (rest.endsWith('/rerun')) {
      if (method !== 'POST') return errorReply(s, r, 405, 'use POST to ask for a re-run', { Allow: 'POST' });
      return rerunPost(s, r, rest.slice(0, -'/rerun'.length));
    }
    if (!get) return errorReply(s, r, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    return seriesPage(s, r, rest);
  }
  if (path === '/login') {
    if (method === 'POST') return loginPost(s, r);
    if (!get) return errorReply(s, r, 405, 'method not allowed', { Allow: 'GET, HEAD, POST' });
    return loginForm(s, r, 200, safeNext(r.query.get('next')));
  }
  if (path === '/logout') {
    if (method !== 'POST') return errorReply(s, r, 405, 'use POST to log out', { Allow: 'POST' });
    return logoutPost(s, r);
  }
  if (!get) return errorReply(s, r, 405, 'method not allowed', { Allow: 'GET, HEAD' });
  if (path === '/' || path === '/index.json' || path === '/index.html') {
    const view = await loadQueueView(db, { now: s.deps.now(), concurrency: s.deps.config.schedule.concurrency });
    return r.json || path === '/index.json'
      ? jsonReply(200, view)
      : htmlReply(200, renderQueuePage(view, pageContext(s, r)));
  }
  if (path === '/baselines' || path === '/baselines.json') {
    const view = await loadBaselinesView(db, s.deps.config.runners);
    return r.json || path.endsWith('.json')
      ? jsonReply(200, view)
      : htmlReply(200, renderBaselinesPage(view, pageContext(s, r)));
  }
  if (path.startsWith('/baselines/')) return runPage(s, r, 'baseline', path.slice('/baselines/'.length));
  if (path.startsWith('/runs/')) return runPage(s, r, 'run', path.slice('/runs/'.length));
  if (path === '/help' || path === '/help.json') {
    if (r.json || path.endsWith('.json'))
      return jsonReply(200, {
        commands: [
          '#daxbot retest',
          '#daxbot test [suite ...] [base <commit>] [repeat N]',
          '#daxbot unrelated <crash title>',
          '#daxbot invalid',
        ],
      });
    return htmlReply(200, renderHelpPage(pageContext(s, r)));
  }
  return errorReply(s, r, 404, `no page ${path}`);
}

function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  if (/application\/json/i.test(accept) && !/text\/html/i.test(accept)) return true;
  // Scripts (a bearer token or a JSON body) get JSON back, errors included; a browser's form gets pages.
  return typeof req.headers.authorization === 'string' || /^application\/json/i.test(req.headers['content-type'] ?? '');
}

/** Answers one request; never throws (errors become 4xx/5xx replies). */
export async function handleRequest(s: DashboardState, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  const cookies = parseCookies(req.headers.cookie);
  const r: DashRequest = {
    req,
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    json: wantsJson(req),
    cookies,
    session: s.sessions.get(cookies.get(SESSION_COOKIE), s.deps.now().getTime()),
    client: req.socket.remoteAddress ?? 'unknown',
  };
  try {
    return await route(s, r);
  } catch (err) {
    if (err instanceof HttpError) return errorReply(s, r, err.status, err.message, err.headers);
    if (err instanceof DaxbotError && err.kind === 'not-found') return errorReply(s, r, 404, err.message);
    s.deps.log.error({ err: errorMessage(err), path: r.path, method: r.method }, 'dashboard request failed');
    return errorReply(s, r, 500, 'internal error; the bot log has the details');
  }
}
