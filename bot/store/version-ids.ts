/**
 * The Message-IDs of a stored series version (its root, its cover letter, each patch), each once:
 * what `version_messages` indexes so that any of them finds the version. Lenient: a damaged JSON
 * yields what it can.
 */
import { z } from 'zod';

const storedVersion = z.object({
  rootMessageId: z.string().catch(''),
  coverMessageId: z.string().nullable().catch(null),
  patches: z.array(z.object({ messageId: z.string().catch('') }).catch({ messageId: '' })).catch([]),
});

export function versionMessageIds(data: string): string[] {
  let parsed: z.infer<typeof storedVersion>;
  try {
    parsed = storedVersion.parse(JSON.parse(data));
  } catch {
    return [];
  }
  const ids = [parsed.rootMessageId, parsed.coverMessageId ?? '', ...parsed.patches.map((p) => p.messageId)];
  return [...new Set(ids.filter((id) => id !== ''))];
}
