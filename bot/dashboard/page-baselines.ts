/** `/baselines`: which base commits are cached for which runner, config and suites. Pure. */
import { badge, fmtDuration, shortSha, when } from './format.ts';
import { html } from './html.ts';
import { page, type PageContext } from './layout.ts';
import type { BaselinesView } from './run-data.ts';

export function renderBaselinesPage(v: BaselinesView, ctx: PageContext): string {
  const body = html`<h1>Cached base runs</h1>
<p class="dim">A base run is made once per (runner, base commit, runner configuration, suites) and shared by every series on that base. A cache under an older configuration is no longer used.</p>
${
  v.groups.length === 0
    ? html`<p class="dim">none yet</p>`
    : html`<table>
<tr><th>runner</th><th>base commit</th><th>suites</th><th>configuration</th><th>runs</th></tr>
${v.groups.map(
  (g) =>
    html`<tr><td>${g.runner}</td><td class="mono" title="${g.treeCommit}">${shortSha(g.treeCommit)}</td><td>${g.suites.join(', ') || '(runner default)'}</td><td><span class="mono">${g.configHash}</span> ${g.currentConfig ? badge('current') : html`<span class="dim">(older)</span>`}</td><td>${g.repeats.map((r) => html`<a href="/runs/${r.id}">run #${r.id}</a> repeat ${r.repeat} ${badge(r.failureClass)} ${fmtDuration(r.durationMs)}, ${when(r.createdAt, ctx.now)}<br>`)}</td></tr>\n`,
)}</table>`
}`;
  return page(ctx, { title: 'baselines', jsonHref: '/baselines.json' }, body);
}
