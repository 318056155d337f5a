/**
 * `/login` and `/logout`: the maintainers' form. The login form carries a double-submit token
 * (a cookie and a field that must match) so a forged cross-site login is refused even before a
 * session exists; a right secret starts a signed session cookie (session.ts). Wrong secrets count
 * against the client's address in the same throttle as bearer tokens.
 */
import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { checkSameOrigin, LOGIN_COOKIE, newToken, secretMatches, userNameSchema } from './auth.ts';
import { field, readFields } from './body.ts';
import {
  errorAnswer,
  htmlAnswer,
  pageContext,
  redirectTo,
  type DashboardState,
  type DashContext,
  type DashEnv,
} from './context.ts';
import { renderLoginPage } from './page-misc.ts';

const loginBodySchema = z.object({
  name: userNameSchema,
  secret: z.string().min(1, 'the secret is needed'),
  csrf: z.string().optional(),
  next: z.string().optional(),
});

/** Only a local path: "next" must not send the browser to another site after login. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !/[\r\n]/.test(next) ? next : '/';
}

function secure(s: DashboardState): boolean {
  return s.deps.config.mail.dashboardUrl.startsWith('https:');
}

function loginForm(s: DashboardState, c: DashContext, status: ContentfulStatusCode, next: string, error?: string) {
  const token = newToken();
  setCookie(c, LOGIN_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secure(s), maxAge: 3600 });
  const body = renderLoginPage(pageContext(s, c), { next, csrf: token, ...(error !== undefined && { error }) });
  return htmlAnswer(c, status, body);
}

async function loginPost(s: DashboardState, c: DashContext): Promise<Response> {
  const fields = await readFields(c);
  const now = s.deps.now().getTime();
  const next = safeNext(field(fields, 'next'));
  const secret = s.deps.secret();
  const client = c.get('client');
  if (!secret)
    return errorAnswer(s, c, 403, `logging in is off: the environment variable ${s.deps.secretEnv} is not set`);
  if (s.throttle.blocked(client, now)) {
    c.header('Retry-After', String(s.throttle.retryAfterS(client, now)));
    return errorAnswer(s, c, 429, 'too many wrong secrets from this address; try again later');
  }
  const origin = checkSameOrigin(
    { origin: c.req.header('origin'), referer: c.req.header('referer'), host: c.req.header('host') },
    s.deps.config.mail.dashboardUrl,
  );
  if (!origin.ok) return errorAnswer(s, c, 403, origin.reason);
  const parsed = loginBodySchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return loginForm(s, c, 400, next, `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const cookieToken = getCookie(c, LOGIN_COOKIE);
  if (!cookieToken || !parsed.data.csrf || !secretMatches(parsed.data.csrf, cookieToken))
    return loginForm(s, c, 403, next, 'the login form expired or came from elsewhere: submit it again');
  if (!secretMatches(parsed.data.secret, secret)) {
    s.throttle.fail(client, now);
    s.deps.log.warn({ client }, 'dashboard login failed');
    return loginForm(s, c, 401, next, 'wrong secret');
  }
  s.throttle.succeed(client);
  const session = await s.sessions.start(c, secret, parsed.data.name, now);
  s.deps.log.info({ user: session.user, client }, 'dashboard login');
  deleteCookie(c, LOGIN_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: secure(s) });
  return redirectTo(c, next);
}

async function logoutPost(s: DashboardState, c: DashContext): Promise<Response> {
  const fields = await readFields(c);
  const session = c.get('session');
  // A forged logout is harmless, and the app's origin check already refused cross-site posts;
  // still only our own page, which knows the session's token, may end the session.
  if (session && !secretMatches(field(fields, 'csrf') ?? '', session.csrf))
    return errorAnswer(s, c, 403, 'missing or wrong CSRF token');
  s.sessions.end(c);
  return redirectTo(c, '/');
}

export function registerAuthRoutes(app: Hono<DashEnv>, s: DashboardState): void {
  app.get('/login', (c) => loginForm(s, c, 200, safeNext(c.req.query('next'))));
  app.post('/login', (c) => loginPost(s, c));
  app.post('/logout', (c) => logoutPost(s, c));
}
