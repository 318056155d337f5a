/**
 * `npm run bench -- <name...>`: prints figures. Each bench measures ratios within one run
 * (the machines are noisy), never asserts a time. The CLI they spawn is the compiled dist/,
 * built first when stale.
 */
import { execFileSync } from 'node:child_process';

/** A bench; `suites` also takes the names after it as its arguments. */
type Bench = (args?: readonly string[]) => Promise<unknown>;

const benches: Record<string, () => Promise<Bench>> = {
  cli: async () => (await import('./cli.ts')).benchCli,
  ingest: async () => (await import('./ingest.ts')).benchIngest,
  parse: async () => (await import('./parse.ts')).benchParse,
  console: async () => (await import('./console.ts')).benchConsole,
  harness: async () => (await import('./harness.ts')).benchHarness,
  simulator: async () => (await import('./simulator.ts')).benchSimulator,
  'cxl-sim': async () => (await import('./cxl-sim.ts')).benchCxlSim,
  pipeline: async () => (await import('./pipeline.ts')).benchPipeline,
  b4: async () => (await import('./b4.ts')).benchB4,
  fstests: async () => (await import('./fstests.ts')).benchFstests,
  bases: async () => (await import('./bases.ts')).benchBases,
  replay: async () => (await import('./replay.ts')).benchReplay,
  dashboard: async () => (await import('./dashboard.ts')).benchDashboard,
  ndctl: async () => (await import('./ndctl.ts')).benchNdctl,
  verdict: async () => (await import('./verdict.ts')).benchVerdict,
  'back-and-forth': async () => (await import('./back-and-forth.ts')).benchBackAndForth,
  suites: async () => (await import('./suites.ts')).benchSuites,
};

const argv = process.argv.slice(2).filter((a) => a !== '--');
// `suites a b` runs the suites bench on suites a and b; other benches take no arguments.
const at = argv.indexOf('suites');
const names = at >= 0 ? [...argv.slice(0, at + 1)] : argv;
const suiteArgs = at >= 0 ? argv.slice(at + 1) : [];
if (names.length === 0 || names.includes('--help')) {
  process.stdout.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}> ...\n`);
  process.exit(names.length === 0 ? 2 : 0);
}
execFileSync('bash', ['scripts/build.sh'], { stdio: 'inherit' });
for (const name of names) {
  const load = benches[name];
  if (!load) {
    process.stderr.write(`unknown bench ${name}; known: ${Object.keys(benches).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(`== bench ${name}\n`);
  await (
    await load()
  )(name === 'suites' ? suiteArgs : []);
}
