/**
 * A small pool of worker threads that parse mail for the ingest driver. The pool keeps the
 * order of the batch it is given and never loses a mail: a worker that dies turns its share
 * into quarantined messages with the reason.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { IncomingMessage } from '../store/messages.ts';
import type { RawMail } from '../../ingest/sources/types.ts';

type Parsed = Omit<IncomingMessage, 'raw'> & { raw: null };

export interface ParsePool {
  parse(mails: readonly RawMail[]): Promise<IncomingMessage[]>;
  close(): Promise<void>;
}

export function createParsePool(size = Math.max(1, Math.min(4, availableParallelism()))): ParsePool {
  // Compiled (dist/), the worker is plain JavaScript; from the TypeScript sources it starts through
  // a small .mjs shim that registers tsx first.
  const compiled = import.meta.url.endsWith('.js');
  const url = new URL(compiled ? './parse-worker.js' : './parse-worker.mjs', import.meta.url);
  // A parse needs little heap; a small old generation makes the worker collect early instead of
  // growing toward V8's default limit, which is what would dominate ingest's peak memory.
  const workers = Array.from(
    { length: size },
    () => new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: 96 } }),
  );
  for (const w of workers) w.unref();
  let nextId = 0;

  function run(worker: Worker, mails: readonly RawMail[]): Promise<Parsed[]> {
    const id = nextId++;
    return new Promise((resolve) => {
      const onMessage = (msg: { id: number; out: Parsed[] }) => {
        if (msg.id !== id) return;
        cleanup();
        resolve(msg.out);
      };
      const onError = (err: Error) => {
        cleanup();
        resolve(
          mails.map((m) => ({
            raw: null,
            origin: m.origin,
            parsed: null,
            messageIdHint: null,
            followups: [],
            quarantineReason: `parser worker crashed: ${err.message}`.slice(0, 500),
          })),
        );
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ id, raws: mails.map((m) => m.raw), origins: mails.map((m) => m.origin) });
    });
  }

  return {
    async parse(mails) {
      if (mails.length === 0) return [];
      const share = Math.ceil(mails.length / workers.length);
      const parts = await Promise.all(
        workers.map((w, i) => {
          const slice = mails.slice(i * share, (i + 1) * share);
          return slice.length > 0 ? run(w, slice) : Promise.resolve([]);
        }),
      );
      return parts.flat().map((p, i) => ({ ...p, raw: mails[i]?.raw ?? Buffer.alloc(0) }));
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
