import { errorMessage } from '../../../config/errors.ts';
import { SourceError } from '../errors.ts';

/**
 * HTTP GET with exponential backoff on network errors, 5xx and 429 (honouring Retry-After).
 * Clock and sleep are parameters so tests run the schedule without waiting.
 */
export interface BackoffOptions {
  fetch: typeof fetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  /** First delay; doubled after each failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
  signal?: AbortSignal;
  onRetry?: (info: { url: string; attempt: number; delayMs: number; status?: number; error?: string }) => void;
}

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After is either seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
}

function retryable(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Returns the first response that is not retryable (2xx, or a 4xx such as 404 for the caller to judge). */
export async function fetchWithBackoff(url: string, options: BackoffOptions): Promise<Response> {
  let lastStatus: number | undefined;
  let lastError: string | undefined;
  for (let attempt = 0; attempt < options.maxAttempts; attempt++) {
    let delay: number;
    try {
      const res = await options.fetch(url, { signal: options.signal, redirect: 'follow' });
      if (!retryable(res.status)) return res;
      lastStatus = res.status;
      lastError = undefined;
      const asked = retryAfterMs(res.headers.get('retry-after'), options.now());
      delay = Math.min(options.maxDelayMs, asked ?? backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs));
      // Drain so the connection can be reused.
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      lastStatus = undefined;
      lastError = errorMessage(err);
      delay = backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs);
    }
    if (attempt + 1 >= options.maxAttempts) break;
    options.onRetry?.({ url, attempt: attempt + 1, delayMs: delay, status: lastStatus, error: lastError });
    await options.sleep(delay, options.signal);
  }
  throw new SourceError(
    `GET ${url} failed after ${options.maxAttempts} attempts: ${lastError ?? `HTTP ${lastStatus}`}`,
    {
      url,
      status: lastStatus,
      error: lastError,
      attempts: options.maxAttempts,
    },
  );
}
