/**
 * Kernel console analysis: finds oops/BUG/WARNING/KASAN/lockdep/hang reports in a console log
 * and gives each a syzkaller-style title, the faulting RIP, the call trace, process and taint.
 *
 * Everything is line based: each line is tested against a bounded number of short regexes on a
 * length-capped copy, so the cost is linear in the log size (logs can be many megabytes).
 */
import type { Finding, FindingType } from '../types.ts';
import {
  ARM_FRAME_LINE,
  COMMON_SKIP,
  CORRUPTED_LINE,
  FRAME_LINE,
  INFO_WITH_STACK,
  OOPS_RULES,
  REPORT_START_IGNORES,
  STACK,
  STACK_KEYWORDS,
  STALL_ANCHORS,
  STRIP_FRAME_PREFIXES,
} from './console-rules.ts';
import type { OopsRule, StackPart, StackSpec, TitleFormat } from './console-rules.ts';

/** Regexes only ever see this much of a line: a garbage megabyte-long line must not cost more. */
const MAX_LINE = 600;
/** A report longer than this is cut: the tail is never needed for the title or the trace. */
const MAX_REPORT_LINES = 1500;
const MAX_TITLE = 120;

interface Line {
  /** Text with the "[  12.345][ T123] " prefix and "\r" removed, capped at MAX_LINE. */
  text: string;
  /** "" (no timestamp), "console" (timestamp only) or the caller id "T123"/"C0". */
  context: string;
  /** A "? func+0x.." frame that the unwinder marked unreliable. */
  questionable: boolean;
  /** Offsets of the raw line in the log (end excludes the newline). */
  start: number;
  end: number;
}

const PREFIX =
  /^(?:\*\* [0-9]+ printk messages dropped \*\* )?(?:<[0-9]+>)?\[ *[0-9]+\.[0-9]+\](\[ *(?:C|T)[0-9]+\])? /;
const QUESTIONABLE = /^(?:\[<[0-9a-f]+>\])? *\? /;

function splitLines(log: string): Line[] {
  const lines: Line[] = [];
  let pos = 0;
  while (pos <= log.length) {
    let end = log.indexOf('\n', pos);
    if (end === -1) end = log.length;
    let raw = log.slice(pos, Math.min(end, pos + MAX_LINE + 64));
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    raw = raw.replaceAll('\r', '');
    lines.push({ ...parsePrefix(raw), start: pos, end });
    pos = end + 1;
  }
  return lines;
}

const MAIL_QUOTE = /^(?:> ?)+/;

function parsePrefix(line: string): { text: string; context: string; questionable: boolean } {
  // Reports pasted into mail replies arrive quoted ("> > [  1.2] BUG: ...").
  const raw = line.startsWith('>') ? line.replace(MAIL_QUOTE, '') : line;
  let subject = raw;
  // A login prompt can be glued in front of a kernel line on a shared serial console.
  const login = raw.indexOf(' login: ');
  if (login !== -1 && raw.indexOf('[', login) !== -1) subject = raw.slice(login + 8);
  const m = PREFIX.exec(subject);
  if (m === null) return { text: raw.slice(0, MAX_LINE), context: '', questionable: false };
  const context = m[1] !== undefined ? m[1].slice(1, -1).trim() : 'console';
  const text = subject.slice(m[0].length).slice(0, MAX_LINE);
  const questionable = !text.includes('<EOI>') && QUESTIONABLE.test(text.trimStart());
  return { text, context, questionable };
}

function matchOops(text: string): OopsRule | null {
  for (const rule of OOPS_RULES) {
    if (!text.includes(rule.header)) continue;
    if (rule.ignore.some((re) => re.test(text))) continue;
    return rule;
  }
  return null;
}

interface Extent {
  rule: OopsRule;
  startLine: number;
  /** Lines of the report (context-filtered, prefixes stripped). */
  report: Line[];
  /** How many of `report` lines precede a second report (title is taken from those). */
  reportEnd: number;
  /** Raw line index where the next report starts, or lines.length. */
  nextStart: number;
}

/**
 * Collects the report's lines: those from the same printk caller as the first line (or all
 * timestamped lines when the kernel does not print callers), skipping unreliable frames, and
 * notes where a second report begins.
 */
function collectReport(lines: Line[], startLine: number, rule: OopsRule): Extent {
  const first = lines[startLine];
  if (first === undefined) throw new Error('collectReport: start line out of range');
  const context = first.context;
  const report: Line[] = [];
  let reportEnd = 0;
  let secondReport = -1;
  let cpuTraceback = false;
  let skipText = false;
  let textLines = 0;
  let i = startLine;
  // Bounded in raw lines too: other callers' lines are skipped without counting.
  const limit = Math.min(lines.length, startLine + 2 * MAX_REPORT_LINES);
  for (; i < limit && report.length < MAX_REPORT_LINES; i++) {
    const line = lines[i];
    if (line === undefined) break;
    const isFirst = i === startLine;
    if (!isFirst && secondReport === -1) {
      const other = matchOops(line.text);
      // Symbolized copies print the header twice (inline site, then caller): same report.
      const repeat = other === rule && i - startLine <= 2;
      if (other !== null && !repeat && !REPORT_START_IGNORES.some((re) => re.test(line.text))) secondReport = i;
      else if (INFO_WITH_STACK.some((s) => line.text.includes(s))) secondReport = i;
    }
    // Reports from the same caller stay together even after another report started.
    if (secondReport !== -1 && i - secondReport > 400 && !isCaller(context)) break;
    if (
      !isFirst &&
      (line.questionable || (line.context !== context && (!cpuTraceback || !/^C[0-9]+$/.test(line.context))))
    )
      continue;
    textLines++;
    let skip = skipText;
    if (line.text.includes('Disabling lock debugging due to kernel taint')) skip = true;
    else if (line.text.includes('Sending NMI from CPU')) cpuTraceback = true;
    else if (
      textLines > 22 &&
      (line.text.includes('Kernel panic - not syncing') ||
        line.text.includes('WARNING: possible circular locking dependency detected'))
    ) {
      // panic_on_warn and oops-induced lockdep splats repeat what the report already holds.
      skipText = true;
      skip = true;
    }
    if (!isFirst && skip) continue;
    report.push(line);
    if (secondReport === -1 || isCaller(context)) reportEnd = report.length;
  }
  if (reportEnd === 0) reportEnd = report.length;
  return { rule, startLine, report, reportEnd, nextStart: secondReport === -1 ? i : secondReport };
}

function isCaller(context: string): boolean {
  return context !== '' && context !== 'console';
}

/* ---------- title ---------- */

const skipCache = new WeakMap<StackSpec, (frame: string) => boolean>();

function skipper(spec: StackSpec): (frame: string) => boolean {
  let fn = skipCache.get(spec);
  if (fn === undefined) {
    const re = new RegExp([...COMMON_SKIP, ...(spec.skip ?? [])].join('|'));
    fn = (frame: string) => re.test(frame);
    skipCache.set(spec, fn);
  }
  return fn;
}

function framesOf(text: string): string[] {
  const m = FRAME_LINE.exec(text);
  if (m !== null) {
    const name = m[1] ?? m[2];
    return name === undefined ? [] : [name];
  }
  const arm = ARM_FRAME_LINE.exec(text);
  if (arm !== null)
    return [arm[1], arm[2]].filter((x): x is string => x !== undefined).map((x) => x.replace(/[.+].*$/, ''));
  return [];
}

/**
 * Walks the report by parts: a regex part finds its next matching line (its captures are
 * frames); a STACK part collects frames until the next stack keyword. Only the frames before a
 * second STACK part count: later stacks (allocation sites, "created at") are context.
 */
function runParts(texts: string[], parts: StackPart[], skip: (f: string) => boolean): string[] {
  const frames: string[] = [];
  let pos = 0;
  let stacks = 0;
  const push = (frame: string | undefined) => {
    if (frame !== undefined && frame !== '' && !skip(frame)) frames.push(frame);
  };
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p];
    if (part === STACK) {
      if (stacks++ > 0) break;
      const next = parts[p + 1];
      let advanced = false;
      for (; pos < texts.length && !advanced; pos++) {
        const t = texts[pos] ?? '';
        if (CORRUPTED_LINE.test(t)) return frames;
        if (STACK_KEYWORDS.some((re) => re.test(t))) {
          advanced = true;
          continue;
        }
        if (next !== undefined && next !== STACK) {
          const m = next.exec(t);
          if (m !== null) {
            push(m.slice(1).find((g) => g !== undefined));
            p++;
            advanced = true;
            continue;
          }
        }
        for (const f of framesOf(t)) push(f);
      }
    } else {
      for (; pos < texts.length; pos++) {
        const t = texts[pos] ?? '';
        if (CORRUPTED_LINE.test(t)) return frames;
        const m = part === undefined ? null : part.exec(t);
        if (m === null) continue;
        push(m.slice(1).find((g) => g !== undefined));
        pos++;
        break;
      }
    }
  }
  return frames;
}

function stallFrame(frames: string[]): string {
  let prev = frames[0] ?? '';
  for (const frame of frames) {
    if (STALL_ANCHORS.some((re) => re.test(frame))) {
      // The dispatcher itself is the identity here: its callees vary from stall to stall.
      if (frame.includes('smp_call_function')) return 'smp_call_function';
      return prev;
    }
    prev = frame;
  }
  return '';
}

function hungTaskFrame(frames: string[]): string {
  for (const frame of frames) {
    if (frame.includes('rtnl_lock')) return frame;
    if (/synchronize_(?:rcu|srcu|net|sched)/.test(frame)) return 'synchronize_rcu';
  }
  const ignore = [
    'sched',
    '_lock',
    '_slowlock',
    'down',
    'rwsem',
    'completion',
    'kthread',
    'wait',
    'synchronize',
    'context_switch',
    '__switch_to',
    'cancel_delayed_work',
    'rcu_barrier',
  ];
  return frames.find((f) => !ignore.some((s) => f.includes(s))) ?? '';
}

function extractFrame(texts: string[], spec: StackSpec): string {
  const skip = skipper(spec);
  const pick = (raw: string[]): string => {
    const frames = raw.map(stripFramePrefix);
    if (frames.length === 0) return '';
    if (spec.extractor === 'stall') return stallFrame(frames);
    if (spec.extractor === 'hung-task') return hungTaskFrame(frames);
    return frames[0] ?? '';
  };
  let frame = pick(runParts(texts, spec.parts, skip));
  if (frame === '' && spec.parts2 !== undefined) frame = pick(runParts(texts, spec.parts2, skip));
  return frame;
}

function stripFramePrefix(frame: string): string {
  let f = frame;
  for (const p of STRIP_FRAME_PREFIXES) {
    if (frame.startsWith(p) && frame.length - p.length < f.length) f = frame.slice(p.length);
  }
  return f;
}

/** Matches a chain of line regexes: the first on `from`, each next one on a later line. */
function matchChain(texts: string[], from: number, chain: RegExp[]): string[] | null {
  const args: string[] = [];
  let pos = from;
  for (let k = 0; k < chain.length; k++) {
    const re = chain[k];
    if (re === undefined) break;
    let found = false;
    for (let limit = 0; pos < texts.length && limit < 400; pos++, limit++) {
      const m = re.exec(texts[pos] ?? '');
      if (m === null) {
        if (k === 0) return null;
        continue;
      }
      for (const g of m.slice(1)) args.push(g ?? '');
      found = true;
      pos++;
      break;
    }
    if (!found) return null;
  }
  return args;
}

interface TitleResult {
  title: string;
  type: FindingType;
}

/** The earliest line matched by a format's title wins; formats are tried in order on it. */
function describe(texts: string[], rule: OopsRule): TitleResult | null {
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i] ?? '';
    let matched = false;
    for (const fmt of rule.formats) {
      const m = fmt.title.exec(t);
      if (m === null) continue;
      matched = true;
      const result = applyFormat(texts, i, fmt, m);
      if (result !== null) return result;
    }
    // A title matched but no format could complete: the report is damaged, use its header line.
    if (matched) return null;
  }
  return null;
}

function applyFormat(texts: string[], i: number, fmt: TitleFormat, m: RegExpExecArray): TitleResult | null {
  let args: string[];
  if (fmt.report !== undefined) {
    const chained = matchChain(texts, i, fmt.report);
    if (chained === null) return null;
    args = chained;
  } else {
    args = m.slice(1).map((g) => g ?? '');
  }
  let frame = '';
  if (fmt.stack !== undefined) {
    frame = extractFrame(texts.slice(i), fmt.stack);
    if (frame === '') frame = 'corrupted';
  }
  return { title: fmt.fmt(args, frame), type: fmt.type };
}

const TITLE_REPLACEMENTS: ReadonlyArray<[RegExp, string]> = [
  [/syz-executor\.?[0-9]+(?:(?:\/|:)[0-9]+)?/g, 'syz-executor'],
  [/syzkaller[0-9]+(?:(?:\/|:)[0-9]+)?/g, 'syzkaller'],
  [/([^a-zA-Z0-9])(?:0x)?[0-9a-f]{6,}/g, '$1ADDR'],
  [/[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}/g, 'IP'],
  [/(\.\w+)(?::[0-9]+)+/g, '$1:LINE'],
  [/([a-zA-Z][a-zA-Z0-9_.]+)\+0x[0-9a-z]+\/0x[0-9a-z]+/g, '$1'],
  [/CPU#[0-9]+/g, 'CPU'],
  [/(\W)(\d+)(\W|$)/g, '$1NUM$3'],
  [/\d{7,}/g, 'NUM'],
];

/** Takes out what varies between occurrences of one bug: addresses, numbers, offsets, pids. */
export function normalizeTitle(title: string): string {
  let t = title.length > 4 * MAX_TITLE ? title.slice(0, 4 * MAX_TITLE) : title;
  for (const [re, repl] of TITLE_REPLACEMENTS) {
    // Overlapping matches ("0,1,2") need more than one pass.
    for (let i = 0; i < 8; i++) {
      const next = t.replace(re, repl);
      if (next === t) break;
      t = next;
    }
  }
  let out = '';
  let prev = ' ';
  for (const ch of t) {
    if (out.length >= MAX_TITLE) break;
    const c = ch === '\t' ? ' ' : ch;
    const code = c.charCodeAt(0);
    if (code < 0x20 || code >= 0x7f) continue;
    if (c === ' ' && prev === ' ') continue;
    out += c;
    prev = c;
  }
  return out.trim();
}

/* ---------- details: rip, trace, process, taint ---------- */

const RIP_DETAIL =
  /(?:^|\s)(?:RIP: [0-9a-f]{4}:(?:\[<[0-9a-f]+>\] )?|pc : |PC is at |EIP: (?:[0-9a-f]{4}:)?(?:\[<[0-9a-f]+>\] )?)([a-zA-Z0-9_.]+\+0x[0-9a-f]+\/0x[0-9a-f]+)/;
const PROCESS = /CPU: [0-9]+ (?:UID: [0-9]+ )?PID: [0-9]+ Comm: (.+?)(?: (?:Not tainted|Tainted:)|$)/;
const TAINT = /Tainted: ([A-Z][A-Z ]*?)\s+[0-9]|Tainted: ((?:\[[A-Z]\]=[A-Z_]+(?:, )?)+)/;
/** Entry, interrupt and unwinder plumbing frames: not part of what the kernel was doing. */
const PLUMBING =
  /^(?:entry_SYSCALL|entry_INT80|do_syscall_|asm_(?:sysvec|exc|common)_|sysvec_|irq_exit|__irq_exit|handle_softirqs|__do_softirq|do_softirq|ret_from_fork|ret_from_fork_asm|el0t?_|el1h?_|el0_svc|invoke_syscall|__sysvec_|common_interrupt|do_IRQ|exc_)/;
const REPORTING =
  /^(?:__dump_stack|dump_stack|dump_stack_lvl|show_stack|print_address_description|print_report|kasan_report|__kasan_report|kasan_check_range|__asan_|__kasan_|__warn|warn_slowpath|report_bug|handle_bug|exc_invalid_op|panic|__might_resched|__might_sleep|___might_sleep|ubsan_|__ubsan_|kmsan_|__msan_|check_noncircular|print_circular_bug|__lock_acquire|lock_acquire|validate_chain|check_prev_add|__schedule_bug|check_hung)/;
const TRACE_FRAME =
  /^\s*(?:\[<?[0-9a-f]+>?\] ?){0,2}\s*(?:[0-9]+:)?([a-zA-Z0-9_.]+\+0x[0-9a-f]+\/0x[0-9a-f]+|[a-zA-Z0-9_.]+ [^ ]+:[0-9]+ \[inline\])/;

function details(report: Line[]): {
  rip: string | null;
  trace: string[];
  process: string | null;
  taint: string | null;
} {
  let rip: string | null = null;
  let process: string | null = null;
  let taint: string | null = null;
  let trace: string[] = [];
  let inTrace = false;
  let traceDone = false;
  for (const line of report) {
    const t = line.text;
    if (rip === null) {
      const m = RIP_DETAIL.exec(t);
      if (m?.[1] !== undefined) rip = m[1];
    }
    if (process === null) {
      const m = PROCESS.exec(t);
      if (m?.[1] !== undefined) {
        process = m[1].trim();
        if (/Not tainted/.test(t)) taint = null;
        else {
          const tm = TAINT.exec(t);
          const got = tm?.[1] ?? tm?.[2];
          if (got !== undefined)
            taint = got
              .replace(/\s+/g, '')
              .replace(/=[A-Z_]+,?/g, '')
              .replace(/[[\]]/g, '');
        }
      }
    }
    if (traceDone) continue;
    if (/Call [Tt]race:|^\s*backtrace(?: \(crc [0-9a-f]+\))?:/.test(t)) {
      if (trace.length > 0) traceDone = true;
      else inTrace = true;
      continue;
    }
    if (!inTrace) continue;
    if (line.questionable || /^\s*\?/.test(t)) continue;
    const m = TRACE_FRAME.exec(t);
    if (m?.[1] !== undefined) {
      const frame = m[1].replace(/ \[inline\]$/, '').replace(/ [^ ]+:[0-9]+$/, '');
      const name = frame.replace(/[+.].*$/, '').replace(/ .*$/, '');
      if (!PLUMBING.test(name)) trace.push(frame.replace(/ .*$/, ''));
    } else if (/^\s*<\/?(?:TASK|IRQ|NMI|EOI|SOFTIRQ)>\s*$/.test(t) || t.trim() === '') {
      continue;
    } else if (
      trace.length > 0 &&
      !/^\s*(?:RIP|RSP|RAX|RDX|RBP|R[0-9]+|Code|FS|CS|CR2|DR[0-9]|---|\[ *[0-9])/.test(t)
    ) {
      traceDone = true;
    }
  }
  // The reporting machinery on top of the stack is the same for every report.
  let first = 0;
  while (first < trace.length && REPORTING.test(trace[first] ?? '')) first++;
  trace = trace.slice(first, first + 64);
  return { rip, trace, process, taint };
}

/* ---------- public ---------- */

/** True when a line of the log starts a kernel report (cheap pre-check for callers). */
export function containsCrash(log: string): boolean {
  return analyzeConsole(log, { max: 1 }).length > 0;
}

/**
 * Finds the kernel reports in a console log, in order of appearance (the first is the primary
 * one: later reports are often consequences of it).
 */
export function analyzeConsole(log: string, opts: { max?: number } = {}): Finding[] {
  const max = opts.max ?? 20;
  const lines = splitLines(log);
  const findings: Finding[] = [];
  let i = 0;
  while (i < lines.length && findings.length < max) {
    const line = lines[i];
    if (line === undefined) break;
    const rule = matchOops(line.text);
    if (rule === null) {
      i++;
      continue;
    }
    const extent = collectReport(lines, i, rule);
    findings.push(toFinding(log, lines, extent));
    i = Math.max(extent.nextStart, i + 1);
  }
  return findings;
}

function toFinding(log: string, lines: Line[], extent: Extent): Finding {
  const head = extent.report.slice(0, extent.reportEnd).map((l) => l.text);
  let described = describe(head, extent.rule);
  if (described === null) {
    // Fall back to everything up to the next report, unfiltered by context.
    const raw = lines
      .slice(extent.startLine, Math.min(extent.nextStart, extent.startLine + MAX_REPORT_LINES))
      .map((l) => l.text);
    described = describe(raw, extent.rule);
  }
  if (described === null) {
    const first = lines[extent.startLine]?.text ?? '';
    const at = first.indexOf(extent.rule.header);
    described = { title: first.slice(Math.max(0, at)), type: extent.rule.fallbackType };
  }
  const d = details(extent.report.slice(0, extent.reportEnd));
  const startOff = lines[extent.startLine]?.start ?? 0;
  const lastLine = extent.report[extent.report.length - 1];
  const endOff = lastLine?.end ?? startOff;
  return {
    title: normalizeTitle(described.title),
    type: described.type,
    rip: d.rip,
    trace: d.trace,
    process: d.process,
    taint: d.taint,
    report: log.slice(startOff, Math.min(endOff, startOff + 64 * 1024)),
  };
}
