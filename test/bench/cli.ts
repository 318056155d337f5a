/**
 * Start-up of the command line: `daxbot --help` and `daxbot --version` (bin/daxbot.js, which runs
 * the compiled dist/) against a bare `node -e 0`, interleaved in one run, median of several
 * runs each; and, for scale, the TypeScript sources through tsx as the bin ran them before dist/.
 * Goal: --help within 6 times a bare node.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 11;

function timeMs(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

export async function benchCli(): Promise<{ node: number; help: number; version: number; tsx: number }> {
  const bin = path.join(repoRoot, 'bin', 'daxbot.js');
  const cases = {
    node: ['-e', '0'],
    help: [bin, '--help'],
    version: [bin, '--version'],
    tsx: ['--import', 'tsx', path.join(repoRoot, 'bot/cli/main.ts'), '--help'],
  };
  const samples: Record<keyof typeof cases, number[]> = { node: [], help: [], version: [], tsx: [] };
  for (const args of Object.values(cases)) timeMs(args); // warm the file cache
  for (let i = 0; i < RUNS; i++)
    for (const [name, args] of Object.entries(cases) as [keyof typeof cases, string[]][]) {
      if (name === 'tsx' && i >= 3) continue; // slow, and only there for scale
      samples[name].push(timeMs(args));
    }
  const m = {
    node: median(samples.node),
    help: median(samples.help),
    version: median(samples.version),
    tsx: median(samples.tsx),
  };
  const ratio = (x: number): string => (x / m.node).toFixed(1);
  process.stdout.write(`cli: node -e 0          median ${m.node.toFixed(0)} ms (${RUNS} runs)\n`);
  process.stdout.write(
    `cli: daxbot --help      median ${m.help.toFixed(0)} ms = ${ratio(m.help)} x node (goal <= 6)\n`,
  );
  process.stdout.write(`cli: daxbot --version   median ${m.version.toFixed(0)} ms = ${ratio(m.version)} x node\n`);
  process.stdout.write(
    `cli: --help through tsx median ${m.tsx.toFixed(0)} ms = ${ratio(m.tsx)} x node (before dist/)\n`,
  );
  return m;
}
