import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { treeSchema, runnerSchema } from '../../../../config/schema.ts';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import { toIncoming } from '../../../../bot/intake/ingest.ts';
import { chooseTree } from '../../../../bot/jobs/choose-tree.ts';
import { jobContext } from '../../../../bot/jobs/context.ts';
import { runnerConfigHash } from '../../../../bot/pipeline/runner-digest.ts';
import { storeMessage } from '../../../../bot/store/messages.ts';
import { insertJob, listJobs } from '../../../../bot/store/jobs.ts';
import { FakeRunner, FakeSender, fakeDeps, storeWith, testConfig, version } from '../../../helpers/pipeline-fakes.ts';

const tree = (o: Record<string, unknown>) => treeSchema.parse(o);
const mainline = tree({ name: 'mainline', branch: 'master' });
const trees = [
  tree({ name: 'nvdimm', branch: 'libnvdimm-for-next', lists: ['nvdimm.lists.linux.dev'] }),
  tree({ name: 'mm', branch: 'mm-unstable', prefixes: ['mm-unstable'], lists: ['linux-mm@kvack.org'] }),
  mainline,
];

describe('chooseTree', () => {
  it('routes by subject prefix first, then by list (List-Id or recipients), then to the catch-all', () => {
    const mm = chooseTree(trees, {
      listId: 'nvdimm.lists.linux.dev',
      recipients: [],
      prefixes: ['patch', 'mm-unstable', 'v2', '1/3'],
    });
    expect(mm).toMatchObject({ tree: { name: 'mm' }, reason: 'subject prefix "mm-unstable"' });
    const byList = chooseTree(trees, { listId: '<nvdimm.lists.linux.dev>', recipients: [], prefixes: ['patch'] });
    expect(byList).toMatchObject({ tree: { name: 'nvdimm' }, reason: 'list nvdimm.lists.linux.dev' });
    const byCc = chooseTree(trees, { listId: null, recipients: ['linux-mm@kvack.org'], prefixes: ['patch'] });
    expect(byCc.tree?.name).toBe('mm');
    const rest = chooseTree(trees, { listId: null, recipients: ['someone@example.org'], prefixes: ['patch'] });
    expect(rest).toMatchObject({ tree: { name: 'mainline' }, reason: 'no list or prefix matched, catch-all tree' });
    // Generic words are never prefixes a tree can claim.
    expect(
      chooseTree([tree({ name: 'x', prefixes: ['patch'] }), mainline], {
        listId: null,
        recipients: [],
        prefixes: ['patch'],
      }).tree?.name,
    ).toBe('mainline');
    expect(chooseTree([], null)).toEqual({ tree: null, reason: 'no tree configured' });
    expect(chooseTree(trees.slice(0, 2), null).tree?.name).toBe('nvdimm');
  });
});

function cover(list: string, prefix: string): Buffer {
  return Buffer.from(
    `From: Ann Author <ann@example.org>\nTo: ${list}\nCc: Bob <bob@example.org>\nSubject: [PATCH ${prefix}0/2] series s#v1\nDate: Sat, 01 Jun 2024 10:00:00 +0000\nMessage-ID: <s#v1-0@example.org>\n\nThe cover.\n`,
  );
}

async function contextFor(raw: Buffer, options: Record<string, unknown>, known: (rev: string) => string | null) {
  const store = await storeWith([version('s#v1', 2, { baseCommit: 'deadbeef'.repeat(5) })]);
  const incoming = await toIncoming({ raw, origin: 'test' }, { parse: (r) => parseMessage(r), followups: () => [] });
  await storeMessage(store.db, 'test', incoming, '2024-06-01T12:00:00.000Z');
  const config = testConfig({ trees: trees.map((t) => ({ ...t })) });
  const deps = fakeDeps(store, new FakeRunner({}), new FakeSender(), {
    config,
    resolveCommit: async (_t, rev) => known(rev),
    treePath: (n) => `/trees/${n}`,
  });
  await insertJob(
    store.db,
    { versionKey: 's#v1', trigger: 'new', priority: 0, runner: 'fake', options },
    '2024-06-01T12:00:00.000Z',
  );
  const [job] = await listJobs(store.db, {});
  if (!job) throw new Error('no job');
  try {
    return await jobContext(deps, job);
  } finally {
    await store.close();
  }
}

describe('jobContext: tree and base', () => {
  it("takes the list's tree; an unknown base-commit falls back to that tree's branch, with each attempt in the reason", async () => {
    const ctx = await contextFor(cover('Linux NVDIMM <nvdimm@lists.linux.dev>', ''), {}, (rev) =>
      rev === 'libnvdimm-for-next' ? '1'.repeat(40) : null,
    );
    expect(ctx.treeName).toBe('nvdimm');
    expect(ctx.treePath).toBe('/trees/nvdimm');
    expect(ctx.base).toBe('1'.repeat(40));
    expect(ctx.baseReason).toBe(
      'configured branch libnvdimm-for-next of nvdimm (list nvdimm.lists.linux.dev); base-commit deadbeefdead not in nvdimm',
    );
  });

  it('takes the base-commit trailer when the tree has it, and a base a maintainer asked for before both', async () => {
    const all = (rev: string): string => (rev.length === 40 ? rev : rev === 'v6.1' ? '2'.repeat(40) : '3'.repeat(40));
    const trailer = await contextFor(cover('linux-mm@kvack.org', 'mm-unstable '), {}, all);
    expect(trailer).toMatchObject({ treeName: 'mm', base: 'deadbeef'.repeat(5), baseReason: 'base-commit trailer' });
    const asked = await contextFor(
      cover('linux-mm@kvack.org', ''),
      { base: 'v6.1', requestedBy: 'maintainer@example.org' },
      all,
    );
    expect(asked).toMatchObject({ base: '2'.repeat(40), baseReason: 'base v6.1 requested by maintainer@example.org' });
  });
});

describe('runnerConfigHash', () => {
  it('changes with the text of the fragments and the guest scripts, not only the runner settings', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'daxbot-digest-'));
    try {
      mkdirSync(path.join(root, 'config', 'kernel'), { recursive: true });
      mkdirSync(path.join(root, 'runners', 'guest', 'suites'), { recursive: true });
      const rc = runnerSchema.parse({ name: 'q', kind: 'qemu-pmem', fragments: ['pmem'] });
      writeFileSync(path.join(root, 'config', 'kernel', 'pmem.config'), 'CONFIG_FS_DAX=y\n');
      writeFileSync(path.join(root, 'runners', 'guest', 'suites', 'dax.sh'), 'echo one\n');
      const a = runnerConfigHash(rc, root);
      expect(runnerConfigHash({ ...rc, name: 'renamed' }, root)).toBe(a);
      writeFileSync(path.join(root, 'config', 'kernel', 'pmem.config'), 'CONFIG_FS_DAX=y\nCONFIG_KASAN=y\n');
      const b = runnerConfigHash(rc, root);
      expect(b).not.toBe(a);
      writeFileSync(path.join(root, 'runners', 'guest', 'suites', 'dax.sh'), 'echo two\n');
      expect(runnerConfigHash(rc, root)).not.toBe(b);
      expect(runnerConfigHash({ ...rc, memoryMiB: 4096 }, root)).not.toBe(runnerConfigHash(rc, root));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
