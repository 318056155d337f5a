import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverBase } from '../../../../bot/jobs/base-discovery.ts';
import { noBaseSummary, prerequisiteNotes, trialNote } from '../../../../bot/jobs/base-notes.ts';
import type { DiscoveryIo, DiscoveryRequest, DiscoveryTree } from '../../../../bot/jobs/base-types.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'daxbot-unit-bases-'));
const MBOX = path.join(dir, 'series.mbox');
writeFileSync(
  MBOX,
  `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: A <a@example.org>
Subject: [PATCH] dax: x

---
diff --git a/fs/dax.c b/fs/dax.c
index 1234567890ab..abcdef012345 100644
--- a/fs/dax.c
+++ b/fs/dax.c
@@ -1 +1 @@
-a
+b
`,
);

const SHA = (c: string): string => c.repeat(40);
const trees: DiscoveryTree[] = [
  { name: 'linux-6.1', repo: '/t/61', branches: ['HEAD'], route: 'list nvdimm.lists.linux.dev', url: null },
  { name: 'nvdimm', repo: '/t/nv', branches: ['next', 'fixes'], route: 'other', url: 'git://example.org/nvdimm.git' },
];

/** A boundary where nothing is found, nothing matches and nothing applies, unless overridden. */
function io(over: Partial<DiscoveryIo> = {}, calls: string[] = []): DiscoveryIo {
  const log =
    <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> => {
      calls.push(name);
      return f(...a);
    };
  const base: DiscoveryIo = {
    heads: async (t) => Object.fromEntries(t.branches.map((b, i) => [b, SHA(String(i + 1))])),
    commit: async () => null,
    fetchCommit: async () => false,
    missingBlobs: async (_t, wanted) => wanted,
    matchOnBranch: async (_t, branch) => ({ branch, commit: null, matched: 0, total: 1, walked: 0 }),
    trial: async (_t, req) => ({
      attempt: { base: req.base, reason: req.reason, ok: false, failedPatch: 1, conflictFiles: ['fs/dax.c'] },
      head: null,
    }),
    prerequisites: async () => [],
    split: async (mbox) => [mbox],
  };
  const merged = { ...base, ...over };
  return {
    heads: log('heads', merged.heads),
    commit: log('commit', merged.commit),
    fetchCommit: log('fetchCommit', merged.fetchCommit),
    missingBlobs: log('missingBlobs', merged.missingBlobs),
    matchOnBranch: log('matchOnBranch', merged.matchOnBranch),
    trial: log('trial', merged.trial),
    prerequisites: log('prerequisites', merged.prerequisites),
    split: merged.split,
  };
}

const req = (over: Partial<DiscoveryRequest> = {}): DiscoveryRequest => ({
  mbox: MBOX,
  baseCommit: null,
  prerequisitePatchIds: [],
  prerequisiteMessageIds: [],
  trees,
  ...over,
});

describe('base discovery order and certainty (fake boundary)', () => {
  it('reads every head first (a stale remote is fetched), then stops at a base-commit: no blobs, no trial', async () => {
    const calls: string[] = [];
    const d = await discoverBase(
      req({ baseCommit: SHA('a') }),
      io({ commit: async (t, rev) => (t.name === 'nvdimm' ? rev : null) }, calls),
    );
    expect(d.choice).toMatchObject({ tree: 'nvdimm', base: SHA('a'), method: 'base-commit', certain: true });
    expect(calls).toEqual(['heads', 'heads', 'commit', 'commit']);
  });

  it('a requested base no tree has falls through to the base-commit, both recorded', async () => {
    const d = await discoverBase(
      req({ requested: { rev: 'v9.9', by: 'dan@example.org' }, baseCommit: SHA('b') }),
      io({ commit: async (_t, rev) => (rev === SHA('b') ? rev : null) }),
    );
    expect(d.choice?.method).toBe('base-commit');
    expect(d.attempts.map((a) => a.note)).toEqual([
      'base v9.9 named by dan@example.org not in linux-6.1, nvdimm',
      'base v9.9 named by dan@example.org is no full commit id: not fetched by id',
      'base-commit bbbbbbbbbbbb found in linux-6.1',
    ]);
  });

  it('a prerequisite the store lacks makes even a found base-commit uncertain', async () => {
    const d = await discoverBase(
      req({ baseCommit: SHA('c'), prerequisiteMessageIds: ['gone@example.org'] }),
      io({
        commit: async (_t, rev) => rev,
        prerequisites: async () => [{ kind: 'message-id', id: 'gone@example.org', label: null, mbox: '' }],
      }),
    );
    expect(d.choice).toMatchObject({ method: 'base-commit', certain: false });
    expect(d.choice?.how).toBe('base-commit trailer; a prerequisite is not in the store');
    expect(d.attempts.map((a) => [a.step, a.ok, a.note])).toContainEqual([
      'prerequisites',
      false,
      'prerequisite <gone@example.org> not in the store',
    ]);
  });

  it('tries every branch head in routing order; none applies: no base, with the first head as fallback', async () => {
    const calls: string[] = [];
    const d = await discoverBase(req(), io({}, calls));
    expect(d.choice).toBeNull();
    expect(d.fallback).toMatchObject({ tree: 'linux-6.1', base: SHA('1'), certain: false });
    expect(d.attempts.map((a) => a.note)).toEqual([
      '1 of 1 blobs not in linux-6.1',
      '1 of 1 blobs not in nvdimm',
      'does not apply to the head of linux-6.1 (111111111111): patch 1 conflicts in fs/dax.c',
      'does not apply to the head of nvdimm next (111111111111): patch 1 conflicts in fs/dax.c',
      'does not apply to the head of nvdimm fixes (222222222222): patch 1 conflicts in fs/dax.c',
    ]);
    expect(calls.filter((c) => c === 'trial')).toHaveLength(3);
    expect(noBaseSummary(d)).toBe('untestable: no base (applies to none of 3 branch heads tried)');
  });

  it('a blob match is certain and names the files, the tree and the commit', async () => {
    const d = await discoverBase(
      req(),
      io({
        missingBlobs: async () => [],
        matchOnBranch: async (t, branch) => ({
          branch,
          commit: t.name === 'nvdimm' && branch === 'fixes' ? SHA('d') : null,
          matched: 0,
          total: 1,
          walked: 3,
        }),
      }),
    );
    expect(d.choice).toMatchObject({ tree: 'nvdimm', branch: 'fixes', method: 'blobs', certain: true });
    expect(d.choice?.how).toBe('blobs of 1 file match nvdimm at dddddddd');
  });
});

describe('attempt notes', () => {
  it('numbers a failed patch as the series numbers it, prerequisites apart', () => {
    const a = { base: SHA('e'), reason: 'x', ok: false, failedPatch: 3, conflictFiles: ['mm/memory.c'] };
    expect(trialNote('linux-6.12', SHA('e'), a, 2)).toBe(
      'does not apply to the head of linux-6.12 (eeeeeeeeeeee): patch 1 conflicts in mm/memory.c',
    );
    expect(trialNote('linux-6.12', SHA('e'), { ...a, failedPatch: 2 }, 2)).toMatch(/prerequisite patch 2 conflicts/);
  });

  it('groups the prerequisites found by series and names the missing ones', () => {
    expect(
      prerequisiteNotes([
        { kind: 'patch-id', id: SHA('1'), label: '"a" v2 (2 patches)', mbox: 'x' },
        { kind: 'patch-id', id: SHA('2'), label: '"a" v2 (2 patches)', mbox: '' },
        { kind: 'patch-id', id: SHA('3'), label: null, mbox: '' },
      ]),
    ).toEqual([
      { ok: true, note: 'prerequisite-patch-id (2): "a" v2 (2 patches) from the store, applied first' },
      { ok: false, note: 'prerequisite 333333333333 not in the store' },
    ]);
  });
});
