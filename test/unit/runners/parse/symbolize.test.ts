import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFaddr2line, parseFrame, symbolizeFinding } from '../../../../runners/parse/symbolize.ts';
import type { Finding } from '../../../../runners/types.ts';
import { hasBinary as hasTool } from '../../../helpers/servers/binaries.ts';

describe('symbolize', () => {
  it('parses frames and faddr2line output', () => {
    expect(parseFrame('? fs_dax_release+0x12/0x40')).toMatchObject({
      func: 'fs_dax_release',
      offset: 0x12,
      size: 0x40,
      module: false,
    });
    expect(parseFrame('nd_pmem_remove+0x1/0x2 [nd_pmem]')?.module).toBe(true);
    const out = 'fs_dax_release+0x12/0x40:\nfs_dax_release at /t/fs/dax.c:123\n(inlined by) x at /t/fs/y.c:9\n';
    expect(parseFaddr2line(out, '/t').get('fs_dax_release+0x12/0x40')).toBe('fs/dax.c:123');
  });

  it.skipIf(!hasTool('gcc') || !hasTool('addr2line'))(
    'resolves frames of a real ELF with nm + addr2line, keeping what it cannot resolve',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'daxbot-sym-'));
      try {
        const src = join(dir, 'dax.c');
        writeFileSync(
          src,
          '__attribute__((noinline)) int fs_dax_release(int *p)\n{\n\treturn *p + 1;\n}\nint main(void) { return fs_dax_release(0); }\n',
        );
        const elf = join(dir, 'vmlinux');
        execFileSync('gcc', ['-g', '-O1', '-no-pie', '-o', elf, src]);
        const finding: Finding = {
          title: 'BUG: kernel NULL pointer dereference in fs_dax_release',
          type: 'null-deref',
          rip: 'fs_dax_release+0x0/0x10',
          trace: ['fs_dax_release+0x0/0x10', 'unknown_fn+0x1/0x2', 'nd_pmem_remove+0x1/0x2 [nd_pmem]'],
          report: '',
        };
        const s = await symbolizeFinding(finding, elf);
        expect(s.symbolized?.[0]).toMatch(/^fs_dax_release\+0x0\/0x10 \(.*dax\.c:[1-3]\)$/);
        expect(s.symbolized?.[1]).toBe('unknown_fn+0x1/0x2');
        expect(s.symbolized?.[2]).toBe('nd_pmem_remove+0x1/0x2 [nd_pmem]');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it.skipIf(!hasTool('bwrap'))(
    "runs the tree's scripts/faddr2line (the author's code) in the sandbox, away from the bot's secrets",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'daxbot-sym-'));
      const outside = mkdtempSync(join(tmpdir(), 'daxbot-secret-'));
      const secretVar = 'DAXBOT_TEST_SYMBOLIZE_SECRET';
      process.env[secretVar] = 'hunter2';
      try {
        const tree = join(dir, 'tree');
        const build = join(dir, 'build');
        mkdirSync(join(tree, 'scripts'), { recursive: true });
        mkdirSync(build);
        writeFileSync(join(build, 'vmlinux'), 'not really an ELF');
        writeFileSync(join(outside, 'db.sqlite'), 'the bot store');
        // A hostile faddr2line: reports what it can reach as the "source line" of the frame.
        writeFileSync(
          join(tree, 'scripts', 'faddr2line'),
          [
            `secret="\${${secretVar}:-none}"`,
            `if cat ${join(outside, 'db.sqlite')} >/dev/null 2>&1; then db=read; else db=denied; fi`,
            `if touch ${join(outside, 'pwned')} 2>/dev/null; then w=wrote; else w=denied; fi`,
            `if touch ${join(tree, 'pwned')} 2>/dev/null; then t=wrote; else t=denied; fi`,
            'echo "fs_dax_release+0x0/0x10:"',
            'echo "fs_dax_release at /x/$secret-$db-$w-$t.c:1"',
          ].join('\n'),
        );
        const finding: Finding = {
          title: 't',
          type: 'oops',
          rip: null,
          trace: ['fs_dax_release+0x0/0x10'],
          report: '',
        };
        const s = await symbolizeFinding(finding, join(build, 'vmlinux'), tree);
        expect(s.symbolized?.[0]).toMatch(/^fs_dax_release\+0x0\/0x10 \(.*\/none-denied-denied-denied\.c:1\)$/);
        expect(existsSync(join(outside, 'pwned'))).toBe(false);
      } finally {
        delete process.env[secretVar];
        rmSync(dir, { recursive: true, force: true });
        rmSync(outside, { recursive: true, force: true });
      }
    },
  );

  it('returns the finding untouched without a vmlinux', async () => {
    const f: Finding = { title: 't', type: 'oops', rip: null, trace: ['a+0x1/0x2'], report: '' };
    expect(await symbolizeFinding(f, '/nonexistent')).toBe(f);
  });
});
