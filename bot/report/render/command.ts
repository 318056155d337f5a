/**
 * The answer to a `#daxbot` command mail: one mail for all the commands it carried, each command
 * line quoted, then what was done or why it was refused. The answer's wording for each command
 * (what a re-test, an "unrelated" or an "invalid" did) is here too, beside the other replies'
 * wording.
 */
import type { MailConfig } from '../../../config/schema.ts';
import type { DkimVerdict } from '../../commands/authorize.ts';
import type { CommandEffect } from '../../commands/effect.ts';
import { hardWrap, urlField } from '../wrap.ts';
import { greeting, join, paragraph, signature, type ReplyCommon } from './common.ts';

/** One command line of the mail and what became of it. */
export interface AnsweredCommand {
  command: string;
  allowed: boolean;
  reason: string;
  /** What was done when allowed: "queued job 42 (ndctl, 3 repeats)". */
  action?: string;
}

export interface CommandReplyInput extends ReplyCommon {
  kind: 'command';
  /** The mail that carried the commands. */
  commandMail: { messageId: string; from: string; subject: string; references?: string[] };
  /** In the order of the mail's lines; at least one. */
  commands: AnsweredCommand[];
}

/** The quoted line, the verdict and (when done) the reason, for one command. */
function commandSections(c: AnsweredCommand): string[][] {
  const quoted = hardWrap(`> ${c.command}`, '>   ');
  const verdict = c.allowed ? paragraph(`Done: ${c.action ?? c.reason}`) : paragraph(`Refused: ${c.reason}`);
  const sections = [quoted, verdict];
  if (c.allowed && c.action && c.reason) sections.push(paragraph(`(${c.reason})`));
  return sections;
}

/** The body of a command answer. */
export function renderCommandBody(input: CommandReplyInput): string {
  const sections: string[][] = [greeting(input.commandMail.from), ...input.commands.flatMap(commandSections)];
  sections.push(urlField('Dashboard', input.dashboardLink), signature(input));
  return join(sections);
}

/** What the answer's X-Daxbot-Result says: every command done, every one refused, or some of each. */
export function commandResult(commands: readonly AnsweredCommand[]): string {
  if (commands.every((c) => c.allowed)) return 'command-done';
  if (commands.every((c) => !c.allowed)) return 'command-refused';
  return 'command-partly-done';
}

/** The reason line of an answer always carries the DKIM result the decision was made with. */
export function reasonWithDkim(reason: string, dkim: DkimVerdict | null): string {
  if (!dkim || reason.includes(dkim.detail)) return reason;
  return `${reason} (DKIM: ${dkim.detail})`;
}

export interface CommandAnswer {
  mail: MailConfig;
  commandMail: { messageId: string; from: string; subject: string; references: string[] };
  versionKey: string | null;
  lines: { line: string; allowed: boolean; reason: string; action?: string }[];
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
    // A refusal carries no action even when one was passed.
    commands: a.lines.map((l) => ({
      command: l.line,
      allowed: l.allowed,
      reason: l.reason,
      ...(l.allowed && l.action !== undefined && { action: l.action }),
    })),
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
