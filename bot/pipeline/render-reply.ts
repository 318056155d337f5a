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

export async function renderResultMail(i: RenderResultInput): Promise<{ subject: string; recipients: string[]; raw: string }> {
  const v = i.version;
  const series: ReplySeries = {
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
  const tested: TestedSetup = {
    treeName: i.treeName,
    baseCommit: i.base,
    baseReason: i.baseReason,
    configFragments: i.runner.fragments.map((name) => ({ name })),
    runner: i.runner.name,
    cpus: i.runner.cpus,
    memoryMiB: i.runner.memoryMiB,
    nvdimms: i.runner.nvdimms,
    suites: i.suites,
  };
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
