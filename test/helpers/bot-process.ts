/**
 * The bot as a child process, for tests that must kill it (SIGKILL) or drive its CLI: a scratch
 * git tree with one empty commit, a config for the demo inbox, `daxbot run --once`, and its exit.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Writes <dir>/config.yaml for the demo inbox on a scratch tree (scripted runs build nothing, but
 * the base is still looked for in a real git tree: none is found, and `mail.applyFailures: always`
 * tests the series on the tree's head) and <dir>/script.json for the scripted runner.
 */
export function writeScriptedDemoConfig(
  dir: string,
  o: { runners: string[]; schedule: string; script: object; mail?: string[]; extra?: string[] },
): string {
  const tree = path.join(dir, 'tree');
  execFileSync('git', ['init', '-q', tree]);
  execFileSync('git', [
    '-C',
    tree,
    '-c',
    'user.name=t',
    '-c',
    'user.email=t@example.org',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'base',
  ]);
  const mbox = path.relative(dir, path.join(repoRoot, 'test/fixtures/demo/inbox.mbox'));
  const file = path.join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      `workDir: ${dir}/work`,
      'sources:',
      `  - { kind: mbox, name: demo, path: ${mbox} }`,
      'trees:',
      `  - { name: linux-6.1, path: ${tree} }`,
      'runners:',
      ...o.runners.map((r) => `  - ${r}`),
      'mail:',
      `  outbox: ${dir}/outbox`,
      // The demo series apply to no commit of the scratch tree (base discovery finds no base);
      // scripted runs apply nothing, so they are tested on its head, as a series with no base is
      // under `always`.
      '  applyFailures: always',
      ...(o.mail ?? []).map((l) => `  ${l}`),
      `schedule: ${o.schedule}`,
      ...(o.extra ?? []),
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'script.json'), JSON.stringify(o.script));
  return file;
}

/** `daxbot run --once --since all` with the given config, database and environment. */
export function startBot(config: string, env: Record<string, string>, logLevel = 'warn'): ChildProcess {
  return spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin/daxbot.js'),
      '--config',
      config,
      '--log-level',
      logLevel,
      'run',
      '--once',
      '--since',
      'all',
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}
