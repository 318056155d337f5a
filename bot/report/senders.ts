/**
 * Senders deliver a stored reply and return a delivery id: the outbox (a maildir, the default
 * and the test double of real life) or SMTP when `mail.smtp` is configured. Both are idempotent
 * by Message-ID where they can be: the outbox names its files by it.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config, MailConfig } from '../../config/schema.ts';
import { ConfigError, InfraError } from '../errors.ts';
import type { OutgoingMail } from './mail.ts';

/** Sends one stored reply. Must be idempotent by Message-ID (the outbox names files by it). */
export interface MailSender {
  send(mail: { messageId: string; recipients: string[]; raw: string }): Promise<string>;
}

/** Sends one built message (the SMTP transport's own shape). */
export type Sender = (mail: OutgoingMail) => Promise<string>;

/**
 * The outbox: a maildir whose file names derive from the Message-ID, so delivering the same reply
 * twice (a restart between "sent" and "recorded as sent") finds the file already there instead of
 * writing a second mail. The file is written and fsynced in tmp/, then renamed into new/, so a
 * reader never sees half a message.
 */
export function outboxFileName(messageId: string): string {
  return `daxbot-${createHash('sha256').update(messageId.replace(/^<|>$/g, '')).digest('hex').slice(0, 32)}`;
}

export function createIdempotentOutbox(maildir: string): MailSender {
  return {
    async send(mail) {
      await Promise.all(['tmp', 'new', 'cur'].map((d) => mkdir(path.join(maildir, d), { recursive: true })));
      const name = outboxFileName(mail.messageId);
      // A reader may have moved it to cur/ and added flags (":2,S").
      for (const dir of ['new', 'cur']) {
        const names = await readdir(path.join(maildir, dir));
        const found = names.find((n) => n === name || n.startsWith(`${name}:`));
        if (found) return `outbox:${dir}/${found}`;
      }
      const tmp = path.join(maildir, 'tmp', name);
      try {
        const fh = await open(tmp, 'w', 0o600);
        try {
          await fh.writeFile(mail.raw);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await rename(tmp, path.join(maildir, 'new', name));
      } catch (err) {
        throw new InfraError('cannot write to the outbox', { maildir, messageId: mail.messageId }, { cause: err });
      }
      return `outbox:new/${name}`;
    },
  };
}

export type SmtpConfig = NonNullable<MailConfig['smtp']>;

export interface SmtpOptions {
  /** Test servers on 127.0.0.1 have no certificate a client could check. */
  ignoreTLS?: boolean;
  connectionTimeoutMs?: number;
}

/**
 * SMTP delivery with nodemailer. The password comes from the environment variable the
 * config names, never from the config itself. A 5xx answer is permanent (context.permanent),
 * anything else may be retried.
 */
export function createSmtpSender(
  smtp: SmtpConfig,
  env: Record<string, string | undefined>,
  opts: SmtpOptions = {},
): Sender {
  let auth: { user: string; pass: string } | undefined;
  if (smtp.user) {
    const pass = env[smtp.passwordEnv];
    if (pass === undefined)
      throw new ConfigError(`SMTP user is set but ${smtp.passwordEnv} is not`, { env: smtp.passwordEnv });
    auth = { user: smtp.user, pass };
  }
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth,
    ignoreTLS: opts.ignoreTLS ?? false,
    connectionTimeout: opts.connectionTimeoutMs ?? 30_000,
  });
  return async (mail) => {
    try {
      const info = await transport.sendMail({ envelope: mail.envelope, raw: mail.raw });
      return `smtp:${mail.messageId}:${String(info.response).slice(0, 200)}`;
    } catch (err) {
      const code =
        typeof err === 'object' && err !== null && 'responseCode' in err ? Number(err.responseCode) : undefined;
      throw new InfraError(
        'SMTP delivery failed',
        { host: smtp.host, port: smtp.port, responseCode: code, permanent: code !== undefined && code >= 500 },
        { cause: err },
      );
    }
  };
}

/** SMTP when `mail.smtp` is configured, else the outbox maildir `mail.outbox`. */
export function createSender(config: Config, env: NodeJS.ProcessEnv, cwd: string): MailSender {
  if (config.mail.smtp) {
    const smtp = createSmtpSender(config.mail.smtp, env, {
      ignoreTLS: config.mail.smtp.host === '127.0.0.1' || config.mail.smtp.host === 'localhost',
    });
    const from = /<([^>]+)>/.exec(config.mail.from)?.[1] ?? config.mail.from;
    return {
      send: (mail) =>
        smtp({
          raw: Buffer.from(mail.raw),
          messageId: mail.messageId,
          envelope: { from, to: mail.recipients.map((r) => /<([^>]+)>/.exec(r)?.[1] ?? r) },
        }),
    };
  }
  return createIdempotentOutbox(path.resolve(cwd, config.mail.outbox));
}
