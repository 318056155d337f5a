/**
 * `POST /series/<key>/rerun`: a maintainer's priority re-run, through the same enqueueRerun
 * the CLI and mail commands use. The body (form or JSON) is checked by a schema: suites in the
 * mail commands' syntax, at most 10 confirmation repeats as there, an optional runner.
 */
import { z } from 'zod';
import type { Config } from '../../config/schema.ts';
import { ConfigError } from '../errors.ts';
import { enqueueRerun } from '../queue/enqueue.ts';
import { PRIORITY_RERUN } from '../queue/policy.ts';
import { groupJobIds } from '../store/job-groups.ts';
import { seriesKeyOf } from '../store/series.ts';
import type { Store } from '../store/store.ts';
import { HttpError } from './http-error.ts';

const SUITE = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
const MAX_REPEAT = 10;

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const rerunBodySchema = z.object({
  /** "dax nfit-sim", "dax,nfit-sim", a repeated form field, or a JSON array. */
  suites: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) =>
      v === undefined ? [] : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean),
    )
    .pipe(z.array(z.string().regex(SUITE, 'a suite name is letters, digits, ".", "_" and "-"')).max(16)),
  repeat: z
    .union([z.number(), z.string()])
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : Number(v)))
    .pipe(z.number().int().min(0).max(MAX_REPEAT).optional()),
  runner: optionalText,
  csrf: z.string().optional(),
});
export type RerunBody = z.infer<typeof rerunBodySchema>;

export function parseRerunBody(input: unknown): RerunBody {
  const r = rerunBodySchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new HttpError(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

export interface RerunDone {
  versionKey: string;
  /** The group's jobs, its first (the group id) first. */
  jobIds: number[];
  priority: number;
  requestedBy: string;
}

export async function enqueueDashboardRerun(
  store: Store,
  config: Config,
  versionKey: string,
  body: RerunBody,
  by: string,
  now: Date,
): Promise<RerunDone> {
  if ((await seriesKeyOf(store.db, versionKey)) === null)
    throw new HttpError(404, `no series version ${versionKey}`, { versionKey });
  const options = {
    requestedBy: by,
    ...(body.suites.length > 0 && { suites: body.suites }),
    ...(body.repeat !== undefined && { repeats: body.repeat }),
  };
  try {
    const first = await enqueueRerun(store, config, versionKey, options, now, 'rerun', body.runner);
    // One job per enabled runner, grouped under the first: show the caller all of them.
    const jobIds = await groupJobIds(store.db, first);
    return { versionKey, jobIds, priority: PRIORITY_RERUN, requestedBy: by };
  } catch (err) {
    // An unknown or disabled runner, or none enabled: the request cannot be served as asked.
    if (err instanceof ConfigError)
      throw new HttpError(err.message.startsWith('no enabled') ? 409 : 400, err.message, err.context);
    throw err;
  }
}
