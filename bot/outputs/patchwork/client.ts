/**
 * The few Patchwork REST API (v1.2) calls a check needs: find a patch by Message-ID, read the
 * newest check of a context, post a check. Answers are parsed with zod; an HTTP error becomes an
 * `OutputError`, permanent for a 4xx other than 408 and 429 (a bad token, a project the user
 * does not maintain, a refused field); see http.ts.
 */
import { z } from 'zod';
import { requestText } from '../http.ts';
import { OutputError } from '../types.ts';
import type { CheckState } from './checks.ts';

export interface PatchworkCheck {
  state: string;
  context: string;
  target_url: string | null;
  description: string | null;
}

export interface PatchworkClient {
  /** The id of the patch with this Message-ID (in the configured project), or null. */
  findPatch(messageId: string): Promise<number | null>;
  /** The newest check of a context on a patch, or null. */
  latestCheck(patchId: number, context: string): Promise<PatchworkCheck | null>;
  postCheck(patchId: number, check: NewCheck): Promise<void>;
}

export interface NewCheck {
  state: CheckState;
  context: string;
  target_url: string;
  description: string;
}

export interface ClientOptions {
  /** The instance's address (the API is <url>/api/1.2/). */
  url: string;
  project?: string | undefined;
  token: string;
  fetch: typeof fetch;
  signal: AbortSignal;
}

const patchListSchema = z.array(z.object({ id: z.number().int(), msgid: z.string() }));
const checkListSchema = z.array(
  z.object({
    id: z.number().int(),
    state: z.string(),
    context: z.string(),
    target_url: z.string().nullable(),
    description: z.string().nullable(),
  }),
);

export function createPatchworkClient(o: ClientOptions): PatchworkClient {
  const api = `${o.url.replace(/\/+$/, '')}/api/1.2`;
  const request = async (path: string, init: RequestInit = {}): Promise<unknown> => {
    const headers = { Accept: 'application/json', Authorization: `Token ${o.token}`, ...init.headers };
    const text = await requestText(o.fetch, `${api}${path}`, { ...init, signal: o.signal, headers }, 'Patchwork');
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new OutputError(`Patchwork ${path}: not JSON`, { permanent: false }, { cause: err });
    }
  };
  const parsed = <T>(schema: z.ZodType<T>, data: unknown, what: string): T => {
    const p = schema.safeParse(data);
    if (!p.success) throw new OutputError(`Patchwork ${what}: unexpected answer`, { permanent: false });
    return p.data;
  };
  return {
    async findPatch(messageId) {
      const q = new URLSearchParams({ msgid: messageId.replace(/^<|>$/g, '') });
      if (o.project) q.set('project', o.project);
      const list = parsed(patchListSchema, await request(`/patches/?${q}`), 'patch list');
      return list[0]?.id ?? null;
    },
    async latestCheck(patchId, context) {
      const q = new URLSearchParams({ context, order: '-id', per_page: '1' });
      const list = parsed(checkListSchema, await request(`/patches/${patchId}/checks/?${q}`), 'check list');
      return list[0] ?? null;
    },
    async postCheck(patchId, check) {
      await request(`/patches/${patchId}/checks/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(check),
      });
    },
  };
}
