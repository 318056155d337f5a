/**
 * Who may re-run from the dashboard: maintainers holding the secret from the environment
 * variable the configuration names (never from the file). Scripts send it as a bearer token;
 * people log in with a form and get a signed session cookie (session.ts). Form posts are guarded
 * against CSRF by a same-origin check plus a token that only our own pages know (per session, or
 * before login a double-submit cookie), and the cookie itself is SameSite=Strict. Wrong secrets
 * are throttled per client address, the form's and the bearer tokens' together.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const LOGIN_COOKIE = 'daxbot_login';

/** A logged-in maintainer, as the signed session cookie carries it (session.ts). */
export interface Session {
  user: string;
  /** The token the session's forms carry against CSRF. */
  csrf: string;
  expiresAt: number;
}

/** A maintainer's name as recorded in requestedBy: short and plain, it ends up in logs and mail. */
export const userNameSchema = z
  .string()
  .trim()
  .min(1, 'a name is needed')
  .max(64)
  .regex(/^[\w.@+ -]+$/, 'letters, digits and . @ + - _ only');

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Request headers by lower-case name (node's IncomingHttpHeaders, or hono's c.req.header()). */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** Constant-time comparison; hashing first makes the lengths equal. */
export function secretMatches(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

/**
 * Failed secrets per client address, the login form's and bearer tokens' alike: after `limit`
 * within the window, every attempt from that address is refused (the right secret too) until the
 * window passes. Addresses are capped so that a flood from many addresses cannot grow it forever.
 */
export class SecretThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();
  constructor(
    readonly limit = 10,
    readonly windowMs = 15 * 60_000,
    private readonly maxClients = 10_000,
  ) {}

  blocked(client: string, now: number): boolean {
    const f = this.failures.get(client);
    if (!f) return false;
    if (now - f.since > this.windowMs) {
      this.failures.delete(client);
      return false;
    }
    return f.count >= this.limit;
  }

  /** Seconds until a blocked client may try again (for Retry-After). */
  retryAfterS(client: string, now: number): number {
    const f = this.failures.get(client);
    return f ? Math.max(1, Math.ceil((f.since + this.windowMs - now) / 1000)) : 0;
  }

  fail(client: string, now: number): void {
    const f = this.failures.get(client);
    if (!f || now - f.since > this.windowMs) {
      if (!f && this.failures.size >= this.maxClients) {
        const oldest = this.failures.keys().next();
        if (!oldest.done) this.failures.delete(oldest.value);
      }
      this.failures.set(client, { count: 1, since: now });
    } else f.count++;
  }

  succeed(client: string): void {
    this.failures.delete(client);
  }
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * A form post must come from one of our own pages: its Origin (or, from browsers that omit
 * it, its Referer) must be the origin the request was sent to or the configured dashboard URL.
 * A post with neither header is refused: every browser sends one of them on a form post.
 */
export function checkSameOrigin(
  headers: HeaderBag,
  dashboardUrl: string,
): { ok: true } | { ok: false; reason: string } {
  const allowed = new Set<string>();
  if (typeof headers.host === 'string') allowed.add(`http://${headers.host}`).add(`https://${headers.host}`);
  const configured = originOf(dashboardUrl);
  if (configured) allowed.add(configured);
  const origin = typeof headers.origin === 'string' && headers.origin !== 'null' ? headers.origin : null;
  const referer = typeof headers.referer === 'string' ? originOf(headers.referer) : null;
  const seen = origin ?? referer;
  if (seen === null)
    return {
      ok: false,
      reason: 'the form post carries neither Origin nor Referer, so it cannot be told apart from a cross-site post',
    };
  if (!allowed.has(seen)) return { ok: false, reason: `cross-origin form post refused (from ${seen})` };
  return { ok: true };
}

export type AuthResult =
  | { ok: true; by: string; via: 'token' | 'session' }
  | { ok: false; status: 401 | 403 | 400; reason: string };

export interface AuthInput {
  headers: HeaderBag;
  /** The maintainers' secret; undefined when its environment variable is not set. */
  secret: string | undefined;
  secretEnv: string;
  session: Session | null;
  /** The CSRF token the form sent (absent for bearer requests). */
  csrf: string | undefined;
  dashboardUrl: string;
}

/**
 * Decides whether a state-changing request may proceed, and whom to record as the requester.
 * Bearer requests need no CSRF guard: browsers never attach that header on their own.
 */
export function authorizeChange(i: AuthInput): AuthResult {
  if (!i.secret)
    return {
      ok: false,
      status: 403,
      reason: `re-runs from the dashboard are off: the environment variable ${i.secretEnv} is not set`,
    };
  const authz = i.headers.authorization;
  if (typeof authz === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
    if (!m?.[1] || !secretMatches(m[1], i.secret)) return { ok: false, status: 401, reason: 'invalid bearer token' };
    const rawUser = i.headers['x-daxbot-user'];
    if (rawUser === undefined) return { ok: true, by: 'dashboard:token', via: 'token' };
    const user = userNameSchema.safeParse(rawUser);
    if (!user.success)
      return { ok: false, status: 400, reason: `X-Daxbot-User: ${user.error.issues[0]?.message ?? 'invalid'}` };
    return { ok: true, by: `dashboard:${user.data}`, via: 'token' };
  }
  if (!i.session)
    return {
      ok: false,
      status: 401,
      reason: 'not logged in: log in as a maintainer, or send Authorization: Bearer <secret>',
    };
  const origin = checkSameOrigin(i.headers, i.dashboardUrl);
  if (!origin.ok) return { ok: false, status: 403, reason: origin.reason };
  if (!i.csrf || !secretMatches(i.csrf, i.session.csrf))
    return { ok: false, status: 403, reason: 'missing or wrong CSRF token: reload the page and submit the form again' };
  return { ok: true, by: `dashboard:${i.session.user}`, via: 'session' };
}
