/**
 * Which configured tree a series version is tested on. Pure: the caller reads the root mail's
 * List-Id, recipients and subject prefix words from the store.
 *
 * Order, most specific first (the order a maintainer routes by hand):
 *  1. a subject prefix word a tree claims (`[PATCH mm-unstable]`, `[PATCH nvdimm-pending]`);
 *  2. a list a tree claims, matched against the List-Id and the To/Cc addresses (lore archives
 *     drop List-Id on some paths, so recipients count too);
 *  3. the first tree that claims nothing (a catch-all), else the first tree.
 * Each decision says why, and the reply shows it.
 */
import type { TreeConfig } from '../../config/schema.ts';

/** What routing reads of the cover letter (or patch 1); see store/thread-mail.ts. */
export interface RootMailFacts {
  listId: string | null;
  /** To and Cc addresses. */
  recipients: string[];
  /** Bracketed subject prefix words, lower-cased. */
  prefixes: string[];
}

export interface TreeChoice {
  tree: TreeConfig | null;
  /** Why this tree: `list nvdimm.lists.linux.dev`, `subject prefix "mm-unstable"`, ... */
  reason: string;
}

/** Words a tree's `prefixes` must never match: they are in every series' subject. */
const GENERIC = /^(patch|rfc|resend|v\d+|\d+\/\d+)$/;

/**
 * The first of `lists` the mail names. A list is configured as its List-Id
 * (nvdimm.lists.linux.dev) or its address (nvdimm@lists.linux.dev): recipients are matched in both
 * spellings.
 */
export function listHit(lists: string[], mail: Pick<RootMailFacts, 'listId' | 'recipients'>): string | null {
  const haystack = [mail.listId ?? '', ...mail.recipients, ...mail.recipients.map((r) => r.replace('@', '.'))].map(
    (s) => s.toLowerCase(),
  );
  return lists.find((l) => l !== '' && haystack.some((h) => h.includes(l.toLowerCase()))) ?? null;
}

export function chooseTree(trees: TreeConfig[], mail: RootMailFacts | null): TreeChoice {
  if (trees.length === 0) return { tree: null, reason: 'no tree configured' };
  if (mail) {
    const words = new Set(mail.prefixes.map((p) => p.toLowerCase()).filter((p) => !GENERIC.test(p)));
    for (const t of trees) {
      const hit = t.prefixes.find((p) => words.has(p.toLowerCase()));
      if (hit) return { tree: t, reason: `subject prefix "${hit}"` };
    }
    for (const t of trees) {
      const hit = listHit(t.lists, mail);
      if (hit) return { tree: t, reason: `list ${hit}` };
    }
  }
  const catchAll = trees.find((t) => t.lists.length === 0 && t.prefixes.length === 0);
  if (catchAll) return { tree: catchAll, reason: 'no list or prefix matched, catch-all tree' };
  const first = trees[0] ?? null;
  return { tree: first, reason: 'no list or prefix matched, first tree' };
}
