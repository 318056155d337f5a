/** Reply inputs for the golden tests, modelled on the seeds (fs/dax refcount series, ndctl). */
import { judge } from '../../../../../bot/judge/verdict.ts';
import { renderReply } from '../../../../../bot/report/render/reply.ts';
import type { CommandReplyInput } from '../../../../../bot/report/render/command.ts';
import type { ReplySeries, TestedSetup, ResultReplyInput } from '../../../../../bot/report/render/result.ts';
import { crash, makeRun, t } from '../../judge/make-run.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTarEntries } from '../../../../../runners/guest/disks.ts';
import { fstestsResults } from '../../../../../runners/qemu-pmem/fstests-results.ts';

const fstestsFixture = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../fixtures/fstests/corrupt-reads',
);

const subjects = [
  'mm/gup.c: Remove redundant check for PCI P2PDMA page',
  "pci/p2pdma: Don't initialise page refcount to one",
  'fs/dax: Refactor wait for dax idle page',
  'fs/dax: Add dax_page_free callback',
  'mm: Allow compound zone device pages',
  'mm/memory: Add dax_insert_pfn',
  'huge_memory: Allow mappings of PUD sized pages',
  'huge_memory: Allow mappings of PMD sized pages',
  "gup: Don't allow FOLL_LONGTERM pinning of FS DAX pages",
  'fs/dax: Properly refcount fs dax pages',
  'mm: Remove pXX_devmap callers',
  'mm: Remove devmap related functions and page table bits',
  'mm: Remove PTE_DEVMAP and vma_is_dax(), a rather long subject that goes on and on',
];

export const series: ReplySeries = {
  subject: 'fs/dax: Fix FS DAX page reference counts',
  coverSubject: '[PATCH 00/13] fs/dax: Fix FS DAX page reference counts',
  revision: 1,
  rootMessageId: 'cover.1719386613.git-series.apopple@nvidia.com',
  coverMessageId: 'cover.1719386613.git-series.apopple@nvidia.com',
  patches: subjects.map((s, i) => ({
    counter: i + 1,
    messageId: `${i + 1}.git-series.apopple@nvidia.com`,
    subject: `[PATCH ${String(i + 1).padStart(2, '0')}/13] ${s}`,
    from: 'Alistair Popple <apopple@nvidia.com>',
  })),
  expected: 13,
  author: 'Alistair Popple <apopple@nvidia.com>',
  baseCommit: 'f2661062f16b2de5d7b6a5c42a9a5c96326b8454',
  cc: [
    'nvdimm@lists.linux.dev',
    'dan.j.williams@intel.com',
    'Alistair Popple <APOPPLE@nvidia.com>',
    'linux-mm@kvack.org',
    'daxbot@localhost',
  ],
  lists: ['nvdimm@lists.linux.dev'],
};

export const noCoverSeries: ReplySeries = {
  ...series,
  coverMessageId: null,
  coverSubject: undefined,
  rootMessageId: '1.git-series.apopple@nvidia.com',
  references: ['older-thread@example.org'],
};

/** The files a booted run leaves (bot/report/artifacts.ts). */
export const artifactNames = ['config', 'build.log', 'bzImage', 'vmlinux', 'initramfs.cpio.gz', 'console.log'];

export const tested: TestedSetup = {
  treeName: 'nvdimm',
  treeUrl: 'https://git.kernel.org/pub/scm/linux/kernel/git/nvdimm/nvdimm.git',
  treeBranch: 'libnvdimm-for-next',
  baseCommit: 'f2661062f16b2de5d7b6a5c42a9a5c96326b8454',
  baseReason: 'base-commit trailer',
  baseDescribe: 'v6.10-rc5',
  configFragments: [{ name: 'pmem' }],
  configHash: '3f9a1c2b7d4e5f60718293a4b5c6d7e8',
  defconfig: 'x86_64_defconfig',
  runner: 'qemu-pmem',
  runnerKind: 'qemu-pmem',
  arch: 'x86_64',
  cpus: 2,
  memoryMiB: 2048,
  nvdimms: [
    { sizeMiB: 1024, labelSizeKiB: 128 },
    { sizeMiB: 1024, labelSizeKiB: 128 },
  ],
  suites: ['dax', 'ndctl'],
  compiler: 'gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40',
  // As recorded: the bot's own paths, which the reply replaces by the run's files.
  qemuCommand: [
    'qemu-system-x86_64',
    '-machine',
    'pc,nvdimm=on',
    '-accel',
    'tcg',
    '-smp',
    '2',
    '-m',
    '2048M,slots=1,maxmem=4097M',
    '-object',
    'memory-backend-file,id=mem0,share=on,mem-path=/srv/daxbot/var/work/jobs/17/nvdimm0.img,size=1073872896',
    '-device',
    'nvdimm,memdev=mem0,id=nv0,label-size=128K',
    '-nographic',
    '-monitor',
    'none',
    '-serial',
    'stdio',
    '-no-reboot',
    '-nodefaults',
    '-kernel',
    '/srv/daxbot/var/cache/build/nvdimm-3f9a1c2b7d4e/arch/x86/boot/bzImage',
    '-initrd',
    '/srv/daxbot/var/cache/guest/initramfs-dax-0123abcd.cpio.gz',
    '-append',
    'console=ttyS0 earlyprintk=serial,ttyS0 panic=-1 nokaslr rdinit=/init daxbot.suites=dax,ndctl daxbot.test_timeout=300',
  ],
  artifacts: { url: 'http://localhost:8080/runs/17/artifacts', names: artifactNames },
};

export const mail = {
  from: 'daxbot <daxbot@localhost>',
  domain: 'daxbot.localhost',
  ccList: true,
  ccSeries: true,
  dashboardUrl: 'http://localhost:8080/',
  archiveUrl: 'https://lore.kernel.org/r/',
};

const common = {
  mail,
  versionKey: 'nvdimm/cover.1719386613.git-series.apopple@nvidia.com/v1',
  dashboardLink: 'http://localhost:8080/r/5e0c7a1d',
};

const gpf = {
  ...crash('general protection fault, probably for non-canonical address 0xdead000000000518'),
  type: 'gpf' as const,
  rip: 'folio_mark_dirty+0x25/0x60',
  process: 'mmap',
  trace: [
    'folio_mark_dirty+0x25/0x60',
    'unmap_page_range+0xea5/0x1550',
    'unmap_vmas+0xf8/0x1e0',
    'unmap_region.constprop.0+0xd7/0x150',
    'do_vmi_align_munmap.isra.0+0x3f4/0x580',
    '__vm_munmap+0xa6/0x170',
    '__x64_sys_munmap+0x17/0x20',
    'do_syscall_64+0x75/0x190',
    'entry_SYSCALL_64_after_hwframe+0x76/0x7e',
  ],
  symbolized: [
    'folio_mark_dirty+0x25/0x60 (mm/page-writeback.c:2860)',
    'unmap_page_range+0xea5/0x1550 (mm/memory.c:1540 mm/memory.c:1712 mm/memory.c:1776 mm/memory.c:1797 [inlined])',
    'unmap_vmas+0xf8/0x1e0 (mm/memory.c:1879)',
    'unmap_region.constprop.0+0xd7/0x150 (mm/mmap.c:2343)',
    'do_vmi_align_munmap.isra.0+0x3f4/0x580 (mm/mmap.c:2650)',
    '__vm_munmap+0xa6/0x170 (mm/mmap.c:2941)',
    '__x64_sys_munmap+0x17/0x20 (mm/mmap.c:2958)',
    'do_syscall_64+0x75/0x190 (arch/x86/entry/common.c:83)',
    'entry_SYSCALL_64_after_hwframe+0x76/0x7e (arch/x86/entry/entry_64.S:130)',
  ],
};

const baseTests = [
  t('dax-ext4.sh', 'pass'),
  t('dax-xfs.sh', 'pass'),
  t('revoke-devmem', 'fail', { reason: 'exit status 250' }),
  t('dm.sh', 'fail', { reason: 'exit status 1' }),
  t('mmap.sh', 'pass'),
  t('daxctl-create.sh', 'skip', { missingPrerequisite: true, reason: 'exit status 77: missing prerequisite' }),
  t('sub-section.sh', 'skip', { missingPrerequisite: true, reason: 'exit status 77: missing prerequisite' }),
];
const seriesTests = baseTests.map((x) =>
  x.name === 'mmap.sh'
    ? t('mmap.sh', 'fail', {
        reason: 'exit status 139 (SIGSEGV)',
        excerpt: 'mmap.sh: line 42: 1295 Segmentation fault      $MMAP_TEST -p $dev\ntest/mmap.sh: failed at line 42',
      })
    : x.name === 'revoke-devmem'
      ? t('revoke-devmem', 'pass')
      : x,
);

const regressionVerdict = judge({
  baseRuns: [makeRun({ tests: baseTests }), makeRun({ tests: baseTests }), makeRun({ tests: baseTests })],
  seriesRuns: [1, 2, 3].map(() => makeRun({ tests: seriesTests, findings: [gpf] })),
});

/** The base found by blob matching, after the base-commit was found nowhere. */
const { treeBranch: _branch, ...onNvdimm } = tested;
const blobMatched: TestedSetup = {
  ...onNvdimm,
  treeName: 'linux-6.12',
  treeUrl: "Debian's linux-source-6.12",
  baseReason: 'blobs of 7 files match linux-6.12 at f2661062',
  baseAttempts: ['base-commit 0123456789ab not in linux-6.1, linux-6.12', '3 of 7 blobs not in linux-6.1'],
};

export const regression: ResultReplyInput = {
  kind: 'result',
  ...common,
  series,
  tested: blobMatched,
  verdict: regressionVerdict,
  runLink: 'http://localhost:8080/runs/17',
  bisection: {
    n: 13,
    steps: [
      { k: 7, result: 'good', note: 'no crash' },
      { k: 10, result: 'bad', note: 'crash: general protection fault' },
      { k: 9, result: 'good', note: 'no crash' },
    ],
    firstBad: 10,
    candidates: [10],
  },
};

/**
 * The crash happens while mmap.sh runs; device-dax, after it in the same boot, fails because the
 * device is still busy: both follow the crash (judge/follows-crash.ts), which is reported alone.
 */
const afterCrashBase = [...baseTests, t('device-dax', 'pass')];
const afterCrashSeries = [
  ...seriesTests,
  t('device-dax', 'fail', { reason: 'exit status 1', excerpt: 'daxctl: reconfigure: dax0.0: Device or resource busy' }),
];
export const regressionFollowsCrash: ResultReplyInput = {
  ...regression,
  verdict: judge({
    baseRuns: [1, 2, 3].map(() => makeRun({ tests: afterCrashBase })),
    seriesRuns: [1, 2, 3].map(() => makeRun({ tests: afterCrashSeries, findings: [{ ...gpf, test: 'mmap.sh' }] })),
  }),
};

export const regressionSkippedBisection: ResultReplyInput = {
  ...regression,
  bisection: {
    n: 13,
    steps: [
      { k: 7, result: 'good' },
      { k: 10, result: 'bad' },
      { k: 8, result: 'good' },
      { k: 9, result: 'skip', note: 'build failed' },
    ],
    firstBad: null,
    candidates: [9, 10],
  },
};

export const applyFailed: ResultReplyInput = {
  kind: 'result',
  ...common,
  series: noCoverSeries,
  tested: { ...tested, baseAttempts: ['base-commit f2661062f16b not in linux-6.1, linux-6.12'] },
  verdict: judge({
    baseRuns: [makeRun()],
    seriesRuns: [
      makeRun({
        failureClass: 'patch',
        apply: {
          ok: false,
          base: null,
          head: null,
          patchCommits: [],
          attempts: [
            {
              base: 'f2661062f16b2de5d7b6a5c42a9a5c96326b8454',
              reason: 'base-commit trailer',
              ok: false,
              failedPatch: 6,
              conflictFiles: ['mm/memory.c', 'include/linux/mm.h'],
              output:
                'Applying: mm/memory: Add dax_insert_pfn\nerror: patch failed: mm/memory.c:2140\nerror: mm/memory.c: patch does not apply\nPatch failed at 0006 mm/memory: Add dax_insert_pfn',
            },
          ],
        },
      }),
    ],
  }),
};

/** A build failure leaves no kernel and no boot: its files are the .config alone. */
const { qemuCommand: _booted, ...unbooted } = tested;

export const buildFailed: ResultReplyInput = {
  kind: 'result',
  ...common,
  series,
  tested: {
    ...unbooted,
    artifacts: { url: 'http://localhost:8080/runs/17/artifacts', names: ['config', 'build.log'] },
  },
  verdict: judge({
    baseRuns: [makeRun()],
    seriesRuns: [
      makeRun({
        failureClass: 'patch',
        build: {
          ok: false,
          configHash: 'x',
          buildDir: '/b',
          durationMs: 1000,
          errors: [
            {
              file: 'fs/dax.c',
              line: 1047,
              column: 9,
              severity: 'error',
              message:
                "implicit declaration of function 'dax_insert_pfn'; did you mean 'vmf_insert_pfn'? [-Werror=implicit-function-declaration]",
            },
            {
              file: 'fs/dax.c',
              line: 1210,
              column: 3,
              severity: 'error',
              message: "'PFN_DEV' undeclared (first use in this function)",
            },
          ],
          warnings: [],
        },
      }),
    ],
  }),
};

const note = "does not build: fs/dax.c:1047: implicit declaration of function 'dax_insert_pfn'";

/** The series does not build; build-only bisection names patch 2, whose errors are quoted. */
export const buildFailedBisected: ResultReplyInput = {
  ...buildFailed,
  bisection: {
    n: series.patches.length,
    // As nextStep asks them for 13 patches.
    steps: [6, 3, 1, 2].map((k) => (k === 1 ? { k, result: 'good', note: 'builds' } : { k, result: 'bad', note })),
    firstBad: 2,
    candidates: [2],
    target: { build: true },
  },
};

export const passed: ResultReplyInput = {
  kind: 'result',
  ...common,
  series,
  tested: {
    ...tested,
    baseReason: 'applied to the head of linux-6.1',
    baseAttempts: ['no blobs to match: the series only adds files'],
  },
  verdict: judge({
    baseRuns: [makeRun({ tests: baseTests })],
    seriesRuns: [
      makeRun({ tests: baseTests.map((x) => (x.name === 'revoke-devmem' ? t('revoke-devmem', 'pass') : x)) }),
    ],
  }),
};

/** A re-run after a mailed regression: the crash is gone. */
export const changed: ResultReplyInput = {
  ...passed,
  change: {
    outcome: 'regression',
    summary: regressionVerdict.summary,
    date: '2024-06-27T08:15:42.000Z',
    messageId: 'daxbot-0123456789abcdef01234567@daxbot.localhost',
    verdict: regressionVerdict,
  },
};

/** A re-run after a pass that was recorded but not mailed: now it crashes. */
export const changedFromSilentPass: ResultReplyInput = {
  ...regression,
  change: {
    outcome: 'pass',
    summary: passed.verdict.summary,
    date: '2024-06-27T08:15:42.000Z',
    messageId: null,
    verdict: passed.verdict,
  },
  runLink: 'http://localhost:8080/runs/17',
};

export const commandDone: CommandReplyInput = {
  kind: 'command',
  ...common,
  commandMail: {
    messageId: '<87ed5fhx3x.fsf@nvdebian.thelocal>',
    from: 'Dan Williams <dan.j.williams@intel.com>',
    subject: 'Re: [PATCH 00/13] fs/dax: Fix FS DAX page reference counts',
    references: ['<cover.1719386613.git-series.apopple@nvidia.com>'],
  },
  commands: [
    {
      command: '#daxbot test ndctl base v6.10-rc5 repeat 3',
      allowed: true,
      reason: 'maintainer dan.j.williams@intel.com, DKIM pass (intel.com)',
      action: 'queued job 42: suites ndctl, base v6.10-rc5, 3 repeats',
    },
  ],
};

export const commandRefused: CommandReplyInput = {
  ...commandDone,
  commandMail: { ...commandDone.commandMail, from: 'Someone <someone@example.org>' },
  commands: [
    {
      command: '#daxbot test ndctl base v6.10-rc5 repeat 3',
      allowed: false,
      reason:
        'only maintainers with a DKIM-verified mail may choose the base or repeats; anyone may ask for "#daxbot retest"',
    },
  ],
};

/** One answer for a mail with three command lines: done, refused, done. */
export const commandSeveral: CommandReplyInput = {
  ...commandDone,
  commandMail: { ...commandDone.commandMail, from: 'Bob Reviewer <bob@example.org>' },
  commands: [
    {
      command: '#daxbot retest',
      allowed: true,
      reason: 'anyone may re-test (1 of 3 today) (DKIM: none (no signature))',
      action: 'queued re-test job #43 for cover.1719386613.git-series.apopple@nvidia.com#v1 (ahead of new series).',
    },
    {
      command: '#daxbot invalid',
      allowed: false,
      reason:
        'bob@example.org is not on the maintainer list; only maintainers may use "invalid" with these arguments (anyone may ask for "#daxbot retest")',
    },
    { command: '#daxbot frobnicate', allowed: false, reason: 'unknown command "frobnicate"' },
  ],
};

/** A regression reply whose author, subject and Cc were written by an attacker. */
export function hostileReply() {
  const r = renderReply({
    ...regression,
    series: {
      ...regression.series,
      author: 'Evil\r\nBcc: victim@example.org <evil@example.org>',
      coverSubject: 'subject\r\nBcc: victim2@example.org\r\nX-Injected: 1\0 ünïcödé',
      cc: [
        'ok@example.org',
        'x@example.org\r\nBcc: victim3@example.org',
        'Jörg Müller <joerg@example.org>',
        'bad address',
      ],
      references: ['<good@example.org>', '<x@y>\r\nBcc: victim4@example.org'],
    },
  });
  return r;
}

/**
 * fstests-dax on a real run: the series results are what the guest reported with
 * test/fixtures/patches/fsdax-read-corruption.mbox applied (test/fixtures/fstests/corrupt-reads),
 * the base's the same tests passing.
 */
const fstestsSeriesTests = fstestsResults({
  consoleLog: readFileSync(path.join(fstestsFixture, 'console.txt'), 'utf8'),
  files: readTarEntries(readFileSync(path.join(fstestsFixture, 'results.tar'))),
  filesystems: ['ext4', 'xfs'],
  stop: { killed: null, lastTest: null, lastTestFinished: true },
  durations: {},
});
const fstestsSeries: ReplySeries = {
  subject: 'fsdax: fail reads of poisoned media early',
  coverSubject: '[PATCH 0/2] fsdax: fail reads of poisoned media early',
  revision: 1,
  rootMessageId: 'cover.1795400000.git.fixture@example.org',
  coverMessageId: 'cover.1795400000.git.fixture@example.org',
  patches: [
    'fsdax: explain the copy loop of dax_iomap_iter',
    'fsdax: probe for poison before copying a read to user space',
  ].map((s, i) => ({
    counter: i + 1,
    messageId: `${i + 1}.1795400000.git.fixture@example.org`,
    subject: `[PATCH ${i + 1}/2] ${s}`,
    from: 'Fix Ture <fixture@example.org>',
  })),
  expected: 2,
  author: 'Fix Ture <fixture@example.org>',
  cc: ['nvdimm@lists.linux.dev', 'linux-fsdevel@vger.kernel.org'],
  lists: ['nvdimm@lists.linux.dev'],
};

export const fstestsRegression: ResultReplyInput = {
  kind: 'result',
  ...common,
  versionKey: 'nvdimm/cover.1795400000.git.fixture@example.org/v1',
  series: fstestsSeries,
  tested: { ...tested, suites: ['dax', 'fstests-dax'], baseDescribe: 'v6.1.192-debian' },
  verdict: judge({
    baseRuns: [makeRun({ tests: fstestsSeriesTests.map((x) => ({ suite: x.suite, name: x.name, status: 'pass' })) })],
    seriesRuns: [makeRun({ tests: fstestsSeriesTests })],
  }),
  bisection: { n: 2, steps: [{ k: 1, result: 'good', note: 'no failures' }], firstBad: 2, candidates: [2] },
};

/** An ndctl series (test/fixtures/patches/ndctl-create-namespace-series.mbox), on the ndctl tree. */
const ndctlSubjects = [
  'ndctl/namespace: print sizes in hex in the capacity message',
  'ndctl/namespace: stop the default size before the next extent',
  'Documentation/ndctl: fix a typo in create-namespace --size',
];
const ndctlSeries: ReplySeries = {
  subject: 'ndctl/namespace: default size and capacity message',
  coverSubject: '[ndctl PATCH 0/3] ndctl/namespace: default size and capacity message',
  project: 'ndctl',
  revision: 1,
  rootMessageId: 'cover.1796549699.git.dax.tester@example.org',
  coverMessageId: 'cover.1796549699.git.dax.tester@example.org',
  patches: ndctlSubjects.map((s, i) => ({
    counter: i + 1,
    messageId: `${i + 1}.git.dax.tester@example.org`,
    subject: `[ndctl PATCH ${i + 1}/3] ${s}`,
    from: 'Dax Tester <dax.tester@example.org>',
  })),
  expected: 3,
  author: 'Dax Tester <dax.tester@example.org>',
  baseCommit: '92d5203077553bfc9f7bf1c219563db0fc28e660',
  cc: ['nvdimm@lists.linux.dev', 'vishal.l.verma@intel.com'],
  lists: ['nvdimm@lists.linux.dev'],
};

/** The ndctl runner: ndctl's tree and base; the kernel is the known-good nfit-sim build of linux-6.1. */
const ndctlTested: TestedSetup = {
  treeName: 'ndctl',
  treeUrl: 'https://github.com/pmem/ndctl.git',
  treeBranch: 'main',
  baseCommit: '92d5203077553bfc9f7bf1c219563db0fc28e660',
  baseReason: 'base-commit trailer',
  baseDescribe: 'v81',
  configFragments: [{ name: 'nfit-sim' }],
  configHash: 'e97379cfe130',
  defconfig: 'x86_64_defconfig',
  runner: 'ndctl',
  runnerKind: 'ndctl',
  arch: 'x86_64',
  cpus: 2,
  memoryMiB: 2048,
  nvdimms: [],
  nvdimmPlatform: 'simulated by nfit_test (linux-6.1 at HEAD, not patched): buses nfit_test.0 and nfit_test.1',
  suites: ['ndctl-meson'],
  compiler: 'gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40',
  artifacts: { url: 'http://localhost:8080/runs/21/artifacts', names: ['build.log', 'console.log'] },
};

const ndctlCommon = {
  mail,
  versionKey: 'ndctl/cover.1796549699.git.dax.tester@example.org/v1',
  dashboardLink: 'http://localhost:8080/r/7d1e2f30',
};

/** Patch 2 breaks create-namespace: ndctl's create.sh fails; bisection names patch 2. */
export const ndctlRegression: ResultReplyInput = {
  kind: 'result',
  ...ndctlCommon,
  series: ndctlSeries,
  tested: ndctlTested,
  verdict: judge({
    baseRuns: [makeRun({ runner: 'ndctl', tests: [t('create.sh', 'pass')] })],
    seriesRuns: [
      makeRun({
        runner: 'ndctl',
        failureClass: 'patch',
        tests: [
          t('create.sh', 'fail', {
            reason: 'exit status 1',
            excerpt: [
              'libndctl: ndctl_namespace_set_size: namespace0.0: failed to set size: Invalid argument',
              'failed to create namespace: Invalid argument',
              '++ err 24',
            ].join('\n'),
          }),
        ],
      }),
    ],
  }),
  runLink: 'http://localhost:8080/runs/21',
  bisection: {
    n: 3,
    steps: [
      { k: 2, result: 'bad', note: '1 ndctl test(s) failed: ndctl.create.sh' },
      { k: 1, result: 'good', note: 'ndctl tests pass' },
    ],
    firstBad: 2,
    candidates: [2],
  },
};

/** The series does not build: meson's and gcc's errors quoted, as a kernel's are. */
export const ndctlBuildFailed: ResultReplyInput = {
  kind: 'result',
  ...ndctlCommon,
  series: ndctlSeries,
  tested: { ...ndctlTested, artifacts: { url: 'http://localhost:8080/runs/22/artifacts', names: ['build.log'] } },
  verdict: judge({
    baseRuns: [makeRun({ runner: 'ndctl' })],
    seriesRuns: [
      makeRun({
        runner: 'ndctl',
        failureClass: 'patch',
        build: {
          ok: false,
          configHash: '157c926395d01016',
          buildDir: '/cache/ndctl/157c926395d01016/tree/build',
          durationMs: 61000,
          errors: [
            {
              file: 'ndctl/namespace.c',
              line: 629,
              column: 28,
              severity: 'error',
              message: "'availble' undeclared (first use in this function); did you mean 'available'?",
            },
          ],
          warnings: [],
          warningsComplete: true,
        },
      }),
    ],
  }),
};
