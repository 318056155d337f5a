/**
 * Ingest benchmark on the real nvdimm archive: the whole `daxbot ingest --mbox` in a child
 * process (so peak RSS is the CLI's own), then series assembly beside `b4 am` on the same threads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ARCHIVE = resolve('..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');

export async function benchIngest(): Promise<void> {
  if (!existsSync(ARCHIVE)) {
    process.stdout.write(`skipped: ${ARCHIVE} is absent\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'daxbot-bench-ingest-'));
  try {
    const out = execFileSync(
      process.execPath,
      ['bin/daxbot.js', '--db', join(dir, 'db.sqlite'), '--log-level', 'warn', 'ingest', '--mbox', ARCHIVE, '--json'],
      {
        encoding: 'utf8',
        maxBuffer: 16 << 20,
      },
    );
    const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
      read: number;
      seconds: number;
      messagesPerSecond: number;
      maxRssMiB: number;
      quarantined: number;
      store: { duplicateIds: number };
      series: { threads: number; series: number; versions: number; complete: number };
    };
    process.stdout.write(
      `ingest: ${r.read} messages in ${r.seconds} s = ${r.messagesPerSecond} messages/s (goal >= 1000)\n`,
    );
    process.stdout.write(`ingest: peak RSS ${r.maxRssMiB} MiB (goal <= 400)\n`);
    process.stdout.write(
      `ingest: ${r.quarantined} quarantined, ${r.store.duplicateIds} duplicate Message-IDs; ${r.series.threads} threads, ${r.series.series} series, ${r.series.versions} versions, ${r.series.complete} complete\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const assembly = './ingest-assembly.ts';
  if (existsSync(resolve('test/bench/ingest-assembly.ts'))) {
    const mod = (await import(assembly)) as { benchAssembly: () => Promise<{ ours_ms: number; b4_ms: number }> };
    await mod.benchAssembly();
  }
}
