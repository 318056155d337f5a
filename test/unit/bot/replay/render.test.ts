import { describe, expect, it } from 'vitest';
import { replayConfig } from '../../../../bot/cli/replay.ts';
import { replayLine, replaySummary } from '../../../../bot/replay/render.ts';
import { replayTotals, type ReplayRow } from '../../../../bot/replay/types.ts';
import { configSchema } from '../../../../config/schema.ts';

function row(o: Partial<ReplayRow>): ReplayRow {
  return {
    versionKey: 'k#v1',
    date: '2022-12-03T10:00:00.000Z',
    subject: 'dax/hmem: Fix refcount leak in dax_hmem_probe()',
    patches: 1,
    tree: 'linux-6.1',
    base: '5364f36ce2b1aaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    method: 'blobs',
    certain: true,
    how: 'blobs of 1 file match linux-6.1 at 5364f36c',
    outcome: 'applied',
    applied: true,
    wouldMail: false,
    ms: 2000,
    discoveryMs: 1500,
    amMs: 1000,
    ...o,
  };
}

describe('replay totals and table', () => {
  const rows = [
    row({}),
    row({ method: 'tree-head', certain: false, tree: 'linux-6.12' }),
    row({ tree: null, base: null, method: null, certain: false, outcome: 'no-base', applied: false }),
    row({ outcome: 'apply-failed', applied: false, failedPatch: 2, wouldMail: true }),
  ];

  it('counts applied, no base, apply failures and mails, by tree and by method', () => {
    expect(replayTotals(rows, 9000)).toEqual({
      series: 4,
      applied: 2,
      noBase: 1,
      wouldMail: 1,
      applyFailed: 1,
      byTree: { 'linux-6.1': 1, 'linux-6.12': 1 },
      byMethod: { blobs: 1, 'tree-head': 1 },
      ms: 9000,
      discoveryMs: 6000,
      amMs: 4000,
    });
  });

  it('prints one line per version, marking guessed bases and mails, then the totals', () => {
    expect(replayLine(rows[1] as ReplayRow)).toBe(
      '2022-12-03  applied  linux-6.12@5364f36ce2b1  tree-head?  no mail  ' +
        'dax/hmem: Fix refcount leak in dax_hmem_probe() [1]\n    blobs of 1 file match linux-6.1 at 5364f36c',
    );
    expect(replayLine(rows[3] as ReplayRow)).toMatch(/^2022-12-03 {2}apply-failed \(patch 2\) .* MAIL /);
    expect(replaySummary(replayTotals(rows, 9000))[0]).toBe(
      'series: 4, applied: 2, no base: 1, apply failed on the base chosen: 1, would mail: 1',
    );
  });

  it('runs with mail kept in replay/ beside the outbox, no SMTP, no sources and no outputs', () => {
    const config = configSchema.parse({
      sources: [{ kind: 'mbox', name: 'x', path: '/tmp/x.mbox' }],
      mail: { outbox: 'var/outbox', smtp: { host: 'smtp.example.org' } },
      outputs: [{ kind: 'kcidb', url: 'https://kcidb.example.org/submit', origin: 'daxbot' }],
    });
    const r = replayConfig(config, '/srv/daxbot');
    expect(r.mail.outbox).toBe('/srv/daxbot/var/replay');
    expect(r.mail.smtp).toBeUndefined();
    expect(r.sources).toEqual([]);
    expect(r.outputs).toEqual([]);
  });
});
