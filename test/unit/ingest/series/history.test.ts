import { describe, expect, it } from 'vitest';
import { assembleSeries } from '../../../../ingest/series/assemble.ts';
import { completenessState } from '../../../../ingest/series/completeness.ts';
import { msg, series } from './make-message.ts';

describe('linkHistory (via assembleSeries)', () => {
  it('links v2 in a new thread to v1 by author and subject; the key stays v1 root', () => {
    const v1 = series('a', 2);
    const v2 = series('b', 2, { rev: 2 }).map((m) => ({
      ...m,
      subject: { ...m.subject, subject: m.subject.subject.replace(/^b /, 'a ') },
    }));
    const vs = assembleSeries([...v1, ...v2]);
    expect(vs.map((v) => v.key)).toEqual(['a-0#v1', 'a-0#v2']);
    expect(vs.map((v) => v.threadRootId)).toEqual(['a-0', 'b-0']);
  });

  it('does not link different authors or a lower revision', () => {
    const v1 = series('a', 1);
    const other = series('a2', 1, { rev: 2, from: 'Bob <bob@example.com>' }).map((m) => ({
      ...m,
      subject: { ...m.subject, subject: m.subject.subject.replace(/^a2 /, 'a ') },
    }));
    const vs = assembleSeries([...v1, ...other]);
    expect(new Set(vs.map((v) => v.seriesKey)).size).toBe(2);
  });

  it('links by change-id whatever the subject', () => {
    const v1 = [
      msg({ id: 'x1', subject: '[PATCH 0/1] old title', changeId: 'cid-1', hasDiffstat: true }),
      msg({ id: 'x1p', subject: '[PATCH 1/1] one', irt: 'x1', diff: true }),
    ];
    const v2 = [
      msg({ id: 'x2', subject: '[PATCH v2 0/1] new title', changeId: 'cid-1', hasDiffstat: true }),
      msg({ id: 'x2p', subject: '[PATCH v2 1/1] uno', irt: 'x2', diff: true }),
    ];
    expect(assembleSeries([...v1, ...v2]).map((v) => v.key)).toEqual(['x1#v1', 'x1#v2']);
  });

  it('a RESEND of the same revision joins with its own key', () => {
    const a = [msg({ id: 'r1', subject: '[PATCH v3] fix it', diff: true })];
    const b = [msg({ id: 'r2', subject: '[PATCH RESEND v3] fix it', diff: true })];
    expect(assembleSeries([...a, ...b]).map((v) => v.key)).toEqual(['r1#v3', 'r1#v3.2']);
  });

  it('keys do not change when a later revision arrives', () => {
    const v1 = series('k', 1);
    const before = assembleSeries(v1).map((v) => v.key);
    const v2 = series('k', 1, { rev: 2 }).map((m) => ({
      ...m,
      messageId: `${m.messageId}-v2`,
      inReplyTo: m.inReplyTo ? `${m.inReplyTo}-v2` : null,
      references: m.references.map((r) => `${r}-v2`),
    }));
    const after = assembleSeries([...v1, ...v2]).map((v) => v.key);
    expect(after[0]).toBe(before[0]);
    expect(after).toEqual(['k-0#v1', 'k-0#v2']);
  });
});

describe('completenessState', () => {
  const base = assembleSeries(series('c', 3).slice(0, 2))[0];
  it('waits for missing patches, then gives up', () => {
    if (!base?.lastDate) throw new Error('fixture');
    const last = Date.parse(base.lastDate);
    expect(completenessState(base, new Date(last + 60_000), 3_600_000)).toBe('waiting');
    expect(completenessState(base, new Date(last + 3_600_000), 3_600_000)).toBe('incomplete');
    expect(completenessState({ ...base, complete: true }, new Date(last), 1)).toBe('complete');
    expect(completenessState({ ...base, lastDate: null }, new Date(last), 3_600_000)).toBe('incomplete');
  });
});
