import { describe, expect, it } from 'vitest';
import { assembleSeries, newestVersion, versionToTest } from '../../../../ingest/series/assemble.ts';
import { msg, series } from './make-message.ts';

const counters = (v: { patches: { counter: number; messageId: string }[] } | undefined): string[] =>
  (v?.patches ?? []).map((p) => `${p.counter}:${p.messageId}`);

describe('assembleSeries', () => {
  it('assembles a cover + patches series', () => {
    const [v] = assembleSeries(series('s', 3));
    expect(v).toMatchObject({
      revision: 1,
      expected: 3,
      complete: true,
      coverMessageId: 's-0',
      rootMessageId: 's-0',
      subject: 's work',
      project: 'kernel',
      missing: [],
      partialReroll: false,
      threadRootId: 's-0',
      key: 's-0#v1',
      seriesKey: 's-0',
    });
    expect(counters(v)).toEqual(['1:s-1', '2:s-2', '3:s-3']);
  });

  it('orders patches by counter whatever the arrival order, and notes what is missing', () => {
    const all = series('s', 4);
    const [v] = assembleSeries([all[3], all[0], all[1]].filter((m) => m !== undefined));
    expect(counters(v)).toEqual(['1:s-1', '3:s-3']);
    expect(v?.missing).toEqual([2, 4]);
    expect(v?.complete).toBe(false);
  });

  it('takes the subject of the lowest patch present when neither cover nor patch 1 came', () => {
    const parts = [3, 5].map((k) => msg({ id: `p-${k}`, subject: `[PATCH v2 ${k}/12] mm: part ${k}`, diff: true }));
    const [v] = assembleSeries(parts);
    expect(v?.subject).toBe('mm: part 3');
    expect(v?.missing).toContain(1);
  });

  it('reads the project from [ndctl PATCH]', () => {
    const [v] = assembleSeries(series('n', 2, { project: 'ndctl', rev: 3 }));
    expect(v?.project).toBe('ndctl');
    expect(v?.revision).toBe(3);
  });

  it('a single patch is a complete 1/1 series rooted at itself', () => {
    const [v] = assembleSeries([msg({ id: 'p', subject: '[PATCH] fix a thing', diff: true })]);
    expect(v).toMatchObject({
      rootMessageId: 'p',
      coverMessageId: null,
      expected: 1,
      complete: true,
      subject: 'fix a thing',
    });
  });

  it('replies and discussion are not patches; a reply with a diff is not a patch either', () => {
    const msgs = [
      ...series('s', 1),
      msg({ id: 'r', subject: 'Re: [PATCH 1/1] s change 1', irt: 's-1', diff: true }),
      msg({ id: 'q', subject: 'question', irt: 's-0' }),
    ];
    const vs = assembleSeries(msgs);
    expect(vs).toHaveLength(1);
    expect(counters(vs[0])).toEqual(['1:s-1']);
  });

  it('returns every revision found in one thread; b4 picks the newest', () => {
    const v1 = series('a', 2);
    const v2 = series('b', 2, { rev: 2, irt: 'a-0' });
    const vs = assembleSeries([...v1, ...v2]);
    expect(vs.map((v) => v.key)).toEqual(['a-0#v1', 'a-0#v2']);
    expect(newestVersion(vs)?.revision).toBe(2);
  });

  it('versionToTest prefers the newest complete version', () => {
    const v1 = series('a', 2);
    const v2 = series('b', 2, { rev: 2, irt: 'a-0' }).slice(0, 2); // cover + 1/2 only
    const vs = assembleSeries([...v1, ...v2], { partialReroll: false });
    expect(newestVersion(vs)?.revision).toBe(2);
    expect(versionToTest(vs)?.revision).toBe(1);
  });

  it('partial reroll: a lone [PATCH v2 2/3] replying to v1 2/3 borrows the rest from v1', () => {
    const v1 = series('a', 3);
    const re = msg({ id: 'v2-2', subject: '[PATCH v2 2/3] a change 2', irt: 'a-2', refs: ['a-0', 'a-2'], diff: true });
    const vs = assembleSeries([...v1, re]);
    const v2 = vs.find((v) => v.revision === 2);
    expect(v2?.partialReroll).toBe(true);
    expect(v2?.complete).toBe(true);
    expect(counters(v2)).toEqual(['1:a-1', '2:v2-2', '3:a-3']);
    expect(v2?.coverMessageId).toBe('a-0'); // b4 reuses the v1 cover
    expect(v2?.subject).toBe('a work');
  });

  it('no partial reroll when the new patch does not reply to the same k/n', () => {
    const v1 = series('a', 3);
    const re = msg({ id: 'v2-2', subject: '[PATCH v2 2/3] a change 2', irt: 'a-1', diff: true });
    const v2 = assembleSeries([...v1, re]).find((v) => v.revision === 2);
    expect(v2?.partialReroll).toBe(false);
    expect(v2?.complete).toBe(false);
    expect(counters(v2)).toEqual(['2:v2-2']);
  });

  it('inherits the revision of the cover a bare patch replies to', () => {
    const cover = msg({ id: 'c', subject: '[PATCH v4 0/2] thing', hasDiffstat: true });
    const p1 = msg({ id: 'p1', subject: '[PATCH 1/2] one', irt: 'c', diff: true });
    const p2 = msg({ id: 'p2', subject: '[PATCH 2/2] two', irt: 'c', diff: true });
    const vs = assembleSeries([cover, p1, p2]);
    expect(vs.map((v) => [v.revision, v.coverMessageId, v.complete])).toEqual([[4, 'c', true]]);
  });

  it('finds a cover letter sent without 0/n (diffstat, no diff)', () => {
    const cover = msg({ id: 'c', subject: 'do a thing to the widget subsystem', hasDiffstat: true });
    const p = msg({ id: 'p', subject: '[PATCH 1/1] widget: do it', irt: 'c', diff: true });
    const [v] = assembleSeries([cover, p]);
    expect(v?.coverMessageId).toBe('c');
    expect(v?.subject).toBe('do a thing to the widget subsystem');
  });

  it('a bug report the patch replies to is not a cover', () => {
    const report = msg({ id: 'r', subject: 'BUG: oops in widget', hasDiffstat: false });
    const p = msg({ id: 'p', subject: '[PATCH] widget: fix oops', irt: 'r', diff: true });
    const [v] = assembleSeries([report, p]);
    expect(v?.coverMessageId).toBeNull();
    expect(v?.rootMessageId).toBe('p');
    expect(v?.threadRootId).toBe('r');
  });

  it('a second bare [PATCH] by the same author later in the thread is the next revision', () => {
    const a = msg({ id: 'a', subject: '[PATCH] fix it', diff: true });
    const b = msg({ id: 'b', subject: '[PATCH] fix it', irt: 'a', diff: true });
    const vs = assembleSeries([a, b]);
    expect(vs.map((v) => [v.revision, v.rootMessageId])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('keeps the first copy at a slot; an explicit k/n beats an inferred one', () => {
    const c = msg({ id: 'c', subject: '[PATCH 0/1] t', hasDiffstat: true });
    const a = msg({ id: 'a', subject: '[PATCH 1/1] first', irt: 'c', diff: true });
    const b = msg({ id: 'b', subject: '[PATCH 1/1] second', irt: 'c', diff: true });
    expect(counters(assembleSeries([c, a, b])[0])).toEqual(['1:a']);
  });

  it('RESEND and RFC flags', () => {
    const [r] = assembleSeries([msg({ id: 'x', subject: '[PATCH RESEND v2] foo', diff: true })]);
    expect(r).toMatchObject({ isResend: true, isRfc: false, revision: 2 });
    const [f] = assembleSeries([msg({ id: 'y', subject: '[RFC PATCH] foo', diff: true })]);
    expect(f).toMatchObject({ isResend: false, isRfc: true });
  });

  it('collects follow-up trailers; cover tags apply to every patch', () => {
    const msgs = [
      ...series('s', 2),
      msg({
        id: 'r1',
        subject: 'Re: [PATCH 1/2] s change 1',
        irt: 's-1',
        from: 'Rev One <rev1@example.com>',
        body: '> quoted\n\nReviewed-by: Rev One <rev1@example.com>\n',
      }),
      msg({
        id: 'r2',
        subject: 'Re: [PATCH 0/2] s work',
        irt: 's-0',
        from: 'Tess Ter <tess@example.com>',
        body: 'Works.\n\nTested-by: Tess Ter <tess@example.com>\n',
      }),
      // Not the sender's own tag: ignored, as b4 does without -S.
      msg({
        id: 'r3',
        subject: 'Re: [PATCH 2/2] s change 2',
        irt: 's-2',
        from: 'Mallory <m@example.com>',
        body: 'Acked-by: Someone Else <else@example.com>\n',
      }),
      // A reply to a reply still reaches the patch.
      msg({
        id: 'r4',
        subject: 'Re: [PATCH 1/2] s change 1',
        irt: 'r1',
        from: 'Rev Two <rev2@example.org>',
        body: 'Acked-by: Rev Two <rev2@example.org>\n',
      }),
    ];
    const [v] = assembleSeries(msgs);
    const tags = (k: number): string[] =>
      (v?.patches[k - 1]?.followupTrailers ?? []).map((t) => `${t.name}: ${t.value} <- ${t.fromMessageId}`);
    expect(tags(1)).toEqual([
      'Reviewed-by: Rev One <rev1@example.com> <- r1',
      'Acked-by: Rev Two <rev2@example.org> <- r4',
      'Tested-by: Tess Ter <tess@example.com> <- r2',
    ]);
    expect(tags(2)).toEqual(['Tested-by: Tess Ter <tess@example.com> <- r2']);
    const noCover = assembleSeries(msgs, { coverTrailers: false })[0];
    expect(noCover?.patches[1]?.followupTrailers).toEqual([]);
  });

  it('does not repeat a tag the patch already carries', () => {
    const msgs = [
      msg({ id: 'p', subject: '[PATCH] x', diff: true, trailers: [['Reviewed-by', 'Rev One <rev1@example.com>']] }),
      msg({
        id: 'r',
        subject: 'Re: [PATCH] x',
        irt: 'p',
        from: 'Rev One <rev1@example.com>',
        body: 'Reviewed-by: Rev One <rev1@example.com>\n',
      }),
    ];
    expect(assembleSeries(msgs)[0]?.patches[0]?.followupTrailers).toEqual([]);
  });

  it('carries dates, base-commit and change-id', () => {
    const msgs = [
      msg({
        id: 'c',
        subject: '[PATCH 0/1] t',
        hasDiffstat: true,
        date: '2024-02-01T10:00:00.000Z',
        changeId: '20240201-t-abc',
        baseCommit: 'abc123',
      }),
      msg({ id: 'p', subject: '[PATCH 1/1] t', irt: 'c', diff: true, date: '2024-02-01T10:05:00.000Z' }),
    ];
    expect(assembleSeries(msgs)[0]).toMatchObject({
      firstDate: '2024-02-01T10:00:00.000Z',
      lastDate: '2024-02-01T10:05:00.000Z',
      changeId: '20240201-t-abc',
      baseCommit: 'abc123',
    });
  });
});
