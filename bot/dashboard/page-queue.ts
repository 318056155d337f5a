/** `/`: the queue, then the series versions tested most recently with where they stand. Pure. */
import { badge, fmtDuration, when } from './format.ts';
import { statusCell } from './page-series-list.ts';
import { html, seg, type Html } from './html.ts';
import { page, type PageContext } from './layout.ts';
import type { QueueJob, QueueView, RecentVersion } from './queue-data.ts';

function seriesLink(key: string, subject: string | null): Html {
  return html`<a href="/series/${seg(key)}">${subject ?? key}</a>`;
}

function requester(j: QueueJob): Html {
  return j.requestedBy ? html`<br><span class="dim">asked by ${j.requestedBy}</span>` : html``;
}

function jobTable(jobs: QueueJob[], last: { head: string; cell: (j: QueueJob) => Html }): Html {
  if (jobs.length === 0) return html`<p class="dim">none</p>`;
  return html`<table>
<tr><th>job</th><th>series</th><th>runner</th><th>trigger</th><th>state</th><th>${last.head}</th></tr>
${jobs.map(
  (j) =>
    html`<tr><td class="num">#${j.id}</td><td>${seriesLink(j.versionKey, j.subject)}${requester(j)}</td><td>${j.runner}</td><td>${j.trigger}${j.priority > 0 ? html` <span class="dim">(priority ${j.priority})</span>` : ''}</td><td>${badge(j.state)}</td><td>${last.cell(j)}</td></tr>\n`,
)}</table>`;
}

function recentTable(ctx: PageContext, rows: RecentVersion[]): Html {
  if (rows.length === 0) return html`<p class="dim">no series versions in the store yet</p>`;
  return html`<table>
<tr><th>series</th><th>author</th><th>patches</th><th>last mail</th><th>last tested</th><th>outcome</th><th>jobs</th></tr>
${rows.map(
  (r) =>
    html`<tr><td>${seriesLink(r.versionKey, r.subject)}${r.revision > 1 ? html` <span class="dim">v${r.revision}</span>` : ''}</td><td>${r.author}</td><td class="num">${r.present}/${r.expected}${r.complete ? '' : html` <span class="warn">incomplete</span>`}</td><td>${when(r.lastDate, ctx.now)}</td><td>${when(r.testedAt, ctx.now)}</td><td>${statusCell(r.status)}${r.invalid ? html` ${badge('invalid')}` : ''}</td><td>${r.jobs.map((j) => html`<span class="mono">#${j.id}</span> ${j.runner} ${j.state === 'done' ? badge(j.outcome) : badge(j.state)}<br>`)}</td></tr>\n`,
)}</table>`;
}

export function renderQueuePage(v: QueueView, ctx: PageContext): string {
  const body = html`<h1>Queue</h1>
<p class="dim">${v.concurrency} worker slot${v.concurrency === 1 ? '' : 's'}; a job takes about ${fmtDuration(v.meanJobMs)} (mean of recent jobs). The page reloads every 15 s.</p>
<h2>Running (${v.running.length})</h2>
${jobTable(v.running, { head: 'progress', cell: (j) => html`${j.progress ?? html`<span class="dim">starting</span>`}<br><span class="dim">started ${when(j.startedAt, ctx.now)}</span>` })}
<h2>Queued (${v.queued.length})</h2>
${jobTable(v.queued, { head: 'estimated start', cell: (j) => html`${when(j.estimatedStart, ctx.now)}${j.state !== 'new' && j.state !== 'queued' ? html`<br><span class="dim">resumes at ${j.state}</span>` : ''}` })}
<h2>Waiting for the rest of the series (${v.waiting.length})</h2>
${jobTable(v.waiting, { head: 'tested as it is after', cell: (j) => when(j.notBefore, ctx.now) })}
<h2>Infrastructure failures (${v.infraFailed.length})</h2>
${jobTable(v.infraFailed, { head: 'next retry', cell: (j) => html`${when(j.notBefore, ctx.now)}<br><span class="dim">attempt ${j.attempts}: ${j.error ?? ''}</span>` })}
<h2>Recently tested</h2>
<p class="dim">Every series version, with search and filters: <a href="/series">series</a>.</p>
${recentTable(ctx, v.recent)}`;
  return page(ctx, { title: 'queue', refresh: 15, jsonHref: '/index.json' }, body);
}
