/**
 * Base discovery on its own (what a replay runs), with real git: two trees in routing order, a
 * local one with history and a remote (a bare repository served over file://). Each step of the
 * order is shown finding the base, with the attempts before it recorded: a maintainer's base, a
 * base-commit in the second tree, a base-commit fetched by id from the remote, blob matching on an
 * older commit, a trial `git am` that only the second tree's head takes, prerequisites applied
 * first, and a series no tree takes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createBaseIo } from '../../bot/jobs/base-io.ts';
import { discoverBase } from '../../bot/jobs/base-discovery.ts';
import type { DiscoveryRequest, DiscoveryTree, PrerequisiteFound } from '../../bot/jobs/base-types.ts';
import { configSchema } from '../../config/schema.ts';
import { remoteDirFor } from '../../runners/tree/remote-plan.ts';
import { commitFiles, editLine, formatPatches, git, initBare, initRepo, lines } from '../helpers/git-repo.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'daxbot-discovery-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cacheDir = path.join(tmp, 'cache');
const log = pino({ level: 'silent' });

// The local tree: dax.c and memory.c with a history.
const local = initRepo(path.join(tmp, 'local'));
const dax = lines('dax');
const memory = lines('memory');
commitFiles(local, { 'fs/dax.c': dax, 'mm/memory.c': memory }, 'one');
const old = commitFiles(local, { 'fs/dax.c': editLine(dax, 30, 'dax thirty') }, 'two');
commitFiles(local, { 'mm/memory.c': editLine(memory, 3, 'memory three upstream') }, 'three');
const localHead = commitFiles(local, { README: 'r\n' }, 'four');

// The remote tree: its own history of the same files; a topic branch the configuration does not name.
const upstream = initBare(path.join(tmp, 'remote.git'));
const rwork = initRepo(path.join(tmp, 'remote-work'));
commitFiles(rwork, { 'fs/dax.c': lines('rdax'), 'mm/memory.c': lines('rmemory') }, 'remote one');
git(rwork, 'push', '-q', upstream, 'HEAD:refs/heads/next');
const topic = commitFiles(rwork, { 'fs/dax.c': editLine(lines('rdax'), 20, 'topic') }, 'remote topic');
git(rwork, 'push', '-q', upstream, 'HEAD:refs/heads/topic');
git(rwork, 'reset', '-q', '--hard', 'HEAD~1');

const config = configSchema.parse({
  trees: [
    { name: 'local', path: local, lists: ['nvdimm.lists.linux.dev'] },
    { name: 'remote', url: `file://${upstream}`, branches: ['next'], schedule: '0 * * * *' },
  ],
});
const trees: DiscoveryTree[] = [
  { name: 'local', repo: local, branches: ['HEAD'], route: 'list nvdimm.lists.linux.dev', url: null },
  {
    name: 'remote',
    repo: remoteDirFor(cacheDir, `file://${upstream}`),
    branches: ['next'],
    route: 'other',
    url: `file://${upstream}`,
  },
];
let prerequisites: PrerequisiteFound[] = [];
const io = createBaseIo({
  cacheDir,
  trees: config.trees,
  log,
  now: () => new Date(),
  prerequisites: async () => prerequisites,
});

/** A series made in a throwaway clone of `repo` at `at`, written as an mbox. */
function series(repo: string, at: string, edits: Record<string, string>, name: string, base?: string): string {
  const w = path.join(tmp, `author-${name}`);
  git(tmp, 'clone', '-q', '--no-checkout', repo, w);
  git(w, 'checkout', '-q', '--detach', at);
  let i = 0;
  for (const [file, text] of Object.entries(edits)) commitFiles(w, { [file]: text }, `${name}: patch ${++i}`);
  const mbox = path.join(tmp, `${name}.mbox`);
  writeFileSync(mbox, formatPatches(w, `${at}..HEAD`, base ? { base } : {}));
  return mbox;
}

const request = (mbox: string, over: Partial<DiscoveryRequest> = {}): DiscoveryRequest => ({
  mbox,
  baseCommit: null,
  prerequisitePatchIds: [],
  prerequisiteMessageIds: [],
  trees,
  ...over,
});

describe('base discovery, step by step', () => {
  const onOld = series(
    local,
    old,
    { 'fs/dax.c': editLine(editLine(dax, 30, 'dax thirty'), 2, 'x'), 'mm/memory.c': editLine(memory, 3, 'series') },
    'old',
  );

  it('1. a base a maintainer named', async () => {
    const d = await discoverBase(request(onOld, { requested: { rev: old, by: 'dan@example.org' } }), io);
    expect(d.choice).toMatchObject({ tree: 'local', base: old, method: 'maintainer', certain: true });
    expect(d.choice?.how).toBe(`base ${old} named by dan@example.org`);
  });

  it('2. the base-commit trailer, looked up in every tree (here the second)', async () => {
    const remoteRoot = git(rwork, 'rev-parse', 'HEAD');
    const mbox = series(rwork, remoteRoot, { 'mm/memory.c': editLine(lines('rmemory'), 5, 'y') }, 'bc', remoteRoot);
    const d = await discoverBase(request(mbox, { baseCommit: remoteRoot }), io);
    expect(d.choice).toMatchObject({
      tree: 'remote',
      base: remoteRoot,
      method: 'base-commit',
      how: 'base-commit trailer',
    });
    expect(d.attempts.map((a) => a.note)).toEqual([`base-commit ${remoteRoot.slice(0, 12)} found in remote`]);
  });

  it('2. a base-commit no clone has is fetched by id from the remote', async () => {
    const d = await discoverBase(request(onOld, { baseCommit: topic }), io);
    expect(d.choice).toMatchObject({ tree: 'remote', base: topic, method: 'base-commit', certain: true });
    expect(d.attempts.map((a) => [a.step, a.ok, a.note])).toEqual([
      ['base-commit', false, `base-commit ${topic.slice(0, 12)} not in local, remote`],
      ['base-commit', true, `base-commit ${topic.slice(0, 12)} fetched from file://${upstream}`],
    ]);
  });

  it('4. blob matching: the newest commit with the preimage blobs, not the head', async () => {
    const d = await discoverBase(request(onOld, { baseCommit: 'f'.repeat(40) }), io);
    expect(d.choice).toMatchObject({ tree: 'local', base: old, method: 'blobs', certain: true });
    expect(d.choice?.how).toBe(`blobs of 2 files match local at ${old.slice(0, 8)}`);
    const notes = d.attempts.map((a) => a.note);
    expect(notes).toContain(`base-commit ffffffffffff not on file://${upstream}`);
  });

  it('5. a trial git am on each head in routing order: the first that applies', async () => {
    // New files only: no blobs to match; the local tree already has the file, the remote does not.
    const mbox = series(local, localHead, { README: 'r\nmore\n' }, 'trial');
    const withNew = series(rwork, git(rwork, 'rev-parse', 'HEAD'), { README: 'fresh\n' }, 'new-file');
    const d = await discoverBase(request(withNew), io);
    expect(d.choice).toMatchObject({
      tree: 'remote',
      method: 'tree-head',
      certain: false,
      how: 'applied to the head of remote next',
    });
    expect(d.attempts.map((a) => [a.step, a.ok])).toEqual([
      ['blobs', false],
      ['trial', false],
      ['trial', true],
    ]);
    expect(d.attempts[1]?.note).toMatch(/^does not apply to the head of local \([0-9a-f]{12}\): patch 1/);
    const again = await discoverBase(request(mbox), io);
    expect(again.choice).toMatchObject({ tree: 'local', method: 'blobs' });
  });

  it('3. prerequisites go first, and the base tested carries them', async () => {
    const pre = series(local, localHead, { 'fs/new.c': 'new\n' }, 'pre');
    const w = path.join(tmp, 'author-pre');
    const dependent = path.join(tmp, 'dependent.mbox');
    commitFiles(w, { 'fs/new.c': 'new\nand more\n' }, 'dependent: patch 1');
    writeFileSync(dependent, formatPatches(w, 'HEAD~1..HEAD'));
    prerequisites = [
      { kind: 'message-id', id: 'pre@example.org', label: '"pre" v1 (1 patch)', mbox: readFileSync(pre, 'utf8') },
    ];
    const d = await discoverBase(request(dependent, { prerequisiteMessageIds: ['pre@example.org'] }), io);
    prerequisites = [];
    expect(d.choice).toMatchObject({ tree: 'local', upstream: localHead, method: 'tree-head' });
    expect(d.choice?.base).not.toBe(localHead);
    expect(git(local, 'show', `${d.choice?.base}:fs/new.c`)).toBe('new');
    expect(d.attempts.filter((a) => a.step === 'prerequisites').map((a) => a.ok)).toEqual([true, true]);
  });

  it('no tree takes it: no base, every attempt kept, and a fallback for applyFailures: always', async () => {
    // The author's tree had a change of its own under the patch: its blobs are in no tree.
    const w = path.join(tmp, 'author-clash');
    git(tmp, 'clone', '-q', local, w);
    commitFiles(
      w,
      { 'mm/memory.c': editLine(readFileSync(path.join(w, 'mm/memory.c'), 'utf8'), 10, 'private') },
      'private',
    );
    commitFiles(w, { 'mm/memory.c': editLine(readFileSync(path.join(w, 'mm/memory.c'), 'utf8'), 4, 'z') }, 'clash');
    const clash = path.join(tmp, 'clash.mbox');
    writeFileSync(clash, formatPatches(w, 'HEAD~1..HEAD'));
    const moved = commitFiles(
      local,
      { 'mm/memory.c': editLine(readFileSync(path.join(local, 'mm/memory.c'), 'utf8'), 4, 'upstream four') },
      'five',
    );
    const d = await discoverBase(request(clash), io);
    expect(d.choice).toBeNull();
    expect(d.fallback).toMatchObject({ tree: 'local', base: moved, certain: false });
    expect(d.attempts.map((a) => [a.step, a.note.replace(/[0-9a-f]{12}/g, 'SHA')])).toEqual([
      ['blobs', '1 of 1 blobs not in local'],
      ['blobs', '1 of 1 blobs not in remote'],
      ['trial', 'does not apply to the head of local (SHA): patch 1 conflicts in mm/memory.c'],
      ['trial', 'does not apply to the head of remote next (SHA): patch 1 conflicts in mm/memory.c'],
    ]);
    expect(d.attempts[2]).toMatchObject({ ok: false, failedPatch: 1, conflictFiles: ['mm/memory.c'] });
  });
});
