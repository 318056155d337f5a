/** The login form, the help page the replies link to, and error pages. Pure. */
import { html } from './html.ts';
import { page, type PageContext } from './layout.ts';

export function renderLoginPage(ctx: PageContext, o: { next: string; csrf: string; error?: string }): string {
  const body = html`<h1>Maintainer login</h1>
${o.error ? html`<p class="notice bad">${o.error}</p>` : ''}
${
  ctx.rerunEnabled
    ? html`<form method="post" action="/login">
<input type="hidden" name="csrf" value="${o.csrf}">
<input type="hidden" name="next" value="${o.next}">
<p><label>your name (recorded with each re-run you ask for)<input name="name" required maxlength="64" autocomplete="username"></label></p>
<p><label>maintainers' secret<input name="secret" type="password" required autocomplete="current-password"></label></p>
<p><button>Log in</button></p>
</form>`
    : html`<p>Logging in is off: the maintainers' secret is not set in the bot's environment.</p>`
}`;
  return page(ctx, { title: 'login' }, body);
}

export function renderHelpPage(ctx: PageContext): string {
  const body = html`<h1>daxbot</h1>
<p>daxbot tests patch series for persistent memory, DAX and <code>dev_pagemap</code> posted to the kernel lists: it applies each series to its base, builds a kernel with the pmem options, boots it in QEMU with emulated NVDIMMs, runs the DAX tests, compares the result with the same run without the series, bisects a new failure to the first bad patch, and replies on the thread in plain text.</p>
<h2>Commands by mail</h2>
<p>Reply to the series (or to the bot's report) with a line of its own:</p>
<pre>#daxbot retest
#daxbot test [suite ...] [base &lt;commit&gt;] [repeat N]
#daxbot unrelated &lt;crash title&gt;
#daxbot invalid</pre>
<p>Anyone may ask for a re-test (at most 3 per series version a day). A base or a repeat count, <code>unrelated</code> and <code>invalid</code> are for maintainers, whose mail must pass DKIM. Every command is answered by mail.</p>
<h2>This dashboard</h2>
<p>The <a href="/">queue</a> shows what runs and when queued jobs should start; each series page shows the verdict, crashes with their traces, the bisection, the replies sent and the commands received. Every page has a JSON twin (add <code>.json</code> or send <code>Accept: application/json</code>). Maintainers can re-run a series from its page after logging in, or with <code>curl -X POST -H 'Authorization: Bearer …' …/series/&lt;key&gt;/rerun</code>.</p>`;
  return page(ctx, { title: 'help' }, body);
}

export function renderErrorPage(ctx: PageContext, status: number, message: string, hint?: string): string {
  const body = html`<h1>${status}</h1><p>${message}</p>${hint ? html`<p class="dim">${hint}</p>` : ''}`;
  return page(ctx, { title: String(status) }, body);
}
