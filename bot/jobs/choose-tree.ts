/**
 * Which configured tree a series version is tested on. Pure: the caller reads the root mail's
 * List-Id, recipients and subject prefix words from the store.
 *
 * Order, most specific first (the order a maintainer routes by hand):
 *  1. a subject prefix word a tree claims (`[PATCH mm-unstable]`, `[PATCH nvdimm-pending]`);
 *  2. a list a tree claims, matched against the List-Id and the To/Cc addresses (lore archives
 *     drop List-Id on some paths, so recipients count too);
 *  3. the first tree that claims nothing (a catch-all), else the first tree.
 * Each decision says why, and the reply shows it. The other trees follow in that order too
 * (rankTrees): base discovery tries them all.
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

interface RankedTree {
  tree: TreeConfig;
  reason: string;
}

function prefixMatches(trees: TreeConfig[], mail: RootMailFacts): RankedTree[] {
  const words = new Set(mail.prefixes.map((p) => p.toLowerCase()).filter((p) => !GENERIC.test(p)));
  return trees.flatMap((t) => {
    const hit = t.prefixes.find((p) => words.has(p.toLowerCase()));
    return hit ? [{ tree: t, reason: `subject prefix "${hit}"` }] : [];
  });
}

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

function listMatches(trees: TreeConfig[], mail: RootMailFacts): RankedTree[] {
  return trees.flatMap((t) => {
    const hit = listHit(t.lists, mail);
    return hit ? [{ tree: t, reason: `list ${hit}` }] : [];
  });
}

/**
 * Every configured tree in routing order, each with why it is there: prefix matches, then list
 * matches, then catch-alls, then the rest in configuration order. Base discovery tries the trees
 * in this order; the first is the tree a series is routed to.
 */
export function rankTrees(trees: TreeConfig[], mail: RootMailFacts | null): RankedTree[] {
  const ranked: RankedTree[] = [];
  const add = (r: RankedTree): void => {
    if (!ranked.some((x) => x.tree === r.tree)) ranked.push(r);
  };
  if (mail) [...prefixMatches(trees, mail), ...listMatches(trees, mail)].forEach(add);
  const matched = ranked.length > 0;
  const catchAll = matched ? 'not routed here; a catch-all tree' : 'no list or prefix matched, catch-all tree';
  for (const t of trees) if (t.lists.length === 0 && t.prefixes.length === 0) add({ tree: t, reason: catchAll });
  // Evaluated per tree: only the very first tree, when nothing matched at all, is "the first tree".
  for (const t of trees)
    add({ tree: t, reason: ranked.length > 0 ? 'not routed here' : 'no list or prefix matched, first tree' });
  return ranked;
}

export function chooseTree(trees: TreeConfig[], mail: RootMailFacts | null): TreeChoice {
  const first = rankTrees(trees, mail)[0];
  return first ? { tree: first.tree, reason: first.reason } : { tree: null, reason: 'no tree configured' };
}
