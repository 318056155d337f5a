/**
 * Ingest on the edges (issue 12 items 7, 8 and 9), through the real mbox source, parser and SQLite
 * store: a message over the size limit is kept unparsed with the reason; an empty message
 * between two separators is kept, quarantined with the reason; a store
 * on a full disk shows the real cause (SQLITE_FULL), not "cannot rollback", and is left
 * consistent (a batch and its checkpoint are stored together or not at all).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestSource } from '../../../../bot/intake/ingest.ts';
import { realIngestDeps } from '../../../../bot/intake/run-ingest.ts';
import { silentLogger } from '../../../../bot/log.ts';
import { messageCounts, quarantineReasons } from '../../../../bot/store/messages.ts';
import { openStore } from '../../../../bot/store/store.ts';
import { writeBigPatchMbox } from '../../../bench/big-mail.ts';
import { repoRoot } from '../../../helpers/bot-process.ts';
import { createMboxSource } from '../../../../ingest/sources/mbox/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-ingest-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const daxbotJs = path.join(repoRoot, 'bin/daxbot.js');
const SEP = 'From mboxrd@z Thu Jan  1 00:00:00 1970';

function mail(id: string, body = 'hello'): string {
  return [`From: A <a@example.org>`, 'Subject: hi', `Message-ID: <${id}>`, '', body, ''].join('\n');
}

function mboxSource(file: string) {
  return createMboxSource({ kind: 'mbox', name: 'edges', path: file, schedule: '* * * * *' });
}

describe('ingest edges', () => {
  it('keeps an empty message between two separators, quarantined with the reason (four separators, four rows)', async () => {
    const file = path.join(dir, 'empty.mbox');
    writeFileSync(file, [SEP, mail('one@x'), SEP, mail('two@x'), SEP, SEP, mail('three@x')].join('\n'));
    const store = await openStore(path.join(dir, 'empty.sqlite'));
    const source = mboxSource(file);
    const report = await ingestSource(source, realIngestDeps(store, silentLogger()));
    await source.close();
    expect(report.messages).toBe(4);
    expect(await messageCounts(store.db)).toMatchObject({ total: 4, ok: 3, quarantined: 1 });
    expect(await quarantineReasons(store.db)).toEqual([{ reason: 'empty message', count: 1 }]);
    await store.close();
  });

  it('keeps a message over the size limit as raw bytes, quarantined with the reason, and parses the rest', async () => {
    const file = path.join(dir, 'huge.mbox');
    writeBigPatchMbox(file, 3 << 20, 'huge@x');
    appendFileSync(file, `${SEP}\n${mail('small@x')}`);
    const store = await openStore(path.join(dir, 'huge.sqlite'));
    const source = mboxSource(file);
    await ingestSource(source, realIngestDeps(store, silentLogger(), { maxMessageBytes: 1 << 20 }));
    await source.close();
    const rows = await store.db
      .selectFrom('messages')
      .select(['message_id', 'status', 'quarantine_reason', sql<number>`length(raw)`.as('size')])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => [r.message_id, r.status])).toEqual([
      ['huge@x', 'quarantined'],
      ['small@x', 'ok'],
    ]);
    expect(rows[0]?.size).toBeGreaterThan(3 << 20);
    expect(rows[0]?.quarantine_reason).toMatch(/^too large to parse: \d+ bytes, over the limit of 1048576/);
    await store.close();
  });

  // A real full disk: a 3 MiB tmpfs when this machine may mount one (root), else a file size
  // limit (ulimit -f, what a quota does), which SQLite sees as a failed write.
  it.each(['tmpfs', 'ulimit'])(
    'on a full disk (%s) shows the real cause and leaves the store consistent',
    (how) => {
      const file = path.join(dir, `big-${how}.mbox`);
      const body = ('y'.repeat(999) + '\n').repeat(200);
      writeFileSync(file, Array.from({ length: 40 }, (_, i) => `${SEP}\n${mail(`m${i}@x`, body + i)}`).join('\n'));
      const mnt = path.join(dir, `mnt-${how}`);
      mkdirSync(mnt);
      if (how === 'tmpfs' && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt]).status !== 0) return;
      try {
        const db = path.join(mnt, 'db.sqlite');
        const limit = how === 'ulimit' ? "trap '' XFSZ; ulimit -f 3000; " : '';
        const r = spawnSync(
          'bash',
          ['-c', `${limit}exec "$@"`, 'bash', process.execPath, daxbotJs, '--db', db, 'ingest', '--mbox', file],
          {
            encoding: 'utf8',
            env: { ...process.env, DAXBOT_LOG_LEVEL: 'silent' },
          },
        );
        expect(r.status).toBe(1);
        expect(r.stderr).not.toContain('cannot rollback');
        expect(r.stderr).toMatch(
          how === 'tmpfs' ? /\(SQLITE_FULL\): database or disk is full/ : /\(SQLITE_IOERR\w*\): disk I\/O error/,
        );
        // Consistent: whole batches with their checkpoint, or nothing.
        const check = spawnSync(process.execPath, ['-e', CHECK, db], { encoding: 'utf8' });
        expect(check.stdout.trim(), check.stderr).toBe('ok');
      } finally {
        if (how === 'tmpfs') spawnSync('umount', [mnt]);
      }
    },
    120_000,
  );
});

/** integrity_check, and every stored message covered by the stored checkpoint (offset past it). */
const CHECK = `
const db = new (require('better-sqlite3'))(process.argv[1]);
const ok = db.pragma('integrity_check', { simple: true });
const n = db.prepare('select count(*) n from messages').get().n;
const cp = db.prepare("select value from checkpoints").get();
const offset = cp ? JSON.parse(cp.value).offset : 0;
console.log(ok === 'ok' && (n === 0) === (offset === 0) ? 'ok' : JSON.stringify({ ok, n, offset }));
`;
