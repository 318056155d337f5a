/**
 * The result reply for a series tested on one runner: what was tested, the verdict, the changed
 * tests, crashes with their traces, the bisection, how to reproduce, the tags for the next
 * version. Plain text within 75 columns (the one exception is the machine-readable "first bad
 * commit:" line, which is never altered); pure, like every renderer here (reply.ts).
 */
import type { BisectStep } from '../../judge/bisect-series.ts';
import { crashSignature } from '../../judge/signature.ts';
import type { Verdict, VerdictEntry } from '../../judge/verdict.ts';
import { localQemuCommand } from '../artifacts.ts';
import { reproduceSection as reproducer } from '../reproduce.ts';
import { field, hardWrap, optionUnits, shellUnits, urlField, wrapProse, WIDTH } from '../wrap.ts';
import {
  greeting,
  join,
  links,
  mailboxText,
  paragraph,
  signature,
  type MailboxLike,
  type ReplyCommon,
} from './common.ts';

/** The part of ingest's SeriesVersion a reply needs (structural: the real type fits). */
export interface ReplySeries {
  /** The clean subject (prefixes removed). */
  subject: string;
  revision: number;
  rootMessageId: string;
  coverMessageId: string | null;
  patches: { counter: number; messageId: string; subject: string; from?: MailboxLike }[];
  expected: number;
  author: MailboxLike;
  baseCommit?: string | null;
  /** 'kernel' or a project prefix such as 'ndctl'. */
  project?: string;
  isRfc?: boolean;
  /**
   * The subject of the mail replied to, as sent ("[RFC PATCH -next v2 0/5] ..."). Without it
   * the usual "[PATCH vN k/n]" form is rebuilt from the clean subject.
   */
  coverSubject?: string;
  /**
   * Message-ids the cover (or patch 1) itself referenced, oldest first. Without them the
   * reply references the series' root only.
   */
  references?: string[];
  /** Every To and Cc of the mail replied to (mail.ccSeries copies those that are not lists). */
  cc?: string[];
  /** The mailing lists among them, e.g. "nvdimm@lists.linux.dev" (mail.ccList copies these). */
  lists?: string[];
}

export interface TestedSetup {
  treeName: string;
  /** Where the tree comes from, for people: a git URL (printed whole) or a description. */
  treeUrl?: string;
  /** The branch the base was taken from, when the tree has one to name. */
  treeBranch?: string;
  baseCommit: string;
  /** How the base was found: "base-commit trailer", "applied to the head of linux-6.1", ... */
  baseReason: string;
  /** What base discovery tried before it, one line each. */
  baseAttempts?: string[];
  /** A tag or branch name describing the base, e.g. "v6.1". */
  baseDescribe?: string;
  configFragments: { name: string; text?: string }[];
  configHash?: string;
  /** The defconfig target the fragments are merged into. */
  defconfig?: string;
  runner: string;
  cpus: number;
  memoryMiB: number;
  nvdimms: { sizeMiB: number; labelSizeKiB: number }[];
  /** Where the NVDIMMs come from ("emulated by QEMU ...", the nfit_test buses); QEMU's when absent. */
  nvdimmPlatform?: string;
  suites: string[];
  /** The series run's QEMU command line as recorded (host paths are rewritten for readers). */
  qemuCommand?: string[];
  /** The runner module ("qemu-pmem", "nfit-sim"): what the reproducer's initramfs is. */
  runnerKind?: string;
  arch?: string;
  /** What built the kernel ("gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40"). */
  compiler?: string;
  /** The series run's files on the dashboard (`<url>/<name>`), for the reproducer. */
  artifacts?: { url: string; names: string[] };
}

export interface BisectionReport {
  n: number;
  steps: BisectStep[];
  firstBad: number | null;
  candidates: number[];
  /** What was bisected: a build failure (build-only steps) or a runtime failure. */
  target?: { build?: boolean };
}

/** The last reply recorded for the version, when a re-run's result differs from it. */
export interface PreviousResult {
  outcome: string;
  summary?: string;
  /** When it was sent, or recorded if it never was (ISO 8601). */
  date: string;
  /** Its Message-ID when it was mailed; null when it was only recorded. */
  messageId: string | null;
  /** Its verdict, for the list of tests whose class changed. */
  verdict?: Verdict;
}

export interface ResultReplyInput extends ReplyCommon {
  kind: 'result';
  series: ReplySeries;
  tested: TestedSetup;
  verdict: Verdict;
  bisection?: BisectionReport;
  /** Set on a re-run whose result differs from the last reply's: the reply says what changed. */
  change?: PreviousResult;
  /** The dashboard page of the run (`/runs/<id>`), beside the series page. */
  runLink?: string;
}

function rebuiltSubject(series: ReplySeries, counter: number, subject: string): string {
  if (/^\s*\[/.test(subject)) return subject;
  const project = series.project && series.project !== 'kernel' ? `${series.project} ` : '';
  const rfc = series.isRfc ? 'RFC ' : '';
  const ver = series.revision > 1 ? ` v${series.revision}` : '';
  const n = series.expected || series.patches.length;
  const num = n > 1 || counter === 0 ? ` ${String(counter).padStart(String(n).length, '0')}/${n}` : '';
  return `[${rfc}${project}PATCH${ver}${num}] ${subject}`;
}

/** The mail a result reply answers: the cover letter, else the first patch. */
export function parentOf(series: ReplySeries): { id: string; subject: string } {
  const first = [...series.patches].sort((a, b) => a.counter - b.counter)[0];
  if (series.coverMessageId)
    return { id: series.coverMessageId, subject: series.coverSubject ?? rebuiltSubject(series, 0, series.subject) };
  const subject = series.coverSubject ?? rebuiltSubject(series, first?.counter ?? 1, first?.subject ?? series.subject);
  return { id: first?.messageId ?? series.rootMessageId, subject };
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

/** "[PATCH v2 3/5] fs/dax: foo" → "fs/dax: foo". */
function bareSubject(subject: string): string {
  return subject
    .replace(/^(\s*(re|fwd?):\s*)*/i, '')
    .replace(/^(\s*\[[^\]]*\]\s*)+/, '')
    .trim();
}

function patchLabel(series: ReplySeries, k: number): string {
  const n = series.expected || series.patches.length;
  const p = series.patches.find((x) => x.counter === k);
  return `[PATCH ${k}/${n}] ${p ? bareSubject(p.subject) : '(missing)'}`;
}

/** The tree, its branch and where to clone it: a URL on a line of its own, never broken. */
function treeLines(t: TestedSetup): string[] {
  const branch = t.treeBranch ? `, branch ${t.treeBranch}` : '';
  const isUrl = t.treeUrl !== undefined && /^[a-z][\w+.-]*:\/\/\S+$/i.test(t.treeUrl);
  if (!t.treeUrl || !isUrl) return field('tree', `${t.treeName}${t.treeUrl ? ` (${t.treeUrl})` : ''}${branch}`);
  // Under the field's value when it fits the width, else less indented; a URL is never broken.
  const under = ' '.repeat(12 + t.treeUrl.length <= WIDTH ? 12 : 4);
  return [...field('tree', `${t.treeName}${branch} of`), `${under}${t.treeUrl}`];
}

function testedSection(t: TestedSetup, v: Verdict): string[] {
  const lines = ['What was tested', ''];
  lines.push(...treeLines(t));
  const describe = t.baseDescribe ? ` ("${t.baseDescribe}")` : '';
  lines.push(...field('base', `${short(t.baseCommit)}${describe}`));
  lines.push(...field('found', t.baseReason));
  for (const [i, a] of (t.baseAttempts ?? []).entries()) lines.push(...field(i === 0 ? 'tried' : '', a));
  const frags = t.configFragments.map((f) => f.name).join(' + ');
  const cfg = `${t.defconfig ?? 'defconfig'}${frags ? ` + ${frags}` : ''}${t.configHash ? ` (config ${t.configHash.slice(0, 12)})` : ''}`;
  lines.push(...field('config', cfg));
  if (t.compiler) lines.push(...field('compiler', t.compiler));
  lines.push(
    ...field(
      'runner',
      `${t.runner}${t.arch ? ` (${t.arch})` : ''}, ${t.cpus} CPU${t.cpus === 1 ? '' : 's'}, ${t.memoryMiB} MiB`,
    ),
  );
  lines.push(
    ...field(
      'NVDIMMs',
      t.nvdimmPlatform && t.nvdimms.length === 0 ? t.nvdimmPlatform : nvdimmText(t.nvdimms, t.nvdimmPlatform),
    ),
  );
  lines.push(...field('suites', t.suites.join(', ') || '(runner default)'));
  if (v.seriesRuns || v.baseRuns) {
    lines.push(...field('runs', `${v.seriesRuns} with the series, ${v.baseRuns} on the base${infraNote(v)}`));
  }
  return lines;
}

function infraNote(v: Verdict): string {
  const n = v.infraRuns.base + v.infraRuns.series;
  return n ? ` (${n} more lost to machinery failures)` : '';
}

function nvdimmText(nv: TestedSetup['nvdimms'], platform = 'emulated by QEMU (nvdimm=on, label-size)'): string {
  if (nv.length === 0) return 'none';
  const groups = new Map<string, number>();
  for (const d of nv) {
    const k = `${d.sizeMiB} MiB, label area ${d.labelSizeKiB} KiB`;
    groups.set(k, (groups.get(k) ?? 0) + 1);
  }
  const parts = [...groups].map(([k, c]) => `${c} x ${k}`);
  return `${parts.join('; ')}, ${platform}`;
}

const classLabel: Record<VerdictEntry['class'], string> = {
  'new-failure': 'NEW FAILURE',
  'pre-existing': 'pre-existing',
  fixed: 'fixed',
  flaky: 'flaky',
  'skipped-prerequisite': 'skip: prerequisite',
  skip: 'skipped',
  pass: 'pass',
  unrelated: 'unrelated',
  'follows-crash': 'after crash',
};

function sideWord(c: VerdictEntry['base'], crash: boolean): string {
  if (c.runs === 0) return '-';
  if (crash) return c.fail === 0 ? 'no crash' : c.fail === c.runs ? 'crash' : `crash ${c.fail}/${c.runs}`;
  if (c.fail && c.pass) return `fail ${c.fail}/${c.runs}`;
  if (c.fail) return 'FAIL';
  if (c.pass) return 'pass';
  if (c.skip) return 'skip';
  return 'not run';
}

function changedTable(entries: VerdictEntry[]): string[] {
  // A failure that follows a crash is told under the crash (followersNote), not as a row of its own.
  const quiet = new Set<VerdictEntry['class']>(['pass', 'skip', 'skipped-prerequisite', 'follows-crash']);
  const changed = entries.filter((e) => !quiet.has(e.class));
  if (changed.length === 0) return [];
  const lines = ['Tests that changed or failed (base -> series)', ''];
  const nameWidth = 36;
  lines.push(`  ${'test'.padEnd(nameWidth)} ${'base'.padEnd(10)} ${'series'.padEnd(10)} verdict`);
  for (const e of changed) {
    // The crash's full title is in its own section; here it only has to be recognizable.
    const full = e.kind === 'crash' ? `crash: ${e.name}` : e.key;
    const label = e.kind === 'crash' && full.length > nameWidth ? `${full.slice(0, nameWidth - 3)}...` : full;
    const cols = ` ${sideWord(e.base, e.kind === 'crash').padEnd(10)} ${sideWord(e.series, e.kind === 'crash').padEnd(10)} ${classLabel[e.class]}`;
    if (label.length <= nameWidth) lines.push(`  ${label.padEnd(nameWidth)}${cols}`);
    else {
      lines.push(...hardWrap(`  ${label}`, '  '));
      lines.push(`  ${''.padEnd(nameWidth)}${cols}`);
    }
    lines.push(...wrapProse(e.agreement, '      '));
  }
  return lines;
}

/** The tests that failed after this crash in the same boot (judge/follows-crash.ts). */
function followersOf(crash: VerdictEntry, entries: readonly VerdictEntry[]): VerdictEntry[] {
  const sig = crash.signature ?? crashSignature(crash.name);
  return entries.filter(
    (e) => e.class === 'follows-crash' && e.followsCrash && crashSignature(e.followsCrash.title) === sig,
  );
}

/** Where the crash happened and what failed after it, said once instead of one failure per test. */
function followersNote(crash: VerdictEntry, entries: readonly VerdictEntry[]): string[] {
  const names = followersOf(crash, entries).map((e) => e.key);
  if (names.length === 0) return [];
  const during = followersOf(crash, entries).find((e) => e.followsCrash?.test)?.followsCrash?.test;
  // The test the crash happened in first, then the others in the verdict's order.
  const ordered = during && names.includes(during) ? [during, ...names.filter((n) => n !== during)] : names;
  const list = ordered.length === 1 ? ordered[0] : `${ordered.slice(0, -1).join(', ')} and ${ordered.at(-1)}`;
  const one = ordered.length === 1;
  const text =
    `${during ? `It happened while ${during} ran. ` : ''}` +
    `${list} failed after it in the same boot: ${one ? 'it follows' : 'they follow'} the crash and ` +
    `${one ? 'is' : 'are'} not counted on ${one ? 'its' : 'their'} own.`;
  return wrapProse(text, '  ', WIDTH, '  ');
}

function crashSection(e: VerdictEntry, entries: readonly VerdictEntry[]): string[] {
  const f = e.finding;
  if (!f) return [];
  const lines = [...wrapProse(`Crash: ${f.title}`, '  ', WIDTH, '')];
  lines.push(...wrapProse(`(${e.agreement})`, '  ', WIDTH, '  '));
  lines.push(...followersNote(e, entries));
  lines.push('');
  if (f.rip) lines.push(...hardWrap(`  RIP: ${f.rip}`));
  if (f.process) lines.push(...hardWrap(`  Comm: ${f.process}`));
  const frames = f.symbolized && f.symbolized.length ? f.symbolized : f.trace;
  if (frames.length) {
    lines.push('  Call Trace:');
    const shown = frames.slice(0, 16);
    for (const fr of shown) lines.push(...hardWrap(`   ${fr}`, '      '));
    if (frames.length > shown.length) lines.push(`   ... ${frames.length - shown.length} more frames on the dashboard`);
  }
  return lines;
}

/**
 * The last lines of a failure's excerpt that a reply quotes. Runners trim their excerpts to what
 * shows the failure (fstests-dax: the .out.bad diff, then the kernel log of the test).
 */
const EXCERPT_LINES = 24;

function testFailureSection(e: VerdictEntry): string[] {
  const lines = [`Failure: ${e.key}${e.reason ? ` (${e.reason})` : ''}`].flatMap((l) => wrapProse(l, '  ', WIDTH, ''));
  if (e.excerpt) {
    const ex = e.excerpt.split('\n').slice(-EXCERPT_LINES);
    lines.push('');
    for (const l of ex) lines.push(...hardWrap(`  | ${l}`, '      '));
  }
  return lines;
}

function environmentSection(v: Verdict): string[] {
  if (v.environmentProblems.length === 0) return [];
  const lines = wrapProse(
    'Skipped for a missing prerequisite (a problem of the test environment, not of the series; daxbot will fix its setup):',
  );
  for (const e of v.environmentProblems)
    lines.push(...wrapProse(`${e.key}${e.reason ? ` (${e.reason})` : ''}`, '      ', WIDTH, '    - '));
  return lines;
}

/**
 * What passing tests report as information (nfit-sim's bus1-broken-dimms names the failure flags
 * nfit_test gives its simulated broken DIMMs): shown so a maintainer sees the simulation was
 * set up as expected, and said plainly not to be failures.
 */
function informationSection(v: Verdict): string[] {
  const notes = v.entries.filter((e) => e.class === 'pass' && e.kind === 'test' && e.reason);
  if (notes.length === 0) return [];
  const lines = ['Information (not failures)'];
  for (const e of notes) lines.push(...wrapProse(`${e.key}: ${e.reason ?? ''}`, '      ', WIDTH, '  '));
  return lines;
}

function bisectionSection(series: ReplySeries, b: BisectionReport): string[] {
  const build = b.target?.build === true;
  const kind = build ? 'build' : 'build-and-boot';
  const lines = [`Bisection within the series (${b.steps.length} ${kind} step${b.steps.length === 1 ? '' : 's'})`, ''];
  const known = build ? `the base builds, all ${b.n} patches do not` : `base good, all ${b.n} patches bad`;
  lines.push(...field('known', known));
  for (const s of b.steps) {
    lines.push(...wrapProse(patchLabel(series, s.k), '        ', WIDTH, `  ${s.result.padEnd(5)} `));
    if (s.note) lines.push(...wrapProse(`(${s.note})`, '        ', WIDTH, '        '));
  }
  lines.push('');
  if (b.firstBad !== null) {
    // Exact and unwrapped: people and scripts grep for this line.
    lines.push(`first bad commit: ${patchLabel(series, b.firstBad)}`);
  } else {
    lines.push(...wrapProse('The first bad patch could not be told apart because of skipped steps; it is one of:'));
    for (const k of b.candidates) lines.push(...hardWrap(`  ${patchLabel(series, k)}`, '  '));
  }
  return lines;
}

function reproduceSection(series: ReplySeries, t: TestedSetup, o: { qemuShownAbove?: string } = {}): string[] {
  return reproducer({
    messageId: parentOf(series).id,
    baseCommit: t.baseCommit,
    configFragments: t.configFragments,
    ...(t.defconfig !== undefined && { defconfig: t.defconfig }),
    ...(t.qemuCommand && { qemuCommand: t.qemuCommand }),
    ...(t.runnerKind !== undefined && { runnerKind: t.runnerKind }),
    ...(t.artifacts && { artifacts: t.artifacts }),
    ...(o.qemuShownAbove !== undefined && { qemuShownAbove: o.qemuShownAbove }),
  });
}

/** A runner's QEMU command line, rewritten to the files the reproducer makes. */
function qemuSection(t: TestedSetup): string[] {
  if (!t.qemuCommand || t.qemuCommand.length === 0) return [];
  return [`QEMU command line (${t.runner})`, '', ...shellUnits(optionUnits(localQemuCommand(t.qemuCommand).argv))];
}

/**
 * The tags for a fix, the 0-day robot's way: asked for only when the fix is a patch of its own,
 * since maintainers object to Reported-by for a bug in a version that was never merged. The
 * lines start with "| " so that b4 and patchwork do not take them for tags given to the series.
 * Closes: names the failing run's page when there is one: a trailer must stay one line, and
 * `/runs/<id>` is short where a version key (the cover's Message-ID) can push the series page's
 * address past the width.
 */
function tagsSection(input: ReplyCommon, runLink?: string): string[] {
  return [
    ...wrapProse(
      'If you fix the issue in a separate patch (not just in a new version of this series), please add these tags to it:',
    ),
    `| Reported-by: ${input.mail.from}`,
    `| Closes: ${runLink ?? input.dashboardLink}`,
  ];
}

/** The mail the reply answers, in the list archive (mail.archiveUrl), as the 0-day robot links it. */
export function patchLink(input: ReplyCommon, series: ReplySeries): string[] {
  const id = parentOf(series).id.replace(/^<|>$/g, '');
  // Percent-encoded as a path segment, with "@" kept readable (lore resolves both).
  const url = `${input.mail.archiveUrl.replace(/\/*$/, '/')}${encodeURIComponent(id).replace(/%40/g, '@')}`;
  return urlField('patch link', url);
}

/** What the series is built into: the kernel, or the project of the series (ndctl). */
export function builtThing(series: Pick<ReplySeries, 'project'>): string {
  return series.project && series.project !== 'kernel' ? series.project : 'the kernel';
}

function headline(v: Verdict, series: ReplySeries): string {
  const ver = series.revision > 1 ? `v${series.revision} of this series` : 'this series';
  switch (v.outcome) {
    case 'regression':
      return `daxbot tested ${ver} and found a regression: ${v.summary}.`;
    case 'apply-failed':
      return `daxbot could not test ${ver}: ${v.summary}.`;
    case 'build-failed':
      return `daxbot tested ${ver}: ${builtThing(series)} does not build with it applied.`;
    case 'pre-existing-only':
      return `daxbot tested ${ver} and found no new failures. Some tests fail on the base as well or are flaky; they are listed below but not blamed on the series.`;
    case 'infra':
      return `daxbot could not finish testing ${ver} because of a problem on its side (${v.summary}). It will try again; nothing is needed from you.`;
    case 'pass':
      return `daxbot tested ${ver} and found no new failures.`;
  }
}

function applySection(v: Verdict, series: ReplySeries, tested?: Pick<TestedSetup, 'baseAttempts'>): string[] {
  const a = v.applyFailure;
  if (!a) return [];
  const lines: string[] = [];
  const tried = tested?.baseAttempts ?? [];
  if (a.failedPatch !== undefined) {
    lines.push(...hardWrap(`  ${patchLabel(series, a.failedPatch)}`, '  '));
    lines.push(...wrapProse(`does not apply to ${short(a.base)} (base found: ${a.reason}).`, '  ', WIDTH, '  '));
  } else {
    lines.push(...wrapProse(`The series does not apply to ${short(a.base)} (base found: ${a.reason}).`));
  }
  if (tried.length > 0) {
    lines.push('', 'Before that base, daxbot tried:');
    for (const t of tried) lines.push(...wrapProse(t, '    ', WIDTH, '  - '));
  }
  if (a.conflictFiles?.length) {
    lines.push('', 'Conflicts in:');
    for (const f of a.conflictFiles) lines.push(...hardWrap(`  ${f}`));
  }
  if (a.output) {
    lines.push('', 'git am said:');
    for (const l of a.output.trim().split('\n').slice(0, 12)) lines.push(...hardWrap(`  | ${l}`, '      '));
  }
  lines.push(
    '',
    ...wrapProse(
      'If the series is meant for another tree or base, add a "base-commit:" line (git format-patch --base) or ask a maintainer for "#daxbot test base <commit>".',
    ),
  );
  return lines;
}

function buildSection(v: Verdict): string[] {
  const errs = (v.buildErrors ?? []).filter((e) => e.severity === 'error');
  const lines = ['First build errors', ''];
  if (errs.length === 0) lines.push('  (no compiler diagnostics; see the full log on the dashboard)');
  for (const e of errs.slice(0, 8)) {
    lines.push(
      ...hardWrap(
        `  ${e.file}:${e.line}${e.column !== undefined ? `:${e.column}` : ''}: error: ${e.message}`,
        '      ',
      ),
    );
  }
  if (errs.length > 8) lines.push(`  ... and ${errs.length - 8} more`);
  return lines;
}

/** Like the 0-day robot's build reports: warnings the series added, with file and line. */
function warningsSection(v: Verdict): string[] {
  const ws = v.newWarnings ?? [];
  if (ws.length === 0) return [];
  const lines = [`New compiler warnings (${ws.length}, not in the base build)`, ''];
  for (const w of ws.slice(0, 8)) {
    lines.push(
      ...hardWrap(
        `  ${w.file}:${w.line}${w.column !== undefined ? `:${w.column}` : ''}: warning: ${w.message}`,
        '      ',
      ),
    );
  }
  if (ws.length > 8) lines.push(`  ... and ${ws.length - 8} more`);
  return lines;
}

function notesSection(v: Verdict): string[] {
  const unblamed = v.entries.filter(
    (e) => e.class === 'pre-existing' || e.class === 'flaky' || e.class === 'fixed' || e.class === 'unrelated',
  );
  if (unblamed.length === 0 || v.outcome === 'regression') return [];
  const lines = changedTable(unblamed);
  // The table cuts long titles; a crash the base has too is worth its full name (it may be known).
  for (const e of unblamed.filter((x) => x.kind === 'crash' && x.class === 'pre-existing')) {
    lines.push('', ...wrapProse(`Also on the base: ${e.finding?.title ?? e.name}`, '  ', WIDTH, ''));
    lines.push(...followersNote(e, v.entries));
  }
  return lines;
}

function verdictBlock(v: Verdict, series?: Pick<ReplySeries, 'project'>): string[] {
  // The judge speaks of kernels; another project's series builds that project.
  const summary = series
    ? v.summary.replace(/^the kernel does not build/, `${builtThing(series)} does not build`)
    : v.summary;
  const lines = wrapProse(`Verdict: ${v.outcome} (${summary})`, '  ', WIDTH, '');
  // One line per failure a maintainer marked unrelated (#daxbot unrelated), so nobody wonders
  // where a crash from an earlier reply went.
  for (const n of v.notCounted ?? []) {
    const by = `marked unrelated by ${n.markedBy} on ${n.markedAt.slice(0, 10)}`;
    lines.push(
      ...wrapProse(
        `not counted: ${n.title} (${n.kind === 'crash' ? by : `stopped by a crash ${by}`})`,
        '  ',
        WIDTH,
        '',
      ),
    );
  }
  return lines;
}

/** The body of a single-runner result reply. */
export function renderResultBody(input: ResultReplyInput): string {
  const { series, tested, verdict: v } = input;
  const sections: string[][] = [greeting(mailboxText(series.author))];
  if (input.change) sections.push(changeSection(input.change, v));
  sections.push(paragraph(headline(v, series)));
  if (input.change && retracts(input.change, v.outcome)) sections.push(paragraph(RETRACTION));
  sections.push(patchLink(input, series));
  if (v.outcome === 'apply-failed') {
    sections.push(applySection(v, series, tested));
  } else {
    sections.push(testedSection(tested, v), verdictBlock(v, series));
    if (v.outcome === 'build-failed') sections.push(buildSection(v));
    if (v.outcome === 'build-failed' && input.bisection) sections.push(bisectionSection(series, input.bisection));
    if (v.outcome === 'regression') {
      sections.push(changedTable(v.entries));
      for (const e of v.entries.filter((x) => x.class === 'new-failure')) {
        sections.push(e.kind === 'crash' ? crashSection(e, v.entries) : testFailureSection(e));
      }
      if (input.bisection) sections.push(bisectionSection(series, input.bisection));
    } else {
      sections.push(notesSection(v));
    }
    sections.push(environmentSection(v), informationSection(v), warningsSection(v));
    if (v.outcome === 'regression' || v.outcome === 'build-failed') sections.push(reproduceSection(series, tested));
  }
  sections.push(links(input.dashboardLink, input.runLink));
  if (v.outcome === 'regression' || v.outcome === 'build-failed') sections.push(tagsSection(input, input.runLink));
  sections.push(signature(input));
  return join(sections);
}

/** "2024-06-02T10:11:12.000Z" → "2024-06-02 10:11 UTC"; anything else as it is. */
function when(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** Tests whose class differs between two verdicts ("key: old -> new"). */
function classChanges(previous: readonly VerdictEntry[], current: readonly VerdictEntry[]): string[] {
  const before = new Map(previous.map((e) => [e.key, e]));
  const changes: string[] = [];
  for (const e of current) {
    const old = before.get(e.key);
    before.delete(e.key);
    const oldClass = old?.class ?? 'absent';
    if (oldClass !== e.class)
      changes.push(`${e.kind === 'crash' ? `crash: ${e.name}` : e.key}: ${oldClass} -> ${e.class}`);
  }
  for (const old of before.values())
    changes.push(`${old.kind === 'crash' ? `crash: ${old.name}` : old.key}: ${old.class} -> absent`);
  return changes;
}

/**
 * The paragraph that opens a reply whose result differs from the last one recorded for the
 * version: when that was, whether anyone was told, and what changed.
 */
function changeSection(
  p: PreviousResult,
  now: { outcome: string; summary: string; entries?: readonly VerdictEntry[] },
): string[] {
  // The same outcome word on both sides says nothing: then the summaries tell them apart.
  const same = p.outcome === now.outcome && p.summary !== undefined;
  const from = same ? `${p.outcome} (${p.summary ?? ''})` : p.outcome;
  const to = same ? `${now.outcome} (${now.summary})` : now.outcome;
  const id = p.messageId === null ? 'not mailed' : `<${p.messageId.replace(/^<|>$/g, '')}>`;
  // "old -> new" stays on one line when it fits one: a glue character the wrapper does not
  // split at stands in for its spaces until the paragraph is wrapped.
  const glue = '\u0001';
  const transition = `${from} -> ${to}`;
  const unit = transition.length <= WIDTH ? transition.replace(/ /g, glue) : transition;
  const lines = paragraph(`Changed since the previous report (${when(p.date)}, ${id}): ${unit}`).map((l) =>
    l.split(glue).join(' '),
  );
  if (p.verdict && now.entries) {
    for (const c of classChanges(p.verdict.entries, now.entries)) lines.push(...wrapProse(c, '      ', WIDTH, '  - '));
  }
  return lines;
}

const PROBLEMS = new Set(['regression', 'build-failed', 'apply-failed']);

/** A mailed regression that this result no longer shows (flaky, or the machine): say sorry. */
function retracts(p: PreviousResult, outcome: string): boolean {
  return p.messageId !== null && p.outcome === 'regression' && !PROBLEMS.has(outcome);
}

const RETRACTION =
  'The earlier report may have been caused by a flaky test or by the test machine. Sorry for the noise.';

/**
 * The sections of a result reply, for group.ts: a reply covering several runners
 * shows each runner's part in exactly the single-runner wording.
 */
export const resultSections = {
  greeting,
  paragraph,
  testedSection,
  verdictBlock,
  builtThing,
  changedTable,
  crashSection,
  testFailureSection,
  bisectionSection,
  applySection,
  buildSection,
  changeSection,
  retracts,
  retraction: RETRACTION,
  qemuSection,
  links,
  notesSection,
  environmentSection,
  reproduceSection,
  tagsSection,
  patchLink,
  signature,
  join,
};
