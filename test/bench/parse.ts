/**
 * parseMessage over the whole nvdimm archive (gunzip streamed, mboxrd split as it goes):
 * messages/s, how many took the fast MIME path, quarantine reasons, peak RSS.
 * Goal: >= 2,500 messages/s so that the whole ingest pipeline keeps >= 1,000/s on 2 cores.
 */
import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { MboxSplitter, type SplitMessage } from '../../ingest/sources/mbox-split.ts';
import { buildMessage, decodeMail, parseMessage } from '../../ingest/parse/message.ts';

export const ARCHIVE = resolve('..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');

export async function benchParse(): Promise<void> {
  if (!existsSync(ARCHIVE)) {
    process.stdout.write(`skipped: ${ARCHIVE} is absent\n`);
    return;
  }
  const splitter = new MboxSplitter();
  const reasons = new Map<string, number>();
  let total = 0;
  let fast = 0;
  let parseMs = 0;
  let cpuUs = 0;
  let peakRss = process.memoryUsage().rss;

  const handle = async (msgs: SplitMessage[]): Promise<void> => {
    for (const m of msgs) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const out = await parseMessage(m.raw);
      const c1 = process.cpuUsage(c0);
      parseMs += performance.now() - t0;
      cpuUs += c1.user + c1.system;
      total++;
      if (!out.ok) reasons.set(out.reason, (reasons.get(out.reason) ?? 0) + 1);
    }
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };

  const started = performance.now();
  for await (const chunk of createReadStream(ARCHIVE).pipe(createGunzip())) {
    if (!Buffer.isBuffer(chunk)) throw new TypeError('gunzip yielded a non-Buffer chunk');
    await handle(splitter.push(chunk));
  }
  await handle(splitter.end());
  const wall = (performance.now() - started) / 1000;

  // A second, smaller pass says how much of the archive the fast path covers and what the
  // full path alone would cost, so a regression in eligibility shows up as a number.
  const sample: Buffer[] = [];
  const s2 = new MboxSplitter();
  for await (const chunk of createReadStream(ARCHIVE).pipe(createGunzip())) {
    if (!Buffer.isBuffer(chunk)) throw new TypeError('gunzip yielded a non-Buffer chunk');
    for (const m of s2.push(chunk)) if (sample.length < 2000) sample.push(m.raw);
    if (sample.length >= 2000) break;
  }
  let fullMs = 0;
  for (const raw of sample) {
    const d = await decodeMail(raw, 'auto');
    if (d.path === 'fast') fast++;
    const t0 = performance.now();
    buildMessage(raw, await decodeMail(raw, 'full'));
    fullMs += performance.now() - t0;
  }

  const rate = Math.round((total / parseMs) * 1000);
  // CPU time is the figure to trust on a shared machine; wall time includes other tenants.
  const cpuRate = Math.round((total / cpuUs) * 1e6);
  process.stdout.write(
    `parse: ${total} messages, parseMessage ${cpuRate} msgs/s per CPU second (goal >= 2500), ${rate} msgs/s wall; whole run incl. gunzip+split ${wall.toFixed(1)} s\n`,
  );
  process.stdout.write(
    `parse: fast MIME path on ${fast}/${sample.length} of the first messages; full path alone ${Math.round((sample.length / fullMs) * 1000)} msgs/s\n`,
  );
  process.stdout.write(`parse: quarantined ${[...reasons.values()].reduce((a, b) => a + b, 0)}\n`);
  for (const [reason, n] of reasons) process.stdout.write(`  ${n} x ${reason}\n`);
  process.stdout.write(`parse: peak RSS ${Math.round(peakRss / 1048576)} MiB\n`);
}
