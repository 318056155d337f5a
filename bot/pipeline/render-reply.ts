/**
 * The result reply through the project's renderer (bot/report/render.ts) and message builder
 * (bot/report/mail.ts). The Message-ID is the pipeline's own (per version, job and result), so
 * a restarted job finds its row and a result that flips back is still announced.
 */
import type { RunnerConfig, MailConfig } from '../../config/schema.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import type { Verdict } from '../judge/verdict.ts';
import { buildMessage } from '../report/mail.ts';
import { renderReply, type ReplySeries, type TestedSetup } from '../report/render.ts';
import { combinedOutcome, renderGroupReply, type RunnerPart } from '../report/render-group.ts';
import type { MemberResult } from './group-plan.ts';
import type { BisectionRecord } from './plan.ts';

export interface RenderResultInput {
  version: SeriesVersion;
  verdict: Verdict;
  bisection: BisectionRecord | null;
  /** The verdict of the last reply for this version, when this one says what changed. */
  previous: { verdict: Verdict; messageId: string } | null;
  runner: RunnerConfig;
  treeName: string;
  base: string;
  baseReason: string;
  suites: string[];
  mail: MailConfig;
  messageId: string;
  date: Date;
}

function replySeries(v: SeriesVersion): ReplySeries {
  return {
    subject: v.subject,
    revision: v.revision,
    rootMessageId: v.rootMessageId,
    coverMessageId: v.coverMessageId,
    patches: v.patches.map((p) => ({ counter: p.counter, messageId: p.messageId, subject: p.subject, from: p.from })),
    expected: v.expected,
    author: v.author,
    baseCommit: v.baseCommit,
    project: v.project,
    isRfc: v.isRfc,
  };
}

function testedSetup(runner: RunnerConfig, treeName: string, base: string, baseReason: string, suites: string[]): TestedSetup {
  return {
    treeName,
    baseCommit: base,
    baseReason,
    configFragments: runner.fragments.map((name) => ({ name })),
    runner: runner.name,
    cpus: runner.cpus,
    memoryMiB: runner.memoryMiB,
    nvdimms: runner.nvdimms,
    suites,
  };
}

export async function renderResultMail(i: RenderResultInput): Promise<{ subject: string; recipients: string[]; raw: string }> {
  const v = i.version;
  const series = replySeries(v);
  const tested = testedSetup(i.runner, i.treeName, i.base, i.baseReason, i.suites);
  const common = {
    mail: i.mail,
    versionKey: v.key,
    dashboardLink: `${i.mail.dashboardUrl}/series/${encodeURIComponent(v.key)}`,
  };
  const rendered = i.previous
    ? renderReply({ kind: 'changed', ...common, series, tested, previous: i.previous.verdict, verdict: i.verdict, previousMessageId: i.previous.messageId })
    : renderReply({ kind: 'result', ...common, series, tested, verdict: i.verdict, ...(i.bisection && { bisection: i.bisection }) });
  rendered.headers['Message-ID'] = `<${i.messageId}>`;
  const built = await buildMessage(rendered, { date: i.date });
  return { subject: rendered.headers.Subject ?? '', recipients: built.envelope.to, raw: built.raw.toString('utf8') };
}

export interface RenderGroupInput {
  version: SeriesVersion;
  /** Every runner's result, in group (configuration) order. */
  results: MemberResult[];
  /** The runners as configured, for each one's tested setup. */
  runners: RunnerConfig[];
  treeName: string;
  /** The last reply for this version, when this one differs from it. */
  previous: { messageId: string; outcome: string } | null;
  mail: MailConfig;
  messageId: string;
  date: Date;
}

/** The one reply for a series version tested on several runners (bot/report/render-group.ts). */
export async function renderGroupMail(i: RenderGroupInput): Promise<{ subject: string; outcome: string; recipients: string[]; raw: string }> {
  const parts: RunnerPart[] = i.results.map((r) => {
    if (r.kind === 'infra') return { kind: 'infra', runner: r.runner, summary: r.summary };
    const rc = i.runners.find((x) => x.name === r.runner);
    const tested: TestedSetup = rc
      ? testedSetup(rc, i.treeName, r.record.base, r.record.baseReason, r.record.suites)
      : // A runner removed from the configuration since: its recorded facts only.
        { treeName: i.treeName, baseCommit: r.record.base, baseReason: r.record.baseReason, configFragments: [], runner: r.runner, cpus: 0, memoryMiB: 0, nvdimms: [], suites: r.record.suites };
    return { kind: 'verdict', runner: r.runner, tested, verdict: r.record.verdict, ...(r.record.bisection && { bisection: r.record.bisection }) };
  });
  const v = i.version;
  const rendered = renderGroupReply({
    mail: i.mail,
    versionKey: v.key,
    dashboardLink: `${i.mail.dashboardUrl}/series/${encodeURIComponent(v.key)}`,
    series: replySeries(v),
    parts,
    ...(i.previous && { previous: i.previous }),
  });
  rendered.headers['Message-ID'] = `<${i.messageId}>`;
  const built = await buildMessage(rendered, { date: i.date });
  return { subject: rendered.headers.Subject ?? '', outcome: combinedOutcome(parts), recipients: built.envelope.to, raw: built.raw.toString('utf8') };
}
