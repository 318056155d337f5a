/**
 * The command line's contract, driven as users and outside checks drive it: `node bin/daxbot.js`
 * (the compiled dist/, built by the global setup) as a child process, a real SQLite file, a
 * project-written mbox. Exit codes, --version, `series am -o -`, --json as JSON Lines on every
 * command that prints results, readable or JSON logs, the built-in configuration, the tables.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daxbot, daxbotBin, jsonLines, repoRoot } from '../helpers/cli.ts';

const MBOX = path.join(repoRoot, 'test/fixtures/cli/small-series.mbox');
const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-cli-contract-'));
const db = path.join(dir, 'db.sqlite');
const withDb = (...args: string[]): string[] => ['--db', db, ...args];

beforeAll(async () => {
  const r = await daxbot(withDb('ingest', '--mbox', MBOX));
  expect(r.code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the compiled command line', () => {
  it('runs from dist/, which finds the repository files from the repository root', () => {
    expect(execFileSync(process.execPath, [path.join(repoRoot, 'bin/dist-state.js')]).toString()).toBe('');
    const root = execFileSync(process.execPath, [
      '--input-type=module',
      '-e',
      `import('${path.join(repoRoot, 'dist/config/repo-root.js')}').then((m) => process.stdout.write(m.repoRoot))`,
    ]).toString();
    expect(root).toBe(repoRoot);
  });

  it('prints its version and its help, exit 0', async () => {
    const pkg: unknown = JSON.parse(execFileSync('git', ['-C', repoRoot, 'show', 'HEAD:package.json']).toString());
    const v = await daxbot(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: `${(pkg as { version: string }).version}\n` });
    const help = await daxbot(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--log-format/);
  });

  it('parses mail in worker threads from dist/ (parse-worker.js)', async () => {
    const r = await daxbot([
      '--db',
      path.join(dir, 'workers.sqlite'),
      'ingest',
      '--mbox',
      MBOX,
      '--parse-workers',
      '2',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([expect.objectContaining({ read: 11, stored: 10, quarantined: 1 })]);
  });
});

describe('exit codes (0 ok, 1 failure, 2 usage or configuration, 3 not found)', () => {
  it.each([
    [['series', 'lsit']],
    [['series', 'am', 'v1-1@example.org']],
    [['bisect']],
    [['--bogus', 'status']],
    [['series', 'list', '--bogus']],
    [['series', 'list', '--limit', 'ten']],
    [['--log-format', 'xml', 'status']],
    [['series', 'list', '--since', 'yesterday-ish']],
    [['series', 'list', '--grep', '(']],
    [[]],
  ])('usage error %j exits 2', async (args) => {
    const r = await daxbot(withDb(...args));
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.stderr).not.toMatch(/ at .*\.js:\d+/); // a message, not a stack
  });

  it('not found exits 3; a configuration with errors exits 1 in config check and 2 elsewhere', async () => {
    expect((await daxbot(withDb('series', 'show', 'nope@example.org'))).code).toBe(3);
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'mail:\n  form: x\n');
    expect((await daxbot(['--config', bad, 'config', 'check'])).code).toBe(1);
    const other = await daxbot(['--config', bad, 'status']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/config error: mail\.form: unknown key \(did you mean from\?\)/);
  });
});

describe('series am -o -', () => {
  it('writes the mbox to standard output, as b4 does, and no file named "-"', async () => {
    const cwd = mkdtempSync(path.join(dir, 'am-'));
    const r = await daxbot(withDb('series', 'am', 'v1-1@example.org', '-o', '-'), { cwd });
    expect(r.code).toBe(0);
    expect([...r.stdout.matchAll(/^Subject: (.*)$/gm)].map((m) => m[1])).toEqual([
      '[PATCH v2 1/3] dax: step 1',
      '[PATCH v2 2/3] dax: step 2',
      '[PATCH v2 3/3] dax: step 3',
    ]);
    expect(r.stdout.startsWith('From ')).toBe(true);
    expect(readdirSync(cwd)).toEqual([]);
    expect((await daxbot(withDb('series', 'am', 'v1-1@example.org', '-o', '-', '--json'))).code).toBe(2);
  });
});

describe('--json: JSON Lines on every command that prints results', () => {
  it('one object per record for lists, one object for anything else, nothing else on stdout', async () => {
    const am = path.join(dir, 'am.mbox');
    const console = path.join(dir, 'console.log');
    writeFileSync(console, '[    1.0] BUG: kernel NULL pointer dereference, address: 0000000000000008\n');
    const one: string[][] = [
      ['config', 'check', '--json'],
      withDb('status', '--json'),
      withDb('status', '--all', '--json'),
      withDb('ingest', '--mbox', MBOX, '--json'),
      withDb('series', 'am', 'v1-1@example.org', '-o', am, '--json'),
      ['console', 'analyze', console, '--json'],
      withDb('series', 'show', 'v2-0@example.org', '--json'),
    ];
    for (const args of one) {
      const r = await daxbot(args);
      expect({ args, code: r.code, lines: r.stdout.trim().split('\n').length }).toEqual({ args, code: 0, lines: 1 });
      expect(jsonLines(r.stdout)[0]).toBeTypeOf('object');
    }
    const series = jsonLines((await daxbot(withDb('series', 'list', '--json'))).stdout);
    expect(series).toHaveLength(3);
    const runners = jsonLines((await daxbot(['runner', 'list', '--json'])).stdout);
    expect(runners).toContainEqual(expect.objectContaining({ kind: 'qemu-pmem' }));
    expect(jsonLines((await daxbot(withDb('series', 'am', 'v1-1@example.org', '-o', am, '--json'))).stdout)).toEqual([
      { file: am, key: expect.any(String), version: 2, subject: 'dax: tidy the mount path', patches: 3, missing: [] },
    ]);
  });
});

describe('logs', () => {
  it('are pino JSON lines when piped, readable lines when asked (or on a terminal)', async () => {
    const args = ['--log-level', 'debug', ...withDb('ingest', '--mbox', MBOX)];
    const piped = await daxbot(args, { env: { DAXBOT_LOG_LEVEL: '' } });
    const first = piped.stderr.split('\n')[0] ?? '';
    expect(JSON.parse(first)).toMatchObject({ level: 20, name: 'daxbot' });
    const pretty = await daxbot(['--log-format', 'pretty', ...args]);
    expect(pretty.stderr).toMatch(/^\d\d:\d\d:\d\d DEBUG series refreshed messages=\d+/m);
    expect(pretty.stderr).not.toMatch(/"level"/);
    const json = await daxbot(args, { env: { DAXBOT_LOG_FORMAT: 'json' } });
    expect(json.stderr.split('\n')[0]).toMatch(/^\{"level":20/);
  });

  it('are readable on a terminal by default (script(1) gives the CLI a terminal)', async () => {
    const hasScript = existsSync('/usr/bin/script');
    if (!hasScript) return; // util-linux's script; Debian installs it with bsdutils
    const cmd = [process.execPath, daxbotBin, '--log-level', 'debug', ...withDb('status')].join(' ');
    const out = execFileSync('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, DAXBOT_LOG_LEVEL: '' } });
    expect(out.toString()).not.toMatch(/"level":/);
  });
});

describe('the built-in configuration (no --config)', () => {
  it('is config/default.yaml: it has a runner, so `daxbot run` tests series', async () => {
    const r = await daxbot(['config', 'check', '--json'], { env: { DAXBOT_CONFIG: '' } });
    expect(jsonLines(r.stdout)).toEqual([
      expect.objectContaining({
        ok: true,
        builtIn: true,
        file: path.join(repoRoot, 'config/default.yaml'),
        sources: 0,
        runners: 1,
        trees: 1,
      }),
    ]);
  });

  it('config check refuses a bad cron expression, a missing tree path, a misspelled key, a bad duration', async () => {
    const bad = path.join(dir, 'bad-all.yaml');
    writeFileSync(
      bad,
      [
        'schedule: { process: "61 * * * *" }',
        'trees: [{ name: t, path: ./no-such-tree }]',
        'mail: { form: x }',
        '',
      ].join('\n'),
    );
    const r = await daxbot(['--config', bad, 'config', 'check', '--json']);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout)).toEqual([
      expect.objectContaining({
        ok: false,
        errors: [
          'mail.form: unknown key (did you mean from?)',
          expect.stringMatching(/^schedule\.process: "61 \* \* \* \*" is not a valid cron/),
        ],
      }),
    ]);
    writeFileSync(
      bad,
      'trees: [{ name: t, path: ./no-such-tree }]\nrunners: [{ name: q, kind: qemu-pmem, bootTimeout: 2min }]\n',
    );
    const d = await daxbot(['--config', bad, 'config', 'check']);
    expect(d.stdout).toMatch(/error: runners\.0\.bootTimeout: expected a duration: .*"30s".* \(got "2min"\)/);
    writeFileSync(bad, 'trees: [{ name: t, path: ./no-such-tree }]\n');
    const p = await daxbot(['--config', bad, 'config', 'check']);
    expect(p.stdout).toContain(`error: trees.0.path: ${path.join(dir, 'no-such-tree')} does not exist`);
  });
});

describe('tables', () => {
  it('series list: a header, dates, authors, the flags legend, and filters', async () => {
    const all = await daxbot(withDb('series', 'list'));
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +VER +PATCHES +FLAGS +DATE \(UTC\) +AUTHOR +SUBJECT$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/ v2 +3\/3 +c +2024-05-07 10:00 +Ada Author +dax: tidy the mount path$/),
    );
    expect(lines[lines.length - 1]).toMatch(/^flags: c = has a cover letter, ! = incomplete/);
    const filtered = async (...f: string[]) =>
      jsonLines((await daxbot(withDb('series', 'list', '--json', ...f))).stdout).map(
        (x) => (x as { rootMessageId: string }).rootMessageId,
      );
    expect(await filtered('--since', '2024-05-07')).toEqual(['v2-0@example.org', 'nd-1@example.org']);
    expect(await filtered('--grep', 'TIDY')).toEqual(['v1-0@example.org', 'v2-0@example.org']);
    expect(await filtered('--author', 'ada@example.org', '--limit', '1')).toEqual(['nd-1@example.org']);
    expect(await filtered('--author', 'nobody')).toEqual([]);
  });

  it('status: subjects and UTC times, not raw ISO strings', async () => {
    const q = await daxbot(withDb('rerun', 'v2-0@example.org', '--json'));
    expect(q.code).toBe(0);
    const r = await daxbot(withDb('status'));
    const [header, row] = r.stdout.split('\n');
    expect(header).toMatch(/^JOB +STATE +PRIO +RUNNER +WHEN \(UTC\) +SERIES +PROGRESS \/ RESULT$/);
    expect(row).toMatch(
      /#\d+ +queued +\d+ +qemu-pmem +starts \d{4}-\d\d-\d\d \d\d:\d\d \((now|in \d+ min)\) +dax: tidy the mount path \(v2\)/,
    );
    expect(r.stdout).not.toMatch(/T\d\d:\d\d:\d\d/);
  });
});
