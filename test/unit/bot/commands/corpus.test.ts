/**
 * Realism: five years of the nvdimm list must not trigger a single command (nobody there
 * addressed daxbot), and no line may be misread as a broken command either.
 */
import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCommands } from '../../../../bot/commands/parse.ts';

const archive = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  '..',
  '..',
  'shared',
  'corpus',
  'lore-nvdimm',
  'nvdimm.all.mboxrd.gz',
);

describe.skipIf(!existsSync(archive))('commands on the nvdimm archive', () => {
  it('finds no command and no error in 14,925 real messages', async () => {
    const lines = createInterface({ input: createReadStream(archive).pipe(createGunzip()), crlfDelay: Infinity });
    let messages = 0;
    let current: string[] = [];
    const found: string[] = [];
    const flush = () => {
      if (current.length === 0) return;
      messages += 1;
      const r = parseCommands(current.join('\n'));
      found.push(...r.commands.map((c) => c.line), ...r.errors.map((e) => e.line));
      current = [];
    };
    for await (const line of lines) {
      if (line.startsWith('From ')) flush();
      else current.push(line);
    }
    flush();
    expect(messages).toBeGreaterThan(14_000);
    expect(found).toEqual([]);
  }, 120_000);
});
