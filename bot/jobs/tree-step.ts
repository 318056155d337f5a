/**
 * One step of a bisection along a tree: build and boot `commit` with the runner and say
 * whether it shows the failure. The failure is named like a verdict key: "suite/test" for a
 * test, or "crash:<title>" for a console crash (compared by signature).
 */
import type { Logger } from 'pino';
import { classifyStep, type BisectTarget } from '../judge/bisect-series.ts';
import type { TreeStepResult } from '../judge/bisect-tree.ts';
import { crashSignature } from '../judge/signature.ts';
import type { Runner } from '../../runners/types.ts';

export function targetFromName(name: string): BisectTarget {
  if (name.startsWith('crash:'))
    return { tests: [], crashSignatures: [crashSignature(name.slice('crash:'.length).trim())] };
  return { tests: [name], crashSignatures: [] };
}

export function treeStepTest(opts: {
  runner: Runner;
  tree: string;
  workDir: string;
  test: string;
  suites?: string[];
  log: Logger;
}): (commit: string) => Promise<TreeStepResult> {
  const target = targetFromName(opts.test);
  let n = 0;
  return async (commit) => {
    n++;
    const log = opts.log.child({ bisect: n, commit: commit.slice(0, 12) });
    log.info(`bisect step ${n}: testing ${commit.slice(0, 12)}`);
    const run = await opts.runner.run(
      { tree: opts.tree, base: commit, workDir: opts.workDir, ...(opts.suites && { suites: opts.suites }) },
      { log, progress: (step, detail) => log.info(`bisect step ${n}: ${step}${detail ? ` ${detail}` : ''}`) },
    );
    const c = classifyStep(run, target);
    log.info({ result: c.result }, `bisect step ${n}: ${c.result} (${c.note})`);
    return c.result;
  };
}
