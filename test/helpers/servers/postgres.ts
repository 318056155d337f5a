/**
 * A throwaway PostgreSQL server for tests: initdb in a temp folder, listening only on a unix
 * socket and 127.0.0.1:<port>, run as the `postgres` system user (the server refuses root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { openStore, type Store } from '../../../bot/store/store.ts';

export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  for (const v of readdirSync(root).sort().reverse()) {
    const bin = join(root, v, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'postgres'))) return bin;
  }
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
    srv.on('error', reject);
  });
}

export interface PostgresServer {
  url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not installed');
  const dir = mkdtempSync(join(tmpdir(), 'daxbot-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const asPostgres = (cmd: string, args: string[]) => ['-u', 'postgres', '--', join(bin, cmd), ...args];
  const runner = process.getuid?.() === 0 ? 'runuser' : null;
  const exec = (cmd: string, args: string[]) =>
    runner
      ? execFileSync(runner, asPostgres(cmd, args), { stdio: 'pipe' })
      : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  exec('initdb', ['-D', data, '-U', 'daxbot', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'];
  const child: ChildProcess = runner
    ? spawn(runner, asPostgres('postgres', args), { stdio: 'ignore', detached: true })
    : spawn(join(bin, 'postgres'), args, { stdio: 'ignore', detached: true });
  const url = `postgres://daxbot@127.0.0.1:${port}/postgres`;
  const pg = await import('pg');
  for (let i = 0; i < 100; i++) {
    const client = new pg.default.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
      if (i === 99) throw new Error('PostgreSQL did not start');
    }
  }
  return {
    url,
    async stop() {
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGINT');
        } catch {
          /* already gone */
        }
      }
      await new Promise((r) => setTimeout(r, 500));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A daxbot store on a fresh PostgreSQL server for the test file that calls it (at its top level or
 * in a describe): started before its tests, stopped after. Read `.store` inside the tests.
 */
export function usePostgresStore(): { readonly store: Store } {
  let server: PostgresServer | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    server = await startPostgres();
    store = await openStore(server.url);
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });
  return {
    get store(): Store {
      if (!store) throw new Error('the PostgreSQL store is not open (used outside a test?)');
      return store;
    },
  };
}
