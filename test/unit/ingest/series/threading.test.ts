import { describe, expect, it } from 'vitest';
import { buildThreads } from '../../../../ingest/series/threading.ts';
import { msg } from './make-message.ts';

const ids = (t: { messages: { messageId: string }[] }): string[] => t.messages.map((m) => m.messageId);

describe('buildThreads', () => {
  it('groups by In-Reply-To and References, root first', () => {
    const threads = buildThreads([
      msg({ id: 'a', subject: '[PATCH 0/2] x' }),
      msg({ id: 'b', subject: '[PATCH 1/2] x', irt: 'a' }),
      msg({ id: 'c', subject: 'Re: [PATCH 1/2] x', irt: 'b', refs: ['a', 'b'] }),
      msg({ id: 'z', subject: 'unrelated' }),
    ]);
    expect(threads.map((t) => [t.rootId, ids(t)])).toEqual([
      ['a', ['a', 'b', 'c']],
      ['z', ['z']],
    ]);
  });

  it('joins siblings under a parent it never saw, and keeps the phantom as root', () => {
    const threads = buildThreads([
      msg({ id: 'b', subject: 'x', irt: 'missing' }),
      msg({ id: 'c', subject: 'y', irt: 'missing' }),
    ]);
    expect(threads).toHaveLength(1);
    expect(threads[0]?.rootId).toBe('missing');
    expect(threads[0]?.rootPresent).toBe(false);
  });

  it('is insensitive to arrival order', () => {
    const a = msg({ id: 'a', subject: 'root' });
    const b = msg({ id: 'b', subject: 'Re: root', irt: 'a' });
    const c = msg({ id: 'c', subject: 'Re: Re: root', irt: 'b', refs: ['a', 'b'] });
    const threads = buildThreads([c, b, a]);
    expect(threads).toHaveLength(1);
    expect(threads[0]?.rootId).toBe('a');
    expect(ids(threads[0] ?? { messages: [] })).toEqual(['c', 'b', 'a']);
  });

  it('links through References even when the middle is missing', () => {
    const threads = buildThreads([
      msg({ id: 'a', subject: 'root' }),
      msg({ id: 'd', subject: 'Re', irt: 'c', refs: ['a', 'b', 'c'] }),
    ]);
    expect(threads).toHaveLength(1);
    expect(threads[0]?.rootId).toBe('a');
  });

  it('drops duplicate Message-IDs (first copy wins) and survives reference loops', () => {
    const first = msg({ id: 'a', subject: 'first', irt: 'b' });
    const threads = buildThreads([first, msg({ id: 'b', subject: 'b', irt: 'a' }), msg({ id: 'a', subject: 'dup' })]);
    expect(threads).toHaveLength(1);
    expect(threads[0]?.messages).toHaveLength(2);
    expect(threads[0]?.messages[0]).toBe(first);
  });

  it('ignores a self reference', () => {
    const threads = buildThreads([msg({ id: 'a', subject: 'x', irt: 'a', refs: ['a'] })]);
    expect(threads.map((t) => t.rootId)).toEqual(['a']);
  });
});
