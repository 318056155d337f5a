/**
 * What a runner's dispatch rule reads of a stored series version (bot/queue/dispatch-rule.ts):
 * the files its patches touch (each patch mail's parsed `files`) and its root mail's List-Id and
 * To/Cc. Read through schemas: the records are our own JSON, but they outlive code versions. Null
 * when the version or its root mail cannot be read, which the rule treats as "send it".
 */
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database } from './tables.ts';
import { seriesVersionData } from './series.ts';
import { threadMail } from './thread-mail.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** What a dispatch rule reads of a series version: the files its patches touch and its root mail's lists. */
export interface SeriesFacts {
  files: string[];
  listId: string | null;
  /** To and Cc addresses of the root mail. */
  recipients: string[];
}

const versionSchema = z.object({
  rootMessageId: z.string(),
  patches: z.array(z.object({ messageId: z.string() })).catch([]),
});
const filesSchema = z.object({ files: z.array(z.string()).catch([]) });

function parseJson(text: string | null | undefined): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export async function seriesFacts(db: Db, versionKey: string): Promise<SeriesFacts | null> {
  const v = versionSchema.safeParse(parseJson(await seriesVersionData(db, versionKey)));
  if (!v.success) return null;
  const root = await threadMail(db, v.data.rootMessageId);
  if (!root) return null;
  const ids = v.data.patches.map((p) => p.messageId);
  const files = new Set<string>();
  if (ids.length > 0) {
    const rows = await db
      .selectFrom('messages')
      .select('parsed')
      .where('message_id', 'in', ids)
      .where('dup_of', 'is', null)
      .execute();
    for (const r of rows) {
      const f = filesSchema.safeParse(parseJson(r.parsed));
      if (f.success) for (const file of f.data.files) files.add(file);
    }
  }
  return {
    files: [...files].sort(),
    listId: root.listId,
    recipients: [...root.to, ...root.cc].map((a) => a.address),
  };
}
