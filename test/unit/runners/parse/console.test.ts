import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeConsole, normalizeTitle } from '../../../../runners/parse/console.ts';
import { expectGolden } from '../../../helpers/golden.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const oopsDir = resolve(repoRoot, '..', 'shared', 'corpus', 'lore-nvdimm', 'extracted', 'oops');

const NULL_DEREF = [
  '[   42.100000] BUG: kernel NULL pointer dereference, address: 0000000000000008',
  '[   42.100001] #PF: supervisor read access in kernel mode',
  '[   42.100002] Oops: 0000 [#1] PREEMPT SMP NOPTI',
  '[   42.100003] CPU: 0 PID: 1 Comm: mount Tainted: G        W          6.8.0-rc1 #1',
  '[   42.100004] RIP: 0010:fs_dax_release+0x12/0x40',
  '[   42.100005] Code: 00 00 <48> 8b 47 08',
  '[   42.100006] Call Trace:',
  '[   42.100007]  <TASK>',
  '[   42.100008]  ? __die+0x1e/0x60',
  '[   42.100009]  fs_dax_release+0x12/0x40',
  '[   42.100010]  xfs_free_buftarg+0x3a/0x60',
  '[   42.100011]  xfs_fs_put_super+0x4c/0x90',
  '[   42.100012]  entry_SYSCALL_64_after_hwframe+0x6e/0x76',
  '[   42.100013]  </TASK>',
].join('\r\n');

describe('analyzeConsole', () => {
  it('names a NULL dereference after the faulting function and reads RIP, trace, process, taint', () => {
    const [f] = analyzeConsole(`boot noise\n${NULL_DEREF}\nmore noise\n`);
    expect(f?.title).toBe('BUG: unable to handle kernel NULL pointer dereference in fs_dax_release');
    expect(f?.type).toBe('null-deref');
    expect(f?.rip).toBe('fs_dax_release+0x12/0x40');
    expect(f?.trace).toEqual(['fs_dax_release+0x12/0x40', 'xfs_free_buftarg+0x3a/0x60', 'xfs_fs_put_super+0x4c/0x90']);
    expect(f?.process).toBe('mount');
    expect(f?.taint).toBe('GW');
  });

  it('titles a WARNING by its function and a general protection fault by RIP', () => {
    const warn = analyzeConsole(
      [
        'WARNING: CPU: 1 PID: 77 at lib/percpu-refcount.c:400 percpu_ref_kill_and_confirm+0x8a/0xb0',
        'Modules linked in:',
        'RIP: 0010:percpu_ref_kill_and_confirm+0x8a/0xb0',
        'Call Trace:',
        ' devm_memremap_pages_release+0x20/0x40',
      ].join('\n'),
    );
    expect(warn[0]?.title).toBe('WARNING in percpu_ref_kill_and_confirm');
    expect(warn[0]?.type).toBe('warning');
    const gpf = analyzeConsole(
      [
        'general protection fault, probably for non-canonical address 0xdffffc0000000001: 0000 [#1] SMP KASAN',
        'CPU: 0 PID: 5 Comm: kworker/0:1 Not tainted 6.1.0 #1',
        'RIP: 0010:folio_mark_dirty+0x2c/0x140',
        'Call Trace:',
        ' dax_writeback_one+0x1a0/0x300',
      ].join('\n'),
    );
    expect(gpf[0]?.title).toBe('general protection fault in folio_mark_dirty');
    expect(gpf[0]?.taint).toBeNull();
  });

  it('detects lockdep, hung task and soft lockup', () => {
    const lockdep = analyzeConsole(
      [
        '======================================================',
        'WARNING: possible circular locking dependency detected',
        '6.8.0 #1 Not tainted',
        '------------------------------------------------------',
        'fsdax/12 is trying to acquire lock:',
        'ffff888 (&mapping->i_mmap_rwsem){++++}-{3:3}, at: dax_iomap_fault+0x100/0x200',
        '',
        'but task is already holding lock:',
        'ffff889 (&sb->s_type->i_mutex_key#5){+.+.}-{3:3}, at: xfs_ilock+0x10/0x20',
      ].join('\n'),
    );
    expect(lockdep[0]?.title).toBe('possible deadlock in dax_iomap_fault');
    expect(lockdep[0]?.type).toBe('lockdep');
    const hung = analyzeConsole(
      [
        'INFO: task mount:123 blocked for more than 120 seconds.',
        '      Not tainted 6.8.0 #1',
        'Call Trace:',
        ' <TASK>',
        ' __schedule+0x100/0x200',
        ' schedule+0x10/0x20',
        ' rwsem_down_write_slowpath+0x100/0x200',
        ' dax_iomap_rw+0x30/0x80',
        ' </TASK>',
      ].join('\n'),
    );
    expect(hung[0]?.title).toBe('INFO: task hung in dax_iomap_rw');
    expect(hung[0]?.type).toBe('hung-task');
    const soft = analyzeConsole(
      'watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [fio:200]\nRIP: 0010:dax_iomap_iter+0x10/0x90\nCall Trace:\n dax_iomap_rw+0x10/0x20\n vfs_write+0x10/0x20\n',
    );
    expect(soft[0]?.type).toBe('soft-lockup');
    expect(soft[0]?.title).toBe('BUG: soft lockup in dax_iomap_rw');
  });

  it('returns nothing for a clean boot and keeps the order of several reports', () => {
    expect(analyzeConsole('[    0.000000] Linux version 6.8.0\n[    1.0] Run /init as init process\n')).toEqual([]);
    const two = analyzeConsole(
      `${NULL_DEREF}\n[   50.000000] Kernel panic - not syncing: Fatal exception\n[   60.000000] WARNING: CPU: 0 PID: 1 at fs/dax.c:10 dax_foo+0x1/0x2\n[   60.000001] RIP: 0010:dax_foo+0x1/0x2\n`,
    );
    expect(two.map((f) => f.title)).toEqual([
      'BUG: unable to handle kernel NULL pointer dereference in fs_dax_release',
      'WARNING in dax_foo',
    ]);
  });

  it('stays linear on a huge single line and many lines', () => {
    const t0 = performance.now();
    analyzeConsole(`${'x'.repeat(5_000_000)}\n${'[ 1.0] a b c WARNING\n'.repeat(200_000)}`);
    expect(performance.now() - t0).toBeLessThan(20_000);
  }, 30_000);

  it('normalizes numbers and addresses like syzkaller', () => {
    expect(normalizeTitle('kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)')).toBe(
      'kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)',
    );
    expect(normalizeTitle('KASAN: slab-out-of-bounds in foo at addr ffff88801a663430')).toBe(
      'KASAN: slab-out-of-bounds in foo at addr ADDR',
    );
  });
});

describe.skipIf(!existsSync(oopsDir))('analyzeConsole on oops messages of the nvdimm list (golden)', () => {
  const files = existsSync(oopsDir)
    ? readdirSync(oopsDir)
        .filter((f) => f.endsWith('.txt'))
        .sort()
    : [];
  it('matches the golden findings', () => {
    const all: Record<
      string,
      { title: string; type: string; rip: string | null; trace: string[]; process?: string | null }[]
    > = {};
    for (const file of files) {
      const findings = analyzeConsole(readFileSync(resolve(oopsDir, file), 'utf8'), { max: 3 });
      all[file] = findings.map((f) => ({
        title: f.title,
        type: f.type,
        rip: f.rip,
        trace: f.trace.slice(0, 8),
        process: f.process ?? null,
      }));
    }
    const detected = Object.values(all).filter((v) => v.length > 0).length;
    console.log(`oops corpus: ${detected}/${files.length} messages with a detected report`);
    expect(detected / files.length).toBeGreaterThan(0.8);
    expectGolden('parse-output/oops-findings', all);
  });
});
