/**
 * The reply for a series tested on several runners at once: a table with one row per runner
 * (runner, outcome, one-line summary), then each runner's part in the single-runner wording
 * (what was tested, the changed tests, crash and trace, bisection). Pure, like reply.ts, and
 * within 75 columns except the exact "first bad commit:" lines.
 *
 * A runner whose machinery failed is shown as "infrastructure" in its row and never blamed:
 * the combined outcome comes from the runners that produced a verdict.
 */
import type { Outcome, Verdict } from '../../judge/verdict.ts';
import { hashText, replyMessageId } from '../headers.ts';
import { mailboxText, type RenderedReply } from './common.ts';
import { renderReply } from './reply.ts';
import {
  resultSections as s,
  type BisectionReport,
  type PreviousResult,
  type ReplySeries,
  type ResultReplyInput,
  type TestedSetup,
} from './result.ts';
import { field, urlField, wrapProse, WIDTH } from '../wrap.ts';

export type RunnerPart =
  /** `runLink`: the dashboard page of this runner's series run. */
  | {
      kind: 'verdict';
      runner: string;
      tested: TestedSetup;
      verdict: Verdict;
      bisection?: BisectionReport;
      runLink?: string;
    }
  /** The runner gave up on machinery failures: no verdict, nothing to blame. */
  | { kind: 'infra'; runner: string; summary: string };

export interface GroupReplyInput {
  mail: ResultReplyInput['mail'];
  versionKey: string;
  dashboardLink: string;
  series: ReplySeries;
  /** In configuration order; at least one part has a verdict. */
  parts: RunnerPart[];
  /** The last reply recorded for this version, when its result differs from this one. */
  change?: PreviousResult;
}

/** The outcome column's word for a runner that produced no verdict. */
export const INFRA_LABEL = 'infrastructure';

/** Most telling first: what the author must act on outranks what passed; infra says nothing. */
const precedence: Outcome[] = ['regression', 'build-failed', 'apply-failed', 'pre-existing-only', 'pass', 'infra'];

/** The group's outcome: the most telling verdict among the runners that produced one. */
export function combinedOutcome(parts: readonly RunnerPart[]): Outcome {
  let best: Outcome = 'infra';
  for (const p of parts) {
    if (p.kind !== 'verdict') continue;
    if (precedence.indexOf(p.verdict.outcome) < precedence.indexOf(best)) best = p.verdict.outcome;
  }
  return best;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The summary column: counts, or what went wrong in a few words. */
export function partSummary(p: RunnerPart): string {
  if (p.kind === 'infra') return `not tested: ${p.summary} (daxbot's side, not the series)`;
  const v = p.verdict;
  const tests = v.entries.filter((e) => e.kind === 'test');
  const passed = tests.filter((e) => e.class === 'pass').length;
  const skipped = tests.filter((e) => e.class === 'skip' || e.class === 'skipped-prerequisite').length;
  const counts = `${passed} passed${skipped ? `, ${skipped} skipped` : ''}`;
  switch (v.outcome) {
    case 'pass':
      return `${counts}, no new failures`;
    case 'pre-existing-only': {
      const unblamed = v.entries.filter((e) => e.class === 'pre-existing' || e.class === 'flaky').length;
      return `${counts}, no new failures, ${unblamed} pre-existing or flaky`;
    }
    case 'regression': {
      const news = v.entries.filter((e) => e.class === 'new-failure');
      const crash = news.find((e) => e.kind === 'crash');
      const first = p.bisection?.firstBad != null ? `; first bad patch ${p.bisection.firstBad}/${p.bisection.n}` : '';
      if (crash) return `crash: ${crash.finding?.title ?? crash.name}${first}`;
      const names = news.map((e) => e.name);
      return `${plural(news.length, 'new failure')} (${names.join(', ')}), ${counts}${first}`;
    }
    case 'build-failed': {
      const errs = (v.buildErrors ?? []).filter((e) => e.severity === 'error').length;
      return errs ? `does not build: ${plural(errs, 'error')}` : 'does not build';
    }
    case 'apply-failed':
      return v.summary;
    case 'infra':
      return `not tested: ${v.summary} (daxbot's side, not the series)`;
  }
}

function outcomeLabel(p: RunnerPart): string {
  return p.kind === 'infra' || p.verdict.outcome === 'infra' ? INFRA_LABEL : p.verdict.outcome;
}

/** One row per runner; a long summary continues under its own column. */
export function runnerTable(parts: readonly RunnerPart[]): string[] {
  const nameWidth = Math.min(16, Math.max('runner'.length, ...parts.map((p) => p.runner.length)));
  const outcomeWidth = Math.max('outcome'.length, ...parts.map((p) => outcomeLabel(p).length));
  const lines = ['Results by runner', ''];
  const head = `  ${'runner'.padEnd(nameWidth)}  ${'outcome'.padEnd(outcomeWidth)}  summary`;
  lines.push(head);
  const column = ' '.repeat(head.length - 'summary'.length);
  for (const p of parts) {
    const name = p.runner.length > nameWidth ? `${p.runner.slice(0, nameWidth - 3)}...` : p.runner;
    const lead = `  ${name.padEnd(nameWidth)}  ${outcomeLabel(p).padEnd(outcomeWidth)}  `;
    lines.push(...wrapProse(partSummary(p), column, WIDTH, lead));
  }
  return lines;
}

function names(parts: readonly RunnerPart[]): string {
  const n = parts.map((p) => p.runner);
  return n.length <= 1 ? (n[0] ?? '') : `${n.slice(0, -1).join(', ')} and ${n[n.length - 1] ?? ''}`;
}

function headline(input: GroupReplyInput, outcome: Outcome): string {
  const ver = input.series.revision > 1 ? `v${input.series.revision} of this series` : 'this series';
  const on = `on ${input.parts.length} runners`;
  const having = (o: Outcome): RunnerPart[] =>
    input.parts.filter((p) => p.kind === 'verdict' && p.verdict.outcome === o);
  let text: string;
  switch (outcome) {
    case 'regression':
      text = `daxbot tested ${ver} ${on} and found a regression on ${names(having('regression'))}.`;
      break;
    case 'build-failed':
      text = `daxbot tested ${ver} ${on}: ${s.builtThing(input.series)} does not build with it applied (${names(having('build-failed'))}).`;
      break;
    case 'apply-failed': {
      const first = having('apply-failed')[0];
      text = `daxbot could not test ${ver}: ${first?.kind === 'verdict' ? first.verdict.summary : 'the series does not apply'}.`;
      break;
    }
    case 'pre-existing-only':
      text = `daxbot tested ${ver} ${on} and found no new failures. Some tests fail on the base as well or are flaky; they are listed below but not blamed on the series.`;
      break;
    case 'pass':
      text = `daxbot tested ${ver} ${on} and found no new failures.`;
      break;
    case 'infra':
      text = `daxbot could not finish testing ${ver} because of problems on its side. Nothing is needed from you.`;
      break;
  }
  const infra = input.parts.filter((p) => outcomeLabel(p) === INFRA_LABEL);
  if (infra.length > 0 && outcome !== 'infra') {
    text += ` ${names(infra)} could not finish because of a problem on daxbot's side; that says nothing about the series.`;
  }
  return text;
}

function partHeading(p: RunnerPart): string[] {
  const title = `=== ${p.runner}: ${outcomeLabel(p)} ===`;
  return wrapProse(title);
}

function partBody(series: ReplySeries, p: RunnerPart): string[][] {
  if (p.kind === 'infra' || p.verdict.outcome === 'infra') {
    const summary = p.kind === 'infra' ? p.summary : p.verdict.summary;
    return [
      [...field('runner', p.runner), ...field('result', `not tested (${summary})`)],
      s.paragraph("This is a problem of daxbot's test machinery, not of the series; the other runners' results stand."),
    ];
  }
  const { tested, verdict: v } = p;
  if (v.outcome === 'apply-failed') return [s.applySection(v, series, tested)];
  const sections: string[][] = [s.testedSection(tested, v), s.verdictBlock(v, series)];
  if (v.outcome === 'build-failed') sections.push(s.buildSection(v));
  if (v.outcome === 'regression') {
    sections.push(s.changedTable(v.entries));
    for (const e of v.entries.filter((x) => x.class === 'new-failure'))
      sections.push(e.kind === 'crash' ? s.crashSection(e, v.entries) : s.testFailureSection(e));
    if (p.bisection) sections.push(s.bisectionSection(series, p.bisection));
  } else {
    sections.push(s.notesSection(v));
  }
  sections.push(s.environmentSection(v), s.qemuSection(tested));
  if (p.runLink) sections.push(urlField('Run', p.runLink));
  return sections;
}

/** What makes two group results "the same" for the Message-ID: each runner's outcome and classes. */
function groupKey(input: GroupReplyInput): string {
  const parts = input.parts.map((p) =>
    p.kind === 'infra'
      ? `${p.runner}=infra`
      : [
          `${p.runner}=${p.verdict.outcome}`,
          ...p.verdict.entries.map((e) => `${e.key}=${e.class}`),
          `firstBad=${p.bisection?.firstBad ?? ''}`,
        ].join('\n'),
  );
  return ['group', ...parts].join('\n\n');
}

export function renderGroupReply(input: GroupReplyInput): RenderedReply {
  const outcome = combinedOutcome(input.parts);
  const primary = input.parts.find((p) => p.kind === 'verdict');
  if (!primary || primary.kind !== 'verdict')
    throw new RangeError('a group reply needs at least one runner with a verdict');
  const common = { mail: input.mail, versionKey: input.versionKey, dashboardLink: input.dashboardLink };
  // The headers (addressing, threading, subject) are those of a single-runner result reply.
  const { headers } = renderReply({
    kind: 'result',
    ...common,
    series: input.series,
    tested: primary.tested,
    verdict: primary.verdict,
  });
  headers['Message-ID'] = replyMessageId(input.versionKey, hashText(groupKey(input)), input.mail.domain);
  headers['X-Daxbot-Result'] = outcome;

  const sections: string[][] = [s.greeting(mailboxText(input.series.author))];
  // As in a single-runner reply: what changed first, then the complete result.
  if (input.change) sections.push(s.changeSection(input.change, { outcome, summary: '' }));
  sections.push(s.paragraph(headline(input, outcome)));
  if (input.change && s.retracts(input.change, outcome)) sections.push(s.paragraph(s.retraction));
  sections.push(s.patchLink(common, input.series), runnerTable(input.parts));
  for (const p of input.parts) sections.push(partHeading(p), ...partBody(input.series, p));
  const blamed = input.parts.find(
    (p): p is Extract<RunnerPart, { kind: 'verdict' }> =>
      p.kind === 'verdict' && (p.verdict.outcome === 'regression' || p.verdict.outcome === 'build-failed'),
  );
  // The blamed runner's command line is already in its part: the reproducer points at it.
  if (blamed) sections.push(s.reproduceSection(input.series, blamed.tested, { qemuShownAbove: blamed.runner }));
  sections.push(urlField('Dashboard', input.dashboardLink));
  if (blamed) sections.push(s.tagsSection(common, blamed.runLink));
  sections.push(s.signature(common));
  return { headers, body: s.join(sections) };
}
