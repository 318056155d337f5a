/**
 * The guest's cxl-sim scripts on the host against fakes: load-modules.sh with an `insmod` and a
 * `dmesg` on PATH that only pretend, over a project-made sysfs tree (whether the topology settles,
 * and what it says when a module fails or cxl_test never loads), and suite.sh when the simulator
 * is not there (every later test a skip naming its prerequisite). What is checked is the scripts'
 * protocol with the host (runners/cxl-sim/guest-lines.ts), not the kernel.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCxlGuestSetup } from '../../../../runners/cxl-sim/guest-lines.ts';
import { CXL_SIM_TESTS } from '../../../../runners/cxl-sim/profile.ts';
import { repoRoot } from '../../../../config/repo-root.ts';

const scripts = path.join(repoRoot, 'runners', 'guest', 'cxl-sim');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function write(file: string, text: string, mode = 0o644): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

/**
 * A guest on the host: fake insmod (fails for the names in `failing`, with the kernel's
 * "Unknown symbol" line in the fake dmesg) and a sysfs tree with `devices` on the cxl bus.
 */
function guest(o: { failing?: string[]; devices?: string[]; bound?: string[] }): {
  dir: string;
  env: NodeJS.ProcessEnv;
} {
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-cxl-guest-'));
  dirs.push(dir);
  const failing = o.failing ?? [];
  write(
    path.join(dir, 'bin', 'insmod'),
    `#!/bin/sh\ncase "$1" in ${failing.map((n) => `*/${n}.ko`).join('|') || '/never'}) echo "insmod: can't insert '$1': unknown symbol in module, or unknown parameter" >&2; exit 1 ;; esac\nexit 0\n`,
    0o755,
  );
  write(
    path.join(dir, 'bin', 'dmesg'),
    `#!/bin/sh\n${failing.map((n) => `echo "[   12.345678] ${n}: Unknown symbol __wrap_acpi_table_parse_cedt (err -2)"`).join('\n')}\n`,
    0o755,
  );
  write(
    path.join(dir, 'order'),
    ['libnvdimm', 'cxl_core', 'cxl_mock', 'cxl_acpi', 'cxl_test'].map((n) => `${n} /m/${n}.ko`).join('\n') + '\n',
  );
  const devs = path.join(dir, 'sys', 'bus', 'cxl', 'devices');
  mkdirSync(devs, { recursive: true });
  for (const d of o.devices ?? []) mkdirSync(path.join(devs, d), { recursive: true });
  for (const d of o.bound ?? []) write(path.join(devs, d, 'driver'), '');
  return { dir, env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}` } };
}

const load = (g: { dir: string; env: NodeJS.ProcessEnv }, wait = 1) =>
  spawnSync(
    'sh',
    [path.join(scripts, 'load-modules.sh'), path.join(g.dir, 'order'), String(wait), path.join(g.dir, 'sys')],
    {
      env: g.env,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );

describe('load-modules.sh', () => {
  it('loads in order and reports a settled topology with its counts', () => {
    const g = guest({
      devices: ['root0', 'port1', 'port2', 'mem0', 'mem1', 'endpoint3', 'endpoint4', 'decoder0.0', 'decoder1.0'],
      bound: ['mem0', 'mem1'],
    });
    const r = load(g);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const setup = parseCxlGuestSetup(r.stdout);
    expect(setup.modules.map((m) => [m.name, m.ok])).toEqual([
      ['libnvdimm', true],
      ['cxl_core', true],
      ['cxl_mock', true],
      ['cxl_acpi', true],
      ['cxl_test', true],
    ]);
    expect(setup.topology).toMatchObject({
      root: 'root0',
      counts: { memdevs: 2, bound: 2, endpoints: 2, ports: 2, decoders: 2 },
    });
    expect(setup.topology?.ms).toBeGreaterThanOrEqual(0);
    expect(setup.topology?.uptimeMs).toBeGreaterThan(0);
  });

  it('names the missing symbol of a module that failed, and does not wait when cxl_test failed', () => {
    const g = guest({ failing: ['cxl_acpi', 'cxl_test'] });
    const started = Date.now();
    const r = load(g, 20);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe(1);
    const setup = parseCxlGuestSetup(r.stdout);
    expect(setup.modules.find((m) => m.name === 'cxl_acpi')?.message).toBe(
      "insmod: can't insert '/m/cxl_acpi.ko': unknown symbol in module, or unknown parameter " +
        '(cxl_acpi: Unknown symbol __wrap_acpi_table_parse_cedt (err -2))',
    );
    expect(setup.topology).toEqual({
      root: null,
      counts: {},
      ms: null,
      uptimeMs: null,
      reason: 'cxl_test did not load: nothing adds the simulated devices',
    });
  });

  it('says when memdevs never bind (a port driver missing) and when there is no root at all', () => {
    const unbound = guest({ devices: ['root0', 'port1', 'mem0', 'mem1'] });
    expect(parseCxlGuestSetup(load(unbound).stdout).topology?.reason).toBe(
      'the topology did not settle in 1 s (last: memdevs=2 bound=0 endpoints=0 ports=1 decoders=0)',
    );
    const empty = guest({});
    expect(parseCxlGuestSetup(load(empty).stdout).topology?.reason).toBe(
      'no CXL root (root0) on the cxl bus after 1 s',
    );
  });
});

describe('suite.sh without a simulator', () => {
  it('fails topology with the loader reason and skips every later test on its prerequisite', () => {
    const g = guest({});
    const here = path.join(g.dir, 'cxl-sim');
    write(
      path.join(here, 'load-modules.sh'),
      '#!/bin/sh\necho "# DAXBOT-CXL-MODULE cxl_test ok"\necho "# DAXBOT-CXL-TOPOLOGY none no CXL root (root0) on the cxl bus after 60 s"\nexit 1\n',
      0o755,
    );
    write(path.join(here, 'modules.order'), '');
    const r = spawnSync('sh', [path.join(scripts, 'suite.sh')], {
      env: {
        ...g.env,
        CXL_LIB: path.join(repoRoot, 'runners', 'guest', 'suites', 'lib.sh'),
        CXL_SIM_DIR: here,
        CXL_STATE: path.join(g.dir, 'state'),
        CXL_SYSFS: path.join(g.dir, 'sys'),
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`# DAXBOT plan: ${CXL_SIM_TESTS.join(' ')}`);
    expect(lines).toContain(
      'not ok 1 topology # DAXBOT-CXL-TOPOLOGY none no CXL root (root0) on the cxl bus after 60 s',
    );
    const results = lines.filter((l) => /^(not )?ok \d+ /.test(l));
    expect(results).toHaveLength(CXL_SIM_TESTS.length);
    for (const l of results.slice(1)) expect(l).toMatch(/ # SKIP prerequisite \S+ failed$/);
    // One start marker per test: the host restarts a test's timer at every marker.
    const starts = lines.filter((l) => l.startsWith('DAXBOT: test-start '));
    expect(starts).toEqual(CXL_SIM_TESTS.map((t) => `DAXBOT: test-start ${t}`));
  });
});
