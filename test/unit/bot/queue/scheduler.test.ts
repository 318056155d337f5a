/**
 * `daxbot run`'s loop: command mail is handled while a job runs (the intake is not held up by
 * the queue), and the re-run it queues is the next job claimed, ahead of a new series that was
 * queued before it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DkimVerdict } from '../../../../bot/commands/authorize.ts';
import { processCommands } from '../../../../bot/commands/process.ts';
import { createPipelineLoop } from '../../../../bot/queue/scheduler.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { storeMessage } from '../../../../bot/store/messages.ts';
import { toIncoming } from '../../../../bot/intake/ingest.ts';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import type { RunRequest, RunResult, Runner } from '../../../../runners/types.ts';
import {
  FakeSender,
  fakeDeps,
  fileStoreWith,
  runResult,
  testConfig,
  version,
} from '../../../helpers/pipeline-fakes.ts';

const noDkim = async (): Promise<DkimVerdict> => ({
  pass: false,
  domains: [],
  fromDomain: null,
  detail: 'none (no signature)',
});

/** Passes every run; the very first one waits until the test releases it (a long build). */
class GatedRunner implements Runner {
  readonly name = 'fake';
  readonly description = 'first run held until released';
  /** Job id of each run, in order (from the job's work folder). */
  readonly jobs: number[] = [];
  release: () => void = () => undefined;
  readonly started: Promise<void>;
  private readonly gate: Promise<void>;
  private markStarted: () => void = () => undefined;
  constructor() {
    this.gate = new Promise((r) => (this.release = r));
    this.started = new Promise((r) => (this.markStarted = r));
  }
  async run(req: RunRequest): Promise<RunResult> {
    this.jobs.push(Number(path.basename(req.workDir)));
    if (this.jobs.length === 1) {
      this.markStarted();
      await this.gate;
    }
    return runResult();
  }
}

describe('the run loop', () => {
  it('queues a re-test from mail while a job runs, and claims it before an older queued new series', async () => {
    const store = await fileStoreWith([version('a#v1', 1), version('b#v1', 1)]);
    const runner = new GatedRunner();
    const deps = fakeDeps(store, runner, new FakeSender(), {
      config: testConfig({ schedule: { confirmRepeats: 1, incompleteWait: '1h', concurrency: 1 } }),
    });
    const loop = createPipelineLoop(deps, {
      since: null,
      processCommands: async () => {
        await processCommands(deps, { verifyDkim: noDkim });
      },
    });

    // First tick: both new series queued; the one worker takes a#v1 and is stuck in its build.
    await loop.intake();
    await runner.started;
    expect((await listJobs(store.db)).map((j) => [j.id, j.versionKey, j.trigger])).toEqual([
      [1, 'a#v1', 'new-series'],
      [2, 'b#v1', 'new-series'],
    ]);

    // A maintainer asks for a re-test of a#v1; the next tick handles it at once, mid-build.
    const raw = Buffer.from(
      'From: Bob <bob@example.org>\nTo: nvdimm@lists.linux.dev\nSubject: Re: [PATCH] patch number 1\nDate: Sun, 02 Jun 2024 12:00:00 +0000\nMessage-ID: <retest@example.org>\nIn-Reply-To: <a#v1-1@example.org>\n\n#daxbot retest\n',
    );
    await storeMessage(
      store.db,
      'test',
      await toIncoming({ raw, origin: 'test' }, { parse: (r) => parseMessage(r), followups: () => [] }),
      '2024-06-02T12:00:00.000Z',
    );
    await loop.intake();
    expect(runner.jobs).toEqual([1]);
    const rerun = (await listJobs(store.db)).find((j) => j.trigger === 'command');
    expect(rerun).toMatchObject({ id: 3, versionKey: 'a#v1', priority: 10, state: 'new' });

    // The build ends: the worker's next claim is the re-run, then the waiting new series.
    runner.release();
    await loop.idle();
    const order = runner.jobs.filter((id, i, all) => all.indexOf(id) === i);
    expect(order).toEqual([1, 3, 2]);
    expect((await listJobs(store.db)).every((j) => j.state === 'done')).toBe(true);
    await store.close();
  });
});
