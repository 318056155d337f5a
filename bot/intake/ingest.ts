/**
 * The ingest driver: polls one source until it has nothing more, parses each message, and
 * stores the batch together with the source's new checkpoint in one transaction.
 */
import type { Logger } from 'pino';
import { countOutcome, emptyCounts, storeMessages, type IncomingMessage, type StoreCounts } from '../store/messages.ts';
import { getCheckpoint, setCheckpoint } from '../store/checkpoints.ts';
import type { Store } from '../store/store.ts';
import type { ParsedMessage, Trailer } from '../../ingest/parse/types.ts';
import type { RawMail, Source, SourceContext } from '../../ingest/sources/types.ts';

export type ParseFn = (
  raw: Buffer,
) => Promise<{ ok: true; message: ParsedMessage } | { ok: false; reason: string; messageId: string | null }>;

export interface IngestDeps {
  store: Store;
  parse: ParseFn;
  /** Trailers a reply gives to its parent (Reviewed-by, ...). */
  followups: (message: ParsedMessage) => Trailer[];
  now: () => Date;
  log: Logger;
  /** Parses a whole batch (a worker pool); defaults to `parse` one mail at a time. */
  parseBatch?: (mails: readonly RawMail[]) => Promise<IncomingMessage[]>;
}

export interface IngestReport extends StoreCounts {
  source: string;
  polls: number;
  messages: number;
  durationMs: number;
}

/** Parsing never throws out of here: whatever goes wrong becomes a quarantine reason. */
export async function toIncoming(
  mail: RawMail,
  deps: Pick<IngestDeps, 'parse' | 'followups'>,
): Promise<IncomingMessage> {
  try {
    const outcome = await deps.parse(mail.raw);
    if (!outcome.ok) {
      return {
        raw: mail.raw,
        origin: mail.origin,
        parsed: null,
        quarantineReason: outcome.reason,
        messageIdHint: outcome.messageId,
        followups: [],
      };
    }
    const m = outcome.message;
    const followups = m.subject.isPatch && !m.subject.isReply ? [] : deps.followups(m);
    return {
      raw: mail.raw,
      origin: mail.origin,
      parsed: m,
      quarantineReason: null,
      messageIdHint: m.messageId,
      followups,
    };
  } catch (err) {
    return {
      raw: mail.raw,
      origin: mail.origin,
      parsed: null,
      quarantineReason: `parser crashed: ${(err as Error).message ?? String(err)}`.slice(0, 500),
      messageIdHint: null,
      followups: [],
    };
  }
}

export async function ingestSource(
  source: Source,
  deps: IngestDeps,
  ctx: Omit<SourceContext, 'log'> = {},
): Promise<IngestReport> {
  const started = Date.now();
  const log = deps.log.child({ source: source.name });
  const counts = emptyCounts();
  let polls = 0;
  let messages = 0;
  const parseAll =
    deps.parseBatch ??
    (async (mails: readonly RawMail[]) => {
      const out: IncomingMessage[] = [];
      for (const mail of mails) out.push(await toIncoming(mail, deps));
      return out;
    });
  const fetchBatch = async (checkpoint: string | null) => {
    const result = await source.poll(checkpoint, { ...ctx, log });
    polls++;
    return { result, incoming: parseAll(result.messages) };
  };
  let pending = fetchBatch(await getCheckpoint(deps.store.db, source.name));
  for (;;) {
    const { result } = await pending;
    const incoming = await (await pending).incoming;
    // Read and parse the next batch while this one is stored. Polling is idempotent for a
    // checkpoint, so if storing fails the prefetched batch is simply read again next time.
    if (result.more && !ctx.signal?.aborted) pending = fetchBatch(result.nextCheckpoint);
    const now = deps.now().toISOString();
    await deps.store.db.transaction().execute(async (trx) => {
      for (const outcome of await storeMessages(trx, source.name, incoming, now)) countOutcome(counts, outcome);
      await setCheckpoint(trx, source.name, result.nextCheckpoint, now);
    });
    messages += result.messages.length;
    if (result.messages.length > 0) log.debug({ batch: result.messages.length, total: messages }, 'stored batch');
    if (!result.more || ctx.signal?.aborted) break;
  }
  return { source: source.name, polls, messages, durationMs: Date.now() - started, ...counts };
}
