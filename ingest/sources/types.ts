/**
 * The mail source contract (one module per kind, registered in registry.ts, like Renovate's
 * datasource modules).
 *
 * `poll(checkpoint)` returns the messages that arrived after `checkpoint` and the checkpoint
 * to store once they are safely in the store. The ingest driver (bot/intake/ingest.ts) saves the
 * messages and the new checkpoint in one transaction, so a crash between poll and save re-reads
 * the same batch (duplicates are recorded, never lost) and a restart after the save re-reads nothing.
 * A source must be idempotent: polling twice with the same checkpoint returns the same batch.
 */
import type { Logger } from 'pino';

export interface RawMail {
  /** The message bytes exactly as the source gave them (one RFC 5322 message, no mbox From_ line). */
  raw: Buffer;
  /** Where it came from inside the source: "epoch 0 commit abc123", "uid 42", "mbox offset 1234". */
  origin: string;
}

export interface PollResult {
  messages: RawMail[];
  /** Opaque to the driver; null means "nothing read yet". */
  nextCheckpoint: string | null;
  /** True when the source has more to give right now (the driver polls again at once). */
  more: boolean;
}

export interface SourceContext {
  log: Logger;
  /** Injected so tests can use a local server; defaults to global fetch. */
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Progress for long imports: (done, total or null). */
  progress?: (done: number, total: number | null) => void;
  /** Largest batch to return from one poll. */
  batchSize?: number;
}

/** What the registry hands every source's factory; a kind's own dependencies (test hooks) extend it. */
export interface SourceEnvironment {
  /** Relative paths in the configuration resolve against this folder (the config file's). */
  baseDir?: string;
  /** Where a source keeps its mirrors (public-inbox-git clones) when the config names no folder. */
  cacheDir?: string;
}

export interface Source {
  readonly name: string;
  readonly kind: string;
  poll(checkpoint: string | null, ctx: SourceContext): Promise<PollResult>;
  /** Releases connections (IMAP) or child processes. */
  close?(): Promise<void>;
}
