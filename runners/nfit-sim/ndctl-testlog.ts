/**
 * meson's own record of an ndctl run, testlog.json (one JSON object per test: name, result, exit
 * code, duration, output), as the guest wrote it to the results disk
 * (runners/guest/nfit-sim/meson-run.py: one tar member, read back by runners/guest/disks.ts). It
 * is the source of every test's result; the console's meson lines are the fallback when the
 * guest stopped before it could copy the file. The disk is written by the guest (untrusted): it
 * is read with a size limit, and every line is parsed with zod; a line that does not parse is
 * skipped.
 */
import { z } from 'zod';
import { readResultsDisk } from '../guest/disks.ts';
import type { TestResult } from '../types.ts';

/** Size of the raw results disk: testlog.json of all 22 tests with their output is ~250 KiB. */
export const RESULTS_DISK_MIB = 64;
/** The member meson-run.py writes. */
export const TESTLOG_MEMBER = 'testlog.json';

const entrySchema = z.object({
  name: z.string(),
  result: z.string(),
  returncode: z.number().nullable().optional(),
  duration: z.number().nullable().optional(),
  stdout: z.string().nullable().optional(),
  stderr: z.string().nullable().optional(),
});

/** "ndctl:dax / daxdev-errors.sh" (or a bare name when the project has one suite) → suite, name. */
export function splitTestlogName(full: string): { suite: string; name: string } {
  const slash = full.indexOf(' / ');
  if (slash < 0) return { suite: 'ndctl', name: full.trim() };
  const suite = full.slice(0, slash).replace(/^[^:]*:/, '');
  return { suite: suite === '' ? 'ndctl' : suite, name: full.slice(slash + 3).trim() };
}

/**
 * Lines that never say why: bash's trace (set -x), and the C tests' closing tally and library
 * teardown ("attempted: 1 skipped: 1", "libndctl: ndctl_unref: context ... released").
 */
const NOISE = [/^\+/, /^attempted: \d+ skipped: \d+$/, /^lib\w+: \w+_unref: context \S+ released$/];

/** The line that says why: the last output line that is not noise or blank. */
export function reasonLine(lines: string[]): string | null {
  const useful = lines.filter((l) => l.trim() !== '' && !NOISE.some((re) => re.test(l.trim())));
  const last = useful[useful.length - 1];
  return last === undefined ? null : last.trim().slice(0, 200);
}

const EXCERPT_OUT = 10;
const EXCERPT_ERR = 15;

const lines = (text: string | null | undefined): string[] => (text ?? '').split('\n').filter((l) => l.trim() !== '');

function toResult(e: z.infer<typeof entrySchema>): TestResult {
  const { suite, name } = splitTestlogName(e.name);
  // meson keeps the two streams apart: ndctl's scripts say why on stdout ("kernel <release>:
  // <why>", "test/<script>: failed at line N") while stderr carries bash's set -x trace and the
  // C tests' logs, so stdout's last line is the reason and stderr's only when stdout is silent.
  const out = lines(e.stdout);
  const err = lines(e.stderr);
  const why = reasonLine(out) ?? reasonLine(err);
  const code = e.returncode ?? null;
  const base: TestResult = { suite, name, status: 'pass' };
  if (typeof e.duration === 'number') base.durationMs = Math.round(e.duration * 1000);
  // The end of each stream: what the test said, then the commands (or log lines) that led there.
  const excerpt = [...out.slice(-EXCERPT_OUT), ...err.slice(-EXCERPT_ERR)].join('\n');
  switch (e.result) {
    case 'OK':
      return base;
    case 'EXPECTEDFAIL':
      return { ...base, reason: 'expected failure' };
    case 'SKIP':
      // ndctl's do_skip() (and its C tests) exit 77 when the environment lacks something.
      return {
        ...base,
        status: 'skip',
        reason: `exit status ${code ?? 77}: ${why ?? 'missing prerequisite'}`,
        missingPrerequisite: code === 77 || code === null,
      };
    case 'TIMEOUT':
      return { ...base, status: 'timeout', reason: `meson timeout${why ? `: ${why}` : ''}`, excerpt };
    case 'UNEXPECTEDPASS':
      return { ...base, status: 'fail', reason: 'unexpected pass' };
    default: {
      const status = e.result === 'FAIL' ? 'fail' : 'error';
      const prefix = code === null ? e.result.toLowerCase() : `exit status ${code}`;
      return { ...base, status, reason: `${prefix}: ${why ?? 'no output'}`, excerpt };
    }
  }
}

/** Every test in testlog.json's text, in file order (pure). */
export function parseTestlog(text: string): TestResult[] {
  const out: TestResult[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue;
    }
    const e = entrySchema.safeParse(raw);
    if (e.success) out.push(toResult(e.data));
  }
  return out;
}

/** testlog.json's text from the results disk, or null when the guest left none there. */
export async function readNdctlTestlog(file: string): Promise<string | null> {
  const entries = await readResultsDisk(file, RESULTS_DISK_MIB * 1024 * 1024);
  const member = entries.find((e) => e.name === TESTLOG_MEMBER);
  const text = member?.data.toString('utf8') ?? '';
  return text.trim() === '' ? null : text;
}
