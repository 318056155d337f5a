/**
 * Which recipients of a series are mailing lists. Pure.
 *
 * Trees name their lists as List-Id text (`nvdimm.lists.linux.dev`) or a short name
 * (`nvdimm`); a list's posting address is the same name with its first dot an "@"
 * (`nvdimm@lists.linux.dev`). A whole-label match is required, so a configured
 * `kernel.org` cannot turn every person at kernel.org into a "list".
 */
import { addressOf } from './headers.ts';

/** "nvdimm@lists.linux.dev" → "nvdimm.lists.linux.dev". */
function listIdOf(address: string): string {
  return address.replace('@', '.');
}

export function isListAddress(mailbox: string, lists: readonly string[], listId: string | null = null): boolean {
  const address = addressOf(mailbox);
  if (!address.includes('@')) return false;
  const id = listIdOf(address);
  if (listId && id === listId.trim().toLowerCase()) return true;
  return lists.some((entry) => {
    const l = entry.trim().toLowerCase();
    if (l === '') return false;
    return address === l || id === l || id.startsWith(`${l}.`);
  });
}
