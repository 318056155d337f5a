import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMboxSource } from '../../../../../ingest/sources/mbox/index.ts';
import { splitMbox } from '../../../../../ingest/sources/mbox-split.ts';
import type { PollResult, SourceContext } from '../../../../../ingest/sources/types.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'fixtures', 'sources');
const sample = readFileSync(join(fixtures, 'sample.mboxrd'));

function capturingContext(batchSize?: number): { ctx: SourceContext; warnings: string[] } {
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  return { ctx: { log, batchSize }, warnings };
}

function subjects(r: PollResult): string[] {
  return r.messages.map((m) => /^Subject: (.*)$/m.exec(m.raw.toString())?.[1] ?? '?');
}

function mail(id: string): string {
  return `From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: X <x@example.com>\nSubject: ${id}\nMessage-ID: <${id}@example.com>\n\nbody ${id}\n\n`;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daxbot-mbox-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('mbox source (file)', () => {
  it('reads in batches, resumes from the checkpoint, and is idempotent', async () => {
    const path = join(dir, 'list.mbox');
    copyFileSync(join(fixtures, 'sample.mboxrd'), path);
    const source = createMboxSource({ kind: 'mbox', name: 'm', path, schedule: '' });
    const { ctx } = capturingContext(2);
    const first = await source.poll(null, ctx);
    expect(first.messages).toHaveLength(2);
    expect(first.more).toBe(true);
    expect(first.messages[0]!.origin).toBe('mbox offset 0');
    const second = await source.poll(first.nextCheckpoint, ctx);
    expect(subjects(second)).toEqual(['Re: [PATCH 1/2] dax: first']);
    expect(second.more).toBe(false);
    const third = await source.poll(second.nextCheckpoint, ctx);
    expect(third.messages).toEqual([]);
    // A fresh instance (a restart) with a stored checkpoint gives the same batch.
    const again = await createMboxSource({ kind: 'mbox', name: 'm', path, schedule: '' }).poll(
      first.nextCheckpoint,
      ctx,
    );
    expect(again.messages).toEqual(second.messages);
    expect([...first.messages, ...second.messages].map((m) => m.raw)).toEqual(splitMbox(sample));
    await source.close();
  });

  it('resolves a relative path against the config folder and keeps an absolute one as written', async () => {
    const path = join(dir, 'list.mbox');
    copyFileSync(join(fixtures, 'sample.mboxrd'), path);
    const { ctx } = capturingContext();
    const absolute = createMboxSource(
      { kind: 'mbox', name: 'm', path, schedule: '' },
      { baseDir: '/nonexistent/config/dir' },
    );
    expect((await absolute.poll(null, ctx)).messages.length).toBeGreaterThan(0);
    const relative = createMboxSource({ kind: 'mbox', name: 'm', path: 'list.mbox', schedule: '' }, { baseDir: dir });
    expect((await relative.poll(null, ctx)).messages.length).toBeGreaterThan(0);
    await absolute.close();
    await relative.close();
  });

  it('reads only what was appended, and restarts with a warning when the file was rewritten', async () => {
    const path = join(dir, 'list.mbox');
    writeFileSync(path, mail('a') + mail('b'));
    const source = createMboxSource({ kind: 'mbox', name: 'm', path, schedule: '' });
    const { ctx, warnings } = capturingContext();
    const first = await source.poll(null, ctx);
    expect(subjects(first)).toEqual(['a', 'b']);
    appendFileSync(path, mail('c'));
    const second = await source.poll(first.nextCheckpoint, ctx);
    expect(subjects(second)).toEqual(['c']);
    expect(warnings).toEqual([]);
    writeFileSync(path, mail('z') + mail('y') + mail('x') + mail('w'));
    const third = await source.poll(second.nextCheckpoint, ctx);
    expect(subjects(third)).toEqual(['z', 'y', 'x', 'w']);
    expect(warnings.join('')).toMatch(/rewritten/);
  });

  it('reads gzip files (detected by magic bytes, whatever the name) and resumes them', async () => {
    const path = join(dir, 'archive.data');
    writeFileSync(path, gzipSync(sample));
    const { ctx } = capturingContext(1);
    const seen: Buffer[] = [];
    let cp: string | null = null;
    for (let i = 0; i < 10; i++) {
      // A new instance per poll: resuming must not rely on the cached cursor.
      const r: PollResult = await createMboxSource({ kind: 'mbox', name: 'g', path, schedule: '' }).poll(cp, ctx);
      seen.push(...r.messages.map((m) => m.raw));
      cp = r.nextCheckpoint;
      if (!r.more) break;
    }
    expect(seen).toEqual(splitMbox(sample));
  });

  it('throws a SourceError for a missing file', async () => {
    const source = createMboxSource({ kind: 'mbox', name: 'm', path: join(dir, 'nope'), schedule: '' });
    await expect(source.poll(null, capturingContext().ctx)).rejects.toMatchObject({ kind: 'source' });
  });
});

describe('mbox source (maildir)', () => {
  it('reads new/ and cur/, does not re-read moved messages, and picks up new ones', async () => {
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, 'new', '1700000001.M1P1.host'), 'Subject: one\n\n1\n');
    writeFileSync(join(dir, 'cur', '1700000002.M1P1.host:2,S'), 'Subject: two\n\n2\n');
    writeFileSync(join(dir, 'new', '1700000003.M1P1.host'), 'Subject: three\n\n3\n');
    writeFileSync(join(dir, 'tmp', '1700000004.M1P1.host'), 'Subject: partial\n\n4\n');
    const source = createMboxSource({ kind: 'mbox', name: 'md', path: dir, schedule: '' });
    const { ctx } = capturingContext(2);
    const first = await source.poll(null, ctx);
    expect(subjects(first)).toEqual(['one', 'two']);
    expect(first.more).toBe(true);
    const second = await source.poll(first.nextCheckpoint, ctx);
    expect(subjects(second)).toEqual(['three']);
    expect(second.more).toBe(false);
    // A reader marks it seen: same unique name, now in cur/ with flags.
    renameSync(join(dir, 'new', '1700000001.M1P1.host'), join(dir, 'cur', '1700000001.M1P1.host:2,S'));
    renameSync(join(dir, 'tmp', '1700000004.M1P1.host'), join(dir, 'new', '1700000004.M1P1.host'));
    const third = await source.poll(second.nextCheckpoint, ctx);
    expect(subjects(third)).toEqual(['partial']);
    expect(third.messages[0]!.origin).toBe('maildir new/1700000004.M1P1.host');
    const fourth = await source.poll(third.nextCheckpoint, ctx);
    expect(fourth.messages).toEqual([]);
  });

  it('refuses a folder that is not a maildir', async () => {
    const source = createMboxSource({ kind: 'mbox', name: 'md', path: dir, schedule: '' });
    await expect(source.poll(null, capturingContext().ctx)).rejects.toMatchObject({ kind: 'source' });
  });
});
