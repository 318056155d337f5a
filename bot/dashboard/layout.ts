/**
 * The page shell: one inline stylesheet, no scripts, no external assets, so the dashboard works
 * on a machine with no network. The Content-Security-Policy allows exactly that stylesheet (by
 * hash) and no script at all: even markup that slipped past escaping could not run.
 */
import { createHash } from 'node:crypto';
import { html, trusted, type Html, type HtmlValue } from './html.ts';

export const STYLESHEET = `
:root{color-scheme:light dark;--fg:#1d1f21;--bg:#fff;--dim:#666;--line:#ddd;--head:#f4f4f4;--bad:#b00020;--warn:#9a6700;--good:#1a7f37;--info:#0550ae}
@media (prefers-color-scheme:dark){:root{--fg:#ddd;--bg:#161616;--dim:#999;--line:#333;--head:#222;--bad:#ff6b81;--warn:#e3b341;--good:#56d364;--info:#79c0ff}}
body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0}
header{display:flex;gap:1.5em;align-items:baseline;padding:.6em 1.2em;border-bottom:1px solid var(--line);background:var(--head)}
header .brand{font-weight:700}header .who{margin-left:auto}
main{padding:0 1.2em 2em;max-width:1200px}
h1{font-size:1.35em;margin:.8em 0 .3em;overflow-wrap:anywhere}h2{font-size:1.1em;margin:1.4em 0 .4em;border-bottom:1px solid var(--line)}h3{font-size:1em;margin:1em 0 .3em}
a{color:var(--info)}
table{border-collapse:collapse;margin:.3em 0;width:100%}
th,td{border:1px solid var(--line);padding:.2em .5em;text-align:left;vertical-align:top;overflow-wrap:break-word;word-break:normal;hyphens:none}
th{background:var(--head);font-weight:600;white-space:nowrap}
td.num{text-align:right;white-space:nowrap}td.nowrap,.nowrap{white-space:nowrap}
td .mid,.mid{overflow-wrap:anywhere}
pre{background:var(--head);border:1px solid var(--line);padding:.5em;overflow:auto;max-height:40em;white-space:pre-wrap;overflow-wrap:anywhere;font-size:12.5px}
code,pre,.mono{font-family:ui-monospace,monospace}
.dim{color:var(--dim)}
.badge{display:inline-block;padding:0 .45em;border-radius:.6em;border:1px solid currentColor;font-size:.88em;white-space:nowrap}
.bad{color:var(--bad)}.warn{color:var(--warn)}.good{color:var(--good)}.info{color:var(--info)}.pending{color:var(--dim)}
.rel{white-space:nowrap}
nav.pager{display:flex;gap:1em;margin:.6em 0}
form.filters{display:flex;gap:.6em;flex-wrap:wrap;align-items:end;margin:.6em 0}
fieldset.suites{border:1px solid var(--line);display:flex;gap:.2em 1em;flex-wrap:wrap}fieldset.suites label{flex-direction:row;gap:.3em}
ul.changes{margin:.2em 0;padding-left:1.2em}
.diff-add{color:var(--good)}.diff-del{color:var(--bad)}.diff-same{color:var(--dim)}
svg.plot{max-width:100%;height:auto;font:11px system-ui,sans-serif}
svg.plot text{fill:var(--fg)}svg.plot .axis{stroke:var(--dim);stroke-width:1}svg.plot .grid{stroke:var(--line);stroke-width:1}
svg.plot .s0{fill:var(--bad);stroke:var(--bad)}svg.plot .s1{fill:var(--warn);stroke:var(--warn)}svg.plot .s2{fill:var(--good);stroke:var(--good)}
svg.plot .s3{fill:var(--info);stroke:var(--info)}svg.plot .s4{fill:var(--dim);stroke:var(--dim)}svg.plot .s5{fill:#8250df;stroke:#8250df}
svg.plot polyline[class]{fill:none;stroke-width:1.5}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.4em 0}dl.kv dt{color:var(--dim)}dl.kv dd{margin:0;overflow-wrap:anywhere}
form.logout{display:inline}
form.inline{display:flex;gap:.6em;flex-wrap:wrap;align-items:end}
form label{display:flex;flex-direction:column;font-size:.9em}
input,select,button{font:inherit;padding:.2em .4em}
.notice{border:1px solid var(--line);border-left:4px solid var(--warn);padding:.4em .8em;margin:.8em 0}
details>summary{cursor:pointer}
`.trim();

export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLESHEET).digest('base64')}`;

export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src '${STYLE_HASH}'; img-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/** Who is looking: a logged-in maintainer gets the re-run form with its CSRF token. */
export interface Viewer {
  user: string;
  csrf: string;
}

export interface PageContext {
  now: Date;
  viewer: Viewer | null;
  /** Re-runs from the dashboard are possible at all (the secret's variable is set). */
  rerunEnabled: boolean;
}

export interface PageOptions {
  title: string;
  /** Seconds between automatic reloads (the queue's live progress); none when absent. */
  refresh?: number;
  /** The page's JSON twin, linked for scripts. */
  jsonHref?: string;
}

export function page(ctx: PageContext, opts: PageOptions, body: HtmlValue): string {
  const who = ctx.viewer
    ? html`<span class="who">${ctx.viewer.user} · <form class="logout" method="post" action="/logout"><input type="hidden" name="csrf" value="${ctx.viewer.csrf}"><button>log out</button></form></span>`
    : html`<span class="who"><a href="/login">maintainer login</a></span>`;
  const doc: Html = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${opts.refresh ? html`<meta http-equiv="refresh" content="${opts.refresh}">` : ''}
<title>${opts.title} · daxbot</title>
<style>${trusted(STYLESHEET)}</style>
${opts.jsonHref ? html`<link rel="alternate" type="application/json" href="${opts.jsonHref}">` : ''}
</head>
<body>
<header><span class="brand">daxbot</span><a href="/">queue</a><a href="/series">series</a><a href="/stats">statistics</a><a href="/baselines">baselines</a><a href="/help">help</a>${who}</header>
<main>
${body}
${opts.jsonHref ? html`<p class="dim">This page as JSON: <a href="${opts.jsonHref}">${opts.jsonHref}</a> · generated ${ctx.now.toISOString()}</p>` : ''}
</main>
</body>
</html>
`;
  return doc.text;
}
