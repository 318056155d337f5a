/**
 * What every kind of reply shares: the mailbox text of a sender, the settings a reply needs from
 * `mail:`, the greeting, paragraphs, the signature and the dashboard links, and how sections are
 * joined. Plain text within 75 columns (wrap.ts).
 */
import type { MailConfig } from '../../../config/schema.ts';
import { addressOf } from '../headers.ts';
import { urlField, wrapProse } from '../wrap.ts';

/** "Name <a@b>" or a parsed address (ingest's Address). */
export type MailboxLike = string | { name: string; address: string };

export function mailboxText(m: MailboxLike): string {
  if (typeof m === 'string') return m;
  return m.name ? `${m.name} <${m.address}>` : m.address;
}

export type MailSettings = Pick<MailConfig, 'from' | 'domain' | 'ccList' | 'ccSeries' | 'dashboardUrl'>;

/** What every reply input carries. */
export interface ReplyCommon {
  mail: MailSettings;
  /** Identifies the series version ("nvdimm/20240627005415.1234-1-apopple@nvidia.com/v2"). */
  versionKey: string;
  /** Link to this result on the dashboard. */
  dashboardLink: string;
}

export interface RenderedReply {
  /** In the order they should appear. Values are raw text: mail.ts encodes them. */
  headers: Record<string, string>;
  body: string;
}

function nameOf(mailbox: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*</.exec(mailbox);
  const name = m?.[1]?.trim();
  return name || addressOf(mailbox);
}

export function greeting(author: string): string[] {
  // First name only, as people write on the lists.
  const name = nameOf(author);
  return [`Hi ${name.includes('@') ? name : (name.split(/\s+/)[0] ?? name)},`];
}

export function paragraph(text: string): string[] {
  return wrapProse(text);
}

export function signature(input: ReplyCommon): string[] {
  return [
    '-- ',
    ...wrapProse('daxbot, automated testing of persistent memory and DAX series.'),
    ...wrapProse('Reply with "#daxbot retest" to run the same test again.'),
    ...urlField('Help', `${input.mail.dashboardUrl.replace(/\/$/, '')}/help`),
  ];
}

/** The series page, then the run's own page when there is one. */
export function links(dashboardLink: string, runLink?: string): string[] {
  return [...urlField('Dashboard', dashboardLink), ...(runLink ? urlField('Run', runLink) : [])];
}

/** The sections with one blank line between them, and a final newline. */
export function join(sections: string[][]): string {
  const out: string[] = [];
  for (const s of sections) {
    if (s.length === 0) continue;
    if (out.length) out.push('');
    out.push(...s);
  }
  return out.join('\n') + '\n';
}
