/** Hand-made view objects for the page renderers: every section filled, some text hostile. */
import type { PageContext } from '../../../bot/dashboard/layout.ts';
import type { QueueView } from '../../../bot/dashboard/queue-data.ts';
import type { BaselinesView, RunView } from '../../../bot/dashboard/run-data.ts';
import type { SeriesView } from '../../../bot/dashboard/series-data.ts';
import type { StoredVerdict } from '../../../bot/dashboard/stored-json.ts';

export const NOW = new Date('2024-06-02T12:00:00.000Z');
export const HOSTILE = '<script>alert("x")</script> & "quotes" \'too\'';

export const anonymous: PageContext = { now: NOW, viewer: null, rerunEnabled: true };
export const maintainer: PageContext = { now: NOW, viewer: { user: 'Dan <maint>', csrf: 'csrf-token-1' }, rerunEnabled: true };

export const queueView: QueueView = {
  generatedAt: NOW.toISOString(),
  concurrency: 1,
  meanJobMs: 12 * 60_000,
  running: [
    { id: 3, versionKey: 'ser-a#v2', subject: `mm: fix ${HOSTILE}`, runner: 'qemu-pmem', trigger: 'new-series', priority: 0, state: 'bisecting', slot: 'running', progress: 'bisect step 2 of <=4 (patches 1..3): build scripted', requestedBy: null, attempts: 0, error: null, estimatedStart: null, notBefore: null, startedAt: '2024-06-02T11:50:00.000Z', createdAt: '2024-06-02T11:00:00.000Z' },
  ],
  queued: [
    { id: 4, versionKey: 'ser-b#v1', subject: 'dax: rerun me', runner: 'qemu-pmem', trigger: 'rerun', priority: 10, state: 'new', slot: 'queued', progress: null, requestedBy: 'dashboard:dan', attempts: 0, error: null, estimatedStart: '2024-06-02T12:02:00.000Z', notBefore: null, startedAt: null, createdAt: '2024-06-02T11:58:00.000Z' },
  ],
  waiting: [
    { id: 5, versionKey: 'ser-c#v1', subject: 'nvdimm: half a series', runner: 'qemu-pmem', trigger: 'new-series', priority: 0, state: 'waiting', slot: 'waiting', progress: 'waiting for the rest', requestedBy: null, attempts: 0, error: null, estimatedStart: '2024-06-02T17:00:00.000Z', notBefore: '2024-06-02T17:00:00.000Z', startedAt: null, createdAt: '2024-06-02T11:00:00.000Z' },
  ],
  infraFailed: [
    { id: 6, versionKey: 'ser-d#v1', subject: null, runner: 'nfit-sim', trigger: 'new-series', priority: 0, state: 'infra-failed', slot: 'infra-failed', progress: 'retry after', requestedBy: null, attempts: 1, error: 'series run 1: qemu died', estimatedStart: '2024-06-02T12:10:00.000Z', notBefore: '2024-06-02T12:10:00.000Z', startedAt: '2024-06-02T11:40:00.000Z', createdAt: '2024-06-02T11:00:00.000Z' },
  ],
  recent: [
    { versionKey: 'ser-a#v2', subject: `mm: fix ${HOSTILE}`, revision: 2, author: 'Ann <ann@example.org>', lastDate: '2024-06-01T10:00:00.000Z', complete: true, present: 5, expected: 5, outcome: 'regression', jobs: [{ id: 1, runner: 'qemu-pmem', state: 'done', outcome: 'regression', summary: 'new crash' }], invalid: false },
    { versionKey: 'ser-c#v1', subject: 'nvdimm: half a series', revision: 1, author: 'Bob <bob@example.org>', lastDate: '2024-06-02T10:00:00.000Z', complete: false, present: 1, expected: 3, outcome: null, jobs: [{ id: 5, runner: 'qemu-pmem', state: 'waiting', outcome: null, summary: null }], invalid: true },
  ],
};

const verdict: StoredVerdict = {
  outcome: 'regression',
  summary: 'new crash: BUG: kernel NULL pointer dereference',
  baseRuns: 2,
  seriesRuns: 2,
  infraRuns: { base: 0, series: 1 },
  environmentProblems: [],
  notCounted: [{ title: 'WARNING: in <dax_foo>', kind: 'crash', markedBy: 'maint@example.org', markedAt: '2024-06-01T00:00:00.000Z' }],
  entries: [
    { kind: 'test', key: 'dax/ext4-dax-mount', suite: 'dax', name: 'ext4-dax-mount', class: 'new-failure', base: { runs: 2, pass: 2, fail: 0, skip: 0, absent: 0 }, series: { runs: 2, pass: 0, fail: 2, skip: 0, absent: 0 }, agreement: '2/2 series runs fail, 0/2 base runs', reason: 'no result: guest stopped', excerpt: 'mount: /mnt <wrong fs type>' },
    { kind: 'test', key: 'dax/mmap-sync', suite: 'dax', name: 'mmap-sync', class: 'pass', base: { runs: 2, pass: 2, fail: 0, skip: 0, absent: 0 }, series: { runs: 2, pass: 2, fail: 0, skip: 0, absent: 0 }, agreement: '2/2 series runs pass, 2/2 base runs' },
    {
      kind: 'crash',
      key: 'crash/BUG: kernel NULL pointer dereference',
      suite: 'crash',
      name: 'BUG: kernel NULL pointer dereference',
      class: 'new-failure',
      base: { runs: 2, pass: 0, fail: 0, skip: 0, absent: 2 },
      series: { runs: 2, pass: 0, fail: 2, skip: 0, absent: 0 },
      agreement: '2/2 series runs crash, 0/2 base runs',
      finding: { title: `BUG: kernel NULL pointer dereference in ${HOSTILE}`, type: 'null-deref', rip: 'ext4_dax_bsize_ok+0x9/0x20', trace: ['__ext4_fill_super+0x4a1/0x2f40'], symbolized: ['__ext4_fill_super+0x4a1/0x2f40 (fs/ext4/super.c:5012)'], process: 'mount', report: 'BUG: kernel NULL pointer dereference <report>' },
    },
  ],
};

export const seriesView: SeriesView = {
  versionKey: 'ser-a#v2',
  seriesKey: 'ser-a',
  subject: `mm: fix ${HOSTILE}`,
  revision: 2,
  project: 'kernel',
  author: 'Ann <ann@example.org>',
  rootMessageId: 'cover.1@example.org',
  coverMessageId: 'cover.1@example.org',
  complete: true,
  present: 3,
  expected: 3,
  missing: [],
  isRfc: false,
  firstDate: '2024-06-01T10:00:00.000Z',
  lastDate: '2024-06-01T10:05:00.000Z',
  baseCommitTrailer: null,
  patches: [
    { counter: 1, subject: 'mm: first', from: 'Ann <ann@example.org>', messageId: 'p1@example.org' },
    { counter: 2, subject: `ext4: ${HOSTILE}`, from: 'Ann <ann@example.org>', messageId: 'p2@example.org' },
    { counter: 3, subject: 'dax: third', from: 'Ann <ann@example.org>', messageId: 'p3@example.org' },
  ],
  otherVersions: [{ versionKey: 'ser-a#v1', revision: 1, subject: 'mm: fix' }],
  jobs: [
    {
      id: 1,
      groupId: 1,
      runner: 'qemu-pmem',
      trigger: 'new-series',
      priority: 0,
      state: 'done',
      slot: 'done',
      progress: null,
      requestedBy: null,
      suites: null,
      repeats: null,
      attempts: 0,
      error: null,
      notBefore: null,
      createdAt: '2024-06-01T11:00:00.000Z',
      startedAt: '2024-06-01T11:00:05.000Z',
      finishedAt: '2024-06-01T11:30:00.000Z',
      outcome: 'regression',
      summary: verdict.summary,
      base: 'c'.repeat(40),
      baseReason: 'configured branch HEAD',
      testedSuites: ['dax'],
      verdict,
      bisection: { n: 3, steps: [{ k: 1, result: 'good', note: 'no crash' }, { k: 2, result: 'bad', note: 'crash' }], firstBad: 2, candidates: [2] },
      runs: [
        { id: 11, step: 'series:0', role: 'series', patchLimit: null, failureClass: 'kernel', durationMs: 61_000, summary: 'kernel crashed', createdAt: '2024-06-01T11:05:00.000Z' },
        { id: 12, step: 'bisect:1', role: 'bisect', patchLimit: 1, failureClass: 'none', durationMs: 59_000, summary: 'all tests passed', createdAt: '2024-06-01T11:20:00.000Z' },
      ],
      baselines: [{ id: 7, repeat: 0, failureClass: 'none', durationMs: 58_000 }],
    },
    {
      id: 9,
      groupId: 9,
      runner: 'qemu-pmem',
      trigger: 'rerun',
      priority: 10,
      state: 'new',
      slot: 'queued',
      progress: null,
      requestedBy: 'dashboard:dan',
      suites: ['dax'],
      repeats: 2,
      attempts: 0,
      error: null,
      notBefore: null,
      createdAt: '2024-06-02T11:59:00.000Z',
      startedAt: null,
      finishedAt: null,
      outcome: null,
      summary: null,
      base: null,
      baseReason: null,
      testedSuites: [],
      verdict: null,
      bisection: null,
      runs: [],
      baselines: [],
    },
  ],
  replies: [
    {
      messageId: 'daxbot.1@daxbot.localhost',
      kind: 'result',
      outcome: 'regression',
      state: 'sent',
      mailed: true,
      subject: `Re: [PATCH v2 0/3] mm: fix ${HOSTILE}`,
      recipients: ['Ann <ann@example.org>'],
      jobId: 1,
      createdAt: '2024-06-01T11:30:00.000Z',
      sentAt: '2024-06-01T11:30:01.000Z',
      headers: 'From: daxbot <daxbot@localhost>\nSubject: Re: [PATCH v2 0/3] mm: fix',
      body: `Hi Ann,\n\nfirst bad commit: [PATCH 2/3] ext4: ${HOSTILE}\n`,
    },
  ],
  commands: [{ id: 'cmd1@example.org/1', from: 'maint@example.org', text: '#daxbot unrelated WARNING: in <dax_foo>', action: 'unrelated: WARNING: in <dax_foo>', decision: 'accepted', reason: 'maintainer (DKIM pass)', jobId: null, createdAt: '2024-06-01T12:00:00.000Z' }],
  marks: [{ kind: 'unrelated', versionKey: 'ser-a#v2', crashTitle: 'WARNING: in <dax_foo>', markedBy: 'maint@example.org', createdAt: '2024-06-01T12:00:00.000Z' }],
};

export const runView: RunView = {
  kind: 'run',
  id: 11,
  jobId: 1,
  versionKey: 'ser-a#v2',
  step: 'series:0',
  role: 'series',
  patchLimit: null,
  runner: 'qemu-pmem',
  durationMs: 61_000,
  createdAt: '2024-06-01T11:05:00.000Z',
  result: {
    runner: 'qemu-pmem',
    base: 'c'.repeat(40),
    head: 'd'.repeat(40),
    configHash: 'cfg123',
    booted: true,
    tests: [{ suite: 'dax', name: 'ext4-dax-mount', status: 'fail', reason: 'no result', excerpt: undefined }],
    findings: [{ title: `BUG: ${HOSTILE}`, type: 'null-deref', rip: 'ext4_dax_bsize_ok+0x9/0x20', trace: ['a+0x1/0x2'], symbolized: undefined, process: 'mount', report: 'r' }],
    failureClass: 'kernel',
    summary: 'kernel crashed',
    build: { ok: true, errors: [], outputExcerpt: undefined },
    apply: null,
  },
  console: { totalLines: 1000, firstLine: 701, text: `[    1.0] boot\n[    2.0] ${HOSTILE}\n[    3.0] BUG: kernel NULL pointer dereference` },
};

export const baselinesView: BaselinesView = {
  groups: [
    { cacheKey: 'qemu-pmem|ccc|cfg|dax', runner: 'qemu-pmem', treeCommit: 'c'.repeat(40), configHash: 'cfg123', currentConfig: true, suites: ['dax'], repeats: [{ id: 7, repeat: 0, failureClass: 'none', summary: 'all tests passed', durationMs: 58_000, createdAt: '2024-06-01T11:10:00.000Z' }] },
    { cacheKey: 'nfit-sim|ccc|old|nfit-sim', runner: 'nfit-sim', treeCommit: 'c'.repeat(40), configHash: 'old', currentConfig: false, suites: [], repeats: [] },
  ],
};
