/**
 * The guest's built-in simulator suite (runners/guest/nfit-sim/suite.sh) and its broken-DIMM
 * check run on the host against fakes: a module loader that only prints its lines, an `ndctl`
 * that lists the buses and DIMMs and refuses everything else, and a sysfs tree with nfit_test.1's
 * DIMMs. What is checked is the script's protocol, not the kernel: one test-start marker per test
 * (the host's test timer restarts at every marker), and the broken-DIMM verdict.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenDimmNote, parseGuestSetup } from '../../../../runners/nfit-sim/guest-lines.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const scripts = path.join(repoRoot, 'runners', 'guest', 'nfit-sim');
const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

function write(file: string, text: string, mode = 0o644): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

/** A sysfs tree: bus provider → DIMM name → the `nfit/flags` text as the kernel prints it. */
function fakeSysfs(root: string, buses: Record<string, Record<string, string>>): void {
  Object.entries(buses).forEach(([provider, dimms], i) => {
    const bus = path.join(root, 'bus', 'nd', 'devices', `ndbus${i}`);
    write(path.join(bus, 'provider'), `${provider}\n`);
    for (const [dimm, flags] of Object.entries(dimms)) write(path.join(bus, dimm, 'nfit', 'flags'), `${flags}\n`);
  });
}

// What nfit_test1_setup gives nfit_test.1 (flags_show's order and trailing space).
const BUS1 = { nmem4: 'save_fail restore_fail flush_fail not_armed smart_event ', nmem5: 'map_fail ' };

async function guest(buses: Record<string, Record<string, string>>): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-nfit-suite-'));
  temps.push(dir);
  const here = path.join(dir, 'nfit-sim');
  // The loader's real work needs a kernel: this one prints what a good load prints.
  write(
    path.join(here, 'load-modules.sh'),
    '#!/bin/sh\necho "# DAXBOT-NFIT-MODULE nfit_test ok"\necho "# DAXBOT-NFIT-BUSES nfit_test.0 nfit_test.1"\n',
    0o755,
  );
  mkdirSync(here, { recursive: true });
  copyFileSync(path.join(scripts, 'broken-dimms.sh'), path.join(here, 'broken-dimms.sh'));
  write(
    path.join(dir, 'bin', 'ndctl'),
    [
      '#!/bin/sh',
      'case "$1 $2" in',
      '"list -B") echo "{\\"provider\\":\\"$4\\"}" ;;',
      '"list -D") echo "[{\\"dev\\":\\"nmem4\\"},{\\"dev\\":\\"nmem5\\"}]" | tr "," "\\n" ;;',
      '*) echo "fake ndctl: $1 not simulated" >&2; exit 1 ;;',
      'esac',
      '',
    ].join('\n'),
    0o755,
  );
  fakeSysfs(path.join(dir, 'sys'), buses);
  const env = {
    PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    NFIT_SIM_DIR: here,
    NFIT_TMP: dir,
    NFIT_SYSFS: path.join(dir, 'sys'),
    NFIT_MNT: path.join(dir, 'mnt'),
  };
  return { dir, env };
}

const suite = (env: NodeJS.ProcessEnv): string =>
  execFileSync('sh', [path.join(scripts, 'suite.sh')], { env, encoding: 'utf8', timeout: 60_000 });

describe('suite.sh', () => {
  it("prints each test's marker once, the first before the modules load", async () => {
    const { env } = await guest({ 'nfit_test.0': { nmem0: 'smart_notify ' }, 'nfit_test.1': BUS1 });
    const out = suite(env).split('\n');
    const starts = out
      .filter((l) => l.startsWith('DAXBOT: test-start '))
      .map((l) => l.slice('DAXBOT: test-start '.length));
    const plan = (out.find((l) => l.startsWith('# DAXBOT plan: ')) ?? '').slice('# DAXBOT plan: '.length).split(' ');
    expect(plan).toHaveLength(23);
    expect(starts).toEqual(plan);
    // buses-present's timer (and duration) covers insmod and the wait for the buses.
    expect(out.indexOf('DAXBOT: test-start buses-present')).toBeLessThan(
      out.indexOf('# DAXBOT-NFIT-MODULE nfit_test ok'),
    );
    expect(out).toContain('ok 1 buses-present');
    expect(out.filter((l) => /^(not )?ok \d+ /.test(l))).toHaveLength(23);
  });

  it('passes bus1-broken-dimms when the DIMMs show their flags and prints them for the host', async () => {
    const { env } = await guest({ 'nfit_test.0': { nmem0: 'smart_notify ' }, 'nfit_test.1': BUS1 });
    const text = suite(env);
    expect(text).toMatch(/^ok 23 bus1-broken-dimms$/m);
    expect(brokenDimmNote(parseGuestSetup(text).dimms, 'nfit_test.1')).toBe(
      'simulated broken DIMMs on nfit_test.1 (as nfit_test sets them up, not a failure): nmem4 save_fail restore_fail flush_fail not_armed smart_event; nmem5 map_fail',
    );
  });

  it('fails bus1-broken-dimms when the simulated failures are gone', async () => {
    const { env } = await guest({ 'nfit_test.0': {}, 'nfit_test.1': { nmem4: 'smart_notify ', nmem5: '' } });
    expect(suite(env)).toMatch(
      /^not ok 23 bus1-broken-dimms # exit 1: none of the 2 DIMMs on nfit_test.1 shows a simulated failure flag/m,
    );
  });
});

describe('broken-dimms.sh', () => {
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync('sh', [path.join(scripts, 'broken-dimms.sh'), 'nfit_test.1', env.NFIT_SYSFS ?? ''], { encoding: 'utf8' });
  it("reports each DIMM's failure flags, leaving out smart_notify", async () => {
    const { env } = await guest({ 'nfit_test.1': { ...BUS1, nmem6: 'smart_notify ' } });
    const r = run(env);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '# DAXBOT-NFIT-DIMM nfit_test.1 nmem4 save_fail restore_fail flush_fail not_armed smart_event',
      '# DAXBOT-NFIT-DIMM nfit_test.1 nmem5 map_fail',
      '# DAXBOT-NFIT-DIMM nfit_test.1 nmem6',
      '2 of 3 DIMMs on nfit_test.1 show their simulated failure flags',
      '',
    ]);
  });
  it('fails when the bus has no DIMMs or is missing', async () => {
    const empty = run((await guest({ 'nfit_test.0': { nmem0: 'flush_fail ' }, 'nfit_test.1': {} })).env);
    expect(empty.status).toBe(1);
    expect(empty.stdout.trim()).toBe("no DIMMs on nfit_test.1: the simulator's broken-DIMM bus is empty");
    expect(run((await guest({ 'nfit_test.0': {} })).env).status).toBe(1);
  });
});
