/**
 * Property-based tests (fast-check) over what strangers' mail and kernels' consoles reach: the
 * mail parser, the mbox splitter, series assembly, the command parser and the console analyzer.
 * For any input: no exception escapes, nothing is lost, the same input gives the same output.
 * Bounded (run counts and sizes) so the whole file takes seconds in CI; a failure prints the seed
 * and the shrunk input to replay.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommands } from '../../../bot/commands/parse.ts';
import { parseMessage } from '../../../ingest/parse/message.ts';
import type { ParsedMessage } from '../../../ingest/parse/types.ts';
import { assembleSeries } from '../../../ingest/series/assemble.ts';
import { MboxSplitter, splitMbox } from '../../../ingest/sources/mbox-split.ts';
import { analyzeConsole } from '../../../runners/parse/console.ts';
import { repoRoot } from '../../helpers/bot-process.ts';

const DEMO = splitMbox(readFileSync(path.join(repoRoot, 'test/fixtures/demo/inbox.mbox')));
const SEP = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n';

/** A real mail with bytes overwritten, inserted or cut at random places. */
const mutatedMail = fc
  .record({
    base: fc.constantFrom(...DEMO),
    edits: fc.array(fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 16 }), fc.nat({ max: 16 })), { maxLength: 8 }),
  })
  .map(({ base, edits }) => {
    let b = Buffer.from(base);
    for (const [at, insert, cut] of edits) {
      const i = at % (b.length + 1);
      b = Buffer.concat([b.subarray(0, i), Buffer.from(insert), b.subarray(Math.min(b.length, i + cut))]);
    }
    return b;
  });

/** Text that looks like mail, commands or consoles often enough to reach the interesting paths. */
const lineish = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom(
    '#daxbot retest',
    '#daxbot test dax base v6.1 repeat 3',
    '#daxbot unrelated BUG: kernel NULL pointer dereference',
    '#daxbot invalid',
    '#daxbot',
    '> #daxbot retest',
    'BUG: kernel NULL pointer dereference, address: 0000000000000008',
    'RIP: 0010:dax_iomap_rw+0x1c/0x90',
    'Call Trace:',
    ' <TASK>',
    ' ext4_fill_super+0x31b/0x39d0',
    'WARNING: CPU: 0 PID: 1 at fs/dax.c:100 dax_insert_entry+0x10/0x20',
    'Kernel panic - not syncing: Fatal exception',
    'From: Eve <eve@example.net>',
    'From mboxrd@z Thu Jan  1 00:00:00 1970',
    '>From the start',
    '',
  ),
);
const textLines = fc.array(lineish, { maxLength: 40 }).map((ls) => ls.join('\n'));

const RUNS = { numRuns: 150 };

describe('property: mail parser', () => {
  it('never throws on mutated real mail, and parses the same bytes the same way', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedMail, async (raw) => {
        const a = await parseMessage(raw);
        const b = await parseMessage(Buffer.from(raw));
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        if (!a.ok) expect(a.reason.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});

describe('property: mbox splitter', () => {
  it('loses no message and gives the same result whatever the chunking', () => {
    const body = fc.array(lineish, { maxLength: 12 }).map((ls) =>
      ls
        .filter((l) => !l.startsWith('From ') && !/^>*From /.test(l))
        .map((l) => l.replace(/\r/g, ''))
        .join('\n'),
    );
    fc.assert(
      fc.property(
        fc.array(body, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (msgs, cuts) => {
          const mbox = Buffer.from(msgs.map((m) => `${SEP}X-N: 1\n${m}\n`).join(''));
          const whole = splitMbox(mbox);
          expect(whole).toHaveLength(msgs.length);
          const points = [...new Set(cuts.map((c) => c % (mbox.length + 1)))].sort((x, y) => x - y);
          const s = new MboxSplitter();
          const got: Buffer[] = [];
          let from = 0;
          for (const p of [...points, mbox.length]) {
            got.push(...s.push(mbox.subarray(from, p)).map((m) => m.raw));
            from = p;
          }
          got.push(...s.end().map((m) => m.raw));
          expect(got.map((b) => b.toString('latin1'))).toEqual(whole.map((b) => b.toString('latin1')));
        },
      ),
      RUNS,
    );
  });
});

describe('property: series assembly', () => {
  it('never throws on any subset and order of (mutated) mails, and is deterministic', async () => {
    const parsedDemo: ParsedMessage[] = [];
    for (const raw of DEMO) {
      const r = await parseMessage(raw);
      if (r.ok) parsedDemo.push(r.message);
    }
    const mutated: ParsedMessage[] = [];
    await fc.assert(
      fc.asyncProperty(mutatedMail, async (raw) => {
        const r = await parseMessage(raw);
        if (r.ok && mutated.length < 60) mutated.push(r.message);
      }),
      { numRuns: 60 },
    );
    const pool = [...parsedDemo, ...mutated];
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { maxLength: 20 }), (msgs) => {
        const a = assembleSeries(msgs, { linkHistory: true });
        const b = assembleSeries([...msgs], { linkHistory: true });
        expect(JSON.stringify(a)).toBe(JSON.stringify(b));
        // Nothing invented: every patch of every version is one of the given mails.
        const ids = new Set(msgs.map((m) => m.messageId));
        for (const v of a) for (const p of v.patches) expect(ids.has(p.messageId)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('property: command parser', () => {
  it('never throws, accounts for every unquoted #daxbot line, and is deterministic', () => {
    fc.assert(
      fc.property(textLines, (body) => {
        const a = parseCommands(body, { maxRepeat: 10 });
        expect(parseCommands(body, { maxRepeat: 10 })).toEqual(a);
        const lines = a.commands.length + a.errors.length;
        const candidates = body.split('\n').filter((l) => /^\s*#daxbot(\s|$)/.test(l)).length;
        expect(lines).toBeLessThanOrEqual(candidates);
        for (const e of a.errors) expect(e.error.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
  });
});

describe('property: console analyzer', () => {
  it('never throws on any console, finds a crash it is given, and is deterministic', () => {
    const crash = 'BUG: kernel NULL pointer dereference, address: 0000000000000008\nRIP: 0010:dax_iomap_rw+0x1c/0x90\n';
    fc.assert(
      fc.property(textLines, textLines, fc.boolean(), (before, after, withCrash) => {
        const log = withCrash ? `${before}\n${crash}${after}` : before;
        const a = analyzeConsole(log);
        expect(analyzeConsole(log)).toEqual(a);
        if (withCrash) expect(a.length).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });
});
