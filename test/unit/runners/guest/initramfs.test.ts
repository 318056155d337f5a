import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInitramfs } from '../../../../runners/guest/initramfs.ts';
import { hasBinary } from '../../../helpers/servers/binaries.ts';

describe('initramfs cache', () => {
  it.skipIf(!hasBinary('cpio') || !hasBinary('busybox'))(
    'is packed once per set of inputs and rebuilt only when an input changes',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-initramfs-'));
      try {
        const init = path.join(dir, 'init.sh');
        const suite = path.join(dir, 'dax.sh');
        writeFileSync(init, '#!/bin/sh\necho init\n');
        writeFileSync(suite, 'echo one\n');
        const spec = {
          cacheDir: dir,
          binaries: ['/bin/busybox'],
          files: [{ source: suite, dest: '/daxbot/suites/dax.sh', mode: 0o755 }],
          init,
          name: 'unit',
        };
        const first = await buildInitramfs(spec);
        const made = statSync(first).mtimeMs;
        // Same inputs: the cached image, not a new pack.
        expect(await buildInitramfs(spec)).toBe(first);
        expect(statSync(first).mtimeMs).toBe(made);
        // One script changes: a new image beside the old one.
        writeFileSync(suite, 'echo two\n');
        const second = await buildInitramfs(spec);
        expect(second).not.toBe(first);
        expect(
          readdirSync(path.join(dir, 'guest'))
            .filter((f) => f.endsWith('.cpio.gz'))
            .sort(),
        ).toEqual([path.basename(first), path.basename(second)].sort());
        const listing = execFileSync('sh', ['-c', `gzip -dc "${second}" | cpio -t --quiet`], { encoding: 'utf8' });
        expect(listing).toMatch(/^init$/m);
        expect(listing).toMatch(/^daxbot\/suites\/dax\.sh$/m);
        expect(listing).toMatch(/^bin\/busybox$/m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
