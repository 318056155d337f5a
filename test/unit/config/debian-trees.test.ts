import { describe, expect, it } from 'vitest';
import { configSchema, treeDebianSeries } from '../../../config/schema.ts';
import { setupTarget } from '../../../bot/cli/setup-targets.ts';
import { debianTarball } from '../../../runners/tree/setup.ts';

describe('Debian kernel trees', () => {
  it('a tree without path is a Debian tree (6.1 unless named)', () => {
    expect(treeDebianSeries({ path: undefined, debian: undefined })).toBe('6.1');
    expect(treeDebianSeries({ path: undefined, debian: '6.12' })).toBe('6.12');
    expect(treeDebianSeries({ path: '/srv/linux', debian: undefined })).toBeNull();
  });

  it('setup finds the tarball of a configured or a well-known tree', () => {
    const config = configSchema.parse({
      trees: [
        { name: 'linux-6.12', debian: '6.12' },
        { name: 'mine', path: '/srv/linux' },
      ],
    });
    expect(setupTarget(config, 'linux-6.12').tarball).toBe(debianTarball('6.12'));
    expect(setupTarget(config, 'linux-6.1').tarball).toBe('/usr/src/linux-source-6.1.tar.xz');
    expect(() => setupTarget(config, 'mine')).toThrow(/repository of its own/);
    expect(() => setupTarget(config, 'linux-9.9')).toThrow(/unknown tree/);
  });

  it('refuses a Debian series that is not served', () => {
    expect(configSchema.safeParse({ trees: [{ name: 'x', debian: '5.10' }] }).success).toBe(false);
  });
});
