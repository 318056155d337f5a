/**
 * The results disk's tar reader against real tar streams (busybox tar, the one the guest runs, and
 * GNU tar) and against the hostile or broken streams a guest running a bad kernel could leave.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createResultsDisk, readResultsDisk, readTarEntries, virtioDiskArgs } from '../../../../runners/guest/disks.ts';
import { hasBinary } from '../../../helpers/servers/binaries.ts';

const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

async function tree(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-tar-'));
  temps.push(dir);
  mkdirSync(path.join(dir, 'results', 'xfs', 'generic'), { recursive: true });
  writeFileSync(path.join(dir, 'results', 'xfs', 'result.xml'), '<testsuite/>\n');
  writeFileSync(path.join(dir, 'results', 'xfs', 'generic', '608.out.bad'), 'x'.repeat(1500));
  writeFileSync(path.join(dir, 'results', 'empty'), '');
  return dir;
}

/** A tar stream written onto a zeroed disk image, as the guest's dd leaves it. */
function onDisk(tar: Buffer, size = 1 << 20): Buffer {
  const img = Buffer.alloc(size);
  tar.copy(img);
  return img;
}

describe('readTarEntries', () => {
  it.each([
    ['busybox', ['busybox', 'tar']],
    ['GNU tar', ['tar', '--format=ustar']],
  ])('reads the regular files of a %s stream and skips folders', async (_name, [cmd = 'tar', ...flags]) => {
    if (!hasBinary(cmd)) return;
    const dir = await tree();
    const tar = execFileSync(cmd, [...flags, '-c', '-f', '-', '.'], { cwd: path.join(dir, 'results') });
    const entries = readTarEntries(onDisk(tar));
    expect(entries.map((e) => [e.name, e.data.length]).sort()).toEqual([
      ['empty', 0],
      ['xfs/generic/608.out.bad', 1500],
      ['xfs/result.xml', 13],
    ]);
    expect(entries.find((e) => e.name === 'xfs/result.xml')?.data.toString()).toBe('<testsuite/>\n');
  });

  it('stops at a bad checksum, a size past the end, or garbage, keeping what came before', async () => {
    const dir = await tree();
    const tar = execFileSync('tar', ['--format=ustar', '-c', '-f', '-', 'xfs/result.xml', 'empty'], {
      cwd: path.join(dir, 'results'),
    });
    const good = readTarEntries(onDisk(tar));
    expect(good.map((e) => e.name)).toEqual(['xfs/result.xml', 'empty']);

    const badSum = onDisk(tar);
    badSum[1024 + 10] = 0x41; // the second header's name, checksum unchanged
    expect(readTarEntries(badSum).map((e) => e.name)).toEqual(['xfs/result.xml']);

    // A size that points past the image: the member is not read.
    expect(readTarEntries(tar.subarray(0, 520))).toEqual([]);
    expect(readTarEntries(Buffer.alloc(4096, 0x5a))).toEqual([]);
    expect(readTarEntries(Buffer.alloc(0))).toEqual([]);
  });

  it('never returns a name that could leave a folder', () => {
    const header = (name: string, body: string): Buffer => {
      const h = Buffer.alloc(512);
      h.write(name, 0);
      h.write('0000644\0', 100);
      h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
      h.write('        ', 148);
      h.write('0', 156);
      h.write('ustar\x0000', 257);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
      const data = Buffer.alloc(512);
      data.write(body);
      return Buffer.concat([h, data]);
    };
    const stream = Buffer.concat([
      header('../escape', 'a'),
      header('/etc/passwd', 'b'),
      header('./ok/../../x', 'c'),
      header('./fine.txt', 'd'),
      Buffer.alloc(1024),
    ]);
    expect(readTarEntries(stream).map((e) => [e.name, e.data.toString()])).toEqual([['fine.txt', 'd']]);
  });
});

describe('results disk', () => {
  it('is a fresh sparse image, read back within the bytes the guest reported', async () => {
    const dir = await tree();
    const img = path.join(dir, 'results.img');
    writeFileSync(img, 'stale');
    await createResultsDisk(img, 2);
    expect(readFileSync(img).length).toBe(2 * 1024 * 1024);
    expect(await readResultsDisk(img, 1 << 20)).toEqual([]);
    const tar = execFileSync('tar', ['--format=ustar', '-c', '-f', '-', 'xfs/result.xml'], {
      cwd: path.join(dir, 'results'),
    });
    writeFileSync(img, onDisk(tar, 2 << 20));
    expect((await readResultsDisk(img, tar.length)).map((e) => e.name)).toEqual(['xfs/result.xml']);
    expect(await readResultsDisk(path.join(dir, 'missing.img'), 100)).toEqual([]);
  });

  it('attaches qcow2 overlays and the raw results disk by serial', () => {
    expect(virtioDiskArgs('/w/root.qcow2', 'r', 'daxbot-root')).toEqual([
      '-drive',
      'file=/w/root.qcow2,format=qcow2,if=none,id=r,cache=unsafe',
      '-device',
      'virtio-blk-pci,drive=r,serial=daxbot-root',
    ]);
    expect(virtioDiskArgs('/w/results.img', 'x', 'daxbot-results', 'raw')[1]).toBe(
      'file=/w/results.img,format=raw,if=none,id=x,cache=unsafe',
    );
  });
});
