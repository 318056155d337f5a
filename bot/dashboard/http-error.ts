import { DaxbotError } from '../errors.ts';

/** A request the dashboard refuses, with the status and the reason shown to the client. */
export class HttpError extends DaxbotError {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    message: string,
    context: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super('http', message, { status, ...context });
    this.status = status;
    this.headers = headers;
  }
}
