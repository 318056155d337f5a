/**
 * "#daxbot unrelated" and "#daxbot invalid" change what the pipeline does next: through the
 * store, the command processor and the job executor, with the scripted runner (patch 2 of 3
 * crashes the kernel) standing in for QEMU.
 */
import { describe, expect, it } from 'vitest';
import type { DkimVerdict } from '../../../../bot/commands/authorize.ts';
import { processQueue, runCycle } from '../../../../bot/queue/cycle.ts';
import { enqueueRerun } from '../../../../bot/queue/enqueue.ts';
import { processCommands } from '../../../../bot/commands/process.ts';
import { createScriptedRunner, SCRIPTED_CRASH_TITLE } from '../../../../bot/pipeline/scripted-runner.ts';
import type { PipelineDeps } from '../../../../bot/deps.ts';
import { listCommands } from '../../../../bot/store/commands.ts';
import { listJobs } from '../../../../bot/store/jobs.ts';
import { addInvalidMark, invalidMark, invalidVersionKeys, unrelatedMarks } from '../../../../bot/store/marks.ts';
import { storeMessage } from '../../../../bot/store/messages.ts';
import { ensureReply, getReply, versionReplies } from '../../../../bot/store/replies.ts';
import { saveSeriesVersions } from '../../../../bot/store/series.ts';
import type { Store } from '../../../../bot/store/store.ts';
import { toIncoming } from '../../../../bot/intake/ingest.ts';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import { FakeSender, fakeDeps, storeWith, testConfig, version } from '../../../helpers/pipeline-fakes.ts';

const MAINTAINER = 'Dan Maintainer <dan@example.org>';
// DKIM faked as the verifier would report a good signature from the From domain.
const dkimPass = async (): Promise<DkimVerdict> => ({
  pass: true,
  domains: ['example.org'],
  fromDomain: 'example.org',
  detail: 'pass (example.org)',
});

/** Deps whose series mbox has one Subject line per patch, which is what the scripted runner counts. */
function deps(
  store: Store,
  sender: FakeSender,
  badPatch: number | null,
  over: Partial<PipelineDeps> = {},
): PipelineDeps {
  return fakeDeps(store, createScriptedRunner('fake', { delayMs: 0, badPatch, baseCrashes: false }), sender, {
    config: testConfig({ mail: { maintainers: ['dan@example.org'] } }),
    exportMbox: async (key) => {
      const v = await store.db
        .selectFrom('series_versions')
        .select('present')
        .where('version_key', '=', key)
        .executeTakeFirst();
      const n = v?.present ?? 0;
      return Buffer.from(
        Array.from({ length: n }, (_, i) => `From x\nSubject: [PATCH ${i + 1}/${n}] patch ${i + 1}\n\ndiff\n`).join(
          '\n',
        ),
      );
    },
    ...over,
  });
}

async function ingestCommand(store: Store, id: string, from: string, inReplyTo: string, body: string): Promise<void> {
  const raw = Buffer.from(
    `From: ${from}\nTo: nvdimm@lists.linux.dev\nSubject: Re: [PATCH 0/3] series\nDate: Sun, 02 Jun 2024 12:00:00 +0000\nMessage-ID: <${id}>\nIn-Reply-To: <${inReplyTo}>\nReferences: <${inReplyTo}>\n\n${body}\n`,
  );
  const incoming = await toIncoming({ raw, origin: 'test' }, { parse: (r) => parseMessage(r), followups: () => [] });
  await storeMessage(store.db, 'test', incoming, '2024-06-02T12:00:00.000Z');
}

const flat = (text: string | undefined): string => (text ?? '').replace(/\s+/g, ' ');

describe('#daxbot unrelated', () => {
  it('a marked crash is not reported again: not on a re-run, not on the next version', async () => {
    const store = await storeWith([version('m#v1', 3)]);
    const sender = new FakeSender();
    await runCycle(deps(store, sender, 2), { since: null });
    // 1. The regression reply.
    expect(sender.sent).toHaveLength(1);
    const report = sender.sent[0];
    expect(report?.raw).toContain('X-Daxbot-Result: regression');
    expect(report?.raw).toContain('first bad commit: [PATCH 2/3] patch number 2');

    // 2. A non-maintainer's mark is refused and leaves nothing behind; the maintainer's (DKIM
    // passing, title copied with its line break and another case) is accepted.
    await ingestCommand(
      store,
      'eve@example.net',
      'Eve <eve@example.net>',
      report?.messageId ?? '',
      `#daxbot unrelated ${SCRIPTED_CRASH_TITLE}`,
    );
    const copied = SCRIPTED_CRASH_TITLE.replace(', address:', ',   address:').toLowerCase();
    await ingestCommand(
      store,
      'dan1@example.org',
      MAINTAINER,
      report?.messageId ?? '',
      `Not this series, see the other thread.\n\n#daxbot unrelated ${copied}\n`,
    );
    expect(await processCommands(deps(store, sender, 2), { verifyDkim: dkimPass })).toBe(2);
    const cmds = await listCommands(store.db);
    expect(cmds.find((c) => c.messageId === 'eve@example.net/1')).toMatchObject({ decision: 'refused' });
    expect(cmds.find((c) => c.messageId === 'dan1@example.org/1')).toMatchObject({
      decision: 'accepted',
      versionKey: 'm#v1',
    });
    expect(await unrelatedMarks(store.db, 'm')).toEqual([
      { title: copied, markedBy: 'dan@example.org', markedAt: '2024-06-02T00:00:00.000Z' },
    ]);
    // Both answered through the renderer, threaded under the command, with the DKIM result.
    const answer = sender.sent.find((m) => m.raw.includes('In-Reply-To: <dan1@example.org>'))?.raw;
    expect(answer).toContain('X-Daxbot-Result: command-done');
    expect(answer).toContain('To: Dan Maintainer <dan@example.org>');
    expect(flat(answer)).toContain(flat(`Done: "${copied}" is marked as not caused by the series`));
    expect(flat(answer)).toContain('It matches the crash reported on m#v1.');
    expect(flat(answer)).toContain('(maintainer dan@example.org, DKIM pass (example.org))');
    const refusal = sender.sent.find((m) => m.raw.includes('In-Reply-To: <eve@example.net>'))?.raw;
    expect(flat(refusal)).toContain('Refused: eve@example.net is not on the maintainer list');
    expect(flat(refusal)).toContain('(DKIM: pass (example.org))');
    expect(sender.sent).toHaveLength(3);

    // 3. A re-run of the same version: the crash (and the test it cut short) are not counted,
    // so the result is a pass. The thread was told of a regression, so the change is mailed
    // although mail.replyOnPass is off.
    await enqueueRerun(store, testConfig(), 'm#v1', { requestedBy: 'test' }, new Date('2024-06-02T00:00:00Z'));
    await processQueue(deps(store, sender, 2));
    const rerun = (await listJobs(store.db, { versionKey: 'm#v1' })).find((j) => j.trigger === 'rerun');
    expect(rerun).toMatchObject({ state: 'done', outcome: 'pass', summary: 'no failures; 2 marked unrelated' });
    expect(sender.sent).toHaveLength(4);
    const recorded = (await versionReplies(store.db, 'm#v1')).at(-1);
    expect(recorded).toMatchObject({ outcome: 'pass', state: 'sent' });
    expect(flat(recorded?.raw)).toContain(
      `Changed since the previous report (2024-06-02 00:00 UTC, <${report?.messageId ?? ''}>): regression -> pass`,
    );
    expect(flat(recorded?.raw)).toContain(
      `not counted: ${SCRIPTED_CRASH_TITLE} (marked unrelated by dan@example.org on 2024-06-02)`,
    );
    expect(flat(recorded?.raw)).toContain(
      'not counted: dax/ext4-dax-mount (stopped by a crash marked unrelated by dan@example.org on 2024-06-02)',
    );

    // 4. The next version of the series (same series key) crashes the same way: not a regression,
    // no bisection, no mail.
    await saveSeriesVersions(
      store.db,
      [version('m#v2', 3, { revision: 2, seriesKey: 'm' })],
      '2024-06-03T00:00:00.000Z',
    );
    const before = (await store.db.selectFrom('runs').selectAll().execute()).length;
    await runCycle(deps(store, sender, 2), { since: null });
    const [v2] = await listJobs(store.db, { versionKey: 'm#v2' });
    expect(v2).toMatchObject({ state: 'done', outcome: 'pass' });
    const v2Runs = (await store.db.selectFrom('runs').selectAll().execute()).slice(before);
    expect(v2Runs.map((r) => r.role)).not.toContain('bisect');
    expect(sender.sent).toHaveLength(4);

    // 5. The same mails processed again change nothing.
    expect(await processCommands(deps(store, sender, 2), { verifyDkim: dkimPass })).toBe(0);
    expect(sender.sent).toHaveLength(4);
    await store.close();
  });
});

describe('#daxbot invalid', () => {
  it('withdraws the report: later results for that version are recorded, never mailed', async () => {
    const store = await storeWith([version('n#v1', 3), version('o#v1', 3)]);
    const sender = new FakeSender();
    await runCycle(deps(store, sender, 2), { since: null });
    expect(sender.sent.map((m) => m.raw.includes('X-Daxbot-Result: regression'))).toEqual([true, true]);
    const nReport = sender.sent.find((m) => m.raw.includes('In-Reply-To: <n#v1-0@example.org>'));
    await ingestCommand(store, 'dan2@example.org', MAINTAINER, nReport?.messageId ?? '', '#daxbot invalid');
    expect(await processCommands(deps(store, sender, 2), { verifyDkim: dkimPass })).toBe(1);
    expect(await invalidMark(store.db, 'n#v1')).toMatchObject({ markedBy: 'dan@example.org' });
    expect(await invalidMark(store.db, 'o#v1')).toBeNull();
    const answer = sender.sent.find((m) => m.raw.includes('In-Reply-To: <dan2@example.org>'))?.raw;
    expect(flat(answer)).toContain('Done: the report on n#v1 is withdrawn');
    expect(flat(answer)).toContain('DKIM pass (example.org)');
    expect(sender.sent).toHaveLength(3);

    // Both versions are re-run and now pass; with replyOnPass each change would be mailed.
    const config = testConfig({ mail: { maintainers: ['dan@example.org'], replyOnPass: true } });
    for (const key of ['n#v1', 'o#v1'])
      await enqueueRerun(store, config, key, { requestedBy: 'test' }, new Date('2024-06-02T00:00:00Z'));
    await processQueue(deps(store, sender, null, { config }));
    // o#v1 gets its "changed" mail, in the patch thread; n#v1's result is only recorded.
    expect(sender.sent).toHaveLength(4);
    expect(sender.sent[3]?.raw).toContain('In-Reply-To: <o#v1-0@example.org>');
    expect(sender.sent[3]?.raw).toContain('Changed since the previous report');
    const nReplies = await versionReplies(store.db, 'n#v1');
    expect(nReplies.map((r) => [r.outcome, r.state])).toEqual([
      ['regression', 'sent'],
      ['pass', 'recorded'],
    ]);
    expect((await listJobs(store.db, { versionKey: 'n#v1' })).map((j) => j.outcome)).toEqual(['pass', 'regression']);
    await store.close();
  });
});

describe('invalid marks in the store', () => {
  it('cancel a result reply written but not sent yet (a kill in between), and are kept once per command line', async () => {
    const store = await storeWith([version('p#v1', 1)]);
    const reply = {
      versionKey: 'p#v1',
      jobId: 1,
      digest: 'd',
      outcome: 'regression',
      mailed: true,
      subject: 's',
      recipients: ['a@example.org'],
      raw: 'x',
    };
    await ensureReply(store.db, { ...reply, messageId: 'r1@x', kind: 'result' }, '2024-06-02T00:00:00.000Z');
    await ensureReply(store.db, { ...reply, messageId: 'c1@x', kind: 'command' }, '2024-06-02T00:00:00.000Z');
    const mark = { seriesKey: 'p', versionKey: 'p#v1', markedBy: 'dan@example.org', commandId: 'cmd@x/1' };
    await addInvalidMark(store.db, mark, '2024-06-02T01:00:00.000Z');
    await addInvalidMark(store.db, mark, '2024-06-02T02:00:00.000Z');
    expect((await getReply(store.db, 'r1@x'))?.state).toBe('recorded');
    // The answer to a command is still sent.
    expect((await getReply(store.db, 'c1@x'))?.state).toBe('pending');
    expect(await store.db.selectFrom('command_marks').selectAll().execute()).toHaveLength(1);
    expect(await invalidVersionKeys(store.db)).toEqual(new Set(['p#v1']));
    await store.close();
  });
});

describe('#daxbot test base <commit>', () => {
  it("queues a re-run on the maintainer's base (the runner is asked for it, the reply says why); an unknown base is refused", async () => {
    const store = await storeWith([version('b#v1', 3)]);
    const sender = new FakeSender();
    const runs: string[] = [];
    const known: Record<string, string> = { HEAD: 'c'.repeat(40), 'v6.1.190': 'd'.repeat(40) };
    const over: Partial<PipelineDeps> = {
      resolveCommit: async (_tree, rev) => known[rev] ?? null,
      runnerFor: () => {
        const inner = createScriptedRunner('fake', { delayMs: 0, badPatch: null, baseCrashes: false });
        return {
          name: inner.name,
          description: inner.description,
          run: (req, ctx) => (
            runs.push(`${req.base} ${req.mbox ? (req.baseReason ?? '') : '(base run)'}`),
            inner.run(req, ctx)
          ),
        };
      },
    };
    await runCycle(deps(store, sender, null, over), { since: null });
    runs.length = 0;
    await ingestCommand(
      store,
      'dan2@example.org',
      MAINTAINER,
      'b#v1-0@example.org',
      '#daxbot test base v6.1.190\n#daxbot test base v9.9-nonexistent\n',
    );
    expect(await processCommands(deps(store, sender, null, over), { verifyDkim: dkimPass })).toBe(2);
    const cmds = await listCommands(store.db);
    expect(cmds.find((c) => c.messageId === 'dan2@example.org/1')).toMatchObject({ decision: 'accepted' });
    expect(cmds.find((c) => c.messageId === 'dan2@example.org/2')).toMatchObject({
      decision: 'refused',
      reason: expect.stringContaining('base v9.9-nonexistent is not in tree linux-6.1'),
    });
    const done = sender.sent.find(
      (m) => m.raw.includes('In-Reply-To: <dan2@example.org>') && m.raw.includes('command-done'),
    )?.raw;
    expect(flat(done)).toContain('on base v6.1.190');
    const rerun = (await listJobs(store.db)).find((j) => j.trigger === 'command');
    expect(rerun?.options.base).toBe('v6.1.190');
    await processQueue(deps(store, sender, null, over));
    expect(runs.length).toBeGreaterThan(0);
    expect(runs).toContain(`${'d'.repeat(40)} base v6.1.190 requested by dan2@example.org/1`);
    for (const r of runs) expect(r.startsWith('d'.repeat(40))).toBe(true);
    await store.close();
  });
});
