/**
 * KCIDB from the command line: a real `daxbot run --once` child (scripted runs of the demo inbox,
 * patch 3 of the five crashes) with a KCIDB submitter pointed at a local HTTP server, then
 * `daxbot export kcidb`. No KCIDB instance is reachable from here: the local server stands in for
 * the submission endpoint (it takes a JSON POST with a bearer token) and checks nothing itself;
 * what it receives and what the export writes are validated by kcidb-io's own validator.
 * The export of a real QEMU run is validated in pipeline-demo.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KcidbReport } from '../../bot/outputs/kcidb/types.ts';
import { jobOutputPosts } from '../../bot/store/output-posts.ts';
import { openStore } from '../../bot/store/store.ts';
import { exited, startBot, writeScriptedDemoConfig } from '../helpers/bot-process.ts';
import { daxbot as cli } from '../helpers/cli.ts';
import { kcidbIoAvailable, validateKcidb } from '../helpers/kcidb-io.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-kcidb-test-'));
const db = path.join(dir, 'db.sqlite');
const received: { auth: string | undefined; body: string }[] = [];
let refuseFirst = true;
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      // The first submission meets an endpoint that is down: it must be retried, not lost.
      if (refuseFirst) {
        refuseFirst = false;
        res.writeHead(503).end('busy');
        return;
      }
      received.push({ auth: req.headers.authorization, body });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const daxbot = (args: string[]) => cli(['--db', db, ...args]);

describe('KCIDB submitter and daxbot export kcidb', () => {
  it('submits each job’s report (retrying one refused), and exports all of them', async () => {
    const config = writeScriptedDemoConfig(dir, {
      runners: ['{ name: qemu-pmem, kind: qemu-pmem, suites: [dax] }'],
      schedule: '{ confirmRepeats: 0, concurrency: 1 }',
      script: { delayMs: 0, badPatch: 3 },
      mail: ['dashboardUrl: https://daxbot.example.org'],
      extra: ['outputs:', `  - { kind: kcidb, url: "http://127.0.0.1:${port}/submit", origin: daxbot }`],
    });
    const runBot = async (): Promise<void> => {
      const bot = startBot(config, {
        DAXBOT_DB: db,
        DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json'),
        DAXBOT_KCIDB_TOKEN: 'kcidb-secret',
      });
      let stderr = '';
      bot.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      expect(await exited(bot), stderr).toBe(0);
    };
    await runBot();
    // The first submission was refused: it waits for its retry, and the other job's waits with it
    // (no point hammering an endpoint that is down). Both jobs are done all the same.
    expect(received).toHaveLength(0);
    const store = await openStore(db);
    const posts = async () => [...(await jobOutputPosts(store.db, 1)), ...(await jobOutputPosts(store.db, 2))];
    expect((await posts()).map((p) => [p.event, p.state, p.attempts])).toEqual([
      ['result', 'pending', 1],
      ['result', 'pending', 0],
    ]);
    expect((await posts())[0]?.lastError).toMatch(/HTTP 503 busy/);
    expect((await store.db.selectFrom('jobs').select('state').execute()).map((j) => j.state)).toEqual(['done', 'done']);
    // The backoff has passed (a minute, moved here rather than waited for): the next run's idle
    // worker submits both.
    await store.db.updateTable('output_posts').set({ next_attempt_at: '2000-01-01T00:00:00.000Z' }).execute();
    await runBot();
    expect((await posts()).map((p) => [p.state, p.detail])).toEqual([
      ['sent', expect.stringMatching(/^submitted \d+ objects/)],
      ['sent', expect.stringMatching(/^submitted \d+ objects/)],
    ]);
    expect(received.map((r) => r.auth)).toEqual(['Bearer kcidb-secret', 'Bearer kcidb-secret']);
    await store.close();

    const out = path.join(dir, 'kcidb.json');
    const exp = await daxbot(['--config', config, 'export', 'kcidb', '--since', '2000-01-01', '-o', out]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stdout).toMatch(/^wrote 3 checkouts, 3 builds, \d+ tests, 1 issues \(\d+ incidents\) to /);
    const report = JSON.parse(readFileSync(out, 'utf8')) as KcidbReport; // checked below, by kcidb-io too
    expect(report.checkouts.filter((c) => c.message_id?.startsWith('cover.'))).toHaveLength(2);
    expect(report.issues[0]?.comment).toMatch(/^BUG: kernel NULL pointer dereference/);
    expect(report.tests.every((t) => t.log_url?.startsWith('https://daxbot.example.org/'))).toBe(true);
    const later = await daxbot(['export', 'kcidb', '--since', '2999-01-01']);
    expect(JSON.parse(later.stdout)).toMatchObject({ version: { major: 5, minor: 3 }, checkouts: [], tests: [] });
    const bad = await daxbot(['export', 'kcidb', '--since', 'yesterday-ish']);
    expect([bad.code, bad.stderr.trim()]).toEqual([
      2,
      'daxbot: --since: expected "all", "<n>d", "<n>h" or a date, got yesterday-ish',
    ]);
    const summary = await daxbot(['export', 'kcidb', '--since', '14d', '-o', path.join(dir, 'k2.json'), '--json']);
    expect(JSON.parse(summary.stdout)).toMatchObject({ file: path.join(dir, 'k2.json'), checkouts: 3, issues: 1 });

    if (kcidbIoAvailable()) {
      expect(validateKcidb(report)).toEqual({ ok: true, schema: 'v5.3' });
      for (const r of received) expect(validateKcidb(JSON.parse(r.body))).toEqual({ ok: true, schema: 'v5.3' });
    }
  }, 300_000);
});
