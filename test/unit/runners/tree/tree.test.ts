import { describe, expect, it } from 'vitest';
import { amExcerpt, findBaseCommit, parseAmFailure } from '../../../../runners/tree/am-output.ts';
import { kernelVersionFromMakefile, resolveCacheDir, stripDebianIgnores } from '../../../../runners/tree/setup.ts';
import { slotDirFor, treeSlug } from '../../../../runners/tree/slot.ts';

const AM_FAIL = `Applying: dax: reword the fs_dax_get_by_bdev kernel-doc
Applying: dax: rate-limit the unaligned partition warning
error: sha1 information is lacking or useless (drivers/dax/super.c).
error: could not build fake ancestor
hint: Use 'git am --show-current-patch=diff' to see the failed patch
Patch failed at 0002 dax: rate-limit the unaligned partition warning
When you have resolved this problem, run "git am --continue".`;

describe('git am output', () => {
  it('finds the failed patch, its subject and the files', () => {
    expect(parseAmFailure(AM_FAIL)).toEqual({
      failedPatch: 2,
      failedSubject: 'dax: rate-limit the unaligned partition warning',
      conflictFiles: ['drivers/dax/super.c'],
    });
    const three =
      'error: patch failed: fs/dax.c:120\nFalling back to 3-way merge...\nCONFLICT (content): Merge conflict in include/linux/dax.h\nPatch failed at 0001 x';
    expect(parseAmFailure(three).conflictFiles).toEqual(['fs/dax.c', 'include/linux/dax.h']);
    expect(amExcerpt(AM_FAIL)).not.toContain('hint:');
  });

  it('reads the base-commit line', () => {
    expect(findBaseCommit('x\n\nbase-commit: b2c0f92c86560b39b7d24fe94b30e25f831b5c3f\n-- \n')).toBe(
      'b2c0f92c86560b39b7d24fe94b30e25f831b5c3f',
    );
    expect(findBaseCommit('no base here')).toBeNull();
  });
});

describe('tree setup helpers', () => {
  it("drops Debian's ignore-everything section", () => {
    const gi =
      "*.o\n/vmlinux\n\n#\n# Debian packaging: ignore everything at the top level, since it isn't\n# included in our repository\n#\n/*\n!/debian/";
    expect(stripDebianIgnores(gi)).toBe('*.o\n/vmlinux\n');
  });

  it('reads the kernel version', () => {
    expect(kernelVersionFromMakefile('# x\nVERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 192\nEXTRAVERSION =\n')).toBe(
      '6.1.192',
    );
  });

  it('resolves the cache dir: env, then config, then var/cache', () => {
    expect(resolveCacheDir('/repo', { DAXBOT_CACHE_DIR: '/c' }, 'x')).toBe('/c');
    expect(resolveCacheDir('/repo', {}, 'cache2')).toBe('/repo/cache2');
    expect(resolveCacheDir('/repo', {})).toBe('/repo/var/cache');
  });

  it('names slots per tree and config', () => {
    expect(treeSlug('/a/linux')).not.toBe(treeSlug('/b/linux'));
    expect(slotDirFor('/c', '/a/linux', 'abc')).toMatch(/^\/c\/slots\/linux-[0-9a-f]{6}-abc$/);
  });

  it('a tree reached through a symlink shares the slot of its real path', async () => {
    const { mkdtempSync, mkdirSync, symlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-slug-'));
    mkdirSync(path.join(dir, 'real', 'linux'), { recursive: true });
    symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
    expect(treeSlug(path.join(dir, 'link', 'linux'))).toBe(treeSlug(path.join(dir, 'real', 'linux')));
  });
});

describe('slot lock', () => {
  it('runs jobs on one slot one at a time', async () => {
    const { withSlotLock } = await import('../../../../runners/tree/slot-lock.ts');
    const { mkdtemp } = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await mkdtemp(`${os.tmpdir()}/daxbot-lock-`);
    const order: string[] = [];
    const job = (name: string) =>
      withSlotLock(
        `${dir}/slot`,
        async () => {
          order.push(`${name}+`);
          await new Promise((r) => setTimeout(r, 20));
          order.push(`${name}-`);
        },
        10,
      );
    await Promise.all([job('a'), job('b')]);
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-']);
  });
});
