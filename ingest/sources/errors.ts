/**
 * The sources' error. A source throws SourceError, and only that, when it cannot read its mail
 * (network, server, repository, a missing file): the caller logs it and polls again later. A
 * malformed message is never an error: it is stored quarantined with its reason.
 */
import { DaxbotError } from '../../config/errors.ts';

/** A mail source could not be read (network, server, repository); retried later. */
export class SourceError extends DaxbotError {
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super('source', message, context, options);
  }
}
