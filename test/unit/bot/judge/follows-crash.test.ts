import { describe, expect, it } from 'vitest';
import { crashFollowers, followedCrash } from '../../../../bot/judge/follows-crash.ts';
import { judge } from '../../../../bot/judge/verdict.ts';
import { crash, makeRun, t } from './make-run.ts';

const oops = { ...crash('BUG: kernel NULL pointer dereference in dax_writeback'), test: 'mmap.sh' };
const baseTests = [t('dax-ext4.sh', 'pass'), t('mmap.sh', 'pass'), t('device-dax', 'pass'), t('dm.sh', 'pass')];
/** dax-ext4.sh fails on its own before the crash; mmap.sh crashed; device-dax is busy after it. */
const crashed = makeRun({
  tests: [
    t('dax-ext4.sh', 'fail', { reason: 'exit status 1' }),
    t('mmap.sh', 'fail', { reason: 'killed' }),
    t('device-dax', 'fail', { reason: 'Device or resource busy' }),
    t('dm.sh', 'pass'),
  ],
  findings: [oops],
});

describe('failures after a crash in the same boot', () => {
  it("are the crash's test and the failed tests after it; a failure before it is its own", () => {
    const f = crashFollowers(crashed);
    expect([...f.keys()]).toEqual(['ndctl/mmap.sh', 'ndctl/device-dax']);
    expect(f.get('ndctl/device-dax')).toEqual({ title: oops.title, test: 'ndctl/mmap.sh' });
  });

  it('follow a crash the runner named as stopping the guest, wherever they are', () => {
    const run = makeRun({
      tests: [t('dm.sh', 'timeout', { reason: `guest stopped after: ${oops.title}` })],
      findings: [{ ...oops, test: undefined }],
    });
    expect(crashFollowers(run).get('ndctl/dm.sh')).toEqual({ title: oops.title, test: null });
  });

  it('stay failures of their own when one run failed them without a crash before', () => {
    const clean = makeRun({ tests: [t('mmap.sh', 'pass'), t('device-dax', 'fail')] });
    const runs = [crashed, clean];
    expect(followedCrash('ndctl/device-dax', runs, runs.map(crashFollowers))).toBeNull();
    expect(followedCrash('ndctl/mmap.sh', runs, runs.map(crashFollowers))?.title).toBe(oops.title);
  });

  it('are not blamed: the verdict reports the crash and the failure of its own', () => {
    const v = judge({
      baseRuns: [makeRun({ tests: baseTests }), makeRun({ tests: baseTests })],
      seriesRuns: [crashed, crashed],
    });
    const cls = Object.fromEntries(v.entries.map((e) => [e.key, e.class]));
    expect(cls['ndctl/mmap.sh']).toBe('follows-crash');
    expect(cls['ndctl/device-dax']).toBe('follows-crash');
    expect(cls['ndctl/dax-ext4.sh']).toBe('new-failure');
    expect(v.outcome).toBe('regression');
    expect(v.summary).toBe('1 new crash, 1 new test failure');
  });
});
