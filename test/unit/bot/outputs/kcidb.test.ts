/**
 * The KCIDB report of pipeline runs (fake runner: a five-patch series whose patch 3 crashes, and
 * a clean one), checked object by object and validated by kcidb-io's own validator (skipped when
 * ../shared/upstream or Debian's python3-jsonschema is missing). The report of a real QEMU run is
 * validated in test/integration/pipeline-demo.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { finishedJobResults } from '../../../../bot/outputs/kcidb/collect.ts';
import { kcidbReport, testPath, testStatus } from '../../../../bot/outputs/kcidb/report.ts';
import { runCycle } from '../../../../bot/queue/cycle.ts';
import { expectGolden } from '../../../helpers/golden.ts';
import { kcidbIoAvailable, validateKcidb } from '../../../helpers/kcidb-io.ts';
import { crashFinding, FakeRunner, FakeSender, fakeDeps, storeWith, version } from '../../../helpers/pipeline-fakes.ts';
import { BASE, jobResult, storedBaseline, storedRun } from './job-result-fixture.ts';

const DASHBOARD = 'https://daxbot.example.org';

async function pipelineReport(since?: string) {
  const store = await storeWith([version('bad#v1', 5), version('clean#v1', 2)]);
  const deps = fakeDeps(store, new FakeRunner({ badPatch: 3, patches: 5 }), new FakeSender());
  await runCycle(deps, { since: null });
  const jobs = await finishedJobResults(store, { since, dashboardUrl: `${DASHBOARD}/` });
  await store.close();
  return kcidbReport(jobs, { origin: 'daxbot' });
}

describe('KCIDB export', () => {
  it('a checkout per base plus series and for the base, builds per runner, tests, a crash as an issue', async () => {
    const r = await pipelineReport();
    expect(r.version).toEqual({ major: 5, minor: 3 });
    const base = 'c'.repeat(40);
    expect(r.checkouts.map((c) => c.id).sort()).toEqual(
      [`daxbot:bad#v1@${base}`, `daxbot:base:linux:${base}`, `daxbot:clean#v1@${base}`].sort(),
    );
    const bad = r.checkouts.find((c) => c.id.startsWith('daxbot:bad#v1'));
    expect(bad).toMatchObject({ git_commit_hash: base, message_id: 'bad#v1-0@example.org', valid: true });
    expect(bad?.misc?.patches).toHaveLength(5);
    expect(r.checkouts.find((c) => c.id.startsWith('daxbot:base:'))?.patchset_hash).toBe('');
    // Two series builds (one per job) and one base build shared by both jobs.
    expect(r.builds.map((b) => b.id).filter((id) => id.includes(':job'))).toHaveLength(2);
    expect(r.builds.filter((b) => b.id.includes(':base-build:'))).toHaveLength(1);
    expect(r.builds.every((b) => b.status === 'PASS' && b.log_url?.startsWith(`${DASHBOARD}/`))).toBe(true);
    const badBuild = r.builds.find((b) => b.checkout_id === bad?.id);
    const badTests = r.tests.filter((t) => t.build_id === badBuild?.id);
    // Two series runs (the failure confirmed once), each with boot and the suite's test.
    expect(badTests.map((t) => `${t.path}=${t.status}`).sort()).toEqual([
      'boot=PASS',
      'boot=PASS',
      'dax.mount-dax=FAIL',
      'dax.mount-dax=FAIL',
    ]);
    expect(badTests[0]?.log_url).toMatch(new RegExp(`^${DASHBOARD}/runs/\\d+$`));
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]?.comment).toBe('BUG: kernel NULL pointer dereference, address: 0000000000000008');
    expect(r.incidents.length).toBe(2);
    expect(r.incidents.every((i) => i.issue_id === r.issues[0]?.id && i.build_id === badBuild?.id)).toBe(true);
  });

  it('--since leaves out jobs finished before it', async () => {
    expect((await pipelineReport('2024-06-03T00:00:00.000Z')).checkouts).toEqual([]);
    expect((await pipelineReport('2024-06-01T00:00:00.000Z')).checkouts).toHaveLength(3);
  });

  it('golden: a crash confirmed on a repeat, an apply failure, a build failure; nothing for no verdict', () => {
    const crashed = { findings: [crashFinding], tests: [{ suite: 'dax', name: 'mount-dax', status: 'fail' as const }] };
    const jobs = [
      jobResult(
        { outcome: 'regression', firstBad: 3, summary: 'new crash' },
        {
          runs: [storedRun(3, crashed), storedRun(4, crashed, 'series:1'), storedRun(5, crashed, 'bisect:3')],
          baselines: [storedBaseline(1), storedBaseline(2, 1)],
        },
      ),
      jobResult(
        { outcome: 'apply-failed', failedPatch: 2, summary: 'patch 2 does not apply' },
        {
          jobId: 8,
          versionKey: 'a#v1',
          runs: [
            storedRun(6, {
              build: null,
              booted: false,
              tests: [],
              apply: {
                ok: false,
                base: BASE,
                head: null,
                patchCommits: [],
                attempts: [{ base: BASE, reason: 'branch', ok: false, failedPatch: 2, output: 'error: patch failed' }],
              },
            }),
          ],
        },
      ),
      jobResult(
        { outcome: 'build-failed', summary: 'build error' },
        {
          jobId: 9,
          versionKey: 'b#v1',
          runs: [
            storedRun(7, {
              booted: false,
              tests: [],
              build: {
                ok: false,
                configHash: 'cfg',
                buildDir: '/b',
                durationMs: 5000,
                errors: [{ file: 'fs/dax.c', line: 12, severity: 'error', message: "'x' undeclared" }],
                warnings: [],
              },
            }),
          ],
        },
      ),
      jobResult(null, { jobId: 10, versionKey: 'infra#v1' }),
      jobResult({ outcome: 'regression' }, { jobId: 11, versionKey: 'w#v1', withdrawn: true, runs: [storedRun(8)] }),
    ];
    const report = kcidbReport(jobs, { origin: 'daxbot' });
    expectGolden('outputs/kcidb-report', report);
    if (kcidbIoAvailable()) expect(validateKcidb(report)).toEqual({ ok: true, schema: 'v5.3' });
  });

  it('test paths and statuses in KCIDB terms', () => {
    expect(testPath('ndctl', 'ndctl/dax-ext4.sh')).toBe('ndctl.ndctl.dax-ext4_sh');
    expect(testPath('fstests', 'generic/470')).toBe('fstests.generic.470');
    expect(testPath('dax', 'mmap sync (4k)')).toBe('dax.mmap_sync_4k_');
    expect(['pass', 'fail', 'skip', 'error', 'timeout'].map((s) => testStatus(s as 'pass'))).toEqual([
      'PASS',
      'FAIL',
      'SKIP',
      'ERROR',
      'FAIL',
    ]);
  });

  it.skipIf(!kcidbIoAvailable())('kcidb-io validates the report and refuses a broken one', async () => {
    const r = await pipelineReport();
    expect(validateKcidb(r)).toEqual({ ok: true, schema: 'v5.3' });
    const broken = structuredClone(r);
    const test = broken.tests[0];
    if (!test) throw new Error('no test');
    Object.assign(test, { status: 'CRASHED' });
    const refused = validateKcidb(broken);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatch(/'CRASHED' is not one of .* at tests\/0\/status/);
  });
});
