import { describe, expect, it } from 'vitest';
import {
  authorizeChange,
  checkSameOrigin,
  LoginThrottle,
  parseCookies,
  SessionStore,
} from '../../../../bot/dashboard/auth.ts';
import { HttpError } from '../../../../bot/dashboard/http-error.ts';
import { parseRerunBody } from '../../../../bot/dashboard/rerun.ts';
import { parseListen } from '../../../../bot/dashboard/server.ts';

const base = {
  secret: 's3cret',
  secretEnv: 'DAXBOT_DASHBOARD_TOKEN',
  dashboardUrl: 'http://localhost:8080',
  csrf: undefined,
  session: null,
};

describe('authorizeChange', () => {
  it('is off without the secret in the environment', () => {
    expect(authorizeChange({ ...base, secret: undefined, headers: { authorization: 'Bearer x' } })).toMatchObject({
      ok: false,
      status: 403,
      reason: expect.stringContaining('DAXBOT_DASHBOARD_TOKEN'),
    });
  });

  it('bearer: right token passes and names the requester, wrong one is 401', () => {
    expect(authorizeChange({ ...base, headers: { authorization: 'Bearer s3cret' } })).toEqual({
      ok: true,
      by: 'dashboard:token',
      via: 'token',
    });
    expect(
      authorizeChange({ ...base, headers: { authorization: 'Bearer s3cret', 'x-daxbot-user': 'dan' } }),
    ).toMatchObject({ ok: true, by: 'dashboard:dan' });
    expect(authorizeChange({ ...base, headers: { authorization: 'Bearer nope' } })).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(
      authorizeChange({ ...base, headers: { authorization: 'Bearer s3cret', 'x-daxbot-user': '<x>' } }),
    ).toMatchObject({ ok: false, status: 400 });
  });

  it('forms: a session, our origin and the session CSRF token are all needed', () => {
    const session = new SessionStore().create('dan', 0);
    const own = { host: 'localhost:8080', origin: 'http://localhost:8080' };
    expect(authorizeChange({ ...base, headers: own })).toMatchObject({ ok: false, status: 401 });
    expect(authorizeChange({ ...base, headers: own, session, csrf: session.csrf })).toEqual({
      ok: true,
      by: 'dashboard:dan',
      via: 'session',
    });
    expect(authorizeChange({ ...base, headers: own, session, csrf: 'forged' })).toMatchObject({
      ok: false,
      status: 403,
      reason: expect.stringContaining('CSRF'),
    });
    expect(
      authorizeChange({
        ...base,
        headers: { host: 'localhost:8080', origin: 'http://evil.example' },
        session,
        csrf: session.csrf,
      }),
    ).toMatchObject({ ok: false, status: 403, reason: expect.stringContaining('cross-origin') });
  });
});

describe('checkSameOrigin', () => {
  it('takes Origin, falls back to Referer, refuses neither', () => {
    expect(checkSameOrigin({ host: 'h:1', referer: 'http://h:1/series/x' }, 'http://dash.example')).toEqual({
      ok: true,
    });
    expect(checkSameOrigin({ host: 'h:1', origin: 'https://dash.example' }, 'https://dash.example/')).toEqual({
      ok: true,
    });
    expect(checkSameOrigin({ host: 'h:1' }, 'http://dash.example').ok).toBe(false);
    expect(checkSameOrigin({ host: 'h:1', origin: 'null' }, 'http://dash.example').ok).toBe(false);
  });
});

describe('sessions, cookies, throttle', () => {
  it('sessions expire', () => {
    const s = new SessionStore();
    const a = s.create('dan', 1000);
    expect(s.get(a.id, 2000)?.user).toBe('dan');
    expect(s.get(a.id, a.expiresAt)).toBeNull();
    expect(s.get(undefined, 0)).toBeNull();
  });

  it('cookies parse; the first of a name wins', () => {
    expect([...parseCookies('a=1; b=x=y; a=2')]).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
    ]);
  });

  it('blocks a client after repeated failures, for a window', () => {
    const t = new LoginThrottle(2, 1000);
    t.fail('c', 0);
    t.fail('c', 10);
    expect(t.blocked('c', 20)).toBe(true);
    expect(t.blocked('c', 2000)).toBe(false);
  });
});

describe('re-run body', () => {
  it('accepts form and JSON shapes', () => {
    expect(parseRerunBody({ suites: 'dax, nfit-sim', repeat: '2', csrf: 't' })).toEqual({
      suites: ['dax', 'nfit-sim'],
      repeat: 2,
      runner: undefined,
      csrf: 't',
    });
    expect(parseRerunBody({ suites: ['dax'], repeat: 0 })).toMatchObject({ suites: ['dax'], repeat: 0 });
    expect(parseRerunBody({ suites: '', repeat: '' })).toMatchObject({ suites: [], repeat: undefined });
  });

  it('refuses bad suites and repeat counts with a 400', () => {
    for (const bad of [{ suites: 'dax;rm -rf' }, { repeat: '11' }, { repeat: 'x' }, { repeat: 1.5 }]) {
      expect(() => parseRerunBody(bad)).toThrow(HttpError);
    }
  });
});

describe('parseListen', () => {
  it('reads host:port and bracketed IPv6', () => {
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseListen('8080')).toThrow(/host:port/);
  });
});
