/**
 * Series assembly speed against `b4 am` on the same real threads (every 5th patch thread of the
 * nvdimm archive, ~240). Ours is timed twice: assembly alone (messages already parsed, as in the
 * pipeline, where parsing happens once at ingest) and parse + assembly (what b4 does per run).
 * b4 is run fresh, one thread at a time, and its wall time summed.
 * Run: npx tsx test/bench/ingest-assembly.ts
 */
import { performance } from 'node:perf_hooks';
import { parseMessage } from '../../ingest/parse/message.ts';
import type { ParsedMessage } from '../../ingest/parse/types.ts';
import { assembleThread } from '../../ingest/series/assemble.ts';
import { splitMbox } from '../../ingest/sources/mbox-split.ts';
import { cutPatchThreads, runB4Am } from '../helpers/b4.ts';

export interface AssemblyBench {
  ours_ms: number;
  ours_with_parse_ms: number;
  b4_ms: number;
  threads: number;
}

export async function benchAssembly(opts: { b4Threads?: number } = {}): Promise<AssemblyBench> {
  const threads = await cutPatchThreads('nvdimm', 5);

  // Warm up the JIT once so the figure is the steady state a long-running bot sees.
  for (const t of threads) assembleThread(t.thread);
  const t0 = performance.now();
  for (const t of threads) assembleThread(t.thread);
  const ours_ms = performance.now() - t0;

  const t1 = performance.now();
  for (const t of threads) {
    const msgs: ParsedMessage[] = [];
    for (const raw of splitMbox(t.mbox)) {
      const r = await parseMessage(raw);
      if (r.ok) msgs.push(r.message);
    }
    assembleThread({ rootId: t.rootId, rootPresent: t.thread.rootPresent, messages: msgs });
  }
  const ours_with_parse_ms = performance.now() - t1;

  const sample = threads.slice(0, opts.b4Threads ?? threads.length);
  let b4_ms = 0;
  for (const t of sample) {
    const s = performance.now();
    await runB4Am(t.mbox);
    b4_ms += performance.now() - s;
  }
  // Scale a partial b4 sample up to all threads so the ratio compares like with like.
  b4_ms = (b4_ms * threads.length) / Math.max(1, sample.length);

  const result = { ours_ms, ours_with_parse_ms, b4_ms, threads: threads.length };
  console.log(
    `assembly over ${threads.length} threads: ours ${ours_ms.toFixed(1)} ms (with parsing ${ours_with_parse_ms.toFixed(0)} ms), ` +
      `b4 am ${b4_ms.toFixed(0)} ms${sample.length < threads.length ? ` (from ${sample.length} runs)` : ''}; ` +
      `ratio ${(b4_ms / ours_ms).toFixed(0)}x (with parsing ${(b4_ms / ours_with_parse_ms).toFixed(1)}x)`,
  );
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  await benchAssembly(n !== undefined ? { b4Threads: n } : {});
}
