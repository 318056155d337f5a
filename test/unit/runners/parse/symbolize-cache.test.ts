import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SymbolCache, symbolizeFinding, type ExecFn } from '../../../../runners/parse/symbolize.ts';
import type { Finding } from '../../../../runners/types.ts';

/** A fake nm + addr2line that counts what it is asked: each address resolves to dax.c:<address>. */
function fakeTools(): { exec: ExecFn; calls: { cmd: string; args: string[] }[] } {
  const calls: { cmd: string; args: string[] }[] = [];
  const exec: ExecFn = (cmd, args) => {
    calls.push({ cmd, args });
    if (cmd === 'nm') return Promise.resolve('0000000000001000 T fs_dax_release\n0000000000002000 T dax_iomap_rw\n');
    const addresses = args.slice(2);
    return Promise.resolve(addresses.map((a) => `/src/fs/dax.c:${parseInt(a, 16)}`).join('\n'));
  };
  return { exec, calls };
}

const crash = (trace: string[]): Finding => ({ title: 'BUG: t', type: 'oops', rip: null, trace, report: '' });

describe('symbolize cache', () => {
  let dir: string;
  let vmlinux: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'daxbot-symcache-'));
    vmlinux = join(dir, 'vmlinux');
    writeFileSync(vmlinux, 'an ELF');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('does not symbolize a trace again for the same build and addresses', async () => {
    const { exec, calls } = fakeTools();
    const cache = new SymbolCache();
    const f = crash(['fs_dax_release+0x10/0x40', 'unknown_fn+0x1/0x2']);
    const first = await symbolizeFinding(f, vmlinux, undefined, { exec, cache });
    expect(calls.map((c) => c.cmd)).toEqual(['nm', 'addr2line']);
    const again = await symbolizeFinding(f, vmlinux, undefined, { exec, cache });
    expect(calls).toHaveLength(2);
    expect(again.symbolized).toEqual(first.symbolized);
    expect(again.symbolized).toEqual(['fs_dax_release+0x10/0x40 (/src/fs/dax.c:4112)', 'unknown_fn+0x1/0x2']);
  });

  it('asks only for the frames it has not seen on that build', async () => {
    const { exec, calls } = fakeTools();
    const cache = new SymbolCache();
    await symbolizeFinding(crash(['fs_dax_release+0x10/0x40']), vmlinux, undefined, { exec, cache });
    const s = await symbolizeFinding(crash(['fs_dax_release+0x10/0x40', 'dax_iomap_rw+0x4/0x80']), vmlinux, undefined, {
      exec,
      cache,
    });
    expect(calls.at(-1)?.args.slice(2)).toEqual(['0x2004']);
    expect(s.symbolized?.[0]).toBe('fs_dax_release+0x10/0x40 (/src/fs/dax.c:4112)');
    expect(s.symbolized?.[1]).toBe('dax_iomap_rw+0x4/0x80 (/src/fs/dax.c:8196)');
  });

  it('symbolizes again after a relink (the file changed) or for another tree', async () => {
    const { exec, calls } = fakeTools();
    const cache = new SymbolCache();
    const f = crash(['fs_dax_release+0x10/0x40']);
    await symbolizeFinding(f, vmlinux, undefined, { exec, cache });
    utimesSync(vmlinux, new Date(), new Date(Date.now() + 5000));
    await symbolizeFinding(f, vmlinux, undefined, { exec, cache });
    expect(calls).toHaveLength(4);
    writeFileSync(vmlinux, 'another ELF, a different size');
    await symbolizeFinding(f, vmlinux, undefined, { exec, cache });
    expect(calls).toHaveLength(6);
    await symbolizeFinding(f, vmlinux, join(dir, 'no-such-tree'), { exec, cache });
    expect(calls).toHaveLength(8);
  });

  it('without a cache, and after a failure, the tools run every time', async () => {
    const { exec, calls } = fakeTools();
    const f = crash(['fs_dax_release+0x10/0x40']);
    await symbolizeFinding(f, vmlinux, undefined, { exec });
    await symbolizeFinding(f, vmlinux, undefined, { exec });
    expect(calls).toHaveLength(4);
    const cache = new SymbolCache();
    const failing: ExecFn = () => Promise.reject(new Error('nm failed'));
    expect(await symbolizeFinding(f, vmlinux, undefined, { exec: failing, cache })).toBe(f);
    await symbolizeFinding(f, vmlinux, undefined, { exec, cache });
    expect(calls).toHaveLength(6);
  });

  it('keeps the most recently used builds only', async () => {
    const cache = new SymbolCache(2);
    cache.forBuild('a').set('x', 'a.c:1');
    cache.forBuild('b');
    cache.forBuild('a');
    cache.forBuild('c');
    expect(cache.forBuild('a').get('x')).toBe('a.c:1');
    expect(cache.forBuild('b').size).toBe(0);
  });
});
