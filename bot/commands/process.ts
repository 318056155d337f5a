/**
 * `#daxbot ...` commands found in ingested mail: each command line is parsed, authorized
 * (DKIM + maintainer list + re-test budget), executed and answered by mail; the decision is
 * recorded. Re-tests queue a priority job; "unrelated" and "invalid" leave a durable mark that
 * the pipeline reads for every later result (bot/store/marks.ts). A command line is handled
 * once: its effect (the queued re-run or the mark), its record and its answer's reply row are
 * written in one transaction, and the answer is sent after. A kill before the commit leaves
 * none of them, so the line is simply handled again; after it, the record makes it skipped.
 */
import { createHash } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DNSResolver } from 'mailauth';
import { z } from 'zod';
import { parseMessage } from '../../ingest/parse/message.ts';
import type { PipelineDeps } from '../deps.ts';
import { errorMessage } from '../errors.ts';
import { loadVersion, routedTreeName } from '../jobs/context.ts';
import { sameCrash } from '../judge/unrelated.ts';
import { dispatchRunners, insertRerunGroup } from '../queue/enqueue.ts';
import { buildMessage } from '../report/mail.ts';
import { commandActionText, commandReplyInput, reasonWithDkim } from '../report/render/command.ts';
import { renderReply } from '../report/render/reply.ts';
import { flushPendingReplies } from '../report/deliver.ts';
import {
  acceptedCommandTimes,
  commandMailRows,
  isCommandRecorded,
  recordCommand,
  type CommandRecord,
} from '../store/commands.ts';
import { seriesJobVerdicts } from '../store/jobs.ts';
import { addInvalidMark, addUnrelatedMark } from '../store/marks.ts';
import { inReplyToOf } from '../store/messages.ts';
import { ensureReply, replyVersionKey, type NewReply } from '../store/replies.ts';
import { findSeriesVersions, seriesKeyOf } from '../store/series.ts';
import type { Database } from '../store/tables.ts';
import { authorize, refuseUnparsed, verifyDkim, type CommandDecision, type DkimVerdict } from './authorize.ts';
import { commandEffect, type CommandEffect } from './effect.ts';
import { parseCommands, type Command } from './parse.ts';

export interface CommandDeps {
  /** DKIM check of a raw mail; tests inject one with their own DNS. */
  verifyDkim?: (raw: Buffer) => Promise<DkimVerdict>;
  resolver?: DNSResolver;
}

interface CandidateMail {
  messageId: string;
  raw: Buffer;
  /** The sender's address (what authorization compares). */
  from: string;
  /** The From mailbox with its display name, for the answer's To and greeting. */
  fromMailbox: string;
  subject: string;
  body: string;
  inReplyTo: string | null;
  references: string[];
}

/** The series version a command is about, and the series it belongs to. */
interface Target {
  versionKey: string;
  seriesKey: string;
}

async function candidates(deps: PipelineDeps): Promise<CandidateMail[]> {
  const rows = await commandMailRows(deps.store.db, deps.store.dialect);
  const own = /<([^>]+)>/.exec(deps.config.mail.from)?.[1] ?? deps.config.mail.from;
  const out: CandidateMail[] = [];
  for (const r of rows) {
    if (r.from_address === own) continue;
    // Commands already recorded need no parse (the cheap check first).
    if (await isCommandRecorded(deps.store.db, `${r.message_id}/1`)) continue;
    const raw = Buffer.from(r.raw);
    const parsed = await parseMessage(raw);
    const from = r.from_address ?? '';
    out.push({
      messageId: r.message_id,
      raw,
      from,
      fromMailbox: r.from_name ? `${r.from_name} <${from}>` : from,
      subject: r.subject ?? '',
      body: parsed.ok ? parsed.message.body : '',
      inReplyTo: r.in_reply_to,
      references: parsed.ok ? parsed.message.references : [],
    });
  }
  return out;
}

/** The series version a command mail is about: up its In-Reply-To chain (through our own replies too). */
async function targetOf(deps: PipelineDeps, mail: CandidateMail): Promise<Target | null> {
  const db = deps.store.db;
  let ref = mail.inReplyTo;
  let versionKey: string | null = null;
  for (let depth = 0; ref && depth < 30 && !versionKey; depth++) {
    versionKey = await replyVersionKey(db, ref);
    if (versionKey) break;
    const found = await findSeriesVersions(db, ref);
    versionKey = found[found.length - 1]?.version_key ?? null;
    if (!versionKey) ref = await inReplyToOf(db, ref);
  }
  if (!versionKey) return null;
  const seriesKey = await seriesKeyOf(db, versionKey);
  return seriesKey === null ? null : { versionKey, seriesKey };
}

// Only what is needed from a stored job verdict (our own JSON, still checked: it outlives code).
const storedVerdictSchema = z.object({
  verdict: z.object({ entries: z.array(z.object({ kind: z.string(), name: z.string() })) }),
});

/** Versions of the series on which the bot reported a crash with this title. */
async function reportedOn(deps: PipelineDeps, seriesKey: string, title: string): Promise<string[]> {
  const out: string[] = [];
  for (const r of await seriesJobVerdicts(deps.store.db, seriesKey)) {
    let json: unknown;
    try {
      json = JSON.parse(r.verdict);
    } catch {
      continue;
    }
    const parsed = storedVerdictSchema.safeParse(json);
    if (!parsed.success) continue;
    const crashed = parsed.data.verdict.entries.some((e) => e.kind === 'crash' && sameCrash(e.name, title));
    if (crashed && !out.includes(r.versionKey)) out.push(r.versionKey);
  }
  return out;
}

/** Deterministic per command line, so a restart finds the answer it already wrote. */
export function commandReplyId(commandKey: string, domain: string): string {
  return `daxbot-cmd-${createHash('sha256').update(commandKey).digest('hex').slice(0, 24)}@${domain}`;
}

/** One command line of a mail: parsed, or the reason it could not be. */
interface Line {
  cmd: Command | null;
  line: string;
  error: string | null;
}

/** Authorization, then the checks only the pipeline can make (a runner to queue on, the base). */
async function decide(
  deps: PipelineDeps,
  mail: CandidateMail,
  target: Target | null,
  item: Line,
  dkim: DkimVerdict,
): Promise<{ decision: CommandDecision; effect: CommandEffect | null }> {
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
      from: mail.from,
      dkim,
      maintainers: deps.config.mail.maintainers,
      recent: (await acceptedCommandTimes(deps.store.db, target.versionKey)).map((t) => Date.parse(t)),
      now: deps.now().getTime(),
    });
  const wanted = decision.allowed && item.cmd && target ? commandEffect(item.cmd) : null;
  // Nothing to queue on (every runner disabled): refused with the reason, rather than an
  // error that would roll the command back and fail again on every cycle.
  if (wanted?.kind === 'rerun' && dispatchRunners(deps.config).length === 0)
    decision = { command: item.line, allowed: false, reason: 'cannot re-test: no enabled runner is configured' };
  // A named base must exist in the tree the series is routed to: refused now, with the tree
  // named, rather than quietly tested on another base.
  else if (wanted?.kind === 'rerun' && wanted.base && target) {
    const treeName = await routedTreeName(deps, await loadVersion(deps, target.versionKey));
    if (!(await deps.resolveCommit(deps.treePath(treeName), wanted.base)))
      decision = { command: item.line, allowed: false, reason: `base ${wanted.base} is not in tree ${treeName}` };
  }
  return { decision, effect: decision.allowed ? wanted : null };
}

/** A command line being handled: its mail, key, target, decision and effect. */
interface Handling {
  mail: CandidateMail;
  /** "<message-id>/<n>": one record per command line. */
  key: string;
  line: string;
  target: Target | null;
  allowed: boolean;
  reason: string;
  effect: CommandEffect | null;
  /** Versions on which the crash of an "unrelated" command was reported. */
  seenOn: string[];
}

/** Performs the effect inside the transaction; returns the record's action and the answer's. */
async function perform(
  deps: PipelineDeps,
  trx: Transaction<Database>,
  h: Handling,
  now: Date,
): Promise<{ action: string; jobId: number | null; answer?: string }> {
  const { effect, target } = h;
  if (!effect || !target) return { action: 'none', jobId: null };
  const nowIso = now.toISOString();
  let action: string;
  let jobId: number | null = null;
  if (effect.kind === 'rerun') {
    const options = {
      requestedBy: h.key,
      ...(effect.suites && { suites: effect.suites }),
      ...(effect.repeats !== undefined && { repeats: effect.repeats }),
      ...(effect.base !== undefined && { base: effect.base }),
    };
    const ids = await insertRerunGroup(trx, deps.config, target.versionKey, options, now, { trigger: 'command' });
    jobId = ids[0] ?? null;
    action = `rerun job #${jobId}`;
  } else if (effect.kind === 'unrelated') {
    action = `unrelated: ${effect.crashTitle}`;
    const mark = { ...target, crashTitle: effect.crashTitle, markedBy: h.mail.from, commandId: h.key };
    await addUnrelatedMark(trx, mark, nowIso);
  } else {
    action = 'withdraw';
    await addInvalidMark(trx, { ...target, markedBy: h.mail.from, commandId: h.key }, nowIso);
  }
  const answer = commandActionText(effect, { versionKey: target.versionKey, jobId, seenOn: h.seenOn });
  return { action, jobId, answer };
}

/**
 * The effect, the record and the answer commit together (see the header): queued separately,
 * a kill between a re-run and its record queued the re-run twice on restart.
 */
async function commitCommand(deps: PipelineDeps, h: Handling): Promise<string> {
  const replyId = commandReplyId(h.key, deps.config.mail.domain);
  const now = deps.now();
  const nowIso = now.toISOString();
  const versionKey = h.target?.versionKey ?? null;
  return deps.store.db.transaction().execute(async (trx) => {
    const { action, jobId, answer } = await perform(deps, trx, h, now);
    // Rendered in here because the answer names the queued job (no store access inside).
    const commandMail = { messageId: h.mail.messageId, from: h.mail.fromMailbox, subject: h.mail.subject };
    const rendered = renderReply(
      commandReplyInput({
        mail: deps.config.mail,
        commandMail: { ...commandMail, references: h.mail.references },
        line: h.line,
        versionKey,
        allowed: h.allowed,
        reason: h.reason,
        ...(answer !== undefined && { action: answer }),
      }),
    );
    rendered.headers['Message-ID'] = `<${replyId}>`;
    const built = await buildMessage(rendered, { date: now });
    const decision = h.allowed ? 'accepted' : 'refused';
    const record: CommandRecord = {
      messageId: h.key,
      versionKey,
      fromAddress: h.mail.from,
      text: h.line,
      action,
      decision,
      reason: h.reason,
      jobId,
      replyMessageId: replyId,
    };
    await recordCommand(trx, record, nowIso);
    const reply: NewReply = {
      messageId: replyId,
      versionKey,
      jobId,
      kind: 'command',
      digest: h.key,
      outcome: decision,
      mailed: true,
      subject: rendered.headers.Subject ?? '',
      recipients: built.envelope.to,
      raw: built.raw.toString('utf8'),
    };
    await ensureReply(trx, reply, nowIso);
    return action;
  });
}

/** Every not yet recorded command line of one mail; returns how many were handled. */
async function handleMail(
  deps: PipelineDeps,
  mail: CandidateMail,
  check: (raw: Buffer) => Promise<DkimVerdict>,
): Promise<number> {
  const parsed = parseCommands(mail.body, { maxRepeat: 10 });
  const lines: Line[] = [
    ...parsed.commands.map((c) => ({ cmd: c, line: c.line, error: null })),
    ...parsed.errors.map((e) => ({ cmd: null, line: e.line, error: e.error })),
  ];
  const target = await targetOf(deps, mail);
  // Checked once per mail, for every line: each answer reports it.
  let dkim: DkimVerdict | null = null;
  let handled = 0;
  for (const [i, item] of lines.entries()) {
    const key = `${mail.messageId}/${i + 1}`;
    if (await isCommandRecorded(deps.store.db, key)) continue;
    dkim ??= await check(mail.raw).catch(
      (err: unknown): DkimVerdict => ({
        pass: false,
        domains: [],
        fromDomain: null,
        detail: `error (${errorMessage(err)})`,
      }),
    );
    const { decision, effect } = await decide(deps, mail, target, item, dkim);
    // Read before the transaction, so that it starts with a write (a SQLite transaction that
    // reads first cannot wait for another process's write lock).
    const seenOn =
      effect?.kind === 'unrelated' && target ? await reportedOn(deps, target.seriesKey, effect.crashTitle) : [];
    const reason = reasonWithDkim(decision.reason, dkim);
    const h: Handling = { mail, key, line: item.line, target, allowed: decision.allowed, reason, effect, seenOn };
    const action = await commitCommand(deps, h);
    const verb = decision.allowed ? 'accepted' : 'refused';
    deps.log
      .child({ command: key })
      .info({ allowed: decision.allowed, reason, action }, `command ${verb}: ${item.line}`);
    handled++;
  }
  return handled;
}

export async function processCommands(deps: PipelineDeps, cd: CommandDeps = {}): Promise<number> {
  await flushPendingReplies(deps);
  const check = cd.verifyDkim ?? ((raw: Buffer) => verifyDkim(raw, cd.resolver ? { resolver: cd.resolver } : {}));
  let handled = 0;
  for (const mail of await candidates(deps)) handled += await handleMail(deps, mail, check);
  await flushPendingReplies(deps);
  return handled;
}
