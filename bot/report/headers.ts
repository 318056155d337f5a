/**
 * Reply headers: threading (In-Reply-To, References), recipients and a Message-ID that is
 * deterministic, so a retried send of the same result is recognizably the same mail.
 */
import { createHash } from 'node:crypto';

const ADDRESS =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** A plain addr-spec of the shapes mail on the lists uses; anything else is refused. */
export function isAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

const MSGID = /^<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>$/;

export function isMessageId(id: string): boolean {
  return id.length <= 250 && MSGID.test(id);
}

/** The address part of "Name <a@b>" or of a bare "a@b", lowercased, for comparisons. */
export function addressOf(mailbox: string): string {
  const m = /<([^<>]*)>\s*$/.exec(mailbox);
  return (m?.[1] ?? mailbox).trim().toLowerCase();
}

/**
 * One mailbox re-written as `"Name" <address>`: the name (which may carry anything a sender
 * put into an encoded word, colons and line breaks included) is quoted, so it can never be
 * read as a group, a second address or a header.
 */
export function formatMailbox(mailbox: string): string | null {
  const flat = mailbox.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const m = /^(.*)<([^<>]*)>\s*$/.exec(flat);
  const address = (m?.[2] ?? flat).trim();
  const name = (m?.[1] ?? '')
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/\s+/g, ' ');
  if (!isAddress(address)) return null;
  if (!name) return address;
  if (/^[A-Za-z0-9 .'-]+$/.test(name)) return `${name} <${address}>`;
  return `"${name.replace(/\\/g, '').replace(/"/g, "'")}" <${address}>`;
}

/** Recipients without duplicates (by address) and without the bot itself. */
export function uniqueRecipients(list: string[], exclude: string[]): string[] {
  const seen = new Set(exclude.map(addressOf));
  const out: string[] = [];
  for (const r of list) {
    const a = addressOf(r);
    const formatted = formatMailbox(r);
    if (!a || !formatted || seen.has(a)) continue;
    seen.add(a);
    out.push(formatted);
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
    // A malformed id (spaces, line breaks, several ids) is dropped, not repaired.
    if (isMessageId(b) && !out.includes(b)) out.push(b);
  }
  return out;
}
