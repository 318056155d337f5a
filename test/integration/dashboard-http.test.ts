/**
 * The dashboard's HTTP layer (hono on @hono/node-server) over a real SQLite store filled by the
 * pipeline with the scripted runner: bearer tokens throttled per client address with the login
 * form, signed session cookies that survive a restart of the dashboard, the series list's search,
 * filters and pages and its JSON twin, every kind of series reference redirecting to the
 * canonical URL, the version history, and a run's kept artifacts served at their stable URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { linkBlob, storeBlob, writeManifest } from '../../bot/artifacts/store.ts';
import { startDashboard, type DashboardDeps, type RunningDashboard } from '../../bot/dashboard/server.ts';
import { silentLogger } from '../../bot/log.ts';
import { createScriptedRunner } from '../../runners/scripted/runner.ts';
import { runCycle } from '../../bot/queue/cycle.ts';
import { saveSeriesVersions } from '../../bot/store/series.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import { FakeSender, fakeDeps, testConfig, version } from '../helpers/pipeline-fakes.ts';

const SECRET = 'maintainers-secret-for-http-tests';
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-dash-http-'));
const artifactsDir = path.join(dir, 'artifacts');
let store: Store;
let dash: RunningDashboard;
let clock = Date.parse('2024-07-01T12:00:00.000Z');
const config = testConfig({ mail: { dashboardUrl: 'http://dashboard.test' } });

function deps(): DashboardDeps {
  return {
    store,
    config,
    log: silentLogger(),
    now: () => new Date(clock),
    secret: () => SECRET,
    secretEnv: 'DAXBOT_DASHBOARD_TOKEN',
    artifactsDir,
    // No raw mail in this store: the real export is shown over the real archive (dashboard-browser).
    exportMbox: async (key) => Buffer.from(`From mbox\nSubject: [PATCH 1/3] ${key}\n\n`),
  };
}

const url = (p: string): string => `${dash.url}${p}`;
const cookiesOf = (res: Response): string[] => res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');

const listSchema = z.object({
  total: z.number(),
  page: z.number(),
  pages: z.number(),
  items: z.array(z.object({ versionKey: z.string(), subject: z.string(), status: z.string() })),
});

beforeAll(async () => {
  store = await openStore(path.join(dir, 'db.sqlite'));
  const v1 = version('fix-dax#v1', 3, { subject: 'dax: fix the mapping race', seriesKey: 'fix-dax' });
  const v2 = version('fix-dax#v2', 3, {
    subject: 'dax: fix the mapping race',
    seriesKey: 'fix-dax',
    revision: 2,
    lastDate: '2024-06-20T10:00:00.000Z',
  });
  const others = Array.from({ length: 5 }, (_, i) =>
    version(`other-${i}#v1`, 1, {
      subject: `cxl: unrelated cleanup ${i}`,
      lastDate: `2024-05-0${i + 1}T10:00:00.000Z`,
    }),
  );
  await saveSeriesVersions(store.db, [v1, v2, ...others], '2024-06-01T12:00:00.000Z');
  const runner = createScriptedRunner('fake', { delayMs: 0, badPatch: 2, baseCrashes: false });
  const exportMbox = async (): Promise<Buffer> =>
    Buffer.from(Array.from({ length: 3 }, (_, i) => `Subject: [PATCH ${i + 1}/3] patch\n`).join(''));
  const pipeline = fakeDeps(store, runner, new FakeSender(), { config, exportMbox, now: () => new Date(clock) });
  await runCycle(pipeline, { since: null });
  dash = await startDashboard(deps(), { host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await dash?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard HTTP layer', () => {
  it('throttles wrong bearer tokens per address like the login form; the right one works once it expires', async () => {
    const target = url(`/series/${encodeURIComponent('other-0#v1')}/rerun`);
    const post = (token: string): Promise<Response> =>
      fetch(target, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await post(`wrong-${i}`)).status);
    const first429 = statuses.indexOf(429);
    expect(first429).toBeGreaterThan(0);
    expect(first429).toBeLessThan(59);
    expect(statuses.slice(0, first429).every((s) => s === 401)).toBe(true);
    const blocked = await post(SECRET);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // The login form shares the throttle: the same address cannot switch to guessing there.
    const form = await fetch(url('/login'));
    const login = await fetch(url('/login'), {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: dash.url,
        Cookie: cookiesOf(form).join('; '),
      },
      body: 'name=eve&secret=guess&csrf=x',
    });
    expect(login.status).toBe(429);
    clock += 16 * 60_000;
    const ok = await post(SECRET);
    expect(ok.status).toBe(201);
  });

  it('keeps a maintainer logged in across a restart of the dashboard (signed cookie, key in the store)', async () => {
    const form = await fetch(url('/login'));
    const loginCookie = cookiesOf(form).find((c) => c.startsWith('daxbot_login=')) ?? '';
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const login = await fetch(url('/login'), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: dash.url, Cookie: loginCookie },
      body: new URLSearchParams({ name: 'dan', secret: SECRET, csrf }).toString(),
    });
    expect(login.status).toBe(303);
    const session = cookiesOf(login).find((c) => /^daxbot_session=.+/.test(c)) ?? '';
    expect(session).not.toBe('');
    await dash.close();
    dash = await startDashboard(deps(), { host: '127.0.0.1', port: 0 });
    const page = await (await fetch(url('/'), { headers: { Cookie: session } })).text();
    expect(page).toContain('dan · <form class="logout"');
    const tampered = session.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const anon = await (await fetch(url('/'), { headers: { Cookie: tampered } })).text();
    expect(anon).toContain('maintainer login');
  });

  it('/series.json searches words of the subject, filters by outcome and pages', async () => {
    const all = listSchema.parse(await (await fetch(url('/series.json?per=3'))).json());
    expect(all.total).toBe(7);
    expect(all.pages).toBe(3);
    const page2 = listSchema.parse(await (await fetch(url('/series.json?per=3&page=2'))).json());
    expect(page2.page).toBe(2);
    expect(page2.items.map((i) => i.versionKey)).not.toContain(all.items[0]?.versionKey);
    const found = listSchema.parse(await (await fetch(url('/series.json?q=mapping%20race'))).json());
    expect(found.items.map((i) => i.versionKey).sort()).toEqual(['fix-dax#v1', 'fix-dax#v2']);
    const regressions = listSchema.parse(await (await fetch(url('/series.json?outcome=regression'))).json());
    expect(regressions.items.length).toBeGreaterThan(0);
    for (const i of regressions.items) expect(i.status).toBe('regression');
    const untested = listSchema.parse(await (await fetch(url('/series.json?outcome=untested'))).json());
    for (const i of untested.items) expect(i.status).toBe('untested');
    expect(untested.total + regressions.total).toBeLessThanOrEqual(7);
    const bad = await fetch(url('/series.json?from=yesterday'));
    expect(bad.status).toBe(400);
    const html = await (await fetch(url('/series?q=mapping'))).text();
    expect(html).toContain('dax: fix the mapping race');
    expect(html).toContain('2 series versions');
  });

  it('reaches a version by any Message-ID, with or without <>, or by id: a redirect to the canonical URL', async () => {
    const canonical = `/series/${encodeURIComponent('fix-dax#v2')}`;
    for (const ref of ['fix-dax#v2-2@example.org', '<fix-dax#v2-0@example.org>']) {
      const res = await fetch(url(`/series/${encodeURIComponent(ref)}.json`), { redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`${canonical}.json`);
    }
    const followed = await fetch(url(`/series/${encodeURIComponent('fix-dax#v2-1@example.org')}.json`));
    const view = z
      .object({
        versionKey: z.string(),
        links: z.object({ thread: z.string(), mbox: z.string() }),
        history: z.array(z.object({ revision: z.number(), status: z.string() })),
      })
      .parse(await followed.json());
    expect(view.versionKey).toBe('fix-dax#v2');
    expect(view.links.thread).toBe('https://lore.kernel.org/r/fix-dax%23v2-0@example.org');
    expect(view.history.map((h) => h.revision)).toEqual([1, 2]);
    const row = await store.db
      .selectFrom('series_versions')
      .select('id')
      .where('version_key', '=', 'fix-dax#v2')
      .executeTakeFirstOrThrow();
    const byId = await fetch(url(`/series/${row.id}`), { redirect: 'manual' });
    expect(byId.headers.get('location')).toBe(canonical);
    expect((await fetch(url('/series/nobody@nowhere.json'))).status).toBe(404);
    const mbox = await fetch(url(`${canonical}/mbox`));
    expect(mbox.headers.get('content-disposition')).toContain('attachment');
    expect(await mbox.text()).toContain('[PATCH 1/3]');
  });

  it("serves a run's kept artifacts at /runs/<no>/artifacts/<name> and lists them on the run page", async () => {
    const run = await store.db.selectFrom('runs').select('run_no').orderBy('id').executeTakeFirstOrThrow();
    const config = 'CONFIG_FS_DAX=y\nCONFIG_DEV_DAX=y\n';
    const blob = await storeBlob(artifactsDir, Readable.from([Buffer.from(config)]));
    await linkBlob(artifactsDir, run.run_no, 'config', blob.sha256);
    await writeManifest(artifactsDir, {
      runNo: run.run_no,
      keptAt: new Date(clock).toISOString(),
      files: [{ name: 'config', ...blob }],
      skipped: [{ name: 'vmlinux', reason: 'not made' }],
    });
    const res = await fetch(url(`/runs/${run.run_no}/artifacts/config`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(await res.text()).toBe(config);
    const page = await (await fetch(url(`/runs/${run.run_no}`))).text();
    expect(page).toContain(`href="/runs/${run.run_no}/artifacts/config"`);
    expect(page).toContain('vmlinux not kept: not made');
    expect((await fetch(url(`/runs/${run.run_no}/artifacts/bzImage`))).status).toBe(404);
    expect((await fetch(url(`/runs/${run.run_no}/artifacts/..%2Fmanifest.json`))).status).toBe(404);
  });

  it('refuses an oversized body and keeps the strict CSP on every answer', async () => {
    const big = await fetch(url('/login'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: dash.url },
      body: `secret=${'x'.repeat(100_000)}`,
    });
    expect(big.status).toBe(413);
    for (const p of ['/', '/series', '/nope', '/series.json']) {
      const res = await fetch(url(p));
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});
