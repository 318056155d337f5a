/**
 * Before any test: compile dist/ when it is missing or older than the sources (scripts/build.sh;
 * a no-op when fresh). Tests import the TypeScript sources; tests that spawn the command line
 * run bin/daxbot.js, which runs dist/, so they test what `npm start` and users run, with its
 * fast start. When the build fails (a type error) the bin runs the sources through tsx instead
 * and the tests still see the code on disk; the type error is reported by `npm test`'s typecheck.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const r = spawnSync('bash', [path.join(root, 'scripts/build.sh')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0)
    process.stderr.write(`global setup: scripts/build.sh failed; the CLI runs through tsx\n${r.stdout}${r.stderr}\n`);
}
