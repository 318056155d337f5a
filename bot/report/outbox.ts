/**
 * The outbox as the pipeline uses it: a maildir whose file names derive from the Message-ID,
 * so delivering the same reply twice (a restart between "sent" and "recorded as sent") finds
 * the file already there instead of writing a second mail.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.ts';
import type { MailSender } from '../deps.ts';

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
