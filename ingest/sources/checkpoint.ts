import type { z } from 'zod';
import { SourceError } from './errors.ts';

/**
 * Checkpoints are JSON strings the sources write themselves; reading one back still goes through a
 * schema because it comes from the store, and a mangled one must stop the source rather than
 * silently restart an import from scratch.
 */
export function parseCheckpoint<T>(schema: z.ZodType<T>, checkpoint: string | null, source: string): T | null {
  if (checkpoint === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(checkpoint);
  } catch (err) {
    throw new SourceError(`checkpoint of source ${source} is not JSON`, { source, checkpoint }, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new SourceError(`checkpoint of source ${source} has the wrong shape`, {
      source,
      checkpoint,
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  return parsed.data;
}

export const DEFAULT_BATCH_SIZE = 500;
