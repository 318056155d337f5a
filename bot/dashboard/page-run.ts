/** `/runs/<no>`: one run (a job's step or a base run), its artifacts and console log excerpt. Pure. */
import { badge, fmtBytes, fmtDuration, shortSha, when } from './format.ts';
import { html, seg, type Html } from './html.ts';
import { page, type PageContext } from './layout.ts';
import type { RunArtifacts, RunView } from './run-data.ts';

function artifactsSection(a: RunArtifacts | null): Html {
  if (!a) return html`<h2>Artifacts</h2><p class="dim">none kept for this run (or swept after their retention)</p>`;
  return html`<h2>Artifacts</h2><table><tr><th>file</th><th>size</th><th>sha256</th></tr>
${a.files.map((f) => html`<tr><td><a href="${f.href}">${f.name}</a></td><td class="num">${fmtBytes(f.size)}</td><td class="mono">${f.sha256.slice(0, 16)}</td></tr>\n`)}</table>
${a.skipped.map((k) => html`<p class="dim">${k.name} not kept: ${k.reason}</p>`)}`;
}

export function renderRunPage(v: RunView, ctx: PageContext): string {
  const r = v.result;
  const self = `/runs/${v.id}`;
  const title = v.kind === 'run' ? `run #${v.id} (${v.step})` : `base run #${v.id} (${v.step})`;
  const body = html`<h1>${title}</h1>
<dl class="kv">
${v.versionKey !== null ? html`<dt>series</dt><dd><a href="/series/${seg(v.versionKey)}#job-${v.jobId ?? ''}">${v.versionKey}</a>, job #${v.jobId ?? '?'}</dd>` : html`<dt>cache</dt><dd>a base run, shared by every job on this base, runner and suites (<a href="/baselines">baselines</a>)</dd>`}
<dt>role</dt><dd>${v.role}${v.patchLimit !== null ? `, patches 1..${v.patchLimit}` : ''}</dd>
<dt>runner</dt><dd>${v.runner}</dd>
<dt>recorded</dt><dd>${when(v.createdAt, ctx.now)}, took ${fmtDuration(v.durationMs)}</dd>
${
  r
    ? html`<dt>result</dt><dd>${badge(r.failureClass)} ${r.summary}</dd>
<dt>base → head</dt><dd class="mono">${shortSha(r.base)} → ${shortSha(r.head)}</dd>
<dt>config</dt><dd class="mono">${r.configHash ?? '-'}</dd>
<dt>booted</dt><dd>${r.booted ? 'yes' : 'no'}</dd>`
    : html`<dt>result</dt><dd class="dim">unreadable</dd>`
}
</dl>
${artifactsSection(v.artifacts)}
${r?.apply && !r.apply.ok ? html`<h2>Apply</h2>${r.apply.attempts.map((a) => html`<p>${badge(a.ok ? 'good' : 'bad')} on <span class="mono">${shortSha(a.base)}</span> (${a.reason})${a.failedPatch !== undefined ? ` failed at patch ${a.failedPatch}` : ''}</p>${a.output ? html`<pre>${a.output}</pre>` : ''}`)}` : ''}
${r?.build && !r.build.ok ? html`<h2>Build</h2><pre>${r.build.errors.map((e) => `${e.file}:${e.line}: ${e.severity}: ${e.message}`).join('\n') || r.build.outputExcerpt || '(no diagnostics)'}</pre>` : ''}
${
  r && r.tests.length
    ? html`<h2>Tests</h2><table><tr><th>test</th><th>status</th><th>reason</th></tr>
${r.tests.map((t) => html`<tr><td class="mono">${t.suite}/${t.name}</td><td>${badge(t.status)}</td><td>${t.reason ?? ''}${t.excerpt ? html`<details><summary>output</summary><pre>${t.excerpt}</pre></details>` : ''}</td></tr>\n`)}</table>`
    : ''
}
${r && r.findings.length ? html`<h2>Console findings</h2>${r.findings.map((f) => html`<p><strong>${f.title}</strong> <span class="dim">${f.type}</span></p><pre>${[f.rip ? `RIP: ${f.rip}` : '', ...(f.symbolized && f.symbolized.length ? f.symbolized : f.trace)].filter(Boolean).join('\n')}</pre>`)}` : ''}
<h2>Console log</h2>
${
  v.console
    ? html`<p class="dim">lines ${v.console.firstLine}–${v.console.totalLines} of ${v.console.totalLines}${v.console.firstLine > 1 ? html` · <a href="${self}?lines=all">whole log</a>` : ''}</p><pre>${v.console.text}</pre>`
    : html`<p class="dim">no console log was kept for this run</p>`
}`;
  return page(ctx, { title, jsonHref: `${self}.json` }, body);
}
