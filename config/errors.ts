/**
 * The error base every layer shares (config/, ingest/, runners/ and bot/ all import it, so it
 * lives in the lowest one) and the configuration's own error. Code that catches a DaxbotError
 * decides by `kind`, never by parsing a message string.
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

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
