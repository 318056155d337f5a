/**
 * Trees that move, with real git: a bare repository on this machine is the remote (file://), the
 * test advances its branches between polls, takes it away to make fetches fail, and fetches a
 * commit by id that no configured branch holds (as a series' base-commit on kernel.org would be).
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { commitOf } from '../../runners/tree/git-run.ts';
import { remoteDirFor } from '../../runners/tree/remote-plan.ts';
import { fetchCommitById, remoteHeads, syncRemote, type RemoteTree } from '../../runners/tree/remote.ts';
import { commitFiles, git, initBare, initRepo } from '../helpers/git-repo.ts';

const log = pino({ level: 'silent' });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'daxbot-remote-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const upstream = initBare(path.join(tmp, 'nvdimm.git'));
const work = initRepo(path.join(tmp, 'work'));
const url = `file://${upstream}`;
const tree: RemoteTree = {
  name: 'nvdimm',
  url,
  branches: ['libnvdimm-for-next', 'libnvdimm-fixes'],
  dir: remoteDirFor(path.join(tmp, 'cache'), url),
  schedule: '*/15 * * * *',
};

function push(branch: string): string {
  git(work, 'push', '-q', upstream, `HEAD:refs/heads/${branch}`);
  return git(work, 'rev-parse', 'HEAD');
}

describe('a tree that is a git remote', () => {
  const first = commitFiles(work, { 'drivers/nvdimm/pmem.c': 'one\n' }, 'pmem: one');
  push('libnvdimm-for-next');
  push('libnvdimm-fixes');

  it('is cloned bare on the first poll, with one ref per configured branch', async () => {
    const sync = await syncRemote(tree, { now: new Date('2025-01-01T10:01:00Z'), log });
    expect(sync).toMatchObject({ fetched: true, reason: 'branch libnvdimm-for-next, libnvdimm-fixes not fetched yet' });
    expect(sync.heads).toEqual({ 'libnvdimm-for-next': first, 'libnvdimm-fixes': first });
    expect(git(tree.dir, 'rev-parse', '--is-bare-repository')).toBe('true');
    expect(git(tree.dir, 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe(
      'refs/heads/libnvdimm-fixes\nrefs/heads/libnvdimm-for-next',
    );
  });

  it('is not fetched again before the next tick of its schedule, and is after it', async () => {
    const second = commitFiles(work, { 'drivers/nvdimm/pmem.c': 'two\n' }, 'pmem: two');
    push('libnvdimm-for-next');
    const early = await syncRemote(tree, { now: new Date('2025-01-01T10:14:00Z'), log });
    expect(early).toMatchObject({ fetched: false, heads: { 'libnvdimm-for-next': first } });
    const late = await syncRemote(tree, { now: new Date('2025-01-01T10:16:00Z'), log });
    expect(late.reason).toBe('heads older than the schedule (last tick 2025-01-01T10:15:00.000Z)');
    expect(late.moved).toEqual([{ branch: 'libnvdimm-for-next', from: first, to: second }]);
    expect(await commitOf(tree.dir, 'libnvdimm-for-next')).toBe(second);
  });

  it('keeps the last good heads when the remote is gone, and backs off', async () => {
    const good = await commitOf(tree.dir, 'libnvdimm-for-next');
    renameSync(upstream, `${upstream}.away`);
    try {
      const failed = await syncRemote(tree, { now: new Date('2025-01-01T11:00:00Z'), log, force: true });
      expect(failed.fetched).toBe(false);
      expect(failed.error).toMatch(/nvdimm\.git|does not appear|not found|No such/i);
      expect(failed.heads['libnvdimm-for-next']).toBe(good);
      expect(failed.state.failures).toBe(1);
      const soon = await syncRemote(tree, { now: new Date('2025-01-01T11:00:30Z'), log, force: true });
      expect(soon.reason).toBe('backing off after 1 failed fetches until 2025-01-01T11:01:00.000Z');
      // A job still gets the last good heads.
      expect((await remoteHeads(tree, { now: new Date('2025-01-01T11:00:40Z'), log }))['libnvdimm-for-next']).toBe(
        good,
      );
    } finally {
      renameSync(`${upstream}.away`, upstream);
    }
    const back = await syncRemote(tree, { now: new Date('2025-01-01T11:01:00Z'), log, force: true });
    expect(back).toMatchObject({ fetched: true, state: { failures: 0, lastError: null } });
  });

  it('fetches a commit by id that no configured branch holds, and pins it', async () => {
    const topic = commitFiles(work, { 'drivers/nvdimm/bus.c': 'topic\n' }, 'bus: a topic');
    push('topic');
    expect(await commitOf(tree.dir, topic)).toBeNull();
    expect(await fetchCommitById(tree, topic, log)).toBe(true);
    expect(await commitOf(tree.dir, topic)).toBe(topic);
    expect(git(tree.dir, 'rev-parse', `refs/daxbot/commits/${topic}`)).toBe(topic);
    expect(await fetchCommitById(tree, 'f'.repeat(40), log)).toBe(false);
  });

  it('a tree never fetched has no heads: an infrastructure error, not a result', async () => {
    const gone: RemoteTree = { ...tree, url: `file://${tmp}/missing.git`, dir: path.join(tmp, 'cache', 'gone.git') };
    await expect(remoteHeads(gone, { now: new Date(), log })).rejects.toMatchObject({ kind: 'infra' });
  });
});
