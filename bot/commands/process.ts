/**
 * `#daxbot ...` commands found in ingested mail. Every mail is handled on its own: whatever goes
 * wrong with one (a From no answer can go to, a bug on a strange mail) is recorded against that
 * mail with the reason (command_mails: retried a few times, then left) and the next mail is
 * handled, so one mail never stops the intake. In a mail, each command line is parsed, authorized
 * (DKIM + maintainer list + re-test budget) and decided on its own; the mail then gets at most
 * one answer, summarising its lines. Refusals are answered only to a sender who is verified (DKIM)
 * or on the thread (the series' author and recipients, the authors of the mails it answers);
 * otherwise they are recorded, not mailed, so a forged From gets no backscatter. Commands in the
 * bot's own name (its address, in any case) are not acted on. Re-tests queue a priority job;
 * "unrelated" and "invalid" leave a durable mark (bot/store/marks.ts). The writes of one mail are
 * one transaction (commit.ts).
 */
import type { DNSResolver } from 'mailauth';
import { parseMessage } from '../../ingest/parse/message.ts';
import type { PipelineDeps } from '../deps.ts';
import { errorMessage } from '../errors.ts';
import { FALLBACK_TREE } from '../jobs/context.ts';
import { dispatchRunners } from '../queue/enqueue.ts';
import { flushPendingReplies } from '../report/deliver.ts';
import { addressOf, isAddress } from '../report/headers.ts';
import { reasonWithDkim } from '../report/render/command.ts';
import {
  acceptedCommandTimes,
  commandMailRows,
  recordCommandMailFailure,
  type CommandMailRow,
} from '../store/commands.ts';
import { authorize, refuseUnparsed, verifyDkim, type CommandDecision, type DkimVerdict } from './authorize.ts';
import { commitMail, type CommandMailInfo, type LineHandling, type MailHandling } from './commit.ts';
import { commandEffect, type CommandEffect } from './effect.ts';
import { parseCommands, type Command } from './parse.ts';
import { reportedOn, targetOf, type TargetAndThread } from './target.ts';

export { commandReplyId } from './commit.ts';

export interface CommandDeps {
  /** DKIM check of a raw mail; tests inject one with their own DNS. */
  verifyDkim?: (raw: Buffer) => Promise<DkimVerdict>;
  resolver?: DNSResolver;
}

/** One command line of a mail: parsed, or the reason it could not be. */
interface Line {
  cmd: Command | null;
  line: string;
  error: string | null;
}

type DkimCheck = (raw: Buffer) => Promise<DkimVerdict>;

/** Authorization, then the checks only the pipeline can make (a runner to queue on, the base). */
async function decide(
  deps: PipelineDeps,
  from: string,
  thread: TargetAndThread,
  item: Line,
  dkim: DkimVerdict,
): Promise<{ decision: CommandDecision; effect: CommandEffect | null }> {
  const { target } = thread;
  let decision: CommandDecision;
  if (item.error !== null || !item.cmd) decision = refuseUnparsed(item.line, item.error ?? 'unparseable');
  else if (!target)
    decision = {
      command: item.line,
      allowed: false,
      reason: 'the mail is not in the thread of a series the bot knows',
    };
  else
    decision = authorize(item.cmd, {
      from,
      dkim,
      maintainers: deps.config.mail.maintainers,
      recent: (await acceptedCommandTimes(deps.store.db, target.versionKey)).map((t) => Date.parse(t)),
      now: deps.now().getTime(),
    });
  const wanted = decision.allowed && item.cmd && target ? commandEffect(item.cmd) : null;
  // Nothing to queue on (every runner disabled): refused with the reason.
  if (wanted?.kind === 'rerun' && dispatchRunners(deps.config).length === 0)
    decision = { command: item.line, allowed: false, reason: 'cannot re-test: no enabled runner is configured' };
  // A named base must be in a configured tree (or be a full commit id a remote tree can be asked
  // for): refused now, with the trees named, rather than quietly tested on another base.
  else if (wanted?.kind === 'rerun' && wanted.base && !(await baseReachable(deps, wanted.base)))
    decision = {
      command: item.line,
      allowed: false,
      reason: `base ${wanted.base} is not in tree ${deps.config.trees.map((t) => t.name).join(', ') || FALLBACK_TREE}`,
    };
  return { decision, effect: decision.allowed ? wanted : null };
}

/** A base some configured tree has, or a full commit id a remote tree can be asked for by id. */
async function baseReachable(deps: PipelineDeps, rev: string): Promise<boolean> {
  const names = deps.config.trees.length > 0 ? deps.config.trees.map((t) => t.name) : [FALLBACK_TREE];
  for (const name of names) if (await deps.resolveCommit(deps.treePath(name), rev)) return true;
  return /^[0-9a-f]{40}$/.test(rev) && deps.config.trees.some((t) => t.url);
}

/** One line decided; a failure to decide refuses that line with the reason, not the whole mail. */
async function decideLine(
  deps: PipelineDeps,
  mail: CommandMailInfo,
  thread: TargetAndThread,
  item: Line,
  dkim: DkimVerdict,
  key: string,
): Promise<LineHandling> {
  let decided: { decision: CommandDecision; effect: CommandEffect | null };
  try {
    decided = await decide(deps, mail.from, thread, item, dkim);
  } catch (err) {
    const reason = `the command could not be handled: ${errorMessage(err)}`;
    decided = { decision: { command: item.line, allowed: false, reason }, effect: null };
  }
  const { decision, effect } = decided;
  const target = thread.target;
  const seenOn =
    effect?.kind === 'unrelated' && target ? await reportedOn(deps, target.seriesKey, effect.crashTitle) : [];
  const reason = reasonWithDkim(decision.reason, dkim);
  return { key, line: item.line, allowed: decision.allowed, reason, effect, seenOn };
}

function linesOf(body: string): Line[] {
  const parsed = parseCommands(body, { maxRepeat: 10 });
  return [
    ...parsed.commands.map((c) => ({ cmd: c, line: c.line, error: null })),
    ...parsed.errors.map((e) => ({ cmd: null, line: e.line, error: e.error })),
  ];
}

/** Every line refused for the same reason, without asking anything else (no usable sender). */
function refuseAll(mail: CommandMailInfo, lines: Line[], reason: string): LineHandling[] {
  return lines.map((l, i) => ({
    key: `${mail.messageId}/${i + 1}`,
    line: l.line,
    allowed: false,
    reason,
    effect: null,
    seenOn: [],
  }));
}

const UNVERIFIED =
  'refused commands are not answered by mail to a sender who is neither DKIM-verified nor on the thread';

/** Decides every line of a mail with a usable sender, and whether the mail is answered. */
async function decideMail(
  deps: PipelineDeps,
  mail: CommandMailInfo,
  raw: Buffer,
  inReplyTo: string | null,
  lines: Line[],
  check: DkimCheck,
): Promise<Omit<MailHandling, 'attempts'>> {
  const thread = await targetOf(deps, inReplyTo);
  // Checked once per mail, for every line: each answer reports it.
  const dkim = await check(raw).catch(
    (err: unknown): DkimVerdict => ({
      pass: false,
      domains: [],
      fromDomain: null,
      detail: `error (${errorMessage(err)})`,
    }),
  );
  const handled: LineHandling[] = [];
  for (const [i, item] of lines.entries())
    handled.push(await decideLine(deps, mail, thread, item, dkim, `${mail.messageId}/${i + 1}`));
  const answer = handled.some((l) => l.allowed) || dkim.pass || thread.onThread.has(addressOf(mail.from));
  return {
    mail,
    target: thread.target,
    lines: handled,
    state: answer ? 'answered' : 'recorded',
    reason: answer ? null : UNVERIFIED,
  };
}

/** What to do with one mail (see the header); the transaction is commit.ts's. */
async function planMail(deps: PipelineDeps, row: CommandMailRow, check: DkimCheck): Promise<MailHandling> {
  const raw = Buffer.from(row.raw);
  const parsed = await parseMessage(raw);
  const from = row.from_address ?? '';
  const mail: CommandMailInfo = {
    messageId: row.message_id,
    from,
    fromMailbox: row.from_name ? `${row.from_name} <${from}>` : from,
    subject: row.subject ?? '',
    references: parsed.ok ? parsed.message.references : [],
  };
  const lines = linesOf(parsed.ok ? parsed.message.body : '');
  const base = { mail, target: null, attempts: row.attempts };
  if (lines.length === 0)
    return { ...base, lines: [], state: 'none', reason: 'no command line, only a mention of #daxbot' };
  if (addressOf(from) === addressOf(deps.config.mail.from))
    return { ...base, lines: [], state: 'ignored', reason: `from the bot's own address (${from}): not acted on` };
  if (!isAddress(from)) {
    const reason = `the From header has no usable address (${JSON.stringify(from)}): a command needs a sender`;
    return { ...base, lines: refuseAll(mail, lines, reason), state: 'recorded', reason };
  }
  return { ...(await decideMail(deps, mail, raw, row.in_reply_to, lines, check)), attempts: row.attempts };
}

/** Handles one mail; returns how many command lines it handled (0 when another process did). */
async function handleMail(deps: PipelineDeps, row: CommandMailRow, check: DkimCheck): Promise<number> {
  const h = await planMail(deps, row, check);
  if (!(await commitMail(deps, h))) return 0;
  const log = deps.log.child({ commandMail: h.mail.messageId });
  if (h.lines.length === 0) log.info({ state: h.state }, `command mail ${h.state}: ${h.reason ?? ''}`);
  for (const l of h.lines) {
    const verb = l.allowed ? 'accepted' : 'refused';
    log.info({ command: l.key, allowed: l.allowed, reason: l.reason, answered: h.state }, `command ${verb}: ${l.line}`);
  }
  return h.lines.length;
}

export async function processCommands(deps: PipelineDeps, cd: CommandDeps = {}): Promise<number> {
  await flushPendingReplies(deps);
  const check = cd.verifyDkim ?? ((raw: Buffer) => verifyDkim(raw, cd.resolver ? { resolver: cd.resolver } : {}));
  let handled = 0;
  for (const row of await commandMailRows(deps.store.db, deps.store.dialect)) {
    try {
      handled += await handleMail(deps, row, check);
    } catch (err) {
      // This mail's problem, not the cycle's: recorded against it (retried a few times).
      const reason = errorMessage(err).slice(0, 500);
      deps.log.error({ commandMail: row.message_id, err: reason }, 'command mail failed; going on with the next');
      const failure = { messageId: row.message_id, fromAddress: row.from_address, reason };
      await recordCommandMailFailure(deps.store.db, failure, deps.now().toISOString()).catch((e: unknown) =>
        deps.log.error({ commandMail: row.message_id, err: errorMessage(e) }, 'could not record the failure'),
      );
    }
  }
  await flushPendingReplies(deps);
  return handled;
}
