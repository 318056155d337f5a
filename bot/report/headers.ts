/**
 * Reply headers: threading (In-Reply-To, References), recipients and a Message-ID that is
 * deterministic, so a retried send of the same result is recognizably the same mail.
 */
import { createHash } from 'node:crypto';

/** The address part of "Name <a@b>" or of a bare "a@b", lowercased, for comparisons. */
export function addressOf(mailbox: string): string {
  const m = /<([^<>]*)>\s*$/.exec(mailbox);
  return (m?.[1] ?? mailbox).trim().toLowerCase();
}

/** Recipients without duplicates (by address) and without the bot itself. */
export function uniqueRecipients(list: string[], exclude: string[]): string[] {
  const seen = new Set(exclude.map(addressOf));
  const out: string[] = [];
  for (const r of list) {
    const a = addressOf(r);
    if (!a || seen.has(a)) continue;
    seen.add(a);
    out.push(r.trim());
  }
  return out;
}

/** "<id@host>" from "id@host" or "<id@host>". */
export function bracketId(id: string): string {
  const bare = id.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

export function replySubject(subject: string): string {
  const s = subject.replace(/\s+/g, ' ').trim();
  return /^re:/i.test(s) ? s : `Re: ${s}`;
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Same key and same result → same id; a different result gets a new id. */
export function replyMessageId(key: string, resultHash: string, domain: string): string {
  const h = hashText(`${key}\0${resultHash}`).slice(0, 24);
  const safeDomain = domain.replace(/[^A-Za-z0-9.-]/g, '') || 'daxbot.localhost';
  return `<daxbot-${h}@${safeDomain}>`;
}

/** References: the ancestors, then the message replied to, each once, oldest first. */
export function referencesChain(ancestors: string[], parent: string): string[] {
  const out: string[] = [];
  for (const id of [...ancestors, parent]) {
    const b = bracketId(id);
    if (b !== '<>' && !out.includes(b)) out.push(b);
  }
  return out;
}
