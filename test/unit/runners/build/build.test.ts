import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newWarnings, parseBuildLog as parseBuildOutput } from '../../../../runners/parse/build-log.ts';
import {
  checkWantedSymbols,
  configHash,
  kconfigDefines,
  parseKconfig,
  treeDefines,
} from '../../../../runners/build/kconfig.ts';

const OUTPUT = `  CC      fs/ext4/super.o
/src/fs/ext4/super.c: In function 'ext4_dax_bsize_ok':
/src/fs/ext4/super.c:5140:16: error: 'jbdev' undeclared (first use in this function)
/src/fs/ext4/super.c:5141:2: warning: unused variable 'x' [-Wunused-variable]
/src/fs/ext4/super.c:5141:2: warning: unused variable 'x' [-Wunused-variable]
ld: vmlinux.o: in function \`foo': undefined reference to \`bar'
make[3]: *** [/src/scripts/Makefile.build:250: fs/ext4/super.o] Error 1
`;

describe('build diagnostics', () => {
  it('parses errors and warnings relative to the source root, once each', () => {
    const d = parseBuildOutput(OUTPUT, ['/src']);
    expect(d.errors[0]).toEqual({
      file: 'fs/ext4/super.c',
      line: 5140,
      column: 16,
      severity: 'error',
      message: "'jbdev' undeclared (first use in this function)",
    });
    expect(d.errors[1]?.message).toContain('undefined reference to');
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]?.file).toBe('fs/ext4/super.c');
  });

  it('new warnings ignore line moves but count repeats', () => {
    const w = (file: string, line: number, message: string) => ({ file, line, severity: 'warning' as const, message });
    const base = [w('a.c', 10, 'unused x'), w('b.c', 1, 'shadow')];
    const cur = [w('a.c', 14, 'unused x'), w('b.c', 1, 'shadow'), w('b.c', 9, 'shadow'), w('c.c', 2, 'new one')];
    expect(newWarnings(base, cur).map((d) => `${d.file}:${d.line}`)).toEqual(['b.c:9', 'c.c:2']);
  });
});

describe('kconfig', () => {
  it('parses set and unset symbols', () => {
    const m = parseKconfig('CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C="x"\n# comment\n');
    expect([...m.entries()]).toEqual([
      ['A', 'y'],
      ['B', null],
      ['C', '"x"'],
    ]);
  });

  it('knows which symbols a tree defines, so a newer-tree symbol is not an error on an older one', async () => {
    expect(kconfigDefines('config FOO\n\tbool "x"\nmenuconfig BAR\n  config  BAZ\nconfigX QUX\n')).toEqual(
      new Set(['FOO', 'BAR', 'BAZ']),
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'daxbot-kconfig-'));
    mkdirSync(path.join(dir, 'drivers', 'nvdimm'), { recursive: true });
    writeFileSync(path.join(dir, 'drivers', 'nvdimm', 'Kconfig'), 'config LIBNVDIMM\n\ttristate "x"\n');
    expect(await treeDefines(dir, ['LIBNVDIMM', 'NVDIMM_SECURITY_TEST'])).toEqual(new Set(['LIBNVDIMM']));
    expect(await treeDefines(path.join(dir, 'missing'), ['X'])).toEqual(new Set(['X']));
    rmSync(dir, { recursive: true, force: true });
  });
  it('reports wanted symbols that olddefconfig dropped', () => {
    const frag = { text: 'CONFIG_FS_DAX=y\nCONFIG_XFS_FS=y\n# CONFIG_MODULES is not set\n' };
    const bad = checkWantedSymbols([frag], 'CONFIG_XFS_FS=y\n# CONFIG_FS_DAX is not set\n');
    expect(bad).toEqual([{ symbol: 'FS_DAX', wanted: 'y', actual: null }]);
  });

  it('hashes the fragments stably and order-sensitively', () => {
    const a = { text: 'CONFIG_A=y\n' };
    const b = { text: 'CONFIG_B=y\n' };
    expect(configHash([a, b])).toBe(configHash([a, b]));
    expect(configHash([a, b])).not.toBe(configHash([b, a]));
    expect(configHash([a])).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('kernel config step', () => {
  it('a timed-out config step is an infrastructure error, not a build failure blamed on the patch', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { prepareConfig } = await import('../../../../runners/build/make.ts');
    const { InfraError } = await import('../../../../bot/errors.ts');
    const { silentLogger } = await import('../../../../bot/log.ts');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-cfg-'));
    const seen: string[][] = [];
    const exec = async (cmd: string, args: string[]) => {
      seen.push([cmd, ...args]);
      return { code: 124, signal: null, output: '', stdout: '', timedOut: false, aborted: false, durationMs: 1 };
    };
    const run = prepareConfig({
      source: dir,
      buildDir: path.join(dir, 'o'),
      cacheDir: dir,
      fragments: [{ name: 'x', path: 'x.config', text: 'CONFIG_A=y\n' }],
      log: silentLogger(),
      exec,
      lockFile: path.join(dir, 'lock'),
    });
    await expect(run).rejects.toBeInstanceOf(InfraError);
    // The timeout runs under the lock (waiting for the lock is not counted), and every link dies with its parent.
    const cmd = seen[0]?.join(' ') ?? '';
    expect(cmd).toMatch(
      /^flock \S+ \/bin\/sh -c .* sh \/usr\/bin\/setpriv --pdeathsig KILL -- timeout .* \/usr\/bin\/setpriv --pdeathsig KILL -- bwrap /,
    );
  });
});
