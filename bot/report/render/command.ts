/**
 * The answer to a `#daxbot` command mail: the command line quoted, then what was done or why it
 * was refused. The answer's wording for each command (what a re-test, an "unrelated" or an
 * "invalid" did) is here too, beside the other replies' wording.
 */
import type { MailConfig } from '../../../config/schema.ts';
import type { DkimVerdict } from '../../commands/authorize.ts';
import type { CommandEffect } from '../../commands/effect.ts';
import { hardWrap, urlField } from '../wrap.ts';
import { greeting, join, paragraph, signature, type ReplyCommon } from './common.ts';

export interface CommandReplyInput extends ReplyCommon {
  kind: 'command';
  /** The mail that carried the command. */
  commandMail: { messageId: string; from: string; subject: string; references?: string[] };
  command: string;
  allowed: boolean;
  reason: string;
  /** What was done when allowed: "queued job 42 (ndctl, 3 repeats)". */
  action?: string;
}

/** The body of a command answer. */
export function renderCommandBody(input: CommandReplyInput): string {
  const quoted = hardWrap(`> ${input.command}`, '>   ');
  const verdict = input.allowed
    ? paragraph(`Done: ${input.action ?? input.reason}`)
    : paragraph(`Refused: ${input.reason}`);
  const sections: string[][] = [greeting(input.commandMail.from), quoted, verdict];
  if (input.allowed && input.action && input.reason) sections.push(paragraph(`(${input.reason})`));
  sections.push(urlField('Dashboard', input.dashboardLink), signature(input));
  return join(sections);
}

/** The reason line of an answer always carries the DKIM result the decision was made with. */
export function reasonWithDkim(reason: string, dkim: DkimVerdict | null): string {
  if (!dkim || reason.includes(dkim.detail)) return reason;
  return `${reason} (DKIM: ${dkim.detail})`;
}

export interface CommandAnswer {
  mail: MailConfig;
  commandMail: { messageId: string; from: string; subject: string; references: string[] };
  line: string;
  versionKey: string | null;
  allowed: boolean;
  reason: string;
  action?: string;
}

/** The renderer's input for an answer. Pure. */
export function commandReplyInput(a: CommandAnswer): CommandReplyInput {
  const base = a.mail.dashboardUrl.replace(/\/$/, '');
  return {
    kind: 'command',
    mail: a.mail,
    versionKey: a.versionKey ?? '',
    dashboardLink: a.versionKey ? `${base}/series/${encodeURIComponent(a.versionKey)}` : base,
    commandMail: {
      messageId: `<${a.commandMail.messageId}>`,
      from: a.commandMail.from,
      subject: a.commandMail.subject,
      references: a.commandMail.references.map((r) => `<${r}>`),
    },
    command: a.line,
    allowed: a.allowed,
    reason: a.reason,
    ...(a.allowed && a.action !== undefined && { action: a.action }),
  };
}

/** What an allowed command did, in the answer's words (the action line). */
export function commandActionText(
  effect: CommandEffect,
  done: { versionKey: string; jobId: number | null; seenOn: readonly string[] },
): string {
  switch (effect.kind) {
    case 'rerun':
      return `queued re-test job #${done.jobId} for ${done.versionKey}${effect.base ? ` on base ${effect.base}` : ''} (ahead of new series).`;
    case 'unrelated':
      return (
        `"${effect.crashTitle}" is marked as not caused by the series; results of this and later versions do not count it. ` +
        (done.seenOn.length > 0
          ? `It matches the crash reported on ${done.seenOn.join(', ')}.`
          : 'No crash with this title was reported on the series so far; the mark applies when one appears.')
      );
    case 'invalid':
      return `the report on ${done.versionKey} is withdrawn: later results for this version are recorded but not mailed.`;
  }
}
