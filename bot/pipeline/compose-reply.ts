/**
 * The reply mail, as text. Pure: everything it shows comes from its input, and the Date header
 * is the caller's, so the same facts give the same bytes.
 */
import type { Verdict, VerdictEntry } from '../judge/verdict.ts';
import type { BisectionRecord } from './plan.ts';
import type { PreviousReply } from './reply-policy.ts';

export interface ReplySeriesInfo {
  versionKey: string;
  subject: string;
  revision: number;
  rootMessageId: string;
  /** "Name <addr>" */
  author: string;
  patches: { counter: number; subject: string; messageId: string }[];
  expected: number;
}

export interface ComposeInput {
  series: ReplySeriesInfo;
  verdict: Verdict;
  bisection: BisectionRecord | null;
  changedFrom: PreviousReply | null;
  runner: string;
  tree: string;
  base: string | null;
  suites: string[];
  from: string;
  messageId: string;
  date: Date;
  dashboardUrl?: string;
}

export interface ComposedReply {
  subject: string;
  recipients: string[];
  raw: string;
}

function patchLabel(s: ReplySeriesInfo, k: number): string {
  const p = s.patches[k - 1];
  const n = s.expected > 1 ? `${k}/${s.expected}` : '';
  const v = s.revision > 1 ? ` v${s.revision}` : '';
  return `[PATCH${v}${n ? ' ' + n : ''}] ${p?.subject ?? '?'}`;
}

function headline(v: Verdict): string {
  switch (v.outcome) {
    case 'regression':
      return `REGRESSION: ${v.summary}`;
    case 'apply-failed':
      return `APPLY FAILED: ${v.summary}`;
    case 'build-failed':
      return `BUILD FAILED: ${v.summary}`;
    case 'pre-existing-only':
      return `PASS (${v.summary})`;
    case 'infra':
      return `NOT TESTED: ${v.summary}`;
    default:
      return `PASS: ${v.summary}`;
  }
}

function entryBlock(e: VerdictEntry): string[] {
  const lines: string[] = [];
  if (e.kind === 'crash' && e.finding) {
    lines.push(e.finding.title);
    if (e.finding.rip) lines.push(`RIP: ${e.finding.rip}`);
    if (e.finding.trace.length > 0) {
      lines.push('Call Trace:');
      for (const f of e.finding.trace.slice(0, 16)) lines.push(`  ${f}`);
    }
  } else {
    lines.push(`${e.key}: ${e.class}${e.reason ? ` (${e.reason})` : ''}`);
    if (e.excerpt) for (const l of e.excerpt.split('\n').slice(0, 12)) lines.push(`  | ${l}`);
  }
  lines.push(`(${e.agreement})`);
  return lines;
}

export function composeReply(input: ComposeInput): ComposedReply {
  const { series: s, verdict: v, bisection: b } = input;
  const subject = `Re: ${s.revision > 1 ? `[PATCH v${s.revision}` : '[PATCH'}${s.expected > 1 ? ' 0/' + s.expected : ''}] ${s.subject}`;
  const body: string[] = [];
  const name = /^([^<]+?)\s*</.exec(s.author)?.[1] ?? s.author;
  body.push(`Hi ${name},`, '');
  body.push(
    `daxbot tested this series (${s.versionKey}, ${s.patches.length} patch${s.patches.length === 1 ? '' : 'es'}) on ${input.tree}` +
      `${input.base ? ` at ${input.base.slice(0, 12)}` : ''} with runner ${input.runner} (suites: ${input.suites.join(', ')}).`,
    '',
  );
  if (input.changedFrom) body.push(`This result differs from the previous one (${input.changedFrom.outcome}, <${input.changedFrom.messageId}>).`, '');
  body.push(`Result: ${headline(v)}`, `Runs: ${v.seriesRuns} with the series, ${v.baseRuns} on the base.`, '');

  if (b && b.firstBad !== null) body.push(`first bad commit: ${patchLabel(s, b.firstBad)}`, '');
  else if (b) body.push(`first bad commit: one of ${b.candidates.map((k) => patchLabel(s, k)).join(', ')}`, '');
  if (b && b.steps.length > 0) {
    body.push(`Bisection within the series (${b.steps.length} build-and-boot step${b.steps.length === 1 ? '' : 's'}):`);
    for (const st of b.steps) body.push(`  patches 1..${st.k}: ${st.result}${st.note ? ` (${st.note})` : ''}`);
    body.push('');
  }

  if (v.applyFailure) {
    const a = v.applyFailure;
    body.push(`Applying to ${a.base.slice(0, 12)} (${a.reason}) failed${a.failedPatch !== undefined ? ` at ${patchLabel(s, a.failedPatch)}` : ''}.`);
    if (a.conflictFiles?.length) body.push(`Conflicts: ${a.conflictFiles.join(', ')}`);
    if (a.output) for (const l of a.output.split('\n').slice(0, 20)) body.push(`  | ${l}`);
    body.push('');
  }
  if (v.buildErrors?.length) {
    body.push('Build errors:');
    for (const e of v.buildErrors.slice(0, 20)) body.push(`  ${e.file}:${e.line}: ${e.severity}: ${e.message}`);
    body.push('');
  }
  const news = v.entries.filter((e) => e.class === 'new-failure');
  if (news.length > 0) {
    body.push('New with this series:', '');
    for (const e of news) body.push(...entryBlock(e), '');
  }
  const pre = v.entries.filter((e) => e.class === 'pre-existing');
  if (pre.length > 0) {
    body.push('Also failing on the base, so not caused by this series (pre-existing):');
    for (const e of pre) body.push(`  ${e.kind === 'crash' ? e.name : e.key} (${e.agreement})`);
    body.push('');
  }
  const flaky = v.entries.filter((e) => e.class === 'flaky');
  if (flaky.length > 0) {
    body.push('Flaky (not blamed):');
    for (const e of flaky) body.push(`  ${e.key} (${e.agreement})`);
    body.push('');
  }
  if (v.environmentProblems.length > 0) {
    body.push('Skipped for a missing prerequisite in the test environment (not the patch):');
    for (const e of v.environmentProblems) body.push(`  ${e.key}${e.reason ? `: ${e.reason}` : ''}`);
    body.push('');
  }
  const passed = v.entries.filter((e) => e.class === 'pass').length;
  if (passed > 0) body.push(`${passed} test${passed === 1 ? '' : 's'} passed.`, '');
  body.push('Commands: reply with "#daxbot test" to re-run, "#daxbot test <suite>" for one suite.');
  if (input.dashboardUrl) body.push(`Details: ${input.dashboardUrl}/series/${encodeURIComponent(s.versionKey)}`);
  body.push('', '--', 'daxbot');

  const recipients = [s.author];
  const headers = [
    `From: ${input.from}`,
    `To: ${s.author}`,
    `Subject: ${subject}`,
    `Date: ${input.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${input.messageId}>`,
    `In-Reply-To: <${s.rootMessageId}>`,
    `References: <${s.rootMessageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    `X-Daxbot-Outcome: ${v.outcome}`,
  ];
  return { subject, recipients, raw: `${headers.join('\n')}\n\n${body.join('\n')}\n` };
}
