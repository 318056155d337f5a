import { describe, expect, it } from 'vitest';
import { renderReply, type ReplyInput } from '../../../../../bot/report/render/reply.ts';
import { execFileSync } from 'node:child_process';
import { hardWrap, shellLines, wrapProse } from '../../../../../bot/report/wrap.ts';
import { expectGoldenText } from '../../../../helpers/golden.ts';
import * as inputs from './inputs.ts';
import { judge } from '../../../../../bot/judge/verdict.ts';
import { makeRun } from '../../judge/make-run.ts';
import type { SeriesVersion } from '../../../../../ingest/series/types.ts';

const variants: Record<string, ReplyInput> = {
  regression: inputs.regression,
  'regression-skipped-bisection': inputs.regressionSkippedBisection,
  'regression-follows-crash': inputs.regressionFollowsCrash,
  'apply-failed': inputs.applyFailed,
  'build-failed': inputs.buildFailed,
  'build-failed-bisected': inputs.buildFailedBisected,
  pass: inputs.passed,
  'changed-on-rerun': inputs.changed,
  'changed-from-silent-pass': inputs.changedFromSilentPass,
  'command-done': inputs.commandDone,
  'command-refused': inputs.commandRefused,
  'command-several': inputs.commandSeveral,
  'fstests-regression': inputs.fstestsRegression,
  'ndctl-regression': inputs.ndctlRegression,
  'ndctl-build-failed': inputs.ndctlBuildFailed,
};

function asText(r: { headers: Record<string, string>; body: string }): string {
  return `${Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n')}\n\n${r.body}`;
}

describe('renderReply golden files', () => {
  for (const [name, input] of Object.entries(variants)) {
    it(name, () => {
      const r = renderReply(input);
      expectGoldenText(`report/${name}`, asText(r));
      for (const line of r.body.split('\n')) {
        // Exempt: the exact first-bad line, and a URL alone on its line (never broken).
        if (line.startsWith('first bad commit: ') || /^ *https?:\/\/\S+$/.test(line)) continue;
        expect(line.length, line).toBeLessThanOrEqual(75);
      }
      expect(r.body).not.toMatch(/<\/?(html|body|p|br|div|span|a|b|i|pre|table)\b|\r|\t/i);
    });
  }
});

describe('renderReply', () => {
  it('threads under the cover letter and copies the list and series Cc', () => {
    const { headers } = renderReply(inputs.regression);
    expect(headers['In-Reply-To']).toBe('<cover.1719386613.git-series.apopple@nvidia.com>');
    expect(headers.References).toBe('<cover.1719386613.git-series.apopple@nvidia.com>');
    expect(headers.Subject).toBe('Re: [PATCH 00/13] fs/dax: Fix FS DAX page reference counts');
    expect(headers.To).toBe('Alistair Popple <apopple@nvidia.com>');
    // the author (other case) and the bot itself are dropped from Cc
    expect(headers.Cc).toBe('nvdimm@lists.linux.dev, dan.j.williams@intel.com, linux-mm@kvack.org');
    expect(headers['Message-ID']).toMatch(/^<daxbot-[0-9a-f]{24}@daxbot\.localhost>$/);
  });

  it('threads under patch 1 without a cover letter', () => {
    const { headers } = renderReply(inputs.applyFailed);
    expect(headers['In-Reply-To']).toBe('<1.git-series.apopple@nvidia.com>');
    expect(headers.References).toBe('<older-thread@example.org> <1.git-series.apopple@nvidia.com>');
    expect(headers.Subject).toBe('Re: [PATCH 01/13] mm/gup.c: Remove redundant check for PCI P2PDMA page');
  });

  it('Cc is configurable: ccList copies the lists, ccSeries the other recipients', () => {
    const mail = inputs.regression.mail;
    expect(
      renderReply({ ...inputs.regression, mail: { ...mail, ccList: false, ccSeries: false } }).headers.Cc,
    ).toBeUndefined();
    expect(renderReply({ ...inputs.regression, mail: { ...mail, ccList: true, ccSeries: false } }).headers.Cc).toBe(
      'nvdimm@lists.linux.dev',
    );
    expect(renderReply({ ...inputs.regression, mail: { ...mail, ccList: false, ccSeries: true } }).headers.Cc).toBe(
      'dan.j.williams@intel.com, linux-mm@kvack.org',
    );
  });

  it("keeps the subject as sent, never says Re: twice, and references the cover's own ancestors", () => {
    const series = {
      ...inputs.series,
      coverSubject: '[RFC PATCH -next v3 0/13] fs/dax: Fix FS DAX page reference counts',
      references: ['v2-cover@example.org', 'review@example.org'],
    };
    const { headers } = renderReply({ ...inputs.regression, series });
    expect(headers.Subject).toBe('Re: [RFC PATCH -next v3 0/13] fs/dax: Fix FS DAX page reference counts');
    expect(headers.References).toBe(
      '<v2-cover@example.org> <review@example.org> <cover.1719386613.git-series.apopple@nvidia.com>',
    );
    expect(headers['In-Reply-To']).toBe('<cover.1719386613.git-series.apopple@nvidia.com>');
    expect(
      renderReply({ ...inputs.regression, series: { ...series, coverSubject: 'Re: [PATCH 0/13] x' } }).headers.Subject,
    ).toBe('Re: [PATCH 0/13] x');
  });

  it('a changed result is a complete reply, threaded under the cover, saying what changed', () => {
    const { headers, body } = renderReply(inputs.changedFromSilentPass);
    expect(headers['In-Reply-To']).toBe('<cover.1719386613.git-series.apopple@nvidia.com>');
    expect(headers.References).toBe('<cover.1719386613.git-series.apopple@nvidia.com>');
    expect(body).toContain(
      'Changed since the previous report (2024-06-27 08:15 UTC, not mailed):\npass -> regression\n',
    );
    expect(body.split('\n')).toContain('first bad commit: [PATCH 10/13] fs/dax: Properly refcount fs dax pages');
    expect(body).toContain('Call Trace:');
    expect(body).toContain('Reproduce locally');
    expect(body).toContain('Run: http://localhost:8080/runs/17');
    expect(body).toContain('| Reported-by: daxbot <daxbot@localhost>\n| Closes: http://localhost:8080/runs/17\n');
    // A mailed regression that is gone: said so, with the earlier mail's id, and taken back.
    const back = renderReply(inputs.changed).body.replace(/\s+/g, ' ');
    expect(back).toContain(
      'Changed since the previous report (2024-06-27 08:15 UTC, <daxbot-0123456789abcdef01234567@daxbot.localhost>): regression -> pre-existing-only',
    );
    expect(back).toContain('Sorry for the noise.');
  });

  it('keeps the Message-ID across retries and changes it with the result', () => {
    const a = renderReply(inputs.regression).headers['Message-ID'];
    expect(renderReply(structuredClone(inputs.regression)).headers['Message-ID']).toBe(a);
    expect(renderReply(inputs.passed).headers['Message-ID']).not.toBe(a);
    expect(renderReply({ ...inputs.regression, versionKey: 'other' }).headers['Message-ID']).not.toBe(a);
  });

  it('writes the first bad commit line exactly', () => {
    const { body } = renderReply(inputs.regression);
    expect(body.split('\n')).toContain('first bad commit: [PATCH 10/13] fs/dax: Properly refcount fs dax pages');
    expect(body).toContain('| Reported-by: daxbot <daxbot@localhost>\n| Closes: http://localhost:8080/runs/17\n');
    // the only over-long line allowed is the first-bad line, with a long subject
    const long = renderReply({
      ...inputs.regression,
      bisection: { n: 13, steps: [], firstBad: 13, candidates: [13] },
    }).body;
    const over = long.split('\n').filter((l) => l.length > 75);
    expect(over).toEqual([
      'first bad commit: [PATCH 13/13] mm: Remove PTE_DEVMAP and vma_is_dax(), a rather long subject that goes on and on',
    ]);
  });

  it('does not say Re: twice', () => {
    const { headers } = renderReply(inputs.commandDone);
    expect(headers.Subject).toBe('Re: [PATCH 00/13] fs/dax: Fix FS DAX page reference counts');
    expect(headers['In-Reply-To']).toBe('<87ed5fhx3x.fsf@nvdebian.thelocal>');
    expect(headers.References).toBe(
      '<cover.1719386613.git-series.apopple@nvidia.com> <87ed5fhx3x.fsf@nvdebian.thelocal>',
    );
  });
});

/** The lines of the reply's "Reproduce locally" section, split into its blocks. */
function reproducerBlocks(body: string): string[][] {
  const lines = body.split('\n');
  const start = lines.indexOf('Reproduce locally') + 2;
  const blocks: string[][] = [[]];
  for (const l of lines.slice(start)) {
    if (l !== '' && !l.startsWith('  ') && !/^'/.test(l) && !/^[^ ].*\\$|^[a-z=0-9,]+/.test(l)) break;
    if (l === '') blocks.push([]);
    else blocks[blocks.length - 1]?.push(l);
  }
  return blocks.filter((b) => b.length > 0);
}

describe('the reproducer', () => {
  it("boots the run's files by name: no host path, nothing from a daxbot checkout", () => {
    const { body } = renderReply(inputs.regression);
    expect(body).not.toContain('/srv/daxbot');
    expect(body).not.toMatch(/daxbot (setup|runner run)/);
    expect(body).not.toContain('printf');
    const [files, boot, build] = reproducerBlocks(body);
    expect(files).toContain('  A=http://localhost:8080/runs/17/artifacts');
    expect(files?.join('\n')).toMatch(/#\s+initramfs\.cpio\.gz\s+the guest: busybox, ndctl/);
    expect(boot).toContain('  curl -fsSL -O "$A/bzImage" -O "$A/initramfs.cpio.gz"');
    expect(boot).toContain('  truncate -s 1073872896 nvdimm0.img');
    expect(build).toContain('  mkdir -p build && curl -fsSL -o build/.config "$A/config"');
    expect(build).toContain('  make O=build olddefconfig');
    // The QEMU command still reads as the same words to a shell, host paths replaced by names.
    const cmd = (boot ?? []).slice((boot ?? []).findIndex((l) => l.startsWith('  qemu-system-x86_64')));
    const argv = execFileSync('sh', ['-c', `printf '%s\\n' ${cmd.join('\n').replace(/^ *qemu-system-x86_64/, '')}`], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    const recorded = inputs.tested.qemuCommand ?? [];
    expect(argv).toHaveLength(recorded.length - 1);
    expect(argv).toContain('memory-backend-file,id=mem0,share=on,mem-path=nvdimm0.img,size=1073872896');
    expect(argv.slice(argv.indexOf('-kernel'), argv.indexOf('-kernel') + 4)).toEqual([
      '-kernel',
      'bzImage',
      '-initrd',
      'initramfs.cpio.gz',
    ]);
    expect(argv[argv.length - 1]).toBe(recorded[recorded.length - 1]);
  });

  it('says what the initramfs of another runner is, and fetches every disk the guest boots', () => {
    const tested = {
      ...inputs.tested,
      runner: 'nfit-sim',
      runnerKind: 'nfit-sim',
      nvdimms: [],
      qemuCommand: [
        'qemu-system-x86_64',
        '-kernel',
        '/b/arch/x86/boot/bzImage',
        '-initrd',
        '/c/initramfs-dax-1.cpio.gz',
        '-drive',
        'file=/w/jobs/3/ndctl-disks/root.qcow2,format=qcow2,if=none,id=droot,cache=unsafe',
      ],
      artifacts: {
        url: 'https://d.example/runs/3/artifacts',
        names: ['config', 'bzImage', 'initramfs.cpio.gz', 'root.qcow2'],
      },
    };
    const body = renderReply({ ...inputs.regression, tested }).body;
    expect(body.replace(/\s+#?\s*/g, ' ')).toContain(
      'initramfs.cpio.gz the guest, with the nfit_test modules built from the tested tree',
    );
    expect(body).toContain('root.qcow2');
    expect(body).toContain('-O "$A/root.qcow2"');
    expect(body).toContain('file=root.qcow2,format=qcow2');
    expect(body).not.toContain('truncate');
  });

  it('a build failure has no boot block, only the build with the same .config', () => {
    const blocks = reproducerBlocks(renderReply(inputs.buildFailed).body);
    expect(blocks).toHaveLength(2);
    expect(blocks.flat().join('\n')).not.toContain('qemu-system');
    expect(blocks[1]).toContain('  make O=build olddefconfig');
  });

  it("without the run's files, builds from the defconfig and the named fragments", () => {
    const { artifacts: _a, ...bare } = inputs.tested;
    const blocks = reproducerBlocks(renderReply({ ...inputs.regression, tested: bare }).body);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toContain('  make O=build x86_64_defconfig');
    expect(blocks[0]).toContain('  scripts/kconfig/merge_config.sh -m -O build build/.config pmem.config');
  });
});

describe('wrapping', () => {
  it('wraps prose and breaks words longer than the width', () => {
    const lines = wrapProse(`short ${'x'.repeat(100)} end`, '  ');
    expect(lines.every((l) => l.length <= 75)).toBe(true);
    expect(lines.join('').replace(/\s/g, '')).toBe(`short${'x'.repeat(100)}end`);
  });
  it('indents continuations of hard-wrapped lines', () => {
    const lines = hardWrap(`   ${'frame+0x1/0x2 '.repeat(10)}`, '      ');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => l.startsWith('         '))).toBe(true);
    expect(lines.every((l) => l.length <= 75)).toBe(true);
  });
  it('wraps shell commands so that the shell reads the same words', () => {
    const append =
      'console=ttyS0 earlyprintk=serial,ttyS0 panic=-1 nokaslr rdinit=/init daxbot.suites=dax,nfit-sim daxbot.test_timeout=300';
    const argv = [
      'printf',
      '%s\n',
      'a b',
      "it's",
      `-object=${'x'.repeat(90)}`,
      'memory-backend-file,id=mem1,share=on,mem-path=nvdimm0.img,size=1152M',
      '$HOME',
      append,
      'z',
    ];
    const lines = shellLines(argv);
    expect(lines.every((l) => l.length <= 75)).toBe(true);
    const out = execFileSync('sh', ['-c', lines.join('\n')], { encoding: 'utf8' });
    expect(out).toBe(argv.slice(2).join('\n') + '\n');
  });
});

describe('renderReply with ingest SeriesVersion', () => {
  const sv: SeriesVersion = {
    key: 'k#v2',
    seriesKey: 'k',
    revision: 2,
    project: 'ndctl',
    subject: 'test: add a dax test',
    rootMessageId: 'p1@x.org',
    coverMessageId: null,
    expected: 2,
    missing: [],
    complete: true,
    isRfc: false,
    isResend: false,
    author: { name: 'Ada Lovelace', address: 'ada@example.org' },
    firstDate: null,
    lastDate: null,
    baseCommit: null,
    prerequisitePatchIds: [],
    prerequisiteMessageIds: [],
    changeId: null,
    partialReroll: false,
    threadRootId: 'p1@x.org',
    patches: [1, 2].map((counter) => ({
      counter,
      messageId: `p${counter}@x.org`,
      subject: `patch ${counter}`,
      from: { name: 'Ada Lovelace', address: 'ada@example.org' },
      date: null,
      followupTrailers: [],
    })),
  };
  it('accepts the real type and rebuilds the subject as sent', () => {
    const { headers, body } = renderReply({ ...inputs.passed, series: sv });
    expect(headers.To).toBe('Ada Lovelace <ada@example.org>');
    expect(headers.Subject).toBe('Re: [ndctl PATCH v2 1/2] patch 1');
    expect(headers['In-Reply-To']).toBe('<p1@x.org>');
    expect(body.startsWith('Hi Ada,')).toBe(true);
    const withCover = renderReply({
      ...inputs.passed,
      series: { ...sv, coverMessageId: 'c@x.org', project: 'kernel' },
    });
    expect(withCover.headers.Subject).toBe('Re: [PATCH v2 0/2] test: add a dax test');
  });
});

describe('information from passing tests', () => {
  it('a pass that reports something (the simulated broken DIMMs) is listed as information, not as a failure', () => {
    const simTests = [
      { suite: 'nfit-sim', name: 'buses', status: 'pass' as const },
      {
        suite: 'nfit-sim',
        name: 'bus1-broken-dimms',
        status: 'pass' as const,
        reason:
          'simulated broken DIMMs on nfit_test.1 (as nfit_test sets them up, not a failure): nmem4 save_fail restore_fail flush_fail not_armed smart_event; nmem5 map_fail',
      },
    ];
    const input: ReplyInput = {
      ...inputs.passed,
      verdict: judge({ baseRuns: [makeRun({ tests: simTests })], seriesRuns: [makeRun({ tests: simTests })] }),
    };
    const { body } = renderReply(input);
    expect(body).toContain('Information (not failures)');
    expect(body).toMatch(/ {2}nfit-sim\/bus1-broken-dimms: simulated broken DIMMs on nfit_test\.1/);
    expect(body).toContain('map_fail');
    for (const line of body.split('\n')) expect(line.length).toBeLessThanOrEqual(75);
  });
});
