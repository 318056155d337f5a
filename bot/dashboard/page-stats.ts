/** `/stats`: outcomes per week, build and boot time per runner, test failure and flake rates. Pure. */
import { html } from './html.ts';
import { page, type PageContext } from './layout.ts';
import type { StatsView } from './stats-data.ts';
import { linesSvg, stackedBarsSvg } from './svg.ts';

/** Colours as the badges have them: failures red and amber, pass green, the machinery's grey. */
const OUTCOME_CLASS: Record<string, string> = {
  regression: 's0',
  'build-failed': 's1',
  'apply-failed': 's5',
  'pre-existing-only': 's3',
  pass: 's2',
  infra: 's4',
};

const pct = (f: number): string => `${Math.round(f * 1000) / 10}%`;
const minutes = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 600) / 100);
const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 100) / 10);

export function renderStatsPage(v: StatsView, ctx: PageContext): string {
  const periods = v.weeks.map((w) => w.slice(5));
  const outcomes = stackedBarsSvg({
    title: 'finished jobs per week, by outcome',
    periods,
    categories: v.outcomes.categories,
    values: v.outcomes.perWeek,
    classes: v.outcomes.categories.map((c) => OUTCOME_CLASS[c] ?? 's4'),
  });
  const build = linesSvg({
    title: 'median build time per runner (minutes)',
    unit: ' min',
    periods,
    series: v.timings.map((t) => ({ name: t.runner, values: t.buildMs.map(minutes) })),
  });
  const boot = linesSvg({
    title: 'median boot time per runner (seconds)',
    unit: ' s',
    periods,
    series: v.timings.map((t) => ({ name: t.runner, values: t.bootMs.map(seconds) })),
  });
  const shown = v.tests.slice(0, 50);
  const body = html`<h1>Statistics</h1>
<p class="dim">Weeks from ${v.since} (Monday, UTC) · <a href="/stats?weeks=4">4 weeks</a> · <a href="/stats?weeks=26">26 weeks</a> · <a href="/stats?weeks=104">2 years</a></p>
<h2>Outcomes per week</h2>
${outcomes}
<h2>Build and boot time</h2>
${build}
${boot}
<h2>Tests: failure and flake rates</h2>
<p class="dim">A flake: the test both passed and failed within one group of repeated runs (a job's runs of one role, or a base's cached repeats). The ${shown.length} most flaky of ${v.tests.length} tests.</p>
<table><tr><th>test</th><th>runs</th><th>failed</th><th>failure rate</th><th>repeat groups</th><th>flaky in</th><th>flake rate</th></tr>
${shown.map((t) => html`<tr><td class="mono mid">${t.suite}/${t.name}</td><td class="num">${t.runs}</td><td class="num">${t.fails}</td><td class="num">${pct(t.failRate)}</td><td class="num">${t.groups}</td><td class="num">${t.flaky}</td><td class="num">${pct(t.flakeRate)}</td></tr>\n`)}</table>`;
  return page(ctx, { title: 'statistics', jsonHref: '/stats.json' }, body);
}
