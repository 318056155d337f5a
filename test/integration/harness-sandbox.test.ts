/**
 * The build sandbox really fences a patch's Makefile: no bot secrets from the environment, no
 * files outside the tree (the bot's database, /root), no network (even loopback).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSandboxed } from '../../runners/sandbox/bwrap.ts';
import { execCommand } from '../../runners/sandbox/exec.ts';
import { hasBinary as has } from '../helpers/servers/binaries.ts';

const available = has('bwrap') && has('make') && has('bash');

describe.skipIf(!available)('build sandbox', () => {
  let dir: string;
  let tree: string;
  let build: string;
  let dbFile: string;
  let server: net.Server;
  let port = 0;
  let connections = 0;
  const SECRET = 'hunter2-smtp-secret';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-sandbox-'));
    tree = path.join(dir, 'tree');
    build = path.join(dir, 'build');
    await mkdir(tree);
    await mkdir(build);
    await mkdir(path.join(dir, 'var'));
    dbFile = path.join(dir, 'var', 'daxbot.sqlite');
    await writeFile(dbFile, 'SQLite format 3\u0000 top secret rows');
    server = net.createServer((s) => {
      connections++;
      s.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
    // What a hostile patch could add to a Kbuild Makefile.
    await writeFile(
      path.join(tree, 'Makefile'),
      [
        'all:',
        '\t@echo "SECRET=[$$DAXBOT_SMTP_PASSWORD]"',
        `\t@cat ${dbFile} >/dev/null 2>&1 && echo DB=readable || echo DB=unreadable`,
        '\t@ls /root/ >/dev/null 2>&1 && test -n "$$(ls -A /root 2>/dev/null)" && echo ROOT=listed || echo ROOT=hidden',
        `\t@bash -c 'echo hi > /dev/tcp/127.0.0.1/${port}' 2>/dev/null && echo NET=connected || echo NET=blocked`,
        '\t@echo built > $(O)/out.txt && echo WRITE=ok',
        '',
      ].join('\n'),
    );
    // Something in /root so that "listed" is meaningful for the control run.
    if (!existsSync('/root/.daxbot-sandbox-probe'))
      await writeFile('/root/.daxbot-sandbox-probe', 'x').catch(() => undefined);
  });

  afterAll(async () => {
    server?.close();
    await rm('/root/.daxbot-sandbox-probe', { force: true }).catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the control run (no sandbox) does see everything', async () => {
    const r = await execCommand('make', ['-s', '-C', tree, `O=${build}`], {
      env: { ...process.env, DAXBOT_SMTP_PASSWORD: SECRET },
    });
    expect(r.output).toContain(`SECRET=[${SECRET}]`);
    expect(r.output).toContain('DB=readable');
    expect(r.output).toContain('NET=connected');
  });

  it('inside the sandbox the Makefile gets none of it', async () => {
    const before = connections;
    const prev = process.env.DAXBOT_SMTP_PASSWORD;
    process.env.DAXBOT_SMTP_PASSWORD = SECRET;
    try {
      const r = await runSandboxed({ readOnly: [tree], readWrite: [build], cwd: build }, 'make', [
        '-s',
        '-C',
        tree,
        `O=${build}`,
      ]);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain('SECRET=[]');
      expect(r.output).not.toContain(SECRET);
      expect(r.output).toContain('DB=unreadable');
      expect(r.output).toContain('ROOT=hidden');
      expect(r.output).toContain('NET=blocked');
      expect(r.output).toContain('WRITE=ok');
      expect(connections).toBe(before);
    } finally {
      if (prev === undefined) delete process.env.DAXBOT_SMTP_PASSWORD;
      else process.env.DAXBOT_SMTP_PASSWORD = prev;
    }
  });

  it('the source tree is read-only inside', async () => {
    const r = await runSandboxed({ readOnly: [tree], readWrite: [build] }, 'sh', [
      '-c',
      `touch ${tree}/x && echo WROTE || echo RO`,
    ]);
    expect(r.output).toContain('RO');
  });
});
