/**
 * Typed errors that carry their context. Code that catches them decides by `kind`,
 * never by parsing a message string.
 */
export class DaxbotError extends Error {
  readonly kind: string;
  readonly context: Record<string, unknown>;
  constructor(kind: string, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
    this.context = context;
  }
}

/** The configuration file is unreadable or does not satisfy the schema. */
export class ConfigError extends DaxbotError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('config', message, context, options);
  }
}

/** The store (database) failed: this stops an import, unlike a bad message. */
export class StoreError extends DaxbotError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('store', message, context, options);
  }
}

/** A mail source could not be read (network, server, repository); retried later. */
export class SourceError extends DaxbotError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('source', message, context, options);
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

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
