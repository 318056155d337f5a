/** The HTTP side the outputs share: the token, one request, its failure as an `OutputError`. */
import { errorMessage } from '../errors.ts';
import { OutputError } from './types.ts';

/** The secret a configured `tokenEnv` names; its absence is a refusal (retrying cannot help). */
export function requireToken(env: NodeJS.ProcessEnv, tokenEnv: string): string {
  const token = env[tokenEnv];
  if (!token) throw new OutputError(`environment variable ${tokenEnv} is not set`, { permanent: true });
  return token;
}

/** A refusal repeating will not change: a 4xx other than 408 (timeout) and 429 (slow down). */
export function permanentHttpStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * Sends one request and returns the answer's body. A network failure, a timeout or a non-2xx
 * answer throws an OutputError naming `what`, the status, and the start of the answer.
 */
export async function requestText(
  fetcher: typeof fetch,
  url: string,
  init: RequestInit,
  what: string,
): Promise<string> {
  let res: Response;
  try {
    res = await fetcher(url, init);
  } catch (err) {
    throw new OutputError(`${what} ${url}: ${errorMessage(err)}`, { permanent: false }, { cause: err });
  }
  const text = await res.text();
  if (!res.ok)
    throw new OutputError(`${what} ${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`, {
      permanent: permanentHttpStatus(res.status),
      status: res.status,
    });
  return text;
}
