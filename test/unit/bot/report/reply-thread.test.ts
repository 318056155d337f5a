/**
 * A result reply's addressing and threading, through the real store: a project-written thread
 * (test/fixtures/pipeline/cc-thread.mbox, an RFC v3 cover sent to a list and two people, in
 * reply to the review of v2) is ingested from its mbox into SQLite in a temp folder, assembled,
 * and run by the pipeline on a fake runner to a regression. The reply is then read back with
 * ingest's own parser, as a list reader's mail client would read it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { sourceSchema } from '../../../../config/schema.ts';
import { refreshSeries } from '../../../../bot/intake/refresh-series.ts';
import { ingestOne } from '../../../../bot/intake/run-ingest.ts';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import { silentLogger } from '../../../../bot/log.ts';
import { runCycle } from '../../../../bot/queue/cycle.ts';
import { versionReplies } from '../../../../bot/store/replies.ts';
import { openStore, type Store } from '../../../../bot/store/store.ts';
import type { Runner } from '../../../../runners/types.ts';
import { FakeRunner, FakeSender, fakeDeps, testConfig } from '../../../helpers/pipeline-fakes.ts';

const mbox = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/pipeline/cc-thread.mbox');
const COVER = 'cover.1717232400.git.ann@example.org';
const SUBJECT = '[RFC PATCH -next v3 0/2] fs/dax: check the block size before mounting with DAX';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The fake runner's results with the command line a real qemu-pmem run records (host paths). */
function qemuRunner(badPatch: number): Runner {
  const fake = new FakeRunner({ badPatch, patches: 2 });
  return {
    name: 'fake',
    description: 'fake runner with a recorded QEMU command line',
    run: async (req) => ({
      ...(await fake.run(req)),
      qemuCommand: [
        'qemu-system-x86_64',
        '-machine',
        'pc,nvdimm=on',
        '-smp',
        '2',
        '-m',
        '2048M,slots=1,maxmem=4097M',
        '-object',
        `memory-backend-file,id=mem0,share=on,mem-path=${req.workDir}/nvdimm0.img,size=1073872896`,
        '-device',
        'nvdimm,memdev=mem0,id=nv0,label-size=128K',
        '-kernel',
        '/srv/daxbot/var/cache/build/linux-6.1-pmem/arch/x86/boot/bzImage',
        '-initrd',
        '/srv/daxbot/var/cache/initramfs/initramfs-dax-5d41402abc4b.cpio.gz',
        '-append',
        'console=ttyS0 panic=-1',
      ],
    }),
  };
}

async function replyFor(mail: Record<string, unknown>): Promise<{ raw: string; store: Store; recipients: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-unit-reply-thread-'));
  dirs.push(dir);
  const store = await openStore(path.join(dir, 'daxbot.sqlite'));
  const log = silentLogger();
  const config = testConfig({ trees: [{ name: 'linux-6.1', lists: ['nvdimm.lists.linux.dev'] }], mail });
  const source = sourceSchema.parse({ kind: 'mbox', name: 'thread', path: mbox });
  const sender = new FakeSender();
  const now = new Date('2024-06-02T00:00:00.000Z');
  const deps = fakeDeps(store, qemuRunner(2), sender, {
    config,
    ingest: async () => {
      await ingestOne(source, store, log);
    },
    refreshSeries: async () => {
      await refreshSeries(store, { now, log });
    },
  });
  await runCycle(deps, { since: null });
  expect(sender.sent).toHaveLength(1);
  const [reply] = await store.db.selectFrom('series_versions').select('version_key').execute();
  const rows = await versionReplies(store.db, reply?.version_key ?? '');
  expect(rows.map((r) => [r.outcome, r.state])).toEqual([['regression', 'sent']]);
  return { raw: sender.sent[0]?.raw ?? '', store, recipients: rows[0]?.recipients ?? [] };
}

function header(raw: string, name: string): string | undefined {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return head
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}: `))
    ?.slice(name.length + 2);
}

describe('a regression reply on a stored thread', () => {
  it('is to the author, Cc the list and the people the cover went to, under the cover with its chain, and keeps the subject as sent', async () => {
    const { raw, store, recipients } = await replyFor({});
    expect(header(raw, 'To')).toBe('Ann Author <ann@example.org>');
    // The list first; the bot itself and the second spelling of Dan's address are left out.
    expect(header(raw, 'Cc')).toBe(
      'nvdimm@lists.linux.dev, Dan Maintainer <dan@example.com>, Ira Reviewer <ira@example.net>',
    );
    expect(header(raw, 'In-Reply-To')).toBe(`<${COVER}>`);
    expect(header(raw, 'References')).toBe(
      `<cover.1716800000.git.ann@example.org> <v2-review.dan@example.com> <${COVER}>`,
    );
    expect(header(raw, 'Subject')).toBe(`Re: ${SUBJECT}`);
    expect(recipients.sort()).toEqual([
      'ann@example.org',
      'dan@example.com',
      'ira@example.net',
      'nvdimm@lists.linux.dev',
    ]);

    // Read back by ingest's parser: a reply in the thread, not a patch.
    const parsed = await parseMessage(Buffer.from(raw));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.message.subject).toMatchObject({ raw: `Re: ${SUBJECT}`, isReply: true, isRfc: true, revision: 3 });
    expect(parsed.message.inReplyTo).toBe(COVER);
    expect(parsed.message.references).toEqual([
      'cover.1716800000.git.ann@example.org',
      'v2-review.dan@example.com',
      COVER,
    ]);
    expect(parsed.message.cc.map((a) => a.address)).toEqual([
      'nvdimm@lists.linux.dev',
      'dan@example.com',
      'ira@example.net',
    ]);

    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4).split('\r\n');
    expect(body).toContain('first bad commit: [PATCH 2/2] ext4: refuse DAX when the block size is not the page size');
    for (const line of body)
      if (!line.startsWith('first bad commit: ')) expect(line.length, line).toBeLessThanOrEqual(75);
    // The reproducer names files the reader makes, never the bot's own paths.
    expect(body).toContain('  truncate -s 1073872896 nvdimm0.img');
    expect(body.join('\n')).not.toContain('/srv/daxbot');
    const [run] = await store.db.selectFrom('runs').select('id').where('role', '=', 'series').orderBy('id').execute();
    expect(body).toContain(`Run: http://localhost:8080/runs/${run?.id ?? 0}`);
    await store.close();
  });

  it('copies only the list with mail.ccSeries off, and only the people with mail.ccList off', async () => {
    const lists = await replyFor({ ccSeries: false });
    expect(header(lists.raw, 'Cc')).toBe('nvdimm@lists.linux.dev');
    await lists.store.close();
    const people = await replyFor({ ccList: false });
    expect(header(people.raw, 'Cc')).toBe('Dan Maintainer <dan@example.com>, Ira Reviewer <ira@example.net>');
    await people.store.close();
  });
});
