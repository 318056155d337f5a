/**
 * A real Patchwork v3.1.3 (../shared/upstream/patchwork-v3.1.3.tar.gz) on Debian's
 * python3-django, python3-djangorestframework and python3-django-filters with SQLite, started
 * as its upstream README describes: `manage.py migrate`, `loaddata default_tags default_states`,
 * a project whose listid matches the mails, a maintainer of it with a REST API token, and
 * `manage.py runserver` on 127.0.0.1:<free port>. Mails go in through its own `parsemail`.
 * The migrated database is made once per unpacked tree and copied for each server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { debianPython, pythonHas, topFolder, unpackUpstream, upstreamDir } from '../upstream.ts';
import { freePort, waitFor } from './binaries.ts';

export const patchworkTarball = path.join(upstreamDir, 'patchwork-v3.1.3.tar.gz');

/** The tarball is there and Debian's Python has Django, its REST framework and django-filters. */
export function patchworkAvailable(): boolean {
  return existsSync(patchworkTarball) && pythonHas(['django', 'rest_framework', 'django_filters']);
}

export interface PatchworkProject {
  /** The project's link name (the API's `project` filter). */
  linkname: string;
  /** The List-Id parsemail files mails under. */
  listId: string;
  listEmail: string;
}

export interface RunningPatchwork {
  url: string;
  /** REST API token of `maintainer`, who maintains the project (may post checks). */
  token: string;
  project: PatchworkProject;
  /** Feeds one mail to Patchwork's own `manage.py parsemail --list-id <listId>`. */
  parsemail(raw: Buffer | string): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<() => void>();
process.once('exit', () => {
  for (const kill of running) kill();
});

function manage(src: string, env: NodeJS.ProcessEnv, args: string[], input?: string | Buffer): string {
  const r = spawnSync(debianPython, ['manage.py', ...args], { cwd: src, env, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`patchwork manage.py ${args[0]} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

function settings(db: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DJANGO_SETTINGS_MODULE: 'patchwork.settings.dev',
    DATABASE_TYPE: 'sqlite3',
    DATABASE_NAME: db,
  };
}

/** The migrated database with Patchwork's default tags and states, made once per unpacked tree. */
function templateDb(src: string): string {
  const template = path.join(path.dirname(src), 'migrated.sqlite');
  if (existsSync(template)) return template;
  const scratch = `${template}.${process.pid}`;
  manage(src, settings(scratch), ['migrate', '--noinput']);
  manage(src, settings(scratch), ['loaddata', 'default_tags', 'default_states']);
  renameSync(scratch, template);
  return template;
}

const SETUP = `
import sys
from django.contrib.auth.models import User
from patchwork.models import Project
from rest_framework.authtoken.models import Token
linkname, listid, listemail = sys.argv[1:4]
p = Project.objects.create(linkname=linkname, name=linkname, listid=listid, listemail=listemail)
u = User.objects.create_user('maintainer', 'maintainer@example.org', 'maintainer')
u.profile.maintainer_projects.add(p)
print(Token.objects.create(user=u).key)
`;

function setUp(src: string, env: NodeJS.ProcessEnv, project: PatchworkProject): string {
  const r = spawnSync(
    debianPython,
    ['-c', `import django; django.setup()\n${SETUP}`, project.linkname, project.listId, project.listEmail],
    { cwd: src, env, encoding: 'utf8' },
  );
  const token = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !/^[0-9a-f]{40}$/.test(token)) throw new Error(`patchwork setup failed: ${r.stderr}`);
  return token;
}

export async function startPatchwork(project: PatchworkProject): Promise<RunningPatchwork> {
  const src = topFolder(unpackUpstream(patchworkTarball));
  const root = mkdtempSync(path.join(tmpdir(), 'daxbot-patchwork-'));
  const db = path.join(root, 'patchwork.sqlite');
  copyFileSync(templateDb(src), db);
  const env = settings(db);
  const token = setUp(src, env, project);
  const port = await freePort();
  const child = spawn(debianPython, ['manage.py', 'runserver', '--noreload', `127.0.0.1:${port}`], {
    cwd: src,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  running.add(kill);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    running.delete(kill);
    rmSync(root, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`patchwork exited: ${log}`);
        return fetch(`${url}/api/1.2/`).then(
          (r) => r.ok,
          () => false,
        );
      },
      60_000,
      'patchwork REST API',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const parsemail = async (raw: Buffer | string): Promise<void> => {
    manage(src, env, ['parsemail', '--list-id', project.listId], raw);
  };
  return { url, token, project, parsemail, log: () => log, stop };
}
