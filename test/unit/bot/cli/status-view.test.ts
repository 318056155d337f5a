import { describe, expect, it } from 'vitest';
import { statusRows, statusTable, undeliveredRow, undeliveredTable } from '../../../../bot/cli/status-view.ts';
import type { JobRow } from '../../../../bot/store/jobs.ts';
import type { ReplyRow } from '../../../../bot/store/replies.ts';

const now = new Date('2024-05-01T12:00:00Z');

function job(id: number, o: Partial<JobRow>): JobRow {
  return {
    id,
    versionKey: `s${id}#v1`,
    trigger: 'new-series',
    priority: 0,
    state: 'new',
    runner: 'qemu-pmem',
    groupId: id,
    options: {},
    attempts: 0,
    notBefore: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    progress: null,
    outcome: null,
    summary: null,
    error: null,
    createdAt: '2024-05-01T11:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    ...o,
  };
}

const jobs = [
  job(1, {
    state: 'series',
    priority: 10,
    leaseExpiresAt: '2024-05-01T12:30:00.000Z',
    startedAt: '2024-05-01T11:50:00.000Z',
    progress: 'booting',
  }),
  job(2, {}),
  job(3, {
    state: 'done',
    outcome: 'regression',
    summary: 'BUG: NULL pointer dereference in ext4_dax',
    finishedAt: '2024-05-01T10:40:00.000Z',
  }),
];
const series = new Map([
  ['s1#v1', { subject: 'dax: fix the mount path', revision: 1 }],
  ['s2#v1', { subject: 'pmem: tidy', revision: 1 }],
  ['s3#v1', { subject: 'ext4: dax mount check', revision: 2 }],
]);
const rows = statusRows({
  jobs,
  now,
  starts: new Map([[2, new Date('2024-05-01T12:25:00Z')]]),
  invalid: new Set(['s3#v1']),
  series,
});

describe('status', () => {
  it('gives each job its subject, runner, times and a state people read', () => {
    expect(rows.map((r) => [r.id, r.state, r.subject, r.estimatedStart])).toEqual([
      [1, 'series', 'dax: fix the mount path', null],
      [2, 'queued', 'pmem: tidy', '2024-05-01T12:25:00.000Z'],
      [3, 'done', 'ext4: dax mount check', null],
    ]);
    expect(rows[2]).toMatchObject({ runner: 'qemu-pmem', invalid: true, finishedAt: '2024-05-01T10:40:00.000Z' });
  });

  it('prints a table with subjects and UTC times instead of raw ISO strings', () => {
    expect(statusTable(rows, now)).toEqual([
      'JOB  STATE   PRIO  RUNNER     WHEN (UTC)                           SERIES                                  PROGRESS / RESULT',
      ' #1  series    10  qemu-pmem  started 2024-05-01 11:50             dax: fix the mount path (v1)            booting',
      ' #2  queued     0  qemu-pmem  starts 2024-05-01 12:25 (in 25 min)  pmem: tidy (v1)',
      ' #3  done       0  qemu-pmem  finished 2024-05-01 10:40            ext4: dax mount check (v2) [withdrawn]  regression: BUG: NULL pointer dereference in ext4_dax',
    ]);
    expect(statusTable([], now)).toEqual(['no jobs']);
  });

  it('lists replies the mail server refused, with their next attempt', () => {
    const reply: ReplyRow = {
      id: 1,
      messageId: 'r1@daxbot',
      versionKey: 's1#v1',
      jobId: 1,
      groupId: 1,
      kind: 'result',
      digest: 'd',
      outcome: 'regression',
      mailed: true,
      state: 'pending',
      subject: 'Re: x',
      recipients: [],
      raw: '',
      deliveryId: null,
      createdAt: '2024-05-01T11:58:00.000Z',
      sentAt: null,
      attempts: 2,
      lastError: '451 try later',
      nextAttemptAt: '2024-05-01T12:04:00.000Z',
    };
    const lines = undeliveredTable([undeliveredRow(reply)], now);
    expect(lines).toEqual([
      '',
      'replies not delivered:',
      'REPLY        STATE     KIND    ATTEMPTS  NEXT ATTEMPT (UTC)           LAST ERROR',
      '<r1@daxbot>  retrying  result         2  2024-05-01 12:04 (in 4 min)  451 try later',
    ]);
  });
});
