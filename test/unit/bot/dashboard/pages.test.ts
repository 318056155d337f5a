import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from '../../../../bot/dashboard/html.ts';
import { CONTENT_SECURITY_POLICY } from '../../../../bot/dashboard/layout.ts';
import { renderBaselinesPage } from '../../../../bot/dashboard/page-baselines.ts';
import { renderErrorPage, renderHelpPage, renderLoginPage } from '../../../../bot/dashboard/page-misc.ts';
import { renderQueuePage } from '../../../../bot/dashboard/page-queue.ts';
import { renderRunPage } from '../../../../bot/dashboard/page-run.ts';
import { renderSeriesPage, sideText } from '../../../../bot/dashboard/page-series.ts';
import { expectGoldenText } from '../../../helpers/golden.ts';
import { anonymous, baselinesView, HOSTILE, maintainer, queueView, runView, seriesView } from './views.ts';

/** No tag from the data survives: only the escaped form of the hostile text may appear. */
function expectInert(page: string): void {
  expect(page).not.toContain('<script');
  expect(page).not.toContain(HOSTILE);
  expect(page).toContain(escapeHtml(HOSTILE));
}

describe('html', () => {
  it('escapes interpolated values, arrays too, and leaves markup built by the tag alone', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x"'}">${['<a>', inner, 3, null, false]}</p>`.text).toBe(
      '<p title="&quot;x&quot;">&lt;a&gt;<b>&lt;i&gt;</b>3</p>',
    );
    expect(html`${trusted('<hr>')}`.text).toBe('<hr>');
  });
});

describe('page renderers (golden)', () => {
  it('queue', () => {
    const page = renderQueuePage(queueView, anonymous);
    expectInert(page);
    expect(page).toContain('<meta http-equiv="refresh" content="15">');
    expectGoldenText('dashboard/queue.html', page);
  });

  it('series, as a logged-in maintainer (with the re-run form)', () => {
    const page = renderSeriesPage(seriesView, maintainer, ['dax', 'fstests-dax']);
    expectInert(page);
    expect(page).toContain('first bad commit: [PATCH 2/3] ext4: &lt;script&gt;');
    expect(page).toContain('<input type="hidden" name="csrf" value="csrf-token-1">');
    expect(page).toContain('action="/series/ser-a%23v2/rerun"');
    expect(page).toContain('Dan &lt;maint&gt;');
    // How base discovery found the base, and what it tried first.
    expect(page).toContain('found: blobs of 2 files match linux-6.1 at aaaaaaaa (certain)');
    expect(page).toMatch(
      /<li><span class="badge bad">bad<\/span> base-commit: base-commit 0123456789ab not in linux-6.1/,
    );
    expectGoldenText('dashboard/series.html', page);
  });

  it('series whose patch breaks the build and a later one fixes it: not bisectable, with the errors', () => {
    const [job] = seriesView.jobs;
    if (!job?.verdict) throw new Error('the view has a job with a verdict');
    const diag = { file: 'drivers/nvdimm/pmem.c', line: 531, column: 6, severity: 'error', message: HOSTILE };
    const notBisectable = { n: 3, broken: 1, fixedBy: 2, errors: [diag], note: 'does not build' };
    const view = { ...seriesView, jobs: [{ ...job, verdict: { ...job.verdict, notBisectable } }] };
    const page = renderSeriesPage(view, anonymous);
    expectInert(page);
    expect(page).toContain('Not bisectable: a patch does not build');
    expect(page).toMatch(/first patch that does not build: <span class="mono">\[PATCH 1\/3\] /);
    expect(page).toContain('builds again with: <span class="mono">[PATCH 2/3] ext4: &lt;script&gt;');
    expect(page).toContain('drivers/nvdimm/pmem.c:531:6: error: ');
    expect(renderSeriesPage(seriesView, anonymous)).not.toContain('Not bisectable');
  });

  it('series, anonymous: a login link instead of the form', () => {
    const page = renderSeriesPage(seriesView, anonymous);
    expect(page).not.toContain('name="csrf"');
    expect(page).toContain('href="/login?next=%2Fseries%2Fser-a%2523v2"');
  });

  it('run with its console excerpt', () => {
    const page = renderRunPage(runView, anonymous);
    expectInert(page);
    expect(page).toContain('lines 701–1000 of 1000');
    expectGoldenText('dashboard/run.html', page);
  });

  it('baselines', () => {
    expectGoldenText('dashboard/baselines.html', renderBaselinesPage(baselinesView, anonymous));
  });

  it('login, help and error pages', () => {
    expectGoldenText(
      'dashboard/login.html',
      renderLoginPage(anonymous, { next: '/series/x', csrf: 'login-token', error: HOSTILE }),
    );
    expect(renderLoginPage({ ...anonymous, rerunEnabled: false }, { next: '/', csrf: 't' })).toContain(
      'Logging in is off',
    );
    expect(renderHelpPage(anonymous)).toContain('#daxbot retest');
    expectInert(renderErrorPage(anonymous, 404, `no series version ${HOSTILE}`));
  });

  it('a subject with <script> is inert on every page that shows it', () => {
    const pages = [
      renderQueuePage(queueView, maintainer),
      renderSeriesPage(seriesView, anonymous),
      renderRunPage(runView, maintainer),
    ];
    for (const p of pages) expectInert(p);
    // Belt and braces: the policy forbids every script, inline or not.
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('script-src');
  });

  it('verdict sides show their counts', () => {
    expect(sideText({ runs: 2, pass: 0, fail: 2, skip: 0, absent: 0 }, true)).toBe('crash 2/2');
    expect(sideText({ runs: 3, pass: 1, fail: 2, skip: 0, absent: 0 }, false)).toBe('flaky: fail 2/3');
    expect(sideText({ runs: 0, pass: 0, fail: 0, skip: 0, absent: 0 }, false)).toBe('-');
  });
});
