/**
 * The replies' inputs, read from the store, through the renderers (render/) and message builder
 * (bot/report/mail.ts). The Message-ID is the pipeline's own (per version, job and result), so
 * a restarted job finds its row and a result that flips back is still announced.
 *
 * Addressing and threading come from the stored mail the reply answers (the cover letter, or
 * patch 1 without one): its Subject as sent, its To/Cc, its References. The assembled series
 * version keeps only clean subjects and the author.
 */
import type { Kysely, Transaction } from 'kysely';
import type { RunnerConfig, MailConfig } from '../../config/schema.ts';
import type { SeriesVersion } from '../../ingest/series/types.ts';
import type { Verdict } from '../judge/verdict.ts';
import { isListAddress } from './lists.ts';
import { buildMessage } from './mail.ts';
import { mailboxText } from './render/common.ts';
import { renderReply } from './render/reply.ts';
import { type PreviousResult, type ReplySeries, type TestedSetup } from './render/result.ts';
import { combinedOutcome, renderGroupReply, type RunnerPart } from './render/group.ts';
import { getReply } from '../store/replies.ts';
import { jobRunRefs } from '../store/runs.ts';
import type { Database } from '../store/tables.ts';
import { threadMail, type ThreadMail } from '../store/thread-mail.ts';
import type { MemberResult } from '../jobs/group-plan.ts';
import type { BisectionRecord } from '../jobs/plan.ts';
import { reachedThread } from './reply-policy.ts';
import { KCONFIG_BASE } from '../../runners/build/kconfig.ts';
import { runnerProfile } from '../../runners/registry.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../config/repo-root.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface RenderResultInput {
  /** The store: the mail replied to, the previous reply and the job's runs are read from it. */
  db: Db;
  jobId: number;
  /** The configured lists (trees[].lists): which To/Cc addresses of the series are lists. */
  lists: readonly string[];
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

/** The mail a reply answers: the cover letter, else the first patch (render/result.ts agrees). */
function parentMessageId(v: SeriesVersion): string {
  if (v.coverMessageId) return v.coverMessageId;
  const first = [...v.patches].sort((a, b) => a.counter - b.counter)[0];
  return first?.messageId ?? v.rootMessageId;
}

/** The stored facts of the mail replied to, in the renderer's terms. */
function threadFields(
  t: ThreadMail,
  lists: readonly string[],
): Pick<ReplySeries, 'coverSubject' | 'references' | 'cc' | 'lists'> {
  const recipients = [...t.to, ...t.cc].map(mailboxText);
  return {
    ...(t.subject.trim() !== '' && { coverSubject: t.subject }),
    references: t.ancestors,
    cc: recipients,
    lists: recipients.filter((m) => isListAddress(m, lists, t.listId)),
  };
}

async function replySeries(db: Db, v: SeriesVersion, lists: readonly string[]): Promise<ReplySeries> {
  const thread = await threadMail(db, parentMessageId(v));
  return {
    ...(thread && threadFields(thread, lists)),
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

function dashboardBase(mail: MailConfig): string {
  return mail.dashboardUrl.replace(/\/+$/, '');
}

function seriesLink(mail: MailConfig, v: SeriesVersion): string {
  return `${dashboardBase(mail)}/series/${encodeURIComponent(v.key)}`;
}

function runLink(mail: MailConfig, runId: number | null): string | undefined {
  return runId === null ? undefined : `${dashboardBase(mail)}/runs/${runId}`;
}

/** The last reply's facts for the "Changed since" paragraph: when, and whether it was mailed. */
async function previousResult(db: Db, messageId: string, outcome: string, verdict?: Verdict): Promise<PreviousResult> {
  const row = await getReply(db, messageId);
  return {
    outcome,
    ...(verdict && { summary: verdict.summary, verdict }),
    date: row?.sentAt ?? row?.createdAt ?? 'unknown date',
    // 'recorded' (a pass under the default policy, a withdrawn report) and 'failed' (delivery
    // given up) replies reached nobody; 'pending' ones are queued and will.
    messageId: row && reachedThread(row.state) ? row.messageId : null,
  };
}

/** A fragment's text for the reproducer (config/kernel/<name>.config); the name alone if unreadable. */
function fragmentText(name: string): { name: string; text?: string } {
  const file =
    name.includes('/') || name.endsWith('.config')
      ? path.resolve(repoRoot, name)
      : path.join(repoRoot, 'config', 'kernel', `${name}.config`);
  try {
    return { name: path.basename(file, '.config'), text: readFileSync(file, 'utf8') };
  } catch {
    return { name };
  }
}

function testedSetup(
  runner: RunnerConfig,
  treeName: string,
  base: string,
  baseReason: string,
  suites: string[],
  qemuCommand?: string[] | null,
): TestedSetup {
  // What the runner really used: the simulator swaps in its own fragments and NVDIMM buses.
  const profile = runnerProfile(runner);
  return {
    treeName,
    baseCommit: base,
    baseReason,
    configFragments: profile.fragments.map(fragmentText),
    ...(qemuCommand && qemuCommand.length > 0 && { qemuCommand }),
    defconfig: KCONFIG_BASE,
    runner: runner.name,
    runnerKind: runner.kind,
    cpus: runner.cpus,
    memoryMiB: runner.memoryMiB,
    nvdimms: profile.usesQemuNvdimms ? runner.nvdimms : [],
    nvdimmPlatform: profile.platform,
    suites,
  };
}

export async function renderResultMail(
  i: RenderResultInput,
): Promise<{ subject: string; recipients: string[]; raw: string }> {
  const v = i.version;
  const series = await replySeries(i.db, v, i.lists);
  const runs = await jobRunRefs(i.db, i.jobId);
  const tested = testedSetup(i.runner, i.treeName, i.base, i.baseReason, i.suites, runs.qemuCommand);
  const link = runLink(i.mail, runs.seriesRunId);
  // A changed result is still the complete reply for the new result, with what changed on top.
  const change = i.previous
    ? await previousResult(i.db, i.previous.messageId, i.previous.verdict.outcome, i.previous.verdict)
    : null;
  const rendered = renderReply({
    kind: 'result',
    mail: i.mail,
    versionKey: v.key,
    dashboardLink: seriesLink(i.mail, v),
    series,
    tested,
    verdict: i.verdict,
    ...(i.bisection && { bisection: i.bisection }),
    ...(change && { change }),
    ...(link && { runLink: link }),
  });
  rendered.headers['Message-ID'] = `<${i.messageId}>`;
  const built = await buildMessage(rendered, { date: i.date });
  return { subject: rendered.headers.Subject ?? '', recipients: built.envelope.to, raw: built.raw.toString('utf8') };
}

export interface RenderGroupInput {
  /** The store, as for a single-runner reply (each runner's runs are its own job's). */
  db: Db;
  lists: readonly string[];
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

/** The one reply for a series version tested on several runners (render/group.ts). */
export async function renderGroupMail(
  i: RenderGroupInput,
): Promise<{ subject: string; outcome: string; recipients: string[]; raw: string }> {
  const parts: RunnerPart[] = [];
  for (const r of i.results) {
    if (r.kind === 'infra') {
      parts.push({ kind: 'infra', runner: r.runner, summary: r.summary });
      continue;
    }
    const runs = await jobRunRefs(i.db, r.jobId);
    const rc = i.runners.find((x) => x.name === r.runner);
    const tested: TestedSetup = rc
      ? testedSetup(rc, i.treeName, r.record.base, r.record.baseReason, r.record.suites, runs.qemuCommand)
      : // A runner removed from the configuration since: its recorded facts only.
        {
          treeName: i.treeName,
          baseCommit: r.record.base,
          baseReason: r.record.baseReason,
          configFragments: [],
          runner: r.runner,
          cpus: 0,
          memoryMiB: 0,
          nvdimms: [],
          suites: r.record.suites,
          ...(runs.qemuCommand && { qemuCommand: runs.qemuCommand }),
        };
    const link = runLink(i.mail, runs.seriesRunId);
    parts.push({
      kind: 'verdict',
      runner: r.runner,
      tested,
      verdict: r.record.verdict,
      ...(r.record.bisection && { bisection: r.record.bisection }),
      ...(link && { runLink: link }),
    });
  }
  const v = i.version;
  const change = i.previous ? await previousResult(i.db, i.previous.messageId, i.previous.outcome) : null;
  const rendered = renderGroupReply({
    mail: i.mail,
    versionKey: v.key,
    dashboardLink: seriesLink(i.mail, v),
    series: await replySeries(i.db, v, i.lists),
    parts,
    ...(change && { change }),
  });
  rendered.headers['Message-ID'] = `<${i.messageId}>`;
  const built = await buildMessage(rendered, { date: i.date });
  return {
    subject: rendered.headers.Subject ?? '',
    outcome: combinedOutcome(parts),
    recipients: built.envelope.to,
    raw: built.raw.toString('utf8'),
  };
}
