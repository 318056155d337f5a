/**
 * The CLI contract of the ingest stage, driven as outside checks drive it: a real child
 * process, a real SQLite file, a project-written mbox.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { daxbot as run, repoRoot } from '../helpers/cli.ts';

const MBOX = resolve(repoRoot, 'test/fixtures/cli/small-series.mbox');

function daxbot(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(args, { env });
}

describe('daxbot ingest / series (CLI contract)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxbot-cli-'));
  const db = join(dir, 'db.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ingest --mbox stores every message, quarantines the broken one, and prints counts', async () => {
    const r = await daxbot(['--db', db, 'ingest', '--mbox', MBOX]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/read 11, stored 10, quarantined 1/);
    expect(r.stdout).toMatch(/series: .* versions/);
    const again = await daxbot(['--db', db, 'ingest', '--mbox', MBOX, '--json']);
    expect(JSON.parse(again.stdout).read).toBe(0);
  });

  it('DAXBOT_DB selects the store like --db', async () => {
    const r = await daxbot(['series', 'list', '--json'], { DAXBOT_DB: db });
    expect(r.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(3);
  });

  it('series list --json prints one object per version with the documented fields', async () => {
    const r = await daxbot(['--db', db, 'series', 'list', '--json']);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const row of rows)
      for (const key of [
        'id',
        'rootMessageId',
        'subject',
        'version',
        'expected',
        'present',
        'complete',
        'hasCover',
        'baseCommit',
      ])
        expect(row).toHaveProperty(key);
    const v1 = rows.find((x) => x.rootMessageId === 'v1-0@example.org');
    const v2 = rows.find((x) => x.rootMessageId === 'v2-0@example.org');
    expect(v1).toMatchObject({
      version: 1,
      expected: 3,
      present: 3,
      complete: true,
      hasCover: true,
      baseCommit: '0123456789abcdef0123456789abcdef01234567',
    });
    expect(v2).toMatchObject({ version: 2, expected: 3, present: 3, complete: true, hasCover: true });
    expect(v1?.seriesKey).toBe(v2?.seriesKey); // two threads, one series history
    expect(rows.find((x) => x.rootMessageId === 'nd-1@example.org')).toMatchObject({
      project: 'ndctl',
      complete: true,
    });
  });

  it('series show finds a version by a patch Message-ID and lists follow-up trailers', async () => {
    const r = await daxbot(['--db', db, 'series', 'show', 'v1-2@example.org']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[2\/3\] dax: step 2/);
    expect(r.stdout).toMatch(/\+ Reviewed-by: Rita Reviewer <rita@example.org>/);
    const missing = await daxbot(['--db', db, 'series', 'show', 'nope@example.org']);
    expect(missing.code).toBe(3);
  });

  it('series am writes the newest complete version in order, and --version picks another', async () => {
    const out = join(dir, 'am.mbox');
    const r = await daxbot(['--db', db, 'series', 'am', 'v1-1@example.org', '-o', out]);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    const subjects = [...text.matchAll(/^Subject: (.*)$/gm)].map((m) => m[1]);
    expect(subjects).toEqual([
      '[PATCH v2 1/3] dax: step 1',
      '[PATCH v2 2/3] dax: step 2',
      '[PATCH v2 3/3] dax: step 3',
    ]);
    const v1 = join(dir, 'am-v1.mbox');
    await daxbot(['--db', db, 'series', 'am', 'v1-1@example.org', '-o', v1, '--version', '1']);
    const t1 = readFileSync(v1, 'utf8');
    expect([...t1.matchAll(/^Subject: (.*)$/gm)].map((m) => m[1])).toEqual([
      '[PATCH 1/3] dax: step 1',
      '[PATCH 2/3] dax: step 2',
      '[PATCH 3/3] dax: step 3',
    ]);
    expect(t1).toMatch(/Reviewed-by: Rita Reviewer <rita@example.org>/);
  });

  it('config check exits 1 with the errors of a bad file', async () => {
    const bad = join(dir, 'bad.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, 'sources:\n  - kind: imap\n    name: x\n');
    const r = await daxbot(['--config', bad, 'config', 'check']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error: sources\.0\.(host|user)/);
    const good = await daxbot(['--config', 'config/default.yaml', 'config', 'check']);
    expect(good.code).toBe(0);
  });
});
