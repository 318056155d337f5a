/**
 * How a refused reply is retried, pure: which refusals are permanent (a 5xx answer), how long to
 * wait before the next attempt, and when to give up. deliver.ts applies it to the stored replies.
 */
import { DaxbotError, errorMessage } from '../errors.ts';
import { infraBackoffMs } from '../backoff.ts';

export interface DeliveryPolicy {
  /** Attempts a permanently refused (5xx) reply gets before it is marked failed. */
  permanentAttempts: number;
  /** Attempts any reply gets before it is marked failed. */
  maxAttempts: number;
  /** Backoff after the first failure, doubled after each further one, up to capMs. */
  baseMs: number;
  capMs: number;
}

/** Transient failures: 1, 2, 4 ... minutes, then hourly: about a day of retrying in all. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  permanentAttempts: 3,
  maxAttempts: 30,
  baseMs: 60_000,
  capMs: 3_600_000,
};

export type DeliveryResult =
  | { kind: 'sent'; deliveryId: string; sentAt: string }
  | { kind: 'retry'; attempts: number; error: string; permanent: boolean; nextAttemptAt: string }
  | { kind: 'failed'; attempts: number; error: string; permanent: boolean };

function responseCode(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  if (err instanceof DaxbotError && typeof err.context.responseCode === 'number') return err.context.responseCode;
  if ('responseCode' in err && typeof err.responseCode === 'number') return err.responseCode;
  return null;
}

/** A refusal that repeating will not change: the SMTP sender marks 5xx answers `permanent`. */
export function isPermanentDeliveryError(err: unknown): boolean {
  if (err instanceof DaxbotError && typeof err.context.permanent === 'boolean') return err.context.permanent;
  const code = responseCode(err) ?? (err instanceof Error ? responseCode(err.cause) : null);
  return code !== null && code >= 500;
}

/** The error with its cause ("SMTP delivery failed: 550 5.1.1 <x>: user unknown"), kept short. */
export function deliveryErrorText(err: unknown): string {
  const cause = err instanceof Error && err.cause !== undefined ? errorMessage(err.cause) : '';
  const own = errorMessage(err);
  const text = cause && !own.includes(cause) ? `${own}: ${cause}` : own;
  return text.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** What a failed attempt leads to. Pure. */
export function afterFailedAttempt(
  attempts: number,
  permanent: boolean,
  now: Date,
  policy: DeliveryPolicy,
): { failed: boolean; nextAttemptAt: string | null } {
  const failed = attempts >= policy.maxAttempts || (permanent && attempts >= policy.permanentAttempts);
  return {
    failed,
    nextAttemptAt: failed
      ? null
      : new Date(now.getTime() + infraBackoffMs(attempts, policy.baseMs, policy.capMs)).toISOString(),
  };
}
