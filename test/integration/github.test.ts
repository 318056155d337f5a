/**
 * Pull requests through octokit: the `github` source reads a repository's open pull requests as
 * series, daxbot tests them (`run --once`, scripted runs: no kernel is built) on a real git tree
 * that holds the pull request's base, and the `github` output posts the result as a check run on
 * the head commit. No GitHub is reachable from these machines, so a local HTTP server answers the
 * endpoints used (pulls, a pull request's commits, a commit as a patch, check-runs) with the
 * response shapes GitHub documents, serving commits made with real git.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daxbot } from '../helpers/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-github-'));
const gitEnv = { GIT_AUTHOR_NAME: 'Ann', GIT_AUTHOR_EMAIL: 'ann@example.org', GIT_COMMITTER_NAME: 'Ann' };
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...gitEnv, GIT_COMMITTER_EMAIL: 'ann@example.org' },
  }).trim();

interface Repo {
  base: string;
  commits: { sha: string; patch: string }[];
}

/** The tree (its head is the pull request's base) and the pull request's two commits, made by git. */
function makeRepo(): Repo {
  const tree = path.join(dir, 'tree');
  git(dir, 'init', '-q', '-b', 'main', tree);
  writeFileSync(path.join(tree, 'a.c'), 'int a;\n');
  git(tree, 'add', '.');
  git(tree, 'commit', '-qm', 'base');
  const base = git(tree, 'rev-parse', 'HEAD');
  const work = path.join(dir, 'work-clone');
  git(dir, 'clone', '-q', tree, work);
  writeFileSync(path.join(work, 'a.c'), 'int a = 1;\n');
  git(work, 'commit', '-qam', 'a: initialise a');
  writeFileSync(path.join(work, 'b.c'), 'int b;\n');
  git(work, 'add', 'b.c');
  git(work, 'commit', '-qm', 'b: add b');
  const shas = git(work, 'rev-list', '--reverse', `${base}..HEAD`).split('\n');
  return { base, commits: shas.map((sha) => ({ sha, patch: git(work, 'format-patch', '-1', '--stdout', sha) })) };
}

interface Seen {
  checkRuns: Record<string, unknown>[];
  auth: string[];
}

function gh(repo: Repo, seen: Seen) {
  const head = repo.commits.at(-1)?.sha ?? '';
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.auth.push(req.headers.authorization ?? '');
    const p = url.pathname;
    if (req.method === 'GET' && p === '/repos/o/r/pulls')
      return json(res, 200, [
        {
          number: 7,
          title: 'a and b',
          body: 'Initialise a, add b.',
          user: { login: 'ann' },
          head: { sha: head },
          base: { sha: repo.base },
          updated_at: '2026-11-30T10:00:00Z',
        },
      ]);
    if (req.method === 'GET' && p === '/repos/o/r/pulls/7/commits')
      return json(
        res,
        200,
        repo.commits.map((c) => ({ sha: c.sha })),
      );
    const commit = /^\/repos\/o\/r\/commits\/([0-9a-f]{40})$/.exec(p);
    const c = commit && repo.commits.find((x) => x.sha === commit[1]);
    if (req.method === 'GET' && c && /patch/.test(req.headers.accept ?? '')) {
      res.writeHead(200, { 'content-type': 'text/x-patch; charset=utf-8' });
      return res.end(c.patch);
    }
    if (req.method === 'POST' && p === '/repos/o/r/check-runs') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.checkRuns.push(JSON.parse(body) as Record<string, unknown>);
        json(res, 201, { id: seen.checkRuns.length });
      });
      return;
    }
    json(res, 404, { message: 'Not Found' });
  };
}

let server: Server;
let api = '';
const seen: Seen = { checkRuns: [], auth: [] };
let repo: Repo;

beforeAll(async () => {
  repo = makeRepo();
  server = createServer(gh(repo, seen));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GitHub pull requests through octokit (a local GitHub-shaped server)', () => {
  it('tests a pull request as a series and posts the result as a check run on its head', async () => {
    const config = path.join(dir, 'config.yaml');
    const lines = [
      `workDir: ${dir}/work`,
      'sources:',
      `  - { kind: github, name: gh, owner: o, repo: r, apiUrl: "${api}" }`,
      'trees:',
      `  - { name: project, path: ${path.join(dir, 'tree')}, branch: main }`,
      'runners:',
      '  - { name: qemu-pmem, kind: qemu-pmem, suites: [dax] }',
      'outputs:',
      `  - { kind: github, owner: o, repo: r, apiUrl: "${api}" }`,
      `mail: { outbox: ${dir}/outbox }`,
      'schedule: { confirmRepeats: 1, concurrency: 1 }',
    ];
    writeFileSync(config, `${lines.join('\n')}\n`);
    writeFileSync(path.join(dir, 'script.json'), JSON.stringify({ delayMs: 0, badPatch: 2 }));
    const env = {
      DAXBOT_DB: path.join(dir, 'db.sqlite'),
      DAXBOT_SCRIPTED_RUNNER: path.join(dir, 'script.json'),
      DAXBOT_GITHUB_TOKEN: 'gh-test-token',
    };
    const r = await daxbot(['--config', config, 'run', '--once', '--since', 'all'], { env });
    expect(r.code, r.stderr).toBe(0);
    const head = repo.commits.at(-1)?.sha;
    expect(seen.checkRuns).toHaveLength(1);
    expect(seen.checkRuns[0]).toMatchObject({
      name: 'daxbot-qemu-pmem',
      head_sha: head,
      status: 'completed',
      conclusion: 'failure',
      details_url: expect.stringMatching(/\/runs\/\d+$/),
    });
    expect(JSON.stringify(seen.checkRuns[0])).toContain('first bad commit: patch 2');
    expect(seen.auth.every((a) => a === 'token gh-test-token')).toBe(true);

    // The same head on the next poll is no new revision: nothing more is tested or posted.
    const again = await daxbot(['--config', config, 'run', '--once', '--since', 'all'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(seen.checkRuns).toHaveLength(1);
  }, 180_000);
});
