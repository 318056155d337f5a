import { describe, expect, it } from 'vitest';
import { formatTable, jsonLine, personName, relativeTime, utcMinute } from '../../../../bot/cli/output.ts';

describe('CLI output helpers', () => {
  it('prints a table with a header and aligned columns, the last one unpadded', () => {
    const rows = [
      { id: 7, name: 'a', text: 'short' },
      { id: 12, name: 'longer name', text: 'x' },
    ];
    const lines = formatTable(
      [
        { header: 'ID', value: (r: (typeof rows)[number]) => String(r.id), align: 'right' },
        { header: 'NAME', value: (r) => r.name },
        { header: 'TEXT', value: (r) => r.text },
      ],
      rows,
    );
    expect(lines).toEqual(['ID  NAME         TEXT', ' 7  a            short', '12  longer name  x']);
  });

  it('cuts long cells and lines to their limits', () => {
    const lines = formatTable(
      [
        { header: 'A', value: (r: string) => r, max: 5 },
        { header: 'B', value: () => 'tail text' },
      ],
      ['abcdefgh'],
      12,
    );
    expect(lines[1]).toBe('abcd…  tail…');
  });

  it('JSON Lines: one object on one line, never indented', () => {
    expect(jsonLine({ a: [1, { b: 2 }] })).toBe('{"a":[1,{"b":2}]}');
  });

  it('formats times as UTC minutes and distances from now', () => {
    const now = new Date('2024-05-01T12:00:00Z');
    expect(utcMinute('2024-05-01T14:02:59.123Z')).toBe('2024-05-01 14:02');
    expect(utcMinute(null)).toBe('-');
    expect(relativeTime('2024-05-01T12:25:00Z', now)).toBe('in 25 min');
    expect(relativeTime('2024-05-01T14:10:00Z', now)).toBe('in 2 h 10 min');
    expect(relativeTime('2024-05-01T11:00:00Z', now)).toBe('1 h ago');
    expect(relativeTime('2024-05-01T12:00:10Z', now)).toBe('now');
  });

  it('names a person by the name part of an address', () => {
    expect(personName('Ada Author <ada@example.org>')).toBe('Ada Author');
    expect(personName('"Lovelace, Ada" <ada@example.org>')).toBe('Lovelace, Ada');
    expect(personName('<ada@example.org>')).toBe('ada@example.org');
    expect(personName('ada@example.org')).toBe('ada@example.org');
  });
});
