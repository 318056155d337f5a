import { describe, expect, it } from 'vitest';
import { judge } from '../../../../bot/judge/verdict.ts';
import { renderReply } from '../../../../bot/report/render/reply.ts';
import { allWarnings, compiledUnits, nextWarningState } from '../../../../runners/build/warning-state.ts';
import type { BuildDiagnostic, BuildResult } from '../../../../runners/types.ts';
import { makeRun, t } from '../../bot/judge/make-run.ts';
import { mail, series, tested } from '../../bot/report/render/inputs.ts';

const w = (file: string, line: number, message: string): BuildDiagnostic => ({
  file,
  line,
  severity: 'warning',
  message,
});
const OLD = w('fs/dax.c', 10, "unused variable 'x' [-Wunused-variable]");
const ADDED = w('fs/ext4/super.c', 5140, "'bsize' may be used uninitialized [-Wmaybe-uninitialized]");

describe('build folder warning state', () => {
  it('a unit recompiled without warnings drops its old ones; untouched units keep theirs', () => {
    const full = nextWarningState(null, '  CC      fs/dax.o\n  CC      fs/ext4/super.o\n', [OLD], true);
    expect(full.complete).toBe(true);
    // An incremental build that recompiles only super.c and prints a warning there.
    const inc = nextWarningState(full, '  CC      fs/ext4/super.o\n  LD      vmlinux\n', [ADDED], false);
    expect(allWarnings(inc)).toEqual([OLD, ADDED]);
    // The next incremental build recompiles super.c cleanly: its warning goes, dax.c's stays.
    const fixed = nextWarningState(inc, '  CC      fs/ext4/super.o\n', [], false);
    expect(allWarnings(fixed)).toEqual([OLD]);
    expect(nextWarningState(null, '', [], false).complete).toBe(false);
    expect([...compiledUnits('  CC [M]  drivers/nvdimm/pmem.o\n  AS      arch/x86/entry/entry_64.o\n')]).toContain(
      'drivers/nvdimm/pmem.c',
    );
  });

  it('the verdict lists only warnings the series added, and only when both records are complete', () => {
    const build = (warnings: BuildDiagnostic[], complete = true): BuildResult => ({
      ok: true,
      configHash: 'c',
      buildDir: '/b',
      durationMs: 1,
      errors: [],
      warnings,
      warningsComplete: complete,
    });
    const pass = [t('a', 'pass')];
    const v = judge({
      baseRuns: [makeRun({ build: build([OLD]), tests: pass })],
      seriesRuns: [makeRun({ build: build([OLD, ADDED]), tests: pass })],
    });
    expect(v.outcome).toBe('pass');
    expect(v.newWarnings).toEqual([ADDED]);
    const unknown = judge({
      baseRuns: [makeRun({ build: build([], false), tests: pass })],
      seriesRuns: [makeRun({ build: build([OLD, ADDED]), tests: pass })],
    });
    expect(unknown.newWarnings).toBeUndefined();

    const reply = renderReply({
      kind: 'result',
      mail,
      versionKey: 'k',
      dashboardLink: 'https://daxbot.example/series/k',
      series,
      tested,
      verdict: v,
    });
    expect(reply.body).toContain('New compiler warnings (1, not in the base build)');
    expect(reply.body).toContain("  fs/ext4/super.c:5140: warning: 'bsize' may be used uninitialized");
    for (const line of reply.body.split('\n')) expect(line.length).toBeLessThanOrEqual(75);
  });
});
