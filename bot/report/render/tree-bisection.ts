/**
 * The report of a bisection along a tree (`daxbot bisect --report`): what was bisected between
 * which revisions, each step, the exact `first bad commit: [<sha>] <subject>` line as the 0-day
 * robot writes it, and the regzbot command that puts the regression on the kernel's regression
 * tracker: `#regzbot introduced: <sha>` in a report of its own, `#regzbot ^introduced: <sha>`
 * when it is posted as a reply in the thread of the regression's report (the caret tells regzbot
 * that the mail answered is the report). No regzbot line when skips left several candidates:
 * regzbot is told only a commit that is certain. Pure.
 */
import type { NamedCommit as TreeCommit, TreeStepResult } from '../../judge/bisect-tree.ts';
import { field, wrapProse } from '../wrap.ts';

export interface TreeBisectionReport {
  /** The tree's configured name, or its path. */
  tree: string;
  /** The revisions as given to `daxbot bisect`. */
  good: string;
  bad: string;
  /** "suite/test", or "crash:<title>". */
  test: string;
  steps: (TreeCommit & { result: TreeStepResult })[];
  firstBad: TreeCommit | null;
  candidates: TreeCommit[];
  /** The regression report this is posted under, when it is a reply in its thread. */
  inReplyTo?: string;
}

const short = (sha: string) => sha.slice(0, 12);

function what(test: string): string {
  return test.startsWith('crash:') ? `the crash "${test.slice('crash:'.length)}"` : `the failure of ${test}`;
}

/** The regzbot command for a named commit (see the header), or null. */
export function regzbotLine(r: Pick<TreeBisectionReport, 'firstBad' | 'inReplyTo'>): string | null {
  if (!r.firstBad) return null;
  return `#regzbot ${r.inReplyTo ? '^' : ''}introduced: ${short(r.firstBad.sha)}`;
}

export function renderTreeBisection(r: TreeBisectionReport): string {
  const n = r.steps.length;
  const lines = wrapProse(
    `daxbot bisected ${what(r.test)} along ${r.tree}, between ${r.good} (good) and ${r.bad} (bad): ` +
      `${n} build-and-boot step${n === 1 ? '' : 's'}.`,
  );
  lines.push('');
  for (const s of r.steps) lines.push(...field(s.result, `${short(s.sha)} ${s.subject}`, '  ', 6));
  lines.push('');
  if (r.firstBad) lines.push(`first bad commit: [${r.firstBad.sha}] ${r.firstBad.subject}`);
  else {
    lines.push(...wrapProse('Skipped steps left more than one candidate; the first bad commit is one of:'));
    for (const c of r.candidates) lines.push(`  ${short(c.sha)} ${c.subject}`);
  }
  const regzbot = regzbotLine(r);
  if (regzbot) lines.push('', regzbot);
  return `${lines.join('\n')}\n`;
}
