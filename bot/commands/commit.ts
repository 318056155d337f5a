/**
 * The one transaction that handles a command mail: its record in command_mails first (a fleet's
 * other process that got there first makes this one roll back), then each allowed command's
 * effect (the queued re-run, the mark), each line's decision record, and the mail's one answer
 * as a reply row. A kill before the commit leaves none of them, so the mail is simply handled
 * again; after it, the record makes it skipped. The answer is sent after the commit.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { PipelineDeps } from '../deps.ts';
import { errorMessage } from '../errors.ts';
import { insertRerunGroup } from '../queue/enqueue.ts';
import { buildMessage } from '../report/mail.ts';
import { commandActionText, commandReplyInput } from '../report/render/command.ts';
import { renderReply } from '../report/render/reply.ts';
import {
  claimCommandMail,
  recordCommand,
  setCommandMailState,
  type CommandMailRecord,
  type CommandMailState,
  type CommandRecord,
} from '../store/commands.ts';
import { addInvalidMark, addUnrelatedMark } from '../store/marks.ts';
import { ensureReply } from '../store/replies.ts';
import type { Database } from '../store/tables.ts';
import type { CommandEffect } from './effect.ts';
import type { Target } from './target.ts';

/** The mail as the answer needs it. */
export interface CommandMailInfo {
  messageId: string;
  /** The sender's address as stored (what authorization compares), '' when it has none. */
  from: string;
  /** The From mailbox with its display name, for the answer's To and greeting. */
  fromMailbox: string;
  subject: string;
  references: string[];
}

/** One command line being handled: its key, decision and effect. */
export interface LineHandling {
  /** "<message-id>/<n>": one record per command line. */
  key: string;
  line: string;
  allowed: boolean;
  reason: string;
  effect: CommandEffect | null;
  /** Versions on which the crash of an "unrelated" command was reported. */
  seenOn: string[];
}

/** Everything decided about one mail, ready to be committed. */
export interface MailHandling {
  mail: CommandMailInfo;
  target: Target | null;
  lines: LineHandling[];
  /** What the mail's record says; 'answered' sends one answer summarising every line. */
  state: Exclude<CommandMailState, 'failed'>;
  reason: string | null;
  /** Failed attempts so far (the record is taken over from a failed one only if unchanged). */
  attempts: number;
}

/** Deterministic per command mail, so a restart finds the answer it already wrote. */
export function commandReplyId(mailKey: string, domain: string): string {
  return `daxbot-cmd-${createHash('sha256').update(mailKey).digest('hex').slice(0, 24)}@${domain}`;
}

/** Another process of the fleet handled the mail first: this transaction rolls back. */
class HandledElsewhere extends Error {}

interface Performed {
  action: string;
  jobId: number | null;
  answer?: string;
}

/** Performs the effect inside the transaction; returns the record's action and the answer's. */
async function perform(deps: PipelineDeps, trx: Transaction<Database>, h: MailHandling, l: LineHandling, now: Date) {
  const { target } = h;
  const effect = l.effect;
  if (!effect || !target) return { action: 'none', jobId: null } satisfies Performed;
  const nowIso = now.toISOString();
  let action: string;
  let jobId: number | null = null;
  if (effect.kind === 'rerun') {
    const options = {
      requestedBy: l.key,
      ...(effect.suites && { suites: effect.suites }),
      ...(effect.repeats !== undefined && { repeats: effect.repeats }),
      ...(effect.base !== undefined && { base: effect.base }),
    };
    const ids = await insertRerunGroup(trx, deps.config, target.versionKey, options, now, { trigger: 'command' });
    jobId = ids[0] ?? null;
    action = `rerun job #${jobId}`;
  } else if (effect.kind === 'unrelated') {
    action = `unrelated: ${effect.crashTitle}`;
    const mark = { ...target, crashTitle: effect.crashTitle, markedBy: h.mail.from, commandId: l.key };
    await addUnrelatedMark(trx, mark, nowIso);
  } else {
    action = 'withdraw';
    await addInvalidMark(trx, { ...target, markedBy: h.mail.from, commandId: l.key }, nowIso);
  }
  const answer = commandActionText(effect, { versionKey: target.versionKey, jobId, seenOn: l.seenOn });
  return { action, jobId, answer } satisfies Performed;
}

/** The one answer, as a reply row; null (with the reason) when it cannot be built. */
async function writeAnswer(
  deps: PipelineDeps,
  trx: Transaction<Database>,
  h: MailHandling,
  performed: Performed[],
  replyId: string,
  now: Date,
): Promise<string | null> {
  const versionKey = h.target?.versionKey ?? null;
  const lines = h.lines.map((l, i) => ({
    line: l.line,
    allowed: l.allowed,
    reason: l.reason,
    ...(performed[i]?.answer !== undefined && { action: performed[i]?.answer }),
  }));
  const { messageId, fromMailbox, subject, references } = h.mail;
  const input = commandReplyInput({
    mail: deps.config.mail,
    commandMail: { messageId, from: fromMailbox, subject, references },
    versionKey,
    lines,
  });
  const rendered = renderReply(input);
  rendered.headers['Message-ID'] = `<${replyId}>`;
  let built;
  try {
    built = await buildMessage(rendered, { date: now });
  } catch (err) {
    return `the answer could not be built: ${errorMessage(err)}`;
  }
  const allowed = h.lines.some((l) => l.allowed);
  const reply = {
    messageId: replyId,
    versionKey,
    jobId: performed.find((p) => p.jobId !== null)?.jobId ?? null,
    kind: 'command' as const,
    digest: h.mail.messageId,
    outcome: allowed ? 'accepted' : 'refused',
    mailed: true,
    subject: rendered.headers.Subject ?? '',
    recipients: built.envelope.to,
    raw: built.raw.toString('utf8'),
  };
  await ensureReply(trx, reply, now.toISOString());
  return null;
}

/** Commits the mail's handling (see the header); false when another process had handled it. */
export async function commitMail(deps: PipelineDeps, h: MailHandling): Promise<boolean> {
  const replyId = commandReplyId(h.mail.messageId, deps.config.mail.domain);
  const now = deps.now();
  const nowIso = now.toISOString();
  const answered = h.state === 'answered';
  const record: CommandMailRecord = {
    messageId: h.mail.messageId,
    fromAddress: h.mail.from || null,
    state: h.state,
    reason: h.reason,
    commands: h.lines.length,
    replyMessageId: answered ? replyId : null,
  };
  try {
    await deps.store.db.transaction().execute(async (trx) => {
      // First, so that a second process waits here and then finds the mail handled.
      if (!(await claimCommandMail(trx, record, h.attempts, nowIso))) throw new HandledElsewhere();
      const performed: Performed[] = [];
      for (const l of h.lines) performed.push(await perform(deps, trx, h, l, now));
      const unsent = answered ? await writeAnswer(deps, trx, h, performed, replyId, now) : null;
      // An answer that cannot be built (a From no mail can go to) leaves the commands recorded.
      if (unsent !== null)
        await setCommandMailState(
          trx,
          record.messageId,
          { state: 'recorded', reason: unsent, replyMessageId: null },
          nowIso,
        );
      for (const [i, l] of h.lines.entries()) {
        const p = performed[i] ?? { action: 'none', jobId: null };
        await recordCommand(trx, commandRecord(h, l, p, answered && unsent === null ? replyId : null), nowIso);
      }
    });
  } catch (err) {
    if (err instanceof HandledElsewhere) return false;
    throw err;
  }
  return true;
}

function commandRecord(h: MailHandling, l: LineHandling, p: Performed, replyId: string | null): CommandRecord {
  return {
    messageId: l.key,
    versionKey: h.target?.versionKey ?? null,
    fromAddress: h.mail.from || null,
    text: l.line,
    action: p.action,
    decision: l.allowed ? 'accepted' : 'refused',
    reason: l.reason,
    jobId: p.jobId,
    replyMessageId: replyId,
  };
}
