/**
 * Per-runner dispatch: the pure rule (paths, globs, lists, defaults), then the enqueue site on a
 * real store: a project-written mbox (test/fixtures/pipeline/dispatch.mbox) of three single-patch
 * series, a CXL one sent to linux-cxl, an nvdimm one, and a documentation one Cc'd to linux-cxl, is
 * ingested and assembled, and enqueued to an nfit-sim runner with no rule and a cxl-sim runner
 * whose rule names the CXL paths and list.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, sourceSchema } from '../../../../config/schema.ts';
import { refreshSeries } from '../../../../bot/intake/refresh-series.ts';
import { ingestOne } from '../../../../bot/intake/run-ingest.ts';
import { silentLogger } from '../../../../bot/log.ts';
import { dispatchDecision, pathMatches, runnersForSeries } from '../../../../bot/queue/dispatch-rule.ts';
import { dispatchTargets, enqueueNewVersions, enqueueRerunGroup } from '../../../../bot/queue/enqueue.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { seriesFacts } from '../../../../bot/store/series-facts.ts';
import { openStore } from '../../../../bot/store/store.ts';

const CXL_RULE = {
  paths: ['drivers/cxl/', 'tools/testing/cxl/', 'include/linux/cxl*'],
  lists: ['linux-cxl@vger.kernel.org'],
};
const facts = (files: string[], recipients: string[] = [], listId: string | null = null) => ({
  files,
  recipients,
  listId,
});

describe('pathMatches', () => {
  it.each([
    ['drivers/cxl/', 'drivers/cxl/core/region.c', true],
    ['drivers/cxl/', 'drivers/cxlx/a.c', false],
    ['drivers/cxl', 'drivers/cxl/pci.c', true],
    ['drivers/cxl', 'drivers/cxl', true],
    ['drivers/cxl', 'drivers/cxlfoo.c', false],
    ['include/linux/cxl*', 'include/linux/cxl-event.h', true],
    ['include/linux/cxl*', 'include/linux/cxl.h', true],
    ['include/linux/cxl*', 'include/linux/cxl/sub.h', false],
    ['include/linux/cxl*', 'include/uapi/linux/cxl_mem.h', false],
    ['**/cxl*.h', 'include/uapi/linux/cxl_mem.h', true],
    ['./tools/testing/cxl/', 'tools/testing/cxl/test/mem.c', true],
    ['drivers/cxl/core/region.c', 'drivers/cxl/core/region.c', true],
    ['drivers/cxl/core/region.?', 'drivers/cxl/core/region.c', true],
    ['', 'drivers/cxl/core/region.c', false],
  ])('%s against %s is %s', (pattern, file, want) => {
    expect(pathMatches(pattern, file)).toBe(want);
  });
});

describe('dispatchDecision', () => {
  it('sends every series to a runner without a rule, or with an empty one', () => {
    expect(dispatchDecision(undefined, facts(['fs/dax.c']))).toEqual({ wanted: true, reason: 'every series' });
    expect(dispatchDecision({ paths: [], lists: [] }, null).wanted).toBe(true);
  });

  it('wants a series touching a path, and says which', () => {
    expect(dispatchDecision(CXL_RULE, facts(['fs/dax.c', 'drivers/cxl/core/region.c']))).toEqual({
      wanted: true,
      reason: 'path drivers/cxl/core/region.c matches drivers/cxl/',
    });
  });

  it('wants a series sent to a list, in either spelling, by List-Id or To/Cc', () => {
    expect(dispatchDecision(CXL_RULE, facts(['Documentation/x.rst'], ['LINUX-CXL@vger.kernel.org'])).reason).toBe(
      'list linux-cxl@vger.kernel.org',
    );
    const byId = { paths: [], lists: ['linux-cxl.vger.kernel.org'] };
    expect(dispatchDecision(byId, facts([], [], '<linux-cxl.vger.kernel.org>')).wanted).toBe(true);
    expect(dispatchDecision(byId, facts([], ['linux-cxl@vger.kernel.org'])).wanted).toBe(true);
  });

  it('passes over a series that touches none of the paths and is sent to none of the lists', () => {
    expect(dispatchDecision(CXL_RULE, facts(['drivers/nvdimm/pmem.c'], ['nvdimm@lists.linux.dev']))).toEqual({
      wanted: false,
      reason: 'no path or list matched',
    });
  });

  it('sends a series whose mail is unreadable: better tested than lost', () => {
    expect(dispatchDecision(CXL_RULE, null)).toEqual({ wanted: true, reason: 'what the series touches is unknown' });
  });

  it('keeps the configured order of the runners that want a series', () => {
    const runners = [{ name: 'qemu-pmem' }, { name: 'cxl-sim', dispatch: CXL_RULE }, { name: 'nfit-sim' }];
    expect(runnersForSeries(runners, facts(['drivers/nvdimm/pmem.c']))).toEqual(['qemu-pmem', 'nfit-sim']);
    expect(runnersForSeries(runners, facts(['include/linux/cxl.h']))).toEqual(['qemu-pmem', 'cxl-sim', 'nfit-sim']);
  });
});

const mbox = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/pipeline/dispatch.mbox');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('enqueueing with dispatch rules (real store, ingested mbox)', () => {
  it('sends the CXL series and the one Cc to linux-cxl to cxl-sim, the nvdimm one only to nfit-sim', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-unit-dispatch-'));
    dirs.push(dir);
    const store = await openStore(path.join(dir, 'daxbot.sqlite'));
    const log = silentLogger();
    const now = new Date('2024-06-02T00:00:00.000Z');
    await ingestOne(sourceSchema.parse({ kind: 'mbox', name: 'dispatch', path: mbox }), store, log);
    await refreshSeries(store, { now, log });
    const config = configSchema.parse({
      runners: [
        { name: 'nfit-sim', kind: 'nfit-sim' },
        { name: 'cxl-sim', kind: 'cxl-sim', dispatch: CXL_RULE },
      ],
    });
    const versions = await store.db.selectFrom('series_versions').select(['version_key', 'subject']).execute();
    const keyOf = (subject: string): string => versions.find((v) => v.subject.includes(subject))?.version_key ?? '';
    const cxl = keyOf('cxl/region');
    const nvdimm = keyOf('nvdimm/pmem');
    const docs = keyOf('Documentation');
    expect([cxl, nvdimm, docs].every((k) => k !== '')).toBe(true);

    expect(await seriesFacts(store.db, cxl)).toEqual({
      files: ['drivers/cxl/core/region.c'],
      listId: null,
      recipients: ['linux-cxl@vger.kernel.org', 'nvdimm@lists.linux.dev', 'dan@example.com'],
    });

    await enqueueNewVersions(store, config, { now, since: null });
    const jobs = await listJobs(store.db, {});
    const runnersOf = (key: string): string[] =>
      jobs
        .filter((j) => j.versionKey === key)
        .map((j) => j.runner)
        .sort();
    expect(runnersOf(cxl)).toEqual(['cxl-sim', 'nfit-sim']);
    expect(runnersOf(nvdimm)).toEqual(['nfit-sim']);
    expect(runnersOf(docs)).toEqual(['cxl-sim', 'nfit-sim']);

    // A re-run follows the rules too, unless it names its runner.
    const rerun = await enqueueRerunGroup(store, config, nvdimm, { requestedBy: 'test' }, now);
    const named = await enqueueRerunGroup(store, config, nvdimm, { requestedBy: 'test' }, now, { runner: 'cxl-sim' });
    const after = await listJobs(store.db, {});
    expect(after.filter((j) => rerun.includes(j.id)).map((j) => j.runner)).toEqual(['nfit-sim']);
    expect(after.filter((j) => named.includes(j.id)).map((j) => j.runner)).toEqual(['cxl-sim']);

    // Without a rule of its own, a cxl-sim runner is dispatched by its kind's (the same paths
    // and list); an explicit empty rule takes every series.
    const byKind = configSchema.parse({
      runners: [
        { name: 'nfit-sim', kind: 'nfit-sim' },
        { name: 'cxl-sim', kind: 'cxl-sim' },
      ],
    });
    expect(await dispatchTargets(store.db, byKind, cxl)).toEqual(['nfit-sim', 'cxl-sim']);
    expect(await dispatchTargets(store.db, byKind, nvdimm)).toEqual(['nfit-sim']);
    const everything = configSchema.parse({
      runners: [{ name: 'cxl-sim', kind: 'cxl-sim', dispatch: { paths: [], lists: [] } }],
    });
    expect(await dispatchTargets(store.db, everything, nvdimm)).toEqual(['cxl-sim']);
    await store.close();
  });
});
