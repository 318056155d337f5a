/**
 * What every route handler shares: the dashboard's boundaries (passed in), its state (the secret
 * throttle and the session cookies), the per-request variables the middleware sets, and the
 * answers (a page, its JSON twin, an error in the form the client asked for, a redirect).
 */
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { ContentfulStatusCode, RedirectStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { Config, DashboardConfig } from '../../config/schema.ts';
import type { Store } from '../store/store.ts';
import type { SecretThrottle, Session } from './auth.ts';
import type { PageContext } from './layout.ts';
import { renderErrorPage } from './page-misc.ts';
import type { SessionCookies } from './session.ts';

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
  /** The session signing key from the environment (dashboard.sessionKeyEnv); else the store's. */
  sessionKeyFromEnv?: string;
  /** The artifacts folder (config artifacts.dir, resolved); that setting from the cwd when absent. */
  artifactsDir?: string;
  /** A version's am-ready mbox (the download); the store's b4-style export when absent. */
  exportMbox?: (versionKey: string) => Promise<Buffer>;
}

export interface DashboardState {
  deps: DashboardDeps;
  dashboard: DashboardConfig;
  throttle: SecretThrottle;
  sessions: SessionCookies;
}

export interface DashVars {
  /** The client asked for JSON (a `.json` URL, Accept, a bearer token or a JSON body). */
  json: boolean;
  /** The client's address: what the secret throttle counts per. */
  client: string;
  session: Session | null;
  /** A valid bearer token came with the request (checked by the bearer middleware). */
  bearer: boolean;
}

export type DashEnv = { Bindings: HttpBindings; Variables: DashVars };
export type DashContext = Context<DashEnv>;

export function pageContext(s: DashboardState, c: DashContext): PageContext {
  const session = c.get('session');
  return {
    now: s.deps.now(),
    viewer: session ? { user: session.user, csrf: session.csrf } : null,
    rerunEnabled: Boolean(s.deps.secret()),
  };
}

export function htmlAnswer(c: DashContext, status: ContentfulStatusCode, body: string): Response {
  return c.html(body, status);
}

export function jsonAnswer(c: DashContext, status: ContentfulStatusCode, data: unknown): Response {
  c.header('Content-Type', 'application/json; charset=utf-8');
  return c.body(`${JSON.stringify(data, null, 2)}\n`, status);
}

/** The page or its JSON twin, as the client asked. */
export function answer(
  s: DashboardState,
  c: DashContext,
  data: unknown,
  render: (ctx: PageContext) => string,
  json = c.get('json'),
): Response {
  return json ? jsonAnswer(c, 200, data) : htmlAnswer(c, 200, render(pageContext(s, c)));
}

export function errorAnswer(
  s: DashboardState,
  c: DashContext,
  status: ContentfulStatusCode,
  message: string,
  json = c.get('json'),
): Response {
  if (json) return jsonAnswer(c, status, { error: message, status });
  const hint = status === 401 ? 'Maintainers log in at /login, or send the secret as a bearer token.' : undefined;
  return htmlAnswer(c, status, renderErrorPage(pageContext(s, c), status, message, hint));
}

/** A redirect that keeps the cookies the handler set (hono's redirect carries the context's headers). */
export function redirectTo(c: DashContext, location: string, status: RedirectStatusCode = 303): Response {
  return c.redirect(location, status);
}
