/**
 * Senders deliver a built message and return a delivery id. The outbox (a maildir) is the
 * default and the test double of real life; SMTP is used when configured.
 */
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailConfig } from '../../config/schema.ts';
import { ConfigError, InfraError } from '../errors.ts';
import type { OutgoingMail } from './mail.ts';

export type Sender = (mail: OutgoingMail) => Promise<string>;

export interface OutboxOptions {
  now?: () => number;
  hostname?: string;
  pid?: number;
}

let sequence = 0;

/**
 * Maildir delivery: the file is written and fsynced in tmp/, then renamed into new/, so a
 * reader never sees half a message and a crash leaves at most a stray file in tmp/.
 */
export function createOutboxSender(maildir: string, opts: OutboxOptions = {}): Sender {
  const now = opts.now ?? Date.now;
  // "/" and ":" have meanings in maildir names.
  const host = (opts.hostname ?? osHostname()).replace(/\//g, '\\057').replace(/:/g, '\\072');
  const pid = opts.pid ?? process.pid;
  return async (mail) => {
    await Promise.all(['tmp', 'new', 'cur'].map((d) => mkdir(join(maildir, d), { recursive: true })));
    const ms = now();
    for (let attempt = 0; attempt < 100; attempt++) {
      sequence += 1;
      const name = `${Math.floor(ms / 1000)}.M${(ms % 1000) * 1000}P${pid}Q${sequence}.${host}`;
      const tmp = join(maildir, 'tmp', name);
      const dest = join(maildir, 'new', name);
      if (await exists(dest)) continue;
      let fh;
      try {
        fh = await open(tmp, 'wx', 0o600);
      } catch (err) {
        if (isCode(err, 'EEXIST')) continue;
        throw new InfraError('cannot write to the outbox', { maildir, file: tmp }, { cause: err });
      }
      try {
        await fh.writeFile(mail.raw);
        await fh.sync();
      } catch (err) {
        throw new InfraError('cannot write to the outbox', { maildir, file: tmp }, { cause: err });
      } finally {
        await fh.close();
      }
      await rename(tmp, dest);
      return `outbox:${name}`;
    }
    throw new InfraError('no unique outbox file name after 100 tries', { maildir });
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
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
