import { describe, expect, it } from 'vitest';
import { extractSuites, parseGuestLine } from '../../../../runners/guest/protocol.ts';
import { parseLdd } from '../../../../runners/guest/libs.ts';
import { nvdimmBackendBytes, qemuArgs } from '../../../../runners/qemu/args.ts';
import { bwrapArgs } from '../../../../runners/sandbox/bwrap.ts';

describe('guest protocol', () => {
  it('parses markers and results', () => {
    expect(parseGuestLine('DAXBOT: test-start ext4_mmap_rw')).toEqual({ kind: 'test-start', test: 'ext4_mmap_rw' });
    expect(parseGuestLine('not ok 3 ext4_dax_mount # exit status 137: Killed')).toEqual({
      kind: 'result',
      test: 'ext4_dax_mount',
      ok: false,
    });
    expect(parseGuestLine('[    1.0] random')).toBeNull();
  });

  it('cuts suite sections without kernel lines', () => {
    const log =
      'boot\nDAXBOT: suite-begin dax\nKTAP version 1\n# DAXBOT plan: a b\n1..2\n[    3.1] pmem0: detected\nDAXBOT: test-start a\nok 1 a\nDAXBOT: test-start b\n';
    const [s] = extractSuites(log);
    expect(s?.suite).toBe('dax');
    expect(s?.complete).toBe(false);
    expect(s?.plan).toEqual(['a', 'b']);
    expect(s?.text).toBe('KTAP version 1\n# DAXBOT plan: a b\n1..2\nok 1 a\n');
  });

  it('parses ldd output', () => {
    const out =
      '\tlinux-vdso.so.1 (0x00007ffd)\n\tlibndctl.so.6 => /lib/x86_64-linux-gnu/libndctl.so.6 (0x00007f)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n';
    expect(parseLdd(out)).toEqual(['/lib/x86_64-linux-gnu/libndctl.so.6', '/lib64/ld-linux-x86-64.so.2']);
  });
});

describe('qemu command line', () => {
  it('adds a file-backed NVDIMM of size + label', () => {
    const args = qemuArgs({
      kernel: 'bz',
      initrd: 'ird',
      append: ['daxbot.suites=dax'],
      memoryMiB: 2048,
      cpus: 2,
      nvdimms: [{ sizeMiB: 1024, labelSizeKiB: 128, path: '/w/nv0' }],
    });
    expect(nvdimmBackendBytes({ sizeMiB: 1024, labelSizeKiB: 128 })).toBe(1073872896);
    const joined = args.join(' ');
    expect(joined).toContain('-machine pc,nvdimm=on');
    expect(joined).toContain('-accel tcg');
    expect(joined).toContain('memory-backend-file,id=mem0,share=on,mem-path=/w/nv0,size=1073872896');
    expect(joined).toContain('nvdimm,memdev=mem0,id=nv0,label-size=128K');
    expect(joined).toMatch(/-m 2048M,slots=1,maxmem=\d+M/);
    expect(args[args.indexOf('-append') + 1]).toMatch(/^console=ttyS0 .*daxbot.suites=dax$/);
    expect(args).toContain('-no-reboot');
  });
});

describe('sandbox arguments', () => {
  it('has no network, a clear env and only the named paths', () => {
    const args = bwrapArgs(
      { readOnly: ['/src'], readWrite: ['/build'], env: { CCACHE_DIR: '/cc' } },
      (p) => p === '/usr',
    );
    const s = args.join(' ');
    expect(s).toContain('--unshare-net');
    expect(s).toContain('--clearenv');
    expect(s).toContain('--ro-bind /src /src');
    expect(s).toContain('--bind /build /build');
    expect(s).toContain('--tmpfs /tmp');
    expect(s).toContain('--setenv CCACHE_DIR /cc');
    expect(s).not.toContain('/work');
  });
});
