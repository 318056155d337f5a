import { describe, expect, it } from 'vitest';
import {
  combinedOutcome,
  partSummary,
  renderGroupReply,
  runnerTable,
  type GroupReplyInput,
  type RunnerPart,
} from '../../../../../bot/report/render/group.ts';
import { expectGoldenText } from '../../../../helpers/golden.ts';
import type { Verdict } from '../../../../../bot/judge/verdict.ts';
import * as inputs from './inputs.ts';

const nfitTested = {
  ...inputs.tested,
  runner: 'nfit-sim',
  configFragments: [{ name: 'nfit-sim' }],
  nvdimms: [],
  suites: ['nfit-sim', 'ndctl-meson'],
  qemuCommand: undefined,
};

/** A clean result: the passed input's verdict without its pre-existing and fixed entries. */
const passVerdict: Verdict = {
  ...inputs.passed.verdict,
  outcome: 'pass',
  summary: 'no failures',
  entries: inputs.passed.verdict.entries.filter(
    (e) => e.class === 'pass' || e.class === 'skip' || e.class === 'skipped-prerequisite',
  ),
};
const preExisting: RunnerPart = {
  kind: 'verdict',
  runner: 'qemu-pmem',
  tested: inputs.tested,
  verdict: inputs.passed.verdict,
};

const qemuRegression: RunnerPart = {
  kind: 'verdict',
  runner: 'qemu-pmem',
  // The blamed run's files are those of its run page (runs/21).
  tested: {
    ...inputs.tested,
    artifacts: { url: 'http://localhost:8080/runs/21/artifacts', names: inputs.artifactNames },
  },
  verdict: inputs.regression.verdict,
  ...(inputs.regression.bisection && { bisection: inputs.regression.bisection }),
  runLink: 'http://localhost:8080/runs/21',
};
const nfitPass: RunnerPart = { kind: 'verdict', runner: 'nfit-sim', tested: nfitTested, verdict: passVerdict };
const qemuPass: RunnerPart = { kind: 'verdict', runner: 'qemu-pmem', tested: inputs.tested, verdict: passVerdict };
const nfitInfra: RunnerPart = { kind: 'infra', runner: 'nfit-sim', summary: 'gave up after 3 infrastructure failures' };

const common = {
  mail: inputs.regression.mail,
  versionKey: inputs.regression.versionKey,
  dashboardLink: inputs.regression.dashboardLink,
  series: inputs.series,
};

const variants: Record<string, GroupReplyInput> = {
  'group-regression': { ...common, parts: [qemuRegression, nfitPass] },
  'group-pre-existing': { ...common, parts: [preExisting, nfitPass] },
  'group-infra': {
    ...common,
    parts: [qemuPass, nfitInfra],
    change: {
      outcome: 'regression',
      date: '2024-06-27T08:15:42.000Z',
      messageId: '<daxbot-0123456789abcdef01234567@daxbot.localhost>',
    },
  },
};

function asText(r: { headers: Record<string, string>; body: string }): string {
  return `${Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\n${r.body}`;
}

describe('renderGroupReply golden files', () => {
  for (const [name, input] of Object.entries(variants)) {
    it(name, () => {
      const r = renderGroupReply(input);
      expectGoldenText(`report/${name}`, asText(r));
      for (const line of r.body.split('\n')) {
        if (line.startsWith('first bad commit: ') || /^ *https?:\/\/\S+$/.test(line)) continue;
        expect(line.length, line).toBeLessThanOrEqual(75);
      }
      expect(r.body).not.toMatch(/\r|\t/);
    });
  }
});

describe('the runner table', () => {
  it('has one row per runner: runner, outcome, summary', () => {
    const rows = runnerTable([qemuRegression, nfitPass, nfitInfra]);
    expect(rows.slice(0, 3)).toEqual(['Results by runner', '', '  runner     outcome         summary']);
    expect(partSummary(preExisting)).toMatch(/^\d+ passed, \d+ skipped, no new failures, 1 pre-existing or flaky$/);
    const starts = rows.slice(3).filter((l) => !l.startsWith('   '));
    expect(starts.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'qemu-pmem regression',
      'nfit-sim pass',
      'nfit-sim infrastructure',
    ]);
    for (const l of rows) expect(l.length).toBeLessThanOrEqual(75);
    // A long summary continues under the summary column.
    const cont = rows.slice(3).filter((l) => l.startsWith('   '));
    for (const l of cont) expect(l.indexOf(l.trim())).toBe('  runner     outcome         '.length);
  });

  it('summarizes each outcome in one line', () => {
    expect(partSummary(nfitPass)).toMatch(/^\d+ passed(, \d+ skipped)?, no new failures$/);
    expect(partSummary(qemuRegression)).toMatch(/^crash: general protection fault.*; first bad patch 10\/13$/);
    expect(partSummary(nfitInfra)).toBe(
      "not tested: gave up after 3 infrastructure failures (daxbot's side, not the series)",
    );
    expect(partSummary({ ...qemuPass, verdict: inputs.buildFailed.verdict })).toMatch(/^does not build/);
    expect(partSummary({ ...qemuPass, verdict: inputs.applyFailed.verdict })).toBe(inputs.applyFailed.verdict.summary);
  });

  it('truncates a runner name longer than its column', () => {
    const rows = runnerTable([{ ...nfitInfra, runner: 'a-very-long-runner-name-indeed' }]);
    expect(rows[3]).toMatch(/^ {2}a-very-long-r\.\.\. {2}infrastructure/);
  });
});

describe('combinedOutcome', () => {
  it('takes the most telling verdict and never an infrastructure failure over a verdict', () => {
    expect(combinedOutcome([nfitPass, qemuRegression])).toBe('regression');
    expect(combinedOutcome([qemuPass, nfitInfra])).toBe('pass');
    expect(combinedOutcome([nfitInfra])).toBe('infra');
    expect(combinedOutcome([{ ...qemuPass, verdict: inputs.buildFailed.verdict }, nfitPass])).toBe('build-failed');
  });

  it('a group reply threads like a single-runner reply and has its own Message-ID', () => {
    const g = renderGroupReply(variants['group-regression'] ?? { ...common, parts: [] });
    expect(g.headers['In-Reply-To']).toBe('<cover.1719386613.git-series.apopple@nvidia.com>');
    expect(g.headers['X-Daxbot-Result']).toBe('regression');
    expect(g.headers['Message-ID']).toMatch(/^<daxbot-[0-9a-f]{24}@daxbot\.localhost>$/);
    expect(renderGroupReply({ ...common, parts: [qemuRegression, nfitPass] }).headers['Message-ID']).toBe(
      g.headers['Message-ID'],
    );
    expect(renderGroupReply({ ...common, parts: [qemuPass, nfitPass] }).headers['Message-ID']).not.toBe(
      g.headers['Message-ID'],
    );
    expect(() => renderGroupReply({ ...common, parts: [nfitInfra] })).toThrow(RangeError);
  });

  it("each runner's part carries its QEMU command line and run page; the reproducer points at the blamed one", () => {
    const nfitBooted: RunnerPart = {
      ...nfitPass,
      tested: {
        ...nfitTested,
        runnerKind: 'nfit-sim',
        qemuCommand: ['qemu-system-x86_64', '-kernel', '/b/bzImage', '-initrd', '/c/i.cpio.gz'],
      },
      runLink: 'http://localhost:8080/runs/22',
    };
    const body = renderGroupReply({ ...common, parts: [qemuRegression, nfitBooted] }).body;
    const lines = body.split('\n');
    expect(lines).toContain('QEMU command line (qemu-pmem)');
    expect(lines).toContain('QEMU command line (nfit-sim)');
    expect(body.replace(/ \\\n\s*/g, ' ')).toContain(
      '  qemu-system-x86_64 -kernel bzImage -initrd initramfs.cpio.gz\n',
    );
    expect(lines.filter((l) => l.startsWith('Run: '))).toEqual([
      'Run: http://localhost:8080/runs/21',
      'Run: http://localhost:8080/runs/22',
    ]);
    expect(lines).toContain('Reproduce locally (qemu-pmem)');
    expect(lines).toContain('  # Then run the qemu-pmem QEMU command line above.');
    expect(lines).toContain('| Closes: http://localhost:8080/runs/21');
  });
});

describe('renderGroupReply: a series that is not bisectable', () => {
  it('says so in the headline and in the part of the runner that built each patch, and changes the Message-ID', () => {
    const notBisectable = inputs.passNotBisectable.verdict.notBisectable;
    const qemuBuilt: RunnerPart = { ...qemuPass, verdict: { ...passVerdict, notBisectable } };
    const plain = renderGroupReply({ ...common, parts: [qemuPass, nfitPass] });
    const r = renderGroupReply({ ...common, parts: [qemuBuilt, nfitPass] });
    expect(r.body).toMatch(/with\s+patches\s+1\.\.6,\s+though:\s+the\s+series\s+is\s+not\s+bisectable/);
    expect(r.body).toContain('first patch that does not build: [PATCH 6/13] mm/memory: Add dax_insert_pfn');
    expect(r.body.split('Not bisectable: a patch does not build')).toHaveLength(2);
    expect(r.headers['Message-ID']).not.toBe(plain.headers['Message-ID']);
  });
});
