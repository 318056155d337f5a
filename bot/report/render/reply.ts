/**
 * Renders replies: the headers (addressing, threading, a deterministic Message-ID) and the body
 * of each kind of mail, a single-runner result (result.ts) or a command answer (command.ts); a
 * group's result is group.ts. Pure: the same input gives the same bytes and the same
 * Message-ID, so a retry never makes a second mail.
 */
import { addressOf, hashText, referencesChain, replyMessageId, replySubject, uniqueRecipients } from '../headers.ts';
import { renderCommandBody, type CommandReplyInput } from './command.ts';
import { mailboxText, type RenderedReply } from './common.ts';
import { parentOf, renderResultBody, type ResultReplyInput } from './result.ts';

export type ReplyInput = ResultReplyInput | CommandReplyInput;

export function renderReply(input: ReplyInput): RenderedReply {
  const body = input.kind === 'command' ? renderCommandBody(input) : renderResultBody(input);
  return { headers: renderHeaders(input, body), body };
}

function resultKey(input: ReplyInput): string {
  // What makes two results "the same" for the Message-ID: the outcome and each entry's class.
  if (input.kind === 'command') return `command\0${input.commandMail.messageId}\0${input.command}\0${input.allowed}`;
  const v = input.verdict;
  const parts = [input.kind, v.outcome, ...v.entries.map((e) => `${e.key}=${e.class}`)];
  if (input.bisection) parts.push(`firstBad=${input.bisection.firstBad}`);
  if (input.change) parts.push(`prev=${input.change.outcome}`);
  return parts.join('\n');
}

function renderHeaders(input: ReplyInput, _body: string): Record<string, string> {
  const { mail } = input;
  const self = [mail.from];
  let to: string[];
  let cc: string[] = [];
  let parentId: string;
  let ancestors: string[];
  let subject: string;
  if (input.kind === 'command') {
    to = [input.commandMail.from];
    parentId = input.commandMail.messageId;
    ancestors = input.commandMail.references ?? [];
    subject = input.commandMail.subject;
  } else {
    const s = input.series;
    const parent = parentOf(s);
    to = [mailboxText(s.author)];
    const lists = s.lists ?? [];
    const listAddresses = new Set(lists.map(addressOf));
    if (mail.ccList) cc.push(...lists);
    if (mail.ccSeries) cc.push(...(s.cc ?? []).filter((m) => !listAddresses.has(addressOf(m))));
    ancestors = s.references ?? [s.rootMessageId];
    // Always into the patch thread, also when the result changed: an earlier reply may never
    // have been mailed, and people look for the bot's replies under the series.
    parentId = parent.id;
    subject = parent.subject;
  }
  to = uniqueRecipients(to, self);
  cc = uniqueRecipients(cc, [...self, ...to]);
  const refs = referencesChain(ancestors, parentId);
  const headers: Record<string, string> = {
    From: mail.from,
    To: to.join(', '),
  };
  if (cc.length) headers.Cc = cc.join(', ');
  headers.Subject = replySubject(subject);
  headers['Message-ID'] = replyMessageId(input.versionKey, hashText(resultKey(input)), mail.domain);
  headers['In-Reply-To'] = refs[refs.length - 1] ?? '';
  headers.References = refs.join(' ');
  // RFC 3834: autoresponders must not answer us, which keeps bots from looping.
  headers['Auto-Submitted'] = 'auto-generated';
  headers['X-Daxbot-Result'] =
    input.kind === 'command' ? (input.allowed ? 'command-done' : 'command-refused') : input.verdict.outcome;
  return headers;
}
