/**
 * An am-ready mbox of a series version from the stored raw mails, in patch order (mboxrd
 * quoting). The fallback when am-export.ts (which also applies follow-up trailers) fails.
 */
import type { SeriesVersion } from '../../ingest/series/types.ts';
import { getMessageRaw } from '../store/messages.ts';
import type { Store } from '../store/store.ts';
import { NotFoundError } from '../errors.ts';

export async function rawSeriesMbox(store: Store, version: SeriesVersion): Promise<Buffer> {
  const parts: string[] = [];
  for (const p of version.patches) {
    const raw = await getMessageRaw(store.db, p.messageId);
    if (!raw)
      throw new NotFoundError(`patch ${p.counter} (${p.messageId}) is not in the store`, { messageId: p.messageId });
    let text = raw.toString('utf8').replace(/\r\n/g, '\n');
    if (text.startsWith('From ')) text = text.slice(text.indexOf('\n') + 1);
    text = text.replace(/^(>*From )/gm, '>$1');
    parts.push(`From mboxrd@z Thu Jan  1 00:00:00 1970\n${text}${text.endsWith('\n') ? '' : '\n'}\n`);
  }
  return Buffer.from(parts.join(''));
}
