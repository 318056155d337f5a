/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core, over the whole
 * real nvdimm archive (~1,277 series versions) and a few hundred recorded runs
 * (test/helpers/archive-store.ts). A maintainer logs in, searches for a series of the archive by
 * a word of its subject, filters the list by outcome and pages forward, opens a series by the
 * Message-ID of one of its patches (redirected to the canonical URL), starts a re-run with a
 * chosen suite and sees it queued, then the statistics' charts and a run page. Nothing on any
 * page may trip the strict CSP (the browser reports violations on its console). Screenshots of
 * each page are kept in test/output/dashboard-browser/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startDashboard, type RunningDashboard } from '../../bot/dashboard/server.ts';
import { silentLogger } from '../../bot/log.ts';
import type { Store } from '../../bot/store/store.ts';
import { archiveStore, NVDIMM_ARCHIVE } from '../helpers/archive-store.ts';
import { testConfig } from '../helpers/pipeline-fakes.ts';

const CHROMIUM = '/usr/bin/chromium';
const SECRET = 'browser-test-secret';
const SHOTS = path.resolve('test', 'output', 'dashboard-browser');
const ready = existsSync(NVDIMM_ARCHIVE) && existsSync(CHROMIUM);

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-dash-browser-'));
let store: Store | null = null;
let dash: RunningDashboard;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!ready) return;
  mkdirSync(SHOTS, { recursive: true });
  store = await archiveStore(path.join(dir, 'db.sqlite'));
  if (!store) throw new Error('the archive store could not be made');
  const config = testConfig({
    mail: { dashboardUrl: 'http://127.0.0.1' },
    runners: [
      { name: 'qemu-pmem', kind: 'qemu-pmem', suites: ['dax', 'fstests-dax'] },
      { name: 'nfit-sim', kind: 'nfit-sim', suites: ['nfit-sim', 'ndctl'] },
    ],
  });
  const deps = { store, config, log: silentLogger(), now: () => new Date('2026-12-01T00:00:00.000Z') };
  dash = await startDashboard(
    { ...deps, secret: () => SECRET, secretEnv: 'DAXBOT_DASHBOARD_TOKEN', artifactsDir: path.join(dir, 'a') },
    { host: '127.0.0.1', port: 0 },
  );
  browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A tested series of the archive with a distinctive word in its subject, and one patch's Message-ID. */
async function pickSeries(s: Store): Promise<{ key: string; subject: string; word: string; patchId: string }> {
  const row = await s.db
    .selectFrom('series_versions as sv')
    .innerJoin('jobs as j', 'j.version_key', 'sv.version_key')
    .innerJoin('version_messages as m', 'm.version_key', 'sv.version_key')
    .select(['sv.version_key', 'sv.subject', 'm.message_id'])
    .where('j.outcome', '=', 'regression')
    .where('m.message_id', '!=', 'sv.root_message_id')
    .orderBy('sv.id')
    .executeTakeFirstOrThrow();
  const words = row.subject.split(/[^A-Za-z0-9_]+/).filter((w) => w.length >= 6);
  const word = words.sort((a, b) => b.length - a.length)[0] ?? row.subject;
  return { key: row.version_key, subject: row.subject, word, patchId: row.message_id };
}

describe.skipIf(!ready)('the dashboard in chromium over the real nvdimm archive', () => {
  it('log in, search, filter, page, open by Message-ID, re-run with a suite, see it queued', async () => {
    const base = dash.url;
    const target = await pickSeries(store ?? (await Promise.reject(new Error('no store'))));
    await page.goto(`${base}/login`);
    await page.fill('input[name=name]', 'dan');
    await page.fill('input[name=secret]', SECRET);
    await shot('01-login');
    await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/login"] button')]);
    expect(await page.textContent('header')).toContain('dan');
    await shot('02-queue');

    await page.goto(`${base}/series`);
    expect(await page.textContent('nav.pager')).toMatch(/of \d+ · 1[,.]?\d{3} series versions/);
    await page.fill('input[name=q]', target.word);
    await Promise.all([page.waitForURL(/\/series\?q=/), page.click('form.filters button')]);
    expect(await page.textContent('main table')).toContain(target.subject);
    await shot('03-search');

    await page.fill('input[name=q]', '');
    await page.selectOption('select[name=outcome]', 'pass');
    await Promise.all([page.waitForURL(/outcome=pass/), page.click('form.filters button')]);
    const outcomes = await page.locator('main table tr td:nth-child(6)').allTextContents();
    expect(outcomes.length).toBeGreaterThan(10);
    for (const o of outcomes) expect(o.trim()).toBe('pass');
    await Promise.all([page.waitForURL(/page=2/), page.click('a[rel=next] >> nth=0')]);
    expect(await page.textContent('nav.pager')).toContain('page 2 of');
    await shot('04-filter-page-2');

    await page.goto(`${base}/series/${encodeURIComponent(`<${target.patchId}>`)}`);
    expect(page.url()).toBe(`${base}/series/${encodeURIComponent(target.key)}`);
    expect(await page.textContent('h1')).toBe(target.subject);
    await shot('05-series');

    await page.check('fieldset.suites input[value="fstests-dax"]');
    await Promise.all([page.waitForURL(/#job-\d+$/), page.click('form[action$="/rerun"] button')]);
    const jobId = /#job-(\d+)$/.exec(page.url())?.[1] ?? '';
    expect(await page.textContent(`#job-${jobId} h3`)).toContain('queued');
    await shot('06-rerun-queued');
    await page.goto(`${base}/`);
    const queuedRows = await page.locator('h2:has-text("Queued") + table tr').allTextContents();
    expect(queuedRows.some((r) => r.includes(`#${jobId}`) && r.includes('asked by dashboard:dan'))).toBe(true);
    await shot('07-queue-with-rerun');

    await page.goto(`${base}/stats?weeks=52`);
    expect(await page.locator('svg.plot').count()).toBe(3);
    expect(await page.locator('svg.plot rect[class^="s"] >> nth=0').isVisible()).toBe(true);
    expect(await page.textContent('main table')).toContain('dax/fsdax-mount');
    await shot('08-stats');
    const run = await page.goto(`${base}/series/${encodeURIComponent(target.key)}`);
    expect(run?.status()).toBe(200);
    await Promise.all([page.waitForURL(/\/runs\/\d+$/), page.click('a[href^="/runs/"] >> nth=0')]);
    expect(await page.textContent('h1')).toMatch(/run #\d+/);
    await shot('09-run');

    const mbox = await fetch(`${base}/series/${encodeURIComponent(target.key)}/mbox`);
    expect(mbox.status).toBe(200);
    expect(await mbox.text()).toMatch(/^Subject: \[PATCH/m);
    const json = z
      .object({ versionKey: z.string(), jobs: z.array(z.object({ id: z.number() })) })
      .parse(await (await fetch(`${base}/series/${encodeURIComponent(target.patchId)}.json`)).json());
    expect(json.versionKey).toBe(target.key);
    expect(json.jobs.map((j) => j.id)).toContain(Number(jobId));
    expect(consoleErrors).toEqual([]);
  }, 300_000);
});
