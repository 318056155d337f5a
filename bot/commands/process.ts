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
import { sql } from 'kysely';
import type { DNSResolver } from 'mailauth';
import { z } from 'zod';
import type { MailConfig } from '../../config/schema.ts';
import { parseMessage } from '../../ingest/parse/message.ts';
import { authorize, refuseUnparsed, verifyDkim, type CommandDecision, type DkimVerdict } from './authorize.ts';
import { parseCommands, type Command } from './parse.ts';
import { errorMessage } from '../errors.ts';
import { sameCrash } from '../judge/unrelated.ts';
import { buildMessage } from '../report/mail.ts';
import { renderReply, type CommandReplyInput } from '../report/render/result.ts';
import { isCommandRecorded, recordCommand } from '../store/commands.ts';
import { addInvalidMark, addUnrelatedMark } from '../store/marks.ts';
import { ensureReply } from '../store/replies.ts';
import { findSeriesVersions } from '../store/series.ts';
import { flushPendingReplies } from '../report/deliver.ts';
import type { PipelineDeps } from '../deps.ts';
import { dispatchRunners, insertRerunGroup } from '../queue/enqueue.ts';
import { loadVersion, routedTreeName } from '../jobs/context.ts';

export { flushPendingReplies } from '../report/deliver.ts';

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
  const rows = await deps.store.db
    .selectFrom('messages')
    .select(['message_id', 'raw', 'from_address', 'from_name', 'subject', 'in_reply_to'])
    .where('status', '=', 'ok')
    .where('dup_of', 'is', null)
    .where('is_reply', '=', 1)
    // Reply bodies are not kept parsed in the store (only their raw bytes), so look in those.
    .where(
      deps.store.dialect === 'postgres'
        ? sql<boolean>`position('#daxbot'::bytea in raw) > 0`
        : sql<boolean>`instr(raw, '#daxbot') > 0`,
    )
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
    const ours = await db.selectFrom('replies').select('version_key').where('message_id', '=', ref).executeTakeFirst();
    if (ours?.version_key) versionKey = ours.version_key;
    else {
      const found = await findSeriesVersions(db, ref);
      const v = found[found.length - 1];
      if (v) versionKey = v.version_key;
      else {
        const parent = await db
          .selectFrom('messages')
          .select('in_reply_to')
          .where('message_id', '=', ref)
          .executeTakeFirst();
        ref = parent?.in_reply_to ?? null;
      }
    }
  }
  if (!versionKey) return null;
  const row = await db
    .selectFrom('series_versions')
    .select('series_key')
    .where('version_key', '=', versionKey)
    .executeTakeFirst();
  return row ? { versionKey, seriesKey: row.series_key } : null;
}

// Only what is needed from a stored job verdict (our own JSON, still checked: it outlives code).
const storedVerdictSchema = z.object({
  verdict: z.object({ entries: z.array(z.object({ kind: z.string(), name: z.string() })) }),
});

/** Versions of the series on which the bot reported a crash with this title. */
async function reportedOn(deps: PipelineDeps, seriesKey: string, title: string): Promise<string[]> {
  const rows = await deps.store.db
    .selectFrom('jobs')
    .innerJoin('series_versions', 'series_versions.version_key', 'jobs.version_key')
    .select(['jobs.version_key', 'jobs.verdict'])
    .where('series_versions.series_key', '=', seriesKey)
    .where('jobs.verdict', 'is not', null)
    .orderBy('jobs.id')
    .execute();
  const out: string[] = [];
  for (const r of rows) {
    let json: unknown;
    try {
      json = JSON.parse(r.verdict ?? 'null');
    } catch {
      continue;
    }
    const parsed = storedVerdictSchema.safeParse(json);
    if (!parsed.success) continue;
    if (
      parsed.data.verdict.entries.some((e) => e.kind === 'crash' && sameCrash(e.name, title)) &&
      !out.includes(r.version_key)
    )
      out.push(r.version_key);
  }
  return out;
}

/** What an allowed command does, as data; the caller performs it. */
export type CommandEffect =
  | { kind: 'rerun'; suites?: string[]; repeats?: number; base?: string }
  | { kind: 'unrelated'; crashTitle: string }
  | { kind: 'invalid' };

export function commandEffect(cmd: Command): CommandEffect {
  switch (cmd.kind) {
    case 'retest':
      return { kind: 'rerun' };
    case 'test':
      return {
        kind: 'rerun',
        ...(cmd.suites.length > 0 && { suites: cmd.suites }),
        ...(cmd.repeat !== undefined && { repeats: cmd.repeat }),
        ...(cmd.base !== undefined && { base: cmd.base }),
      };
    case 'unrelated':
      return { kind: 'unrelated', crashTitle: cmd.crashTitle };
    case 'invalid':
      return { kind: 'invalid' };
  }
}

/** The reason line of an answer always carries the DKIM result the decision was made with. */
export function reasonWithDkim(reason: string, dkim: DkimVerdict | null): string {
  if (!dkim || reason.includes(dkim.detail)) return reason;
  return `${reason} (DKIM: ${dkim.detail})`;
}

/** Deterministic per command line, so a restart finds the answer it already wrote. */
export function commandReplyId(commandKey: string, domain: string): string {
  return `daxbot-cmd-${createHash('sha256').update(commandKey).digest('hex').slice(0, 24)}@${domain}`;
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

interface Line {
  cmd: Command | null;
  line: string;
  error: string | null;
}

export async function processCommands(deps: PipelineDeps, cd: CommandDeps = {}): Promise<number> {
  await flushPendingReplies(deps);
  const check = cd.verifyDkim ?? ((raw: Buffer) => verifyDkim(raw, cd.resolver ? { resolver: cd.resolver } : {}));
  const db = deps.store.db;
  let handled = 0;
  for (const mail of await candidates(deps)) {
    const parsed = parseCommands(mail.body, { maxRepeat: 10 });
    const lines: Line[] = [
      ...parsed.commands.map((c) => ({ cmd: c, line: c.line, error: null })),
      ...parsed.errors.map((e) => ({ cmd: null, line: e.line, error: e.error })),
    ];
    const target = await targetOf(deps, mail);
    // Checked once per mail, for every line: each answer reports it.
    let dkim: DkimVerdict | null = null;
    for (let i = 0; i < lines.length; i++) {
      const item = lines[i];
      if (!item) continue;
      // One record per command line: "<message-id>/<n>".
      const key = `${mail.messageId}/${i + 1}`;
      if (await isCommandRecorded(db, key)) continue;
      const log = deps.log.child({ command: key });
      if (!dkim) {
        try {
          dkim = await check(mail.raw);
        } catch (err) {
          dkim = { pass: false, domains: [], fromDomain: null, detail: `error (${errorMessage(err)})` };
        }
      }
      let decision: CommandDecision;
      if (item.error !== null || !item.cmd) decision = refuseUnparsed(item.line, item.error ?? 'unparseable');
      else if (!target)
        decision = {
          command: item.line,
          allowed: false,
          reason: 'the mail is not in the thread of a series the bot knows',
        };
      else {
        const recent = await db
          .selectFrom('commands')
          .select('created_at')
          .where('version_key', '=', target.versionKey)
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
      const effect = decision.allowed ? wanted : null;
      // Reads before the transaction, so that it starts with a write (a SQLite transaction that
      // reads first cannot wait for another process's write lock).
      const seen =
        effect?.kind === 'unrelated' && target ? await reportedOn(deps, target.seriesKey, effect.crashTitle) : [];
      const replyId = commandReplyId(key, deps.config.mail.domain);
      const reason = reasonWithDkim(decision.reason, dkim);
      const now = deps.now();
      const nowIso = now.toISOString();
      const allowed = decision.allowed;
      // The effect, the record and the answer commit together (see the header): queued
      // separately, a kill between a re-run and its record queued the re-run twice on restart.
      const action = await db.transaction().execute(async (trx) => {
        let action = 'none';
        let jobId: number | null = null;
        let answer: string | undefined;
        if (effect?.kind === 'rerun' && target) {
          const options = {
            requestedBy: key,
            ...(effect.suites && { suites: effect.suites }),
            ...(effect.repeats !== undefined && { repeats: effect.repeats }),
            ...(effect.base !== undefined && { base: effect.base }),
          };
          jobId =
            (await insertRerunGroup(trx, deps.config, target.versionKey, options, now, { trigger: 'command' }))[0] ??
            null;
          action = `rerun job #${jobId}`;
          answer = `queued re-test job #${jobId} for ${target.versionKey}${effect.base ? ` on base ${effect.base}` : ''} (ahead of new series).`;
        } else if (effect?.kind === 'unrelated' && target) {
          action = `unrelated: ${effect.crashTitle}`;
          answer =
            `"${effect.crashTitle}" is marked as not caused by the series; results of this and later versions do not count it. ` +
            (seen.length > 0
              ? `It matches the crash reported on ${seen.join(', ')}.`
              : 'No crash with this title was reported on the series so far; the mark applies when one appears.');
        } else if (effect?.kind === 'invalid' && target) {
          action = 'withdraw';
          answer = `the report on ${target.versionKey} is withdrawn: later results for this version are recorded but not mailed.`;
        }
        // Rendered in here because the answer names the queued job (no store access inside).
        const rendered = renderReply(
          commandReplyInput({
            mail: deps.config.mail,
            commandMail: {
              messageId: mail.messageId,
              from: mail.fromMailbox,
              subject: mail.subject,
              references: mail.references,
            },
            line: item.line,
            versionKey: target?.versionKey ?? null,
            allowed,
            reason,
            ...(answer !== undefined && { action: answer }),
          }),
        );
        rendered.headers['Message-ID'] = `<${replyId}>`;
        const built = await buildMessage(rendered, { date: now });
        await recordCommand(
          trx,
          {
            messageId: key,
            versionKey: target?.versionKey ?? null,
            fromAddress: mail.from,
            text: item.line,
            action,
            decision: allowed ? 'accepted' : 'refused',
            reason,
            jobId,
            replyMessageId: replyId,
          },
          nowIso,
        );
        if (effect?.kind === 'unrelated' && target)
          await addUnrelatedMark(
            trx,
            { ...target, crashTitle: effect.crashTitle, markedBy: mail.from, commandId: key },
            nowIso,
          );
        if (effect?.kind === 'invalid' && target)
          await addInvalidMark(trx, { ...target, markedBy: mail.from, commandId: key }, nowIso);
        await ensureReply(
          trx,
          {
            messageId: replyId,
            versionKey: target?.versionKey ?? null,
            jobId,
            kind: 'command',
            digest: key,
            outcome: allowed ? 'accepted' : 'refused',
            mailed: true,
            subject: rendered.headers.Subject ?? '',
            recipients: built.envelope.to,
            raw: built.raw.toString('utf8'),
          },
          nowIso,
        );
        return action;
      });
      log.info(
        { allowed: decision.allowed, reason, action },
        `command ${decision.allowed ? 'accepted' : 'refused'}: ${item.line}`,
      );
      handled++;
    }
  }
  await flushPendingReplies(deps);
  return handled;
}
