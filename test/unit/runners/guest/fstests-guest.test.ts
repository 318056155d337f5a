/**
 * The fstests-dax guest pieces that need no kernel, run on the host with busybox sh (the guest's
 * shell): the filter that turns check's outcome lines into KTAP result lines (what ends the
 * host's per-test timer), and the LOGGER_PROG that marks each test's start.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGuestLine } from '../../../../runners/guest/protocol.ts';
import { hasBinary } from '../../../helpers/servers/binaries.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const scripts = path.join(repoRoot, 'runners', 'guest', 'fstests');
const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

// check's output for one filesystem as it scrolls by (the padding and times are check's).
const CHECK_OUTPUT = [
  'FSTYP         -- xfs (non-debug)',
  'PLATFORM      -- Linux/x86_64 (none) 6.1.0-daxbot #1 SMP PREEMPT_DYNAMIC',
  'MKFS_OPTIONS  -- -f /dev/pmem0.1',
  'MOUNT_OPTIONS -- -o dax=always /dev/pmem0.1 /mnt/scratch',
  '',
  'generic/413        11s',
  'generic/470       [not run] This test requires a valid $LOGWRITES_DEV',
  'generic/608        - output mismatch (see /results/xfs/generic/608.out.bad)',
  '    --- tests/generic/608.out\t2025-12-23 10:00:00.000000000 +0000',
  '    +++ /results/xfs/generic/608.out.bad\t2026-01-01 00:00:00.000000000 +0000',
  'xfs/550 12s ...  [failed, exit status 1]- output mismatch (see /results/xfs/xfs/550.out.bad)',
  'xfs/551 3s ...  4s',
  'Ran: generic/413 generic/470 generic/608 xfs/550 xfs/551',
  'Not run: generic/470',
  'Failures: generic/608 xfs/550',
  'Failed 2 of 5 tests',
];

describe.skipIf(!hasBinary('busybox'))('fstests-dax guest scripts (busybox sh)', () => {
  it('echoes check and adds one KTAP result per test outcome, clearing the running test', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-fstests-guest-'));
    temps.push(dir);
    const current = path.join(dir, 'current');
    const r = spawnSync(
      'busybox',
      [
        'sh',
        '-c',
        `echo '0 xfs.xfs/551' > "$CURRENT"; . "$1"; results_filter xfs`,
        'sh',
        path.join(scripts, 'fstests-lib.sh'),
      ],
      { input: `${CHECK_OUTPUT.join('\n')}\n`, encoding: 'utf8', env: { CURRENT: current, PATH: process.env.PATH } },
    );
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => !/^(not )?ok /.test(l))).toEqual([...CHECK_OUTPUT, '']);
    expect(lines.filter((l) => /^(not )?ok /.test(l))).toEqual([
      'ok 1 xfs.generic/413',
      'ok 2 xfs.generic/470 # SKIP This test requires a valid $LOGWRITES_DEV',
      'not ok 3 xfs.generic/608',
      'not ok 4 xfs.xfs/550',
      'ok 5 xfs.xfs/551',
    ]);
    expect(lines.map(parseGuestLine).filter((e) => e?.kind === 'result')).toHaveLength(5);
    expect(readFileSync(current, 'utf8')).toBe('');
  });

  it('the suite script and its helpers parse as busybox sh', () => {
    for (const f of ['fstests-dax.sh', 'fstests-lib.sh', 'logger.sh']) {
      const r = spawnSync('busybox', ['sh', '-n', path.join(scripts, f)], { encoding: 'utf8' });
      expect([f, r.status, r.stderr]).toEqual([f, 0, '']);
    }
  });

  it('the logger marks the start of the test check names, with the filesystem', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-fstests-logger-'));
    temps.push(dir);
    const console = path.join(dir, 'console');
    const current = path.join(dir, 'current');
    // The script writes to fixed guest paths: run a copy pointed at temporary files.
    const text = readFileSync(path.join(scripts, 'logger.sh'), 'utf8')
      .replaceAll('/tmp/daxbot-current-test', current)
      .replaceAll('/dev/console', console);
    const r = spawnSync('busybox', ['sh', '-c', text, 'logger', 'run xfstest generic/608'], {
      encoding: 'utf8',
      env: { DAXBOT_FS: 'xfs', PATH: process.env.PATH },
    });
    expect(r.status).toBe(0);
    expect(parseGuestLine(readFileSync(console, 'utf8').trim())).toEqual({
      kind: 'test-start',
      test: 'xfs.generic/608',
    });
    expect(readFileSync(current, 'utf8')).toBe('0 xfs.generic/608\n');
  });
});
