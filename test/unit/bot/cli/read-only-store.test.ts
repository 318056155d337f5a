/**
 * Commands that only read never create a store (issue 12 item 10): `series list|show|am` and
 * `status` on a SQLite path that does not exist end with "not found" (exit 3) naming where they
 * looked, and leave no folder or file behind. Through the real command line, in this process.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../../bot/cli/main.ts';
import { exitCodeFor } from '../../../../bot/cli/exit-code.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-ro-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function daxbot(argv: string[]): Promise<{ code: number; error: string | null; out: string[] }> {
  const out: string[] = [];
  const { program, cleanup } = buildProgram({ ...process.env, DAXBOT_LOG_LEVEL: 'silent' }, (l) => out.push(l));
  program.exitOverride();
  try {
    await program.parseAsync(['node', 'daxbot', ...argv]);
    return { code: 0, error: null, out };
  } catch (err) {
    return { code: exitCodeFor(err), error: err instanceof Error ? err.message : String(err), out };
  } finally {
    await cleanup();
  }
}

describe('read-only commands and a missing store', () => {
  const missing = path.join(dir, 'no', 'such', 'dir', 'x.sqlite');
  it.each([[['series', 'list']], [['series', 'show', 'x@y']], [['series', 'am', 'x@y', '-o', '-']], [['status']]])(
    '%j refuses a store that does not exist (exit 3) and creates nothing',
    async (args) => {
      const r = await daxbot(['--db', missing, ...args]);
      expect(r.code).toBe(3);
      expect(r.error).toContain(`no store at ${missing}`);
      expect(existsSync(path.join(dir, 'no'))).toBe(false);
    },
  );

  it('a command that writes still creates it, and then the readers read it', async () => {
    const db = path.join(dir, 'new', 'x.sqlite');
    expect((await daxbot(['--db', db, 'rerun', 'nothing@example.org'])).code).toBe(3);
    expect(existsSync(db)).toBe(true);
    const r = await daxbot(['--db', db, 'series', 'list', '--json']);
    expect(r).toMatchObject({ code: 0, out: [] });
  });
});
