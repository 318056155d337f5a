import { describe, expect, it } from 'vitest';
import { runCycle } from '../../../../bot/queue/cycle.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { jobRuns } from '../../../../bot/store/runs.ts';
import { FakeRunner, FakeSender, fakeDeps, storeWith, version } from '../../../helpers/pipeline-fakes.ts';

describe('every patch builds, through the pipeline (fake runner)', () => {
  it('builds the prefixes after the runtime runs and mails a pass that is not bisectable', async () => {
    const store = await storeWith([version('nb#v1', 4)]);
    const sender = new FakeSender();
    const runner = new FakeRunner({ badPatch: null, patches: 4, brokenPrefixes: [2] });
    await runCycle(fakeDeps(store, runner, sender), { since: null });
    const [job] = await listJobs(store.db);
    expect(job?.outcome).toBe('pass');
    // Series and base first (the verdict), then patches 1..1, 1..2, 1..3, build only.
    expect(runner.calls.map((c) => [c.patchLimit ?? null, c.buildOnly ?? false])).toEqual([
      [null, false],
      [null, false],
      [1, true],
      [2, true],
      [3, true],
    ]);
    const runs = await jobRuns(store.db, job?.id ?? -1);
    expect(runs.filter((r) => r.role === 'prefix').map((r) => r.step)).toEqual(['prefix:1', 'prefix:2', 'prefix:3']);
    expect(sender.sent).toHaveLength(1);
    const body = (sender.sent[0]?.raw ?? '').replace(/\r\n/g, '\n');
    expect(body).toMatch(/first patch that does not build: \[PATCH 2\/4\]/);
    expect(body).toMatch(/builds again with: \[PATCH 3\/4\]/);
    expect(body).toContain('drivers/nvdimm/pmem.c:531:6: error: no x');
    await store.close();
  });

  it('never holds up the verdict: a prefix build lost to the machinery is passed over, not retried', async () => {
    const store = await storeWith([version('nb#v1', 3)]);
    const sender = new FakeSender();
    const runner = new FakeRunner({ badPatch: null, patches: 3, buildOnlyInfra: true });
    await runCycle(fakeDeps(store, runner, sender), { since: null });
    const [job] = await listJobs(store.db);
    expect([job?.state, job?.outcome, job?.attempts]).toEqual(['done', 'pass', 0]);
    expect(runner.calls.filter((c) => c.buildOnly)).toHaveLength(2);
    expect(sender.sent).toHaveLength(0);
    await store.close();
  });
});
