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
import { KCONFIG_BASE } from '../../runners/build/kconfig.ts';
import { runnerProfile } from '../../runners/registry.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  /** The QEMU command line of the series run, for the reproducer. */
  qemuCommand?: string[];
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

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A fragment's text for the reproducer (config/kernel/<name>.config); the name alone if unreadable. */
function fragmentText(name: string): { name: string; text?: string } {
  const file = name.includes('/') || name.endsWith('.config') ? path.resolve(repoRoot, name) : path.join(repoRoot, 'config', 'kernel', `${name}.config`);
  try {
    return { name: path.basename(file, '.config'), text: readFileSync(file, 'utf8') };
  } catch {
    return { name };
  }
}

function testedSetup(runner: RunnerConfig, treeName: string, base: string, baseReason: string, suites: string[], qemuCommand?: string[]): TestedSetup {
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
    cpus: runner.cpus,
    memoryMiB: runner.memoryMiB,
    nvdimms: profile.usesQemuNvdimms ? runner.nvdimms : [],
    nvdimmPlatform: profile.platform,
    suites,
  };
}

export async function renderResultMail(i: RenderResultInput): Promise<{ subject: string; recipients: string[]; raw: string }> {
  const v = i.version;
  const series = replySeries(v);
  const tested = testedSetup(i.runner, i.treeName, i.base, i.baseReason, i.suites, i.qemuCommand);
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
