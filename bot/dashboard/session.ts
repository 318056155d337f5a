/**
 * Sessions as signed cookies (hono's signed-cookie helpers, HMAC-SHA256): the cookie carries the
 * maintainer's name, the session's CSRF token and its expiry, so a restart of the dashboard
 * keeps everyone logged in. The signing key is the environment variable the configuration names
 * (`dashboard.sessionKeyEnv`), or else a random key made once and kept in the store. It is mixed
 * with a digest of the maintainers' secret: changing the secret ends every session.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { z } from 'zod';
import { keptSetting } from '../store/settings.ts';
import type { Store } from '../store/store.ts';
import { newToken, userNameSchema, type Session } from './auth.ts';

export const SESSION_COOKIE = 'daxbot_session';
export const SESSION_MS = 12 * 3_600_000;
const KEY_SETTING = 'dashboard-session-key';

const payloadSchema = z.object({ u: userNameSchema, c: z.string().min(16), e: z.number().int() });

/** The signing key: from the environment when set, else the store's (made on first use). */
export async function sessionKey(store: Store, fromEnv: string | undefined, now: Date): Promise<string> {
  if (fromEnv) return fromEnv;
  return keptSetting(store.db, KEY_SETTING, () => randomBytes(32).toString('base64url'), now.toISOString());
}

export class SessionCookies {
  constructor(
    private readonly key: string,
    private readonly secure: boolean,
  ) {}

  /** The key for this secret: a new maintainers' secret invalidates older cookies. */
  private signingKey(secret: string): string {
    const digest = createHash('sha256').update(secret).digest('base64url');
    return createHmac('sha256', this.key).update(`daxbot-session\0${digest}`).digest('base64url');
  }

  async read(c: Context, secret: string | undefined, now: number): Promise<Session | null> {
    if (!secret) return null;
    const value = await getSignedCookie(c, this.signingKey(secret), SESSION_COOKIE);
    if (!value) return null;
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    const p = payloadSchema.safeParse(data);
    if (!p.success || p.data.e <= now) return null;
    return { user: p.data.u, csrf: p.data.c, expiresAt: p.data.e };
  }

  async start(c: Context, secret: string, user: string, now: number): Promise<Session> {
    const session: Session = { user, csrf: newToken(), expiresAt: now + SESSION_MS };
    const value = Buffer.from(JSON.stringify({ u: user, c: session.csrf, e: session.expiresAt })).toString('base64url');
    await setSignedCookie(c, SESSION_COOKIE, value, this.signingKey(secret), {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: this.secure,
      maxAge: SESSION_MS / 1000,
    });
    return session;
  }

  end(c: Context): void {
    deleteCookie(c, SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'Strict', secure: this.secure });
  }
}
