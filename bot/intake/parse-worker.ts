/**
 * Runs in a worker thread: parses batches of raw mails for the ingest driver, so parsing (the
 * costliest part of ingest) uses every core while the main thread stores the previous batch.
 */
import { parentPort } from 'node:worker_threads';
import { toIncoming } from './ingest.ts';
import { parseMessage } from '../../ingest/parse/message.ts';
import { findFollowupTrailers, replyText } from '../../ingest/series/followup-trailers.ts';

interface Job {
  id: number;
  raws: Uint8Array[];
  origins: string[];
}

const deps = {
  parse: (raw: Buffer) => parseMessage(raw),
  followups: (m: { body: string; notes?: string | null; diff: string | null }) => findFollowupTrailers(replyText(m)),
};

parentPort?.on('message', async (job: Job) => {
  const out = [];
  for (let i = 0; i < job.raws.length; i++) {
    const raw = job.raws[i];
    if (!raw) continue;
    const incoming = await toIncoming(
      { raw: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), origin: job.origins[i] ?? '' },
      deps,
    );
    // The raw bytes stay with the caller; sending them back would copy every mail twice.
    out.push({ ...incoming, raw: null });
  }
  parentPort?.postMessage({ id: job.id, out });
});
