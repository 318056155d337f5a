/** `/series`: the search form with its filters, one page of series versions, the pager. Pure. */
import { badge, when } from './format.ts';
import { html, seg, type Html } from './html.ts';
import { page, type PageContext } from './layout.ts';
import type { SeriesListItem, SeriesListView, SeriesQuery } from './series-list-data.ts';

/** The query as URL parameters, defaults left out, with `page` replaced. */
export function seriesQueryString(q: SeriesQuery, pageNo: number): string {
  const p = new URLSearchParams();
  for (const k of ['q', 'project', 'tree', 'runner', 'outcome', 'from', 'to'] as const) {
    const v = q[k];
    if (v !== null) p.set(k, v);
  }
  if (q.sort !== 'mail') p.set('sort', q.sort);
  if (q.per !== 50) p.set('per', String(q.per));
  if (pageNo > 1) p.set('page', String(pageNo));
  const text = p.toString();
  return text ? `?${text}` : '';
}

function select(name: string, label: string, value: string | null, choices: string[]): Html {
  return html`<label>${label} <select name="${name}"><option value="">any</option>${choices.map(
    (c) => html`<option${c === value ? ' selected' : ''}>${c}</option>`,
  )}</select></label>`;
}

function filters(v: SeriesListView): Html {
  const q = v.query;
  return html`<form class="filters" method="get" action="/series">
<label>search <input type="search" name="q" value="${q.q ?? ''}" placeholder="subject, author or Message-ID" size="32"></label>
${select('project', 'project', q.project, v.choices.projects)}
${select('tree', 'tree', q.tree, v.choices.trees)}
${select('runner', 'runner', q.runner, v.choices.runners)}
${select('outcome', 'outcome', q.outcome, v.choices.outcomes)}
<label>mail from <input type="date" name="from" value="${q.from ?? ''}"></label>
<label>to <input type="date" name="to" value="${q.to ?? ''}"></label>
<label>sort <select name="sort"><option value="mail"${q.sort === 'mail' ? ' selected' : ''}>newest mail</option><option value="tested"${q.sort === 'tested' ? ' selected' : ''}>newest test</option></select></label>
<button>search</button>
</form>`;
}

export function statusCell(status: string): Html {
  if (status === 'untested') return html`<span class="dim">not tested</span>`;
  return badge(status);
}

export function seriesRow(r: SeriesListItem, ctx: PageContext): Html {
  const rev = r.revision > 1 ? html` <span class="dim">v${r.revision}</span>` : '';
  const patches = html`${r.present}/${r.expected}${r.complete ? '' : html` <span class="warn">incomplete</span>`}`;
  return html`<tr><td class="mid"><a href="/series/${seg(r.versionKey)}">${r.subject}</a>${rev}</td><td>${r.author}</td><td class="num">${patches}</td><td>${when(r.lastDate, ctx.now)}</td><td>${when(r.testedAt, ctx.now)}</td><td>${statusCell(r.status)}</td></tr>\n`;
}

export function seriesTable(items: SeriesListItem[], ctx: PageContext): Html {
  if (items.length === 0) return html`<p class="dim">no series versions match</p>`;
  return html`<table>
<tr><th>series</th><th>author</th><th>patches</th><th>last mail</th><th>last tested</th><th>outcome</th></tr>
${items.map((r) => seriesRow(r, ctx))}</table>`;
}

function pager(v: SeriesListView): Html {
  const prev =
    v.page > 1 ? html`<a rel="prev" href="/series${seriesQueryString(v.query, v.page - 1)}">← newer</a>` : '';
  const next =
    v.page < v.pages ? html`<a rel="next" href="/series${seriesQueryString(v.query, v.page + 1)}">older →</a>` : '';
  return html`<nav class="pager">${prev}<span>page ${v.page} of ${v.pages} · ${v.total} series version${v.total === 1 ? '' : 's'}</span>${next}</nav>`;
}

export function renderSeriesListPage(v: SeriesListView, ctx: PageContext): string {
  const body = html`<h1>Series</h1>
${filters(v)}
${pager(v)}
${seriesTable(v.items, ctx)}
${pager(v)}`;
  return page(ctx, { title: 'series', jsonHref: `/series.json${seriesQueryString(v.query, v.page)}` }, body);
}
