import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../config/load.ts';
import { configSchema, treeBranches, treeDebianSeries } from '../../../config/schema.ts';

const NVDIMM = 'git://git.kernel.org/pub/scm/linux/kernel/git/nvdimm/nvdimm.git';

describe('trees that are git remotes', () => {
  it('take a url, its branches in order and a fetch schedule', () => {
    const config = configSchema.parse({
      trees: [{ name: 'nvdimm', url: NVDIMM, branches: ['libnvdimm-for-next', 'libnvdimm-fixes'] }],
    });
    const [tree] = config.trees;
    expect(tree).toMatchObject({ url: NVDIMM, schedule: '0 * * * *' });
    expect(tree && treeBranches(tree)).toEqual(['libnvdimm-for-next', 'libnvdimm-fixes']);
    expect(tree && treeDebianSeries(tree)).toBeNull();
    // `branch` keeps working for every kind of tree.
    const single = configSchema.parse({ trees: [{ name: 'next', url: NVDIMM, branch: 'libnvdimm-fixes' }] });
    expect(single.trees[0] && treeBranches(single.trees[0])).toEqual(['libnvdimm-fixes']);
  });

  it('refuse a url beside a path or a Debian series, and a url without a branch', () => {
    const errors = (trees: unknown[]): string[] => {
      const r = parseConfig({ trees });
      return r.ok ? [] : r.errors;
    };
    expect(errors([{ name: 'x', url: NVDIMM, path: '/srv/linux', branches: ['a'] }])).toEqual([
      `trees.0.url: a tree is a url, a path or a debian series, not several (got "${NVDIMM}")`,
    ]);
    expect(errors([{ name: 'x', url: NVDIMM }])).toEqual(['trees.0.branches: a tree with a url names its branches']);
    expect(errors([{ name: 'x', url: NVDIMM, branches: ['a'], schedule: 'hourly' }])[0]).toMatch(
      /^trees\.0\.schedule: "hourly" is not a valid cron expression/,
    );
  });
});
