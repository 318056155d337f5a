/**
 * `/series/<version key>`: everything known about one series version. Pure. Nearly every string
 * here came from mail or from a kernel console; the `html` tag escapes all of it.
 */
import { badge, fmtDuration, shortSha, when } from './format.ts';
import { statusCell } from './page-series-list.ts';
import { html, seg, type Html } from './html.ts';
import { page, type PageContext } from './layout.ts';
import type { BaseRecordView } from '../jobs/base-record.ts';
import type { SeriesJobView, SeriesPatchView, SeriesView } from './series-data.ts';
import type { StoredBisection, StoredVerdict, StoredVerdictEntry } from './stored-json.ts';

type Side = StoredVerdictEntry['base'];

/** One side of a verdict row with its counts, so agreement is visible at a glance. */
export function sideText(c: Side, crash: boolean): string {
  if (c.runs === 0) return '-';
  if (crash) return c.fail === 0 ? `no crash (0/${c.runs})` : `crash ${c.fail}/${c.runs}`;
  if (c.fail && c.pass) return `flaky: fail ${c.fail}/${c.runs}`;
  if (c.fail) return `FAIL ${c.fail}/${c.runs}`;
  if (c.pass) return `pass ${c.pass}/${c.runs}`;
  if (c.skip) return `skip ${c.skip}/${c.runs}`;
  return 'not run';
}

function patchLabel(patches: SeriesPatchView[], n: number, k: number, subject?: string): string {
  return `[PATCH ${k}/${n}] ${subject ?? patches.find((p) => p.counter === k)?.subject ?? '(missing)'}`;
}

function verdictTable(v: StoredVerdict): Html {
  if (v.entries.length === 0) return html`<p class="dim">no tests or crashes were recorded</p>`;
  return html`<table>
<tr><th>test</th><th>base</th><th>series</th><th>verdict</th><th>agreement</th></tr>
${v.entries.map((e) => {
  const crash = e.kind === 'crash';
  return html`<tr><td>${crash ? html`crash: ${e.finding?.title ?? e.name}` : html`<span class="mono">${e.key}</span>`}${e.reason ? html`<br><span class="dim">${e.reason}</span>` : ''}</td><td>${sideText(e.base, crash)}</td><td>${sideText(e.series, crash)}</td><td>${badge(e.class)}${e.unrelatedMark ? html`<br><span class="dim">marked by ${e.unrelatedMark.markedBy}</span>` : ''}</td><td>${e.agreement}</td></tr>\n`;
})}</table>`;
}

function crashBlocks(v: StoredVerdict): Html {
  const crashes = v.entries.filter((e) => e.kind === 'crash' && e.finding);
  if (crashes.length === 0) return html``;
  return html`<h4>Crashes</h4>
${crashes.map((e) => {
  const f = e.finding;
  if (!f) return '';
  const frames = f.symbolized && f.symbolized.length > 0 ? f.symbolized : f.trace;
  const lines = [
    f.rip ? `RIP: ${f.rip}` : null,
    f.process ? `Comm: ${f.process}` : null,
    frames.length ? 'Call Trace:' : null,
    ...frames.map((fr) => `  ${fr}`),
  ].filter((l): l is string => l !== null);
  return html`<p>${badge(e.class)} <strong>${f.title}</strong> <span class="dim">(${e.agreement}${f.symbolized && f.symbolized.length ? '; symbolized' : ''})</span></p>
<pre>${lines.join('\n')}</pre>
${f.report ? html`<details><summary>console report</summary><pre>${f.report}</pre></details>` : ''}`;
})}`;
}

function failureExcerpts(v: StoredVerdict): Html {
  const failing = v.entries.filter((e) => e.kind === 'test' && e.excerpt && e.class !== 'pass');
  if (failing.length === 0) return html``;
  return html`<h4>Test output</h4>${failing.map((e) => html`<p class="mono">${e.key}</p><pre>${e.excerpt ?? ''}</pre>`)}`;
}

function verdictBlock(v: StoredVerdict): Html {
  const infra = v.infraRuns.base + v.infraRuns.series;
  return html`<p>${badge(v.outcome)} ${v.summary}</p>
<p class="dim">${v.seriesRuns} run${v.seriesRuns === 1 ? '' : 's'} with the series, ${v.baseRuns} on the base${infra ? ` (${infra} more lost to machinery failures)` : ''}</p>
${(v.notCounted ?? []).map((n) => html`<p class="dim">not counted: ${n.title} (marked unrelated by ${n.markedBy} on ${n.markedAt.slice(0, 10)})</p>`)}
${v.applyFailure ? html`<div class="notice">The series does not apply${v.applyFailure.failedPatch !== undefined ? html` at patch ${v.applyFailure.failedPatch}` : ''} to <span class="mono">${shortSha(v.applyFailure.base)}</span> (${v.applyFailure.reason}).${v.applyFailure.conflictFiles?.length ? html`<br>Conflicts in: ${v.applyFailure.conflictFiles.join(', ')}` : ''}${v.applyFailure.output ? html`<pre>${v.applyFailure.output}</pre>` : ''}</div>` : ''}
${
  v.buildErrors?.length
    ? html`<h4>Build errors</h4><pre>${v.buildErrors
        .filter((e) => e.severity === 'error')
        .map((e) => `${e.file}:${e.line}${e.column !== undefined ? `:${e.column}` : ''}: error: ${e.message}`)
        .join('\n')}</pre>`
    : ''
}
${verdictTable(v)}
${crashBlocks(v)}
${failureExcerpts(v)}
${v.environmentProblems.length ? html`<p class="dim">Skipped for a missing prerequisite (the test environment's problem, not the series'): ${v.environmentProblems.map((e) => e.key).join(', ')}</p>` : ''}`;
}

/** A series that builds but not at every patch: which patch breaks the build, which fixes it. */
function notBisectableBlock(v: StoredVerdict, patches: SeriesPatchView[]): Html {
  const nb = v.notBisectable;
  if (!nb) return html``;
  const errors = nb.errors
    .filter((e) => e.severity === 'error')
    .map((e) => `${e.file}:${e.line}${e.column !== undefined ? `:${e.column}` : ''}: error: ${e.message}`);
  return html`<h4>Not bisectable: a patch does not build</h4>
<div class="notice">The kernel builds with the series but not with patches 1..${nb.broken}.<br>
first patch that does not build: <span class="mono">${patchLabel(patches, nb.n, nb.broken)}</span><br>
builds again with: <span class="mono">${patchLabel(patches, nb.n, nb.fixedBy)}</span></div>
<pre>${errors.join('\n') || nb.note}</pre>`;
}

function bisectionBlock(b: StoredBisection, patches: SeriesPatchView[]): Html {
  return html`<h4>Bisection within the series (${b.steps.length} step${b.steps.length === 1 ? '' : 's'})</h4>
<table>
<tr><th>step</th><th>patches applied</th><th>last patch</th><th>result</th><th>note</th></tr>
<tr><td class="dim">known</td><td>0 (the base)</td><td></td><td>${badge('good')}</td><td></td></tr>
${b.steps.map((s, i) => html`<tr><td class="num">${i + 1}</td><td>1..${s.k}</td><td>${patchLabel(patches, b.n, s.k, s.subject)}</td><td>${badge(s.result)}</td><td>${s.note ?? ''}</td></tr>\n`)}
<tr><td class="dim">known</td><td>1..${b.n} (all)</td><td></td><td>${badge('bad')}</td><td></td></tr>
</table>
${b.firstBad !== null ? html`<p><strong class="mono">first bad commit: ${patchLabel(patches, b.n, b.firstBad)}</strong></p>` : html`<p>Skipped steps left several candidates: ${b.candidates.map((k) => patchLabel(patches, b.n, k)).join('; ')}</p>`}`;
}

/** The base discovery found (or none: untestable), then every attempt in order. */
function foundBase(b: BaseRecordView): Html {
  const t = b.tested;
  const head = t
    ? html`${t.tree} <span class="mono">${shortSha(t.base)}</span>, found: ${t.how} (${t.certain ? 'certain' : 'a guess: an apply failure there is not mailed'})`
    : html`${badge('no-base')} untestable: the series applies to no candidate tree (recorded, not mailed)`;
  const tried = b.attempts.map((a) => html`<li>${badge(a.ok ? 'good' : 'bad')} ${a.step}: ${a.note}</li>`);
  return html`${head}${tried.length ? html`<ol class="attempts">${tried}</ol>` : ''}`;
}

function jobBlock(j: SeriesJobView, v: SeriesView, ctx: PageContext): Html {
  const asked = [
    j.suites ? `suites ${j.suites.join(', ')}` : null,
    j.repeats !== null ? `${j.repeats} confirmation repeat${j.repeats === 1 ? '' : 's'}` : null,
  ].filter((x): x is string => x !== null);
  return html`<section id="job-${j.id}">
<h3>Job #${j.id} on ${j.runner} ${j.slot === 'done' ? badge(j.outcome) : badge(j.slot === 'running' ? j.state : j.slot)}</h3>
<dl class="kv">
<dt>trigger</dt><dd>${j.trigger}${j.priority > 0 ? ` (priority ${j.priority})` : ''}${j.requestedBy ? `, asked by ${j.requestedBy}` : ''}${asked.length ? `; ${asked.join(', ')}` : ''}</dd>
${j.groupId !== j.id ? html`<dt>group</dt><dd>dispatched with <a href="#job-${j.groupId}">job #${j.groupId}</a></dd>` : ''}
<dt>state</dt><dd>${j.state}${j.progress ? html` — ${j.progress}` : ''}</dd>
${j.slot === 'infra-failed' || j.slot === 'waiting' ? html`<dt>${j.slot === 'waiting' ? 'waits until' : 'next retry'}</dt><dd>${when(j.notBefore, ctx.now)}</dd>` : ''}
${j.attempts || j.error ? html`<dt>attempts</dt><dd>${j.attempts}${j.error ? html` — <span class="bad">${j.error}</span>` : ''}</dd>` : ''}
<dt>created</dt><dd>${when(j.createdAt, ctx.now)}</dd>
${j.startedAt ? html`<dt>started</dt><dd>${when(j.startedAt, ctx.now)}</dd>` : ''}
${j.finishedAt ? html`<dt>finished</dt><dd>${when(j.finishedAt, ctx.now)}</dd>` : ''}
<dt>base</dt><dd>${j.baseFound ? foundBase(j.baseFound) : j.base ? html`<span class="mono">${j.base}</span>, chosen from the ${j.baseReason ?? '?'}` : html`<span class="dim">looked for when the job runs (${v.baseCommitTrailer ? 'base-commit trailer first' : 'no base-commit trailer'})</span>`}</dd>
${j.testedSuites.length ? html`<dt>suites</dt><dd>${j.testedSuites.join(', ')}</dd>` : ''}
${j.outcome && !j.verdict ? html`<dt>outcome</dt><dd>${badge(j.outcome)} ${j.summary ?? ''}</dd>` : ''}
</dl>
${j.verdict ? html`${verdictBlock(j.verdict)}${notBisectableBlock(j.verdict, v.patches)}` : ''}
${j.bisection && j.bisection.n > 1 ? bisectionBlock(j.bisection, v.patches) : ''}
${
  j.runs.length || j.baselines.length
    ? html`<h4>Runs (console logs)</h4><table>
<tr><th>run</th><th>step</th><th>result</th><th>duration</th><th>summary</th></tr>
${j.baselines.map((b) => html`<tr><td><a href="/runs/${b.id}">run #${b.id}</a></td><td>base:${b.repeat} <span class="dim">(cached, shared)</span></td><td>${badge(b.failureClass)}</td><td class="num">${fmtDuration(b.durationMs)}</td><td></td></tr>\n`)}
${j.runs.map((r) => html`<tr><td><a href="/runs/${r.id}">run #${r.id}</a></td><td>${r.step}</td><td>${badge(r.failureClass)}</td><td class="num">${fmtDuration(r.durationMs)}</td><td>${r.summary}</td></tr>\n`)}
</table>`
    : ''
}
</section>`;
}

function rerunForm(v: SeriesView, ctx: PageContext, suites: readonly string[]): Html {
  if (!ctx.rerunEnabled)
    return html`<p class="dim">Re-runs from the dashboard are off: the maintainers' secret is not set in the bot's environment.</p>`;
  if (!ctx.viewer)
    return html`<p><a href="/login?next=${seg(`/series/${seg(v.versionKey)}`)}">Log in</a> as a maintainer to test this version again.</p>`;
  return html`<form class="inline" method="post" action="/series/${seg(v.versionKey)}/rerun">
<input type="hidden" name="csrf" value="${ctx.viewer.csrf}">
<fieldset class="suites"><legend>suites (none ticked: each runner's own)</legend>${suites.map(
    (name) => html`<label><input type="checkbox" name="suites" value="${name}">${name}</label>`,
  )}</fieldset>
<label>base (commit or ref, optional)<input name="base" placeholder="v6.12" size="20" pattern="[A-Za-z0-9._/^~-]+"></label>
<label>confirmation repeats<input name="repeat" type="number" min="0" max="10" size="4"></label>
<button>Re-run with priority</button>
</form>`;
}

function historyBlock(v: SeriesView, ctx: PageContext): Html {
  if (v.history.length < 2) return html``;
  return html`<h2>Versions</h2><table>
<tr><th>version</th><th>last mail</th><th>outcome</th><th>changes from the version before</th></tr>
${v.history.map((h) => {
  const self = h.versionKey === v.versionKey;
  const name = self
    ? html`<strong>v${h.revision}</strong> (this)`
    : html`<a href="/series/${seg(h.versionKey)}">v${h.revision}</a>`;
  const c = h.change;
  const changes = c
    ? html`${c.note ? html`<strong>${c.note}</strong>` : ''}<ul class="changes">${c.subjects.added.map((a) => html`<li class="diff-add">+ ${a}</li>`)}${c.subjects.dropped.map((d) => html`<li class="diff-del">− ${d}</li>`)}<li class="diff-same">${c.subjects.kept} patch${c.subjects.kept === 1 ? '' : 'es'} kept</li></ul>`
    : html`<span class="dim">first version</span>`;
  return html`<tr><td class="nowrap">${name}</td><td>${when(h.lastDate, ctx.now)}</td><td>${statusCell(h.status)}</td><td>${changes}</td></tr>\n`;
})}</table>`;
}

export function renderSeriesPage(v: SeriesView, ctx: PageContext, suites: readonly string[] = []): string {
  const body = html`<h1>${v.subject}</h1>
<dl class="kv">
<dt>version</dt><dd><span class="mono">${v.versionKey}</span> (v${v.revision}${v.isRfc ? ', RFC' : ''}, ${v.project})</dd>
<dt>author</dt><dd>${v.author}</dd>
<dt>patches</dt><dd>${v.present} of ${v.expected}${v.complete ? '' : html` <span class="warn">incomplete${v.missing.length ? `: missing ${v.missing.join(', ')}` : ''}</span>`}</dd>
<dt>mail</dt><dd>${when(v.firstDate, ctx.now)}${v.lastDate && v.lastDate !== v.firstDate ? html` to ${when(v.lastDate, ctx.now)}` : ''}</dd>
<dt>thread</dt><dd><a class="mono mid" href="${v.links.thread}">&lt;${v.rootMessageId}&gt;</a> on the archive · <a href="${v.links.mbox}">mbox</a> <span class="dim">(git am ready)</span></dd>
<dt>base</dt><dd>${v.baseCommitTrailer ? html`base-commit trailer <span class="mono">${v.baseCommitTrailer}</span>` : 'no base-commit trailer: the configured branch of the tree'}</dd>
</dl>
${historyBlock(v, ctx)}
${v.marks.length ? html`<div class="notice">${v.marks.map((m) => html`${badge(m.kind)} ${m.kind === 'unrelated' ? html`crash "${m.crashTitle ?? ''}" is not counted against the series` : 'the report on this version is withdrawn: results are recorded, not mailed'} — ${m.markedBy}, ${when(m.createdAt, ctx.now)}<br>`)}</div>` : ''}
<h2>Patches</h2>
<table><tr><th>#</th><th>subject</th><th>from</th></tr>
${v.patches.map((p) => html`<tr><td class="num">${p.counter}</td><td>${p.subject}<br><a class="dim mono mid" href="${p.lore}">&lt;${p.messageId}&gt;</a></td><td>${p.from}</td></tr>\n`)}</table>
<h2>Re-run</h2>
${rerunForm(v, ctx, suites)}
<h2>Jobs</h2>
${v.jobs.length ? v.jobs.map((j) => jobBlock(j, v, ctx)) : html`<p class="dim">not tested yet</p>`}
<h2>Replies</h2>
${
  v.replies.length
    ? v.replies.map(
        (
          r,
        ) => html`<section><p>${badge(r.state)} ${r.kind} reply${r.jobId !== null ? ` for job #${r.jobId}` : ''}: <strong>${r.subject}</strong> ${r.mailed ? html`to ${r.recipients.join(', ')}` : html`<span class="dim">(recorded, not mailed)</span>`} · ${when(r.sentAt ?? r.createdAt, ctx.now)}</p>
<pre>${r.body}</pre>
<details><summary>headers</summary><pre>${r.headers}</pre></details></section>`,
      )
    : html`<p class="dim">none</p>`
}
<h2>Commands</h2>
${
  v.commands.length
    ? html`<table><tr><th>when</th><th>from</th><th>command</th><th>decision</th><th>action</th></tr>
${v.commands.map((c) => html`<tr><td>${when(c.createdAt, ctx.now)}</td><td>${c.from ?? '-'}</td><td class="mono">${c.text}</td><td>${badge(c.decision)}<br><span class="dim">${c.reason}</span></td><td>${c.jobId !== null ? html`<a href="#job-${c.jobId}">${c.action}</a>` : c.action}</td></tr>\n`)}</table>`
    : html`<p class="dim">none</p>`
}`;
  return page(ctx, { title: v.subject, jsonHref: `/series/${seg(v.versionKey)}.json` }, body);
}
