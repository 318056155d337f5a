/**
 * The real dashboard server on a loopback port, over a real SQLite file filled by running the
 * pipeline with the scripted runner (five patches, the third crashes: confirmed, bisected,
 * replied). Checks the page the reply links to, the JSON twins, the re-run's refusals and a
 * maintainer's re-run showing up on the queue, and that a hostile subject stays inert.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startDashboard, type RunningDashboard } from '../../bot/dashboard/server.ts';
import { silentLogger } from '../../bot/log.ts';
import { runCycle } from '../../bot/queue/cycle.ts';
import { createScriptedRunner } from '../../bot/pipeline/scripted-runner.ts';
import { saveSeriesVersions } from '../../bot/store/series.ts';
import { openStore, type Store } from '../../bot/store/store.ts';
import { FakeSender, fakeDeps, testConfig, version } from '../helpers/pipeline-fakes.ts';
import { daxbotBin, repoRoot } from '../helpers/cli.ts';

const SECRET = 'maintainers-secret-for-tests';
const EVIL = '<script>alert("pwned")</script> dax: fix';
const KEY = 'evil-series#v1';
const PUBLIC_URL = 'http://dashboard.test';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-dashboard-'));
let store: Store;
let dash: RunningDashboard;

const jsonObject = z.record(z.unknown());
const queueSchema = z.object({
  queued: z.array(
    z.object({
      id: z.number(),
      versionKey: z.string(),
      priority: z.number(),
      requestedBy: z.string().nullable(),
      estimatedStart: z.string().nullable(),
    }),
  ),
  recent: z.array(z.object({ versionKey: z.string(), outcome: z.string().nullable() })),
});
const seriesSchema = z.object({
  subject: z.string(),
  jobs: z.array(
    z.object({
      id: z.number(),
      verdict: z.object({ outcome: z.string() }).nullable(),
      bisection: z.object({ firstBad: z.number().nullable() }).nullable(),
      runs: z.array(z.object({ id: z.number() })),
    }),
  ),
  replies: z.array(z.object({ body: z.string() })),
});

function url(p: string): string {
  return `${dash.url}${p}`;
}

function setCookies(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
}

beforeAll(async () => {
  store = await openStore(path.join(dir, 'db.sqlite'));
  await saveSeriesVersions(store.db, [version(KEY, 5, { subject: EVIL })], '2024-06-01T12:00:00.000Z');
  const config = testConfig({ mail: { dashboardUrl: PUBLIC_URL } });
  const runner = createScriptedRunner('fake', { delayMs: 0, badPatch: 3, baseCrashes: false });
  // The scripted runner counts "[PATCH" subjects in the mbox it is given.
  const exportMbox = async (): Promise<Buffer> =>
    Buffer.from(Array.from({ length: 5 }, (_, i) => `Subject: [PATCH ${i + 1}/5] patch\n`).join(''));
  const deps = fakeDeps(store, runner, new FakeSender(), { config, exportMbox, now: () => new Date() });
  await runCycle(deps, { since: null });
  dash = await startDashboard(
    {
      store,
      config,
      log: silentLogger(),
      now: () => new Date(),
      secret: () => SECRET,
      secretEnv: 'DAXBOT_DASHBOARD_TOKEN',
    },
    { host: '127.0.0.1', port: 0 },
  );
}, 60_000);

afterAll(async () => {
  await dash?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard over a real store', () => {
  it('serves the series page at exactly the URL the reply links to, with verdict and bisection', async () => {
    const reply = await store.db
      .selectFrom('replies')
      .select('raw')
      .where('version_key', '=', KEY)
      .executeTakeFirstOrThrow();
    const link = `${PUBLIC_URL}/series/${encodeURIComponent(KEY)}`;
    expect(reply.raw).toContain(link);
    const res = await fetch(url(link.slice(PUBLIC_URL.length)));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('<h2>Jobs</h2>');
    expect(page).toContain('crash: BUG: kernel NULL pointer dereference');
    expect(page).toMatch(/\d\/\d series runs crash, 0\/\d base runs/);
    expect(page).toContain('<span class="badge bad">new-failure</span>');
    expect(page).toContain('first bad commit: [PATCH 3/5] patch number 3');
    expect(page).toContain('Bisection within the series');
  });

  it('every page has a JSON twin that parses', async () => {
    const series = seriesSchema.parse(await (await fetch(url(`/series/${encodeURIComponent(KEY)}.json`))).json());
    expect(series.subject).toBe(EVIL);
    expect(series.jobs[0]?.verdict?.outcome).toBe('regression');
    expect(series.jobs[0]?.bisection?.firstBad).toBe(3);
    expect(series.replies[0]?.body).toContain('first bad commit: [PATCH 3/5]');
    const viaAccept = await fetch(url(`/series/${encodeURIComponent(KEY)}`), {
      headers: { Accept: 'application/json' },
    });
    expect(viaAccept.headers.get('content-type')).toMatch(/^application\/json/);
    expect(seriesSchema.parse(await viaAccept.json()).subject).toBe(EVIL);
    const queue = queueSchema.parse(await (await fetch(url('/index.json'))).json());
    expect(queue.recent.find((r) => r.versionKey === KEY)?.outcome).toBe('regression');
    const runId = series.jobs[0]?.runs[0]?.id;
    expect(jsonObject.parse(await (await fetch(url(`/runs/${runId}.json`))).json())).toHaveProperty('step');
    const baselines = z
      .object({ groups: z.array(z.object({ runner: z.string(), repeats: z.array(z.object({ id: z.number() })) })) })
      .parse(await (await fetch(url('/baselines.json'))).json());
    expect(baselines.groups[0]?.runner).toBe('fake');
    expect((await fetch(url(`/baselines/${baselines.groups[0]?.repeats[0]?.id}`))).status).toBe(200);
    expect((await fetch(url('/series/nope%23v1.json'))).status).toBe(404);
  });

  it('keeps the hostile subject inert on every page', async () => {
    for (const p of ['/', `/series/${encodeURIComponent(KEY)}`]) {
      const page = await (await fetch(url(p))).text();
      expect(page).not.toContain('<script');
      expect(page).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; dax: fix');
    }
  });

  it('refuses re-runs without the secret, with a wrong one, and cross-origin form posts', async () => {
    const target = url(`/series/${encodeURIComponent(KEY)}/rerun`);
    const anon = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: dash.url },
      body: 'suites=dax',
    });
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toContain('Bearer');
    expect(await anon.text()).toContain('not logged in');
    const wrong = await fetch(target, {
      method: 'POST',
      headers: { Authorization: 'Bearer wrong', 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    expect(z.object({ error: z.string() }).parse(await wrong.json()).error).toBe('invalid bearer token');
    const jobs = await store.db.selectFrom('jobs').select('id').execute();
    expect(jobs).toHaveLength(1);
  });

  it('a logged-in maintainer re-runs from the form: a priority job on the queue, requester recorded', async () => {
    const form = await fetch(url('/login'));
    const loginCookie = setCookies(form).find((c) => c.startsWith('daxbot_login='));
    const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(loginCookie && csrf).toBeTruthy();
    const badLogin = await fetch(url('/login'), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: dash.url, Cookie: loginCookie ?? '' },
      body: new URLSearchParams({ name: 'dan', secret: 'guess', csrf: csrf ?? '' }).toString(),
    });
    expect(badLogin.status).toBe(401);
    const login = await fetch(url('/login'), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: dash.url, Cookie: loginCookie ?? '' },
      body: new URLSearchParams({
        name: 'dan',
        secret: SECRET,
        csrf: csrf ?? '',
        next: `/series/${encodeURIComponent(KEY)}`,
      }).toString(),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(`/series/${encodeURIComponent(KEY)}`);
    const session =
      setCookies(login).find((c) => c.startsWith('daxbot_session=') && c.length > 'daxbot_session='.length) ?? '';
    const page = await (
      await fetch(url(`/series/${encodeURIComponent(KEY)}`), { headers: { Cookie: session } })
    ).text();
    const token =
      /action="\/series\/[^"]+\/rerun">\s*<input type="hidden" name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    expect(token).not.toBe('');
    const target = url(`/series/${encodeURIComponent(KEY)}/rerun`);
    const post = (headers: Record<string, string>, body: string): Promise<Response> =>
      fetch(target, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: session, ...headers },
        body,
      });
    expect((await post({ Origin: 'http://evil.example' }, `csrf=${token}&suites=dax`)).status).toBe(403);
    expect((await post({ Origin: dash.url }, 'csrf=forged&suites=dax')).status).toBe(403);
    expect((await post({ Origin: dash.url }, `csrf=${token}&suites=dax&repeat=99`)).status).toBe(400);
    const ok = await post({ Origin: dash.url }, `csrf=${token}&suites=dax&repeat=2`);
    expect(ok.status).toBe(303);
    const queue = queueSchema.parse(await (await fetch(url('/'), { headers: { Accept: 'application/json' } })).json());
    const job = queue.queued.find((j) => j.versionKey === KEY);
    expect(job).toMatchObject({ priority: 10, requestedBy: 'dashboard:dan' });
    expect(job?.estimatedStart).not.toBeNull();
    const home = await (await fetch(url('/'))).text();
    expect(home).toContain(`#${job?.id}`);
    expect(home).toContain('asked by dashboard:dan');
  });

  it('a script re-runs with the bearer token and gets the new jobs as JSON', async () => {
    const res = await fetch(url(`/series/${encodeURIComponent(KEY)}/rerun`), {
      method: 'POST',
      headers: { Authorization: `Bearer ${SECRET}`, 'X-Daxbot-User': 'ci-bot', 'Content-Type': 'application/json' },
      body: JSON.stringify({ suites: ['dax'] }),
    });
    expect(res.status).toBe(201);
    const body = z
      .object({ jobIds: z.array(z.number()).min(1), priority: z.number(), requestedBy: z.string() })
      .parse(await res.json());
    expect(body).toMatchObject({ priority: 10, requestedBy: 'dashboard:ci-bot' });
    const row = await store.db
      .selectFrom('jobs')
      .select(['priority', 'trigger', 'options'])
      .where('id', '=', body.jobIds[0] ?? 0)
      .executeTakeFirstOrThrow();
    expect(row.trigger).toBe('rerun');
    expect(JSON.parse(row.options)).toMatchObject({ requestedBy: 'dashboard:ci-bot', suites: ['dax'] });
    const missing = await fetch(url('/series/nope%23v1/rerun'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${SECRET}` },
    });
    expect(missing.status).toBe(404);
    expect(z.object({ error: z.string() }).parse(await missing.json()).error).toContain('nope#v1');
  });
});

describe('daxbot dashboard (the command)', () => {
  it('serves until SIGTERM, then exits 0', async () => {
    const child = spawn(
      process.execPath,
      [daxbotBin, '--db', path.join(dir, 'cli.sqlite'), '--log-level', 'warn', 'dashboard', '--listen', '127.0.0.1:0'],
      {
        cwd: repoRoot,
        env: { ...process.env, DAXBOT_DASHBOARD_TOKEN: SECRET },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let out = '';
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 30_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /dashboard on (http:\/\/\S+)/.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const res = await fetch(`${base}/index.json`);
    expect(res.status).toBe(200);
    expect(queueSchema.parse(await res.json()).recent).toEqual([]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
