import type { ParsedMessage } from '../parse/types.ts';

/** The three headers threading looks at. */
export type ThreadLinks = Pick<ParsedMessage, 'messageId' | 'inReplyTo' | 'references'>;

/** One conversation: every message reachable through In-Reply-To/References from one root. */
export interface MailThread<M extends ThreadLinks = ParsedMessage> {
  /** The top of the tree. It may be a message we never received (a "phantom" parent). */
  rootId: string;
  /** True when the root message itself is among the messages. */
  rootPresent: boolean;
  /** Messages of the thread in input order, duplicates (same Message-ID) dropped. */
  messages: M[];
}

interface Container {
  id: string;
  message: ThreadLinks | null;
  order: number;
  parent: Container | null;
  children: Container[];
}

/**
 * Groups messages into threads the way JWZ's algorithm does (without its subject merging, which
 * b4 and lore do not do either): every Message-ID gets a container, the References chain links
 * containers parent→child, and a message's own parent is its In-Reply-To (else its last
 * reference). Parents we never saw still join their children into one thread. Input order does
 * not matter for the grouping; within a thread, messages keep input order.
 */
export function buildThreads<M extends ThreadLinks = ParsedMessage>(messages: readonly M[]): MailThread<M>[] {
  const containers = new Map<string, Container>();
  const get = (id: string): Container => {
    let c = containers.get(id);
    if (!c) {
      c = { id, message: null, order: Number.MAX_SAFE_INTEGER, parent: null, children: [] };
      containers.set(id, c);
    }
    return c;
  };

  const kept: M[] = [];
  messages.forEach((m) => {
    const c = get(m.messageId);
    if (c.message) return; // duplicate delivery: the first copy wins, as in b4
    c.message = m;
    c.order = kept.length;
    kept.push(m);

    const chain = referenceChain(m);
    let prev: Container | null = null;
    for (const ref of chain) {
      const rc = get(ref);
      // A reference chain only fills in links we do not know yet; it never re-parents.
      if (prev && !rc.parent && rc !== prev && !isAncestor(rc, prev)) link(prev, rc);
      prev = rc;
    }
    // The message's own parent is authoritative: In-Reply-To beats an older guess.
    if (prev && prev !== c && !isAncestor(c, prev)) {
      if (c.parent) unlink(c);
      link(prev, c);
    }
  });

  const roots = new Map<Container, M[]>();
  const rootOf = (c: Container): Container => {
    let r = c;
    while (r.parent) r = r.parent;
    return r;
  };
  for (const m of kept) {
    const r = rootOf(get(m.messageId));
    let list = roots.get(r);
    if (!list) {
      list = [];
      roots.set(r, list);
    }
    list.push(m);
  }
  const threads: MailThread<M>[] = [];
  for (const [root, msgs] of roots) {
    threads.push({ rootId: root.id, rootPresent: root.message !== null, messages: msgs });
  }
  // Threads in the order their first message arrived.
  const firstOrder = (t: MailThread<M>): number => containers.get(t.messages[0]?.messageId ?? '')?.order ?? 0;
  threads.sort((a, b) => firstOrder(a) - firstOrder(b));
  return threads;
}

/** References oldest first, In-Reply-To last, no repeats, never the message itself. */
function referenceChain(m: ThreadLinks): string[] {
  const out: string[] = [];
  const seen = new Set<string>([m.messageId]);
  const add = (id: string): void => {
    if (id && !seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  };
  for (const r of m.references) add(r);
  if (m.inReplyTo && m.inReplyTo !== m.messageId) {
    // In-Reply-To names the direct parent even when References lists it earlier or not at all.
    const i = out.indexOf(m.inReplyTo);
    if (i >= 0) out.splice(i, 1);
    out.push(m.inReplyTo);
  }
  return out;
}

function link(parent: Container, child: Container): void {
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: Container): void {
  const p = child.parent;
  if (!p) return;
  p.children = p.children.filter((c) => c !== child);
  child.parent = null;
}

/** Is `a` an ancestor of (or equal to) `b`? Linking would then make a loop. */
function isAncestor(a: Container, b: Container): boolean {
  for (let x: Container | null = b; x; x = x.parent) if (x === a) return true;
  return false;
}
