import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { z } from 'zod';
import { errorMessage } from '../../../config/errors.ts';
import { SourceError } from '../errors.ts';
import { DEFAULT_BATCH_SIZE, parseCheckpoint } from '../checkpoint.ts';
import type { PollResult, RawMail, Source, SourceContext, SourceEnvironment } from '../types.ts';
import type { ImapSourceConfig } from './schema.ts';

/**
 * A mailbox subscribed to the list, read over IMAP (imapflow).
 *
 * Checkpoint: `{uidValidity, lastUid}`. UIDs only grow while UIDVALIDITY stays the same; when the
 * server changes it (mailbox recreated, server migrated) every UID is void, so the mailbox is read
 * again from the start (the store drops the duplicates) and a warning says why.
 */
const checkpointSchema = z.object({
  uidValidity: z.string().regex(/^\d+$/),
  lastUid: z.number().int().nonnegative(),
});

export interface ImapSourceDeps extends SourceEnvironment {
  /** Replaces the client factory (tests, or extra TLS options). */
  createClient?: (options: ImapFlowOptions) => ImapFlow;
}

export interface ImapSource extends Source {
  /**
   * Waits (IMAP IDLE) until the mailbox gets a new message: true, or false on timeout/abort.
   * The caller polls after it; mail that came before the call is found by that poll anyway.
   */
  watch(ctx: SourceContext, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** imapflow logs a lot at debug level; only its warnings and errors go to our log. */
function quietLogger(ctx: SourceContext, source: string): NonNullable<ImapFlowOptions['logger']> {
  const log = ctx.log.child({ source, component: 'imapflow' });
  const drop = (): void => undefined;
  return {
    debug: drop,
    info: drop,
    warn: (obj: object) => log.warn(obj),
    error: (obj: object) => log.error(obj),
  };
}

type Where = { source: string; host: string; port: number; mailbox: string };

function whereOf(config: ImapSourceConfig): Where {
  return { source: config.name, host: config.host, port: config.port, mailbox: config.mailbox };
}

/** A new, logged-in client (the password from the variable `passwordEnv` names). */
async function openClient(config: ImapSourceConfig, deps: ImapSourceDeps, ctx: SourceContext): Promise<ImapFlow> {
  const name = config.name;
  const where = whereOf(config);
  const env = ctx.env ?? process.env;
  const pass = env[config.passwordEnv];
  if (pass === undefined) {
    throw new SourceError(`imap source ${name}: environment variable ${config.passwordEnv} (the password) is not set`, {
      ...where,
      passwordEnv: config.passwordEnv,
    });
  }
  const options: ImapFlowOptions = {
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: { user: config.user, pass },
    logger: quietLogger(ctx, name),
    // Polls come minutes apart; IDLE is only wanted while watch() waits.
    autoIdleDelay: 5000,
  };
  const c = deps.createClient ? deps.createClient(options) : new ImapFlow(options);
  // Without a listener an 'error' event would crash the process; the next poll reconnects.
  c.on('error', (err: unknown) => ctx.log.warn({ ...where, err: errorMessage(err) }, 'imap connection error'));
  try {
    await c.connect();
  } catch (err) {
    c.close();
    throw new SourceError(
      `imap source ${name}: cannot log in to ${config.host}:${config.port}: ${errorMessage(err)}`,
      where,
      { cause: err },
    );
  }
  return c;
}

/** The messages of one batch, by UID, from the selected mailbox. */
async function fetchBatch(c: ImapFlow, take: number[], lastUid: number): Promise<RawMail[]> {
  const byUid = new Map<number, Buffer>();
  // take holds every existing UID between its ends, so a range is exact and short.
  for await (const msg of c.fetch(`${take[0]}:${take[take.length - 1]}`, { uid: true, source: true }, { uid: true })) {
    if (msg.source && msg.uid > lastUid) byUid.set(msg.uid, msg.source);
  }
  const messages: RawMail[] = [];
  for (const uid of take) {
    const raw = byUid.get(uid);
    if (raw) messages.push({ raw, origin: `uid ${uid}` });
  }
  return messages;
}

async function pollSelected(
  c: ImapFlow,
  config: ImapSourceConfig,
  checkpoint: string | null,
  ctx: SourceContext,
): Promise<PollResult> {
  const where = whereOf(config);
  const cp = parseCheckpoint(checkpointSchema, checkpoint, config.name);
  // On a connection kept open between polls the server tells about new mail only in reply to a
  // command; until then SEARCH does not see it.
  await c.noop();
  const box = c.mailbox;
  if (!box) throw new SourceError(`imap source ${config.name}: mailbox ${config.mailbox} is not selected`, where);
  const uidValidity = box.uidValidity.toString();
  let lastUid = cp?.lastUid ?? 0;
  if (cp && cp.uidValidity !== uidValidity) {
    ctx.log.warn(
      { ...where, was: cp.uidValidity, now: uidValidity },
      'UIDVALIDITY changed: reading the mailbox again from UID 0',
    );
    lastUid = 0;
  }
  const found = box.exists === 0 ? [] : await c.search({ uid: `${lastUid + 1}:*` }, { uid: true });
  // "N:*" always matches the highest UID, even below N: filter.
  const uids = (found || []).filter((u) => u > lastUid).sort((a, b) => a - b);
  const take = uids.slice(0, ctx.batchSize ?? DEFAULT_BATCH_SIZE);
  const messages = take.length > 0 ? await fetchBatch(c, take, lastUid) : [];
  if (take.length > 0) lastUid = take[take.length - 1]!;
  ctx.progress?.(messages.length, uids.length);
  return { messages, nextCheckpoint: JSON.stringify({ uidValidity, lastUid }), more: uids.length > take.length };
}

/** IMAP IDLE on the mailbox until a new message (true), the timeout, a closed connection or an abort. */
function waitForNewMail(c: ImapFlow, mailbox: string, ctx: SourceContext, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const finish = (value: boolean): void => {
      clearTimeout(timer);
      c.off('exists', onExists);
      c.off('close', onClose);
      ctx.signal?.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onExists = (data: { path: string; count: number; prevCount: number }): void => {
      if (data.path === mailbox && data.count > data.prevCount) finish(true);
    };
    const onClose = (): void => finish(false);
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    c.on('exists', onExists);
    c.on('close', onClose);
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    // Start IDLE now rather than after autoIdleDelay.
    c.idle().catch(() => undefined);
  });
}

export function createImapSource(config: ImapSourceConfig, deps: ImapSourceDeps = {}): ImapSource {
  const name = config.name;
  const where = whereOf(config);
  let client: ImapFlow | null = null;

  async function connect(ctx: SourceContext): Promise<ImapFlow> {
    if (client?.usable) return client;
    if (client) await dropClient();
    client = await openClient(config, deps, ctx);
    return client;
  }

  async function dropClient(): Promise<void> {
    const c = client;
    client = null;
    if (!c) return;
    try {
      if (c.usable) await c.logout();
    } catch {
      // already gone
    }
    c.close();
  }

  return {
    name,
    kind: 'imap',
    async poll(checkpoint, ctx) {
      const c = await connect(ctx);
      let lock;
      try {
        lock = await c.getMailboxLock(config.mailbox);
      } catch (err) {
        await dropClient();
        throw new SourceError(
          `imap source ${name}: cannot open mailbox ${config.mailbox}: ${errorMessage(err)}`,
          where,
          { cause: err },
        );
      }
      try {
        return await pollSelected(c, config, checkpoint, ctx);
      } catch (err) {
        if (err instanceof SourceError) throw err;
        await dropClient();
        throw new SourceError(`imap source ${name}: ${errorMessage(err)}`, where, { cause: err });
      } finally {
        lock.release();
      }
    },
    async watch(ctx, timeoutMs) {
      const c = await connect(ctx);
      if (!c.mailbox || c.mailbox.path !== config.mailbox) await c.mailboxOpen(config.mailbox);
      return waitForNewMail(c, config.mailbox, ctx, timeoutMs);
    },
    async close() {
      await dropClient();
    },
  };
}
