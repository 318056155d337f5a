/**
 * Ingest benchmark on the real nvdimm archive: the whole `daxbot ingest --mbox` in a child
 * process (so peak RSS is the CLI's own), then series assembly beside `b4 am` on the same threads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ARCHIVE = resolve('..', 'shared', 'corpus', 'lore-nvdimm', 'nvdimm.all.mboxrd.gz');

/** `daxbot ingest --mbox FILE --json` in a child process: its peak RSS in MiB. */
function ingestRss(dir: string, file: string, config?: string): number {
  const db = join(dir, `rss-${Math.random().toString(36).slice(2)}.sqlite`);
  const args = ['bin/daxbot.js', ...(config ? ['--config', config] : []), '--db', db, '--log-level', 'warn'];
  const out = execFileSync(process.execPath, [...args, 'ingest', '--mbox', file, '--json'], { encoding: 'utf8' });
  return (JSON.parse(out.trim().split('\n').pop() ?? '{}') as { maxRssMiB: number }).maxRssMiB;
}

/**
 * One oversized mail (issue 12 item 7): peak RSS of an ingest of a 50 MiB patch mail and of a
 * 42 MiB base64 attachment, under the default size limit (kept unparsed) and with the limit
 * raised so that they are parsed (what every ingest did before the limit), beside a tiny mail.
 */
async function benchBigMail(): Promise<void> {
  const { writeBigAttachmentMbox, writeBigPatchMbox } = await import('./big-mail.ts');
  const dir = mkdtempSync(join(tmpdir(), 'daxbot-bench-bigmail-'));
  try {
    const noLimit = join(dir, 'no-limit.yaml');
    writeFileSync(noLimit, `ingest: { maxMessageBytes: ${1 << 30} }\n`);
    const tiny = join(dir, 'tiny.mbox');
    writeBigPatchMbox(tiny, 4096, 'tiny@example.org');
    const idle = ingestRss(dir, tiny);
    process.stdout.write(`big mail: a 4 KiB mail peaks at ${idle} MiB (the process itself)\n`);
    for (const [name, write, mib] of [
      ['patch', writeBigPatchMbox, 50],
      ['base64 attachment', writeBigAttachmentMbox, 42],
    ] as const) {
      const file = join(dir, `${mib}.mbox`);
      write(file, mib << 20);
      const limited = ingestRss(dir, file);
      const parsed = ingestRss(dir, file, noLimit);
      const over = (rss: number) => ((rss - idle) / mib).toFixed(1);
      process.stdout.write(
        `big mail: ${mib} MiB ${name}: kept unparsed ${limited} MiB (${over(limited)}x its size above idle), ` +
          `parsed ${parsed} MiB (${over(parsed)}x)\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchIngest(): Promise<void> {
  await benchBigMail();
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
