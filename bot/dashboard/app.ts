/**
 * The dashboard as a hono application: the security headers (the strict CSP: no script at all),
 * the request's client address, JSON wish and session, a body limit, hono's CSRF origin check on
 * every form post, hono's bearer auth (throttled per client address with the login form) on
 * state-changing requests that carry a token, then the routes. Each page has a JSON twin built
 * from the same view object; errors come back in the form the client asked for.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { dashboardSchema } from '../../config/schema.ts';
import { DaxbotError, errorMessage } from '../errors.ts';
import { checkSameOrigin, secretMatches, SecretThrottle } from './auth.ts';
import { errorAnswer, type DashboardDeps, type DashboardState, type DashContext, type DashEnv } from './context.ts';
import { HttpError } from './http-error.ts';
import { CONTENT_SECURITY_POLICY } from './layout.ts';
import { registerAuthRoutes } from './routes-auth.ts';
import { registerMiscRoutes } from './routes-misc.ts';
import { registerRunRoutes } from './routes-runs.ts';
import { registerSeriesRoutes } from './routes-series.ts';
import { SessionCookies, sessionKey } from './session.ts';

export const BODY_LIMIT = 64 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

function wantsJson(c: DashContext): boolean {
  const path = c.req.path;
  if (path.endsWith('.json')) return true;
  const accept = c.req.header('accept') ?? '';
  if (/application\/json/i.test(accept) && !/text\/html/i.test(accept)) return true;
  // Scripts (a bearer token or a JSON body) get JSON back, errors included; a browser's form gets pages.
  return c.req.header('authorization') !== undefined || /^application\/json/i.test(c.req.header('content-type') ?? '');
}

function clientOf(c: DashContext): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Allowed form-post origins: the host the request was sent to, and the configured dashboard URL. */
function sameOrigin(s: DashboardState): (origin: string, c: DashContext) => boolean {
  return (origin, c) => checkSameOrigin({ host: c.req.header('host'), origin }, s.deps.config.mail.dashboardUrl).ok;
}

/**
 * A request with a bearer token: refused while its address is throttled, else checked by hono's
 * bearer auth in constant time; a wrong token counts against the address like a wrong login.
 */
function throttledBearer(s: DashboardState): MiddlewareHandler<DashEnv> {
  const refuse = (c: DashContext, status: ContentfulStatusCode, message: string): Response =>
    errorAnswer(s, c, status, message, true);
  const check = bearerAuth<DashEnv>({
    realm: 'daxbot',
    verifyToken: (token, c) => {
      const secret = s.deps.secret();
      const ok = secret !== undefined && secretMatches(token, secret);
      const client = c.get('client');
      if (ok) s.throttle.succeed(client);
      else s.throttle.fail(client, s.deps.now().getTime());
      if (!ok) s.deps.log.warn({ client }, 'dashboard: wrong bearer token');
      return ok;
    },
    invalidToken: { message: (c: DashContext) => refuse(c, 401, 'invalid bearer token') },
    invalidAuthenticationHeader: {
      message: (c: DashContext) => refuse(c, 400, 'the Authorization header must be "Bearer <secret>"'),
    },
  });
  return async (c, next) => {
    if (c.req.header('authorization') === undefined) return next();
    if (!s.deps.secret())
      throw new HttpError(
        403,
        `re-runs from the dashboard are off: the environment variable ${s.deps.secretEnv} is not set`,
      );
    const client = c.get('client');
    const now = s.deps.now().getTime();
    if (s.throttle.blocked(client, now))
      throw new HttpError(
        429,
        'too many wrong secrets from this address; try again later',
        {},
        {
          'Retry-After': String(s.throttle.retryAfterS(client, now)),
        },
      );
    await check(c, async () => {
      c.set('bearer', true);
      await next();
    });
  };
}

function onError(s: DashboardState) {
  return (err: Error, c: DashContext): Response => {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return errorAnswer(s, c, err.status as ContentfulStatusCode, err.message);
    }
    if (err instanceof HTTPException) {
      // The framework's own refusals (CSRF, body limit) in our words and form.
      const status = err.status as ContentfulStatusCode;
      if (status === 403) return errorAnswer(s, c, 403, 'cross-origin form post refused');
      if (status === 413) return errorAnswer(s, c, 413, `request body over ${BODY_LIMIT} bytes`);
      return err.getResponse();
    }
    if (err instanceof DaxbotError && err.kind === 'not-found') return errorAnswer(s, c, 404, err.message);
    s.deps.log.error({ err: errorMessage(err), path: c.req.path, method: c.req.method }, 'dashboard request failed');
    return errorAnswer(s, c, 500, 'internal error; the bot log has the details');
  };
}

export function createDashboardApp(s: DashboardState): Hono<DashEnv> {
  const app = new Hono<DashEnv>();
  app.use(async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  });
  app.use(async (c, next) => {
    c.set('json', wantsJson(c));
    c.set('client', clientOf(c));
    c.set('bearer', false);
    c.set('session', await s.sessions.read(c, s.deps.secret(), s.deps.now().getTime()));
    await next();
  });
  const formGuard = csrf({ origin: sameOrigin(s) });
  // A bearer request is a script's: browsers never add that header to a cross-site form on their own.
  const csrfUnlessBearer: MiddlewareHandler<DashEnv> = (c, next) =>
    c.req.header('authorization') === undefined ? formGuard(c, next) : next();
  app.on('POST', '*', bodyLimit({ maxSize: BODY_LIMIT }), csrfUnlessBearer, throttledBearer(s));
  registerSeriesRoutes(app, s);
  registerRunRoutes(app, s);
  registerAuthRoutes(app, s);
  registerMiscRoutes(app, s);
  app.notFound((c) => notFound(s, c));
  app.onError(onError(s));
  return app;
}

/** Each path the dashboard answers and the methods it takes (the first match counts). */
const ALLOWED: [RegExp, string][] = [
  [/^\/series\/.+\/rerun$/, 'POST'],
  [/^\/login$/, 'GET, HEAD, POST'],
  [/^\/logout$/, 'POST'],
  [
    /^\/(index\.(json|html)|series(\.json)?|series\/.+|runs\/.+|baselines(\.json)?|baselines\/.+|stats(\.json)?|help(\.json)?)?$/,
    'GET, HEAD',
  ],
];

/** A known path asked with another method gets 405 and what it allows; the rest 404. */
function notFound(s: DashboardState, c: DashContext): Response {
  const allow = ALLOWED.find(([re]) => re.test(c.req.path))?.[1];
  if (allow && !allow.split(', ').includes(c.req.method)) {
    c.header('Allow', allow);
    return errorAnswer(s, c, 405, `method ${c.req.method} not allowed here (${allow})`);
  }
  return errorAnswer(s, c, 404, `no page ${c.req.path}`);
}

/** The application with its state: the session key resolved (env, or made once in the store). */
export async function dashboardApp(deps: DashboardDeps): Promise<Hono<DashEnv>> {
  const dashboard = deps.config.dashboard ?? dashboardSchema.parse({});
  const key = await sessionKey(deps.store, deps.sessionKeyFromEnv, deps.now());
  const secure = deps.config.mail.dashboardUrl.startsWith('https:');
  return createDashboardApp({
    deps,
    dashboard,
    throttle: new SecretThrottle(),
    sessions: new SessionCookies(key, secure),
  });
}
