/**
 * Running a reply's "Reproduce locally" section as a reader would, for the heavy tests: the
 * section cut into its shell blocks (files, boot, build), a local server for the run's files at
 * `/runs/<id>/artifacts/<name>` (the URL shape the dashboard serves; here the files are the copies
 * `keepingRunner` made right after each run, since later runs rebuild the shared build folder),
 * and a block run in a folder until its output shows what the test waits for.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { runArtifacts } from '../../bot/report/artifacts.ts';
import type { Database } from '../../bot/store/tables.ts';
import { z } from 'zod';
import type { Runner } from '../../runners/types.ts';

const headSchema = z.object({ head: z.string().nullable() }).passthrough();

/** The section's blocks as shell text (the reply's two-space indent removed), in order. */
export function reproducerScripts(body: string): string[] {
  const lines = body.replace(/\r/g, '').split('\n');
  const start = lines.findIndex((l) => l.startsWith('Reproduce locally'));
  if (start < 0) throw new Error('the reply has no "Reproduce locally" section');
  const blocks: string[][] = [[]];
  let continued = false;
  for (const l of lines.slice(start + 2)) {
    // A shell continuation may start in column 0 (a word cut at the width); anything else ends it.
    if (!continued && l !== '' && !l.startsWith('  ')) break;
    if (l === '') blocks.push([]);
    else blocks[blocks.length - 1]?.push(l.startsWith('  ') ? l.slice(2) : l);
    continued = l.endsWith('\\');
  }
  return blocks.filter((b) => b.length > 0).map((b) => `${b.join('\n')}\n`);
}

/** The run's files, copied under `<dir>/<head commit>` as soon as the run returns. */
export function keepingRunner(runner: Runner, dir: string): Runner {
  return {
    name: runner.name,
    description: runner.description,
    async run(req, ctx) {
      const result = await runner.run(req, ctx);
      if (result.head) {
        const to = path.join(dir, result.head);
        mkdirSync(to, { recursive: true });
        for (const a of runArtifacts(result))
          if (a.path && existsSync(a.path)) copyFileSync(a.path, path.join(to, a.name));
        if (result.consoleLog) writeFileSync(path.join(to, 'console.log'), result.consoleLog);
      }
      return result;
    },
  };
}

/** Serves `/runs/<no>/artifacts/<name>` from the copies keepingRunner made of the run numbered <no>. */
export async function serveKeptArtifacts(db: Kysely<Database>, dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const m = /^\/runs\/(\d+)\/artifacts\/([\w.-]+)$/.exec(req.url ?? '');
    const fail = (code: number) => res.writeHead(code).end();
    if (!m) return fail(404);
    db.selectFrom('runs')
      .select('result')
      .where('run_no', '=', Number(m[1]))
      .executeTakeFirst()
      .then((row) => {
        const result = row ? headSchema.parse(JSON.parse(row.result)) : null;
        const file = result?.head ? path.join(dir, result.head, m[2] ?? '') : '';
        if (!file || !existsSync(file)) return fail(404);
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        createReadStream(file).pipe(res);
      })
      .catch(() => fail(500));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * Runs `script` with sh -e in `cwd` until its output matches `until` (then the whole process
 * group is killed) or it exits; resolves with the output. Rejects after `timeoutMs`.
 */
export function runScript(
  script: string,
  o: { cwd: string; env?: NodeJS.ProcessEnv; until?: RegExp; timeoutMs: number },
): Promise<{ output: string; code: number | null; matched: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-ec', script], { cwd: o.cwd, env: o.env ?? process.env, detached: true });
    let output = '';
    let matched = false;
    const kill = () => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    };
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`script timed out after ${o.timeoutMs} ms; output ends:\n${output.slice(-3000)}`));
    }, o.timeoutMs);
    const take = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!matched && o.until?.test(output)) {
        matched = true;
        kill();
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output, code, matched });
    });
  });
}
