/**
 * Typed errors that carry their context. Code that catches them decides by `kind`,
 * never by parsing a message string.
 */
import { DaxbotError } from '../config/errors.ts';

export { ConfigError, DaxbotError, errorMessage } from '../config/errors.ts';
export { SourceError } from '../ingest/sources/errors.ts';

/** The store (database) failed: this stops an import, unlike a bad message. */
export class StoreError extends DaxbotError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('store', message, context, options);
  }
}

/**
 * The machinery failed, not the patch or the kernel: QEMU died, the host ran out of
 * disk, a tool is missing. Runners throw only this; patch and kernel failures are results.
 */
export class InfraError extends DaxbotError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('infra', message, context, options);
  }
}

/** The user asked for something that does not exist (unknown series, message-id). */
export class NotFoundError extends DaxbotError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('not-found', message, context);
  }
}

/** A command line asked for something malformed (exit code 2, like any usage error). */
export class UsageError extends DaxbotError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('usage', message, context);
  }
}
