/**
 * `#daxbot ...` commands found in ingested mail: each command line is parsed, authorized
 * (DKIM + maintainer list + re-test budget), executed (a priority re-run job) and answered by
 * mail; the decision is recorded. A command mail is handled once: its record is written in the
 * same transaction as its answer's reply row, and the answer is sent after.
 */
import { sql } from 'kysely';
import type { DNSResolver } from 'mailauth';
import { parseMessage } from '../../ingest/parse/message.ts';
import { authorize, refuseUnparsed, verifyDkim, type CommandDecision, type DkimVerdict } from '../commands/authorize.ts';
import { parseCommands, type Command } from '../commands/parse.ts';
import { isCommandRecorded, recordCommand } from '../store/commands.ts';
import { ensureReply, markReplySent, pendingReplies } from '../store/replies.ts';
import { findSeriesVersions } from '../store/series.ts';
import { errorMessage } from '../errors.ts';
import { createHash } from 'node:crypto';
import type { PipelineDeps } from './deps.ts';
import { enqueueRerun } from './enqueue.ts';

export interface CommandDeps {
  /** DKIM check of a raw mail; tests inject one with their own DNS. */
  verifyDkim?: (raw: Buffer) => Promise<DkimVerdict>;
  resolver?: DNSResolver;
}

interface CandidateMail {
  messageId: string;
  raw: Buffer;
  from: string;
  subject: string;
  body: string;
  inReplyTo: string | null;
}

async function candidates(deps: PipelineDeps): Promise<CandidateMail[]> {
  const rows = await deps.store.db
    .selectFrom('messages')
    .select(['message_id', 'raw', 'from_address', 'subject', 'in_reply_to'])
    .where('status', '=', 'ok')
    .where('dup_of', 'is', null)
    .where('is_reply', '=', 1)
    // Reply bodies are not kept parsed in the store (only their raw bytes), so look in those.
    .where(deps.store.dialect === 'postgres' ? sql<boolean>`position('#daxbot'::bytea in raw) > 0` : sql<boolean>`instr(raw, '#daxbot') > 0`)
    .orderBy('id')
    .execute();
  const own = /<([^>]+)>/.exec(deps.config.mail.from)?.[1] ?? deps.config.mail.from;
  const out: CandidateMail[] = [];
  for (const r of rows) {
    if (r.from_address === own) continue;
    // Commands already recorded need no parse (the cheap check first).
    if (await isCommandRecorded(deps.store.db, `${r.message_id}/1`)) continue;
    const raw = Buffer.from(r.raw);
    const parsed = await parseMessage(raw);
    const body = parsed.ok ? parsed.message.body : '';
    out.push({ messageId: r.message_id, raw, from: r.from_address ?? '', subject: r.subject ?? '', body, inReplyTo: r.in_reply_to });
  }
  return out;
}

/** The series version a command mail is about: up its In-Reply-To chain (through our own replies too). */
async function versionOf(deps: PipelineDeps, mail: CandidateMail): Promise<string | null> {
  let ref = mail.inReplyTo;
  for (let depth = 0; ref && depth < 30; depth++) {
    const ours = await deps.store.db.selectFrom('replies').select('version_key').where('message_id', '=', ref).executeTakeFirst();
    if (ours?.version_key) return ours.version_key;
    const found = await findSeriesVersions(deps.store.db, ref);
    const v = found[found.length - 1];
    if (v) return v.version_key;
    const parent = await deps.store.db.selectFrom('messages').select('in_reply_to').where('message_id', '=', ref).executeTakeFirst();
    ref = parent?.in_reply_to ?? null;
  }
  return null;
}

function answerMail(deps: PipelineDeps, mail: CandidateMail, messageId: string, lines: string[]): string {
  const subject = /^re:/i.test(mail.subject) ? mail.subject : `Re: ${mail.subject}`;
  return [
    `From: ${deps.config.mail.from}`,
    `To: ${mail.from}`,
    `Subject: ${subject.replace(/[\r\n]+/g, ' ')}`,
    `Date: ${deps.now().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${messageId}>`,
    `In-Reply-To: <${mail.messageId}>`,
    `References: <${mail.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    ...lines,
    '',
    '--',
    'daxbot',
    '',
  ].join('\n');
}

async function execute(deps: PipelineDeps, cmd: Command, versionKey: string, requestedBy: string): Promise<{ action: string; jobId: number | null; answer: string }> {
  if (cmd.kind === 'retest' || cmd.kind === 'test') {
    const options = {
      requestedBy,
      ...(cmd.kind === 'test' && cmd.suites.length > 0 && { suites: cmd.suites }),
      ...(cmd.kind === 'test' && cmd.repeat !== undefined && { repeats: cmd.repeat }),
    };
    const id = await enqueueRerun(deps.store, deps.config, versionKey, options, deps.now(), 'command');
    return { action: `rerun job #${id}`, jobId: id, answer: `done: queued re-test job #${id} for ${versionKey} (ahead of new series).` };
  }
  if (cmd.kind === 'invalid') return { action: 'withdraw', jobId: null, answer: `done: the report on ${versionKey} is marked invalid.` };
  return { action: `unrelated: ${cmd.crashTitle}`, jobId: null, answer: `done: "${cmd.crashTitle}" is marked as not caused by ${versionKey}.` };
}

/** Sends replies written but not yet sent (a kill between the two). */
export async function flushPendingReplies(deps: PipelineDeps): Promise<number> {
  let n = 0;
  for (const r of await pendingReplies(deps.store.db)) {
    const id = await deps.sender.send({ messageId: r.messageId, recipients: r.recipients, raw: r.raw });
    await markReplySent(deps.store.db, r.messageId, id, deps.now().toISOString());
    n++;
  }
  return n;
}

export async function processCommands(deps: PipelineDeps, cd: CommandDeps = {}): Promise<number> {
  await flushPendingReplies(deps);
  const check = cd.verifyDkim ?? ((raw: Buffer) => verifyDkim(raw, cd.resolver ? { resolver: cd.resolver } : {}));
  let handled = 0;
  for (const mail of await candidates(deps)) {
    const parsed = parseCommands(mail.body, { maxRepeat: 10 });
    const lines = [...parsed.commands.map((c) => ({ cmd: c as Command | null, line: c.line, error: null as string | null })), ...parsed.errors.map((e) => ({ cmd: null, line: e.line, error: e.error }))];
    for (let i = 0; i < lines.length; i++) {
      const item = lines[i];
      if (!item) continue;
      // One record per command line: "<message-id>/<n>".
      const key = `${mail.messageId}/${i + 1}`;
      if (await isCommandRecorded(deps.store.db, key)) continue;
      const log = deps.log.child({ command: key });
      const versionKey = await versionOf(deps, mail);
      let decision: CommandDecision;
      let dkim: DkimVerdict | null = null;
      if (item.error !== null || !item.cmd) decision = refuseUnparsed(item.line, item.error ?? 'unparseable');
      else if (!versionKey) decision = { command: item.line, allowed: false, reason: 'the mail is not in the thread of a series the bot knows' };
      else {
        try {
          dkim = await check(mail.raw);
        } catch (err) {
          dkim = { pass: false, domains: [], fromDomain: null, detail: `error (${errorMessage(err)})` };
        }
        const recent = await deps.store.db
          .selectFrom('commands')
          .select('created_at')
          .where('version_key', '=', versionKey)
          .where('decision', '=', 'accepted')
          .execute();
        decision = authorize(item.cmd, {
          from: mail.from,
          dkim,
          maintainers: deps.config.mail.maintainers,
          recent: recent.map((r) => Date.parse(r.created_at)),
          now: deps.now().getTime(),
        });
      }
      let action = 'none';
      let jobId: number | null = null;
      let answer: string;
      if (decision.allowed && item.cmd && versionKey) {
        const done = await execute(deps, item.cmd, versionKey, key);
        action = done.action;
        jobId = done.jobId;
        answer = done.answer;
      } else answer = `refused: ${decision.reason}`;
      const replyId = `daxbot-cmd-${createHash('sha256').update(key).digest('hex').slice(0, 24)}@${deps.config.mail.domain}`;
      const raw = answerMail(deps, mail, replyId, [`> ${item.line}`, '', answer, ...(dkim ? ['', `DKIM: ${dkim.detail}`] : [])]);
      const nowIso = deps.now().toISOString();
      await deps.store.db.transaction().execute(async (trx) => {
        await recordCommand(trx, { messageId: key, versionKey, fromAddress: mail.from, text: item.line, action, decision: decision.allowed ? 'accepted' : 'refused', reason: decision.reason, jobId, replyMessageId: replyId }, nowIso);
        await ensureReply(trx, { messageId: replyId, versionKey, jobId, kind: 'command', digest: key, outcome: decision.allowed ? 'accepted' : 'refused', mailed: true, subject: mail.subject, recipients: [mail.from], raw }, nowIso);
      });
      log.info({ allowed: decision.allowed, reason: decision.reason, action }, `command ${decision.allowed ? 'accepted' : 'refused'}: ${item.line}`);
      handled++;
    }
  }
  await flushPendingReplies(deps);
  return handled;
}
