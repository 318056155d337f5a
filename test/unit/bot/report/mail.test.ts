import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { buildMessage, parseMailboxes } from '../../../../bot/report/mail.ts';
import { renderReply } from '../../../../bot/report/render/reply.ts';
import * as inputs from './render/inputs.ts';
import { hostileReply } from './render/inputs.ts';

const date = new Date('2024-06-28T12:00:00Z');

function headerNames(raw: Buffer): string[] {
  const head = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
  return head
    .split('\r\n')
    .filter((l) => /^[^\s:]+:/.test(l))
    .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
}

describe('buildMessage', () => {
  it('builds a threaded plain-text message', async () => {
    const mail = await buildMessage(renderReply(inputs.regression), { date });
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toBe('Re: [PATCH 00/13] fs/dax: Fix FS DAX page reference counts');
    expect(parsed.inReplyTo).toBe('<cover.1719386613.git-series.apopple@nvidia.com>');
    expect(parsed.messageId).toBe(mail.messageId);
    expect(parsed.html).toBe(false);
    expect(parsed.text).toContain('first bad commit: [PATCH 10/13] fs/dax: Properly refcount fs dax pages');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.envelope).toEqual({
      from: 'daxbot@localhost',
      to: ['apopple@nvidia.com', 'nvdimm@lists.linux.dev', 'dan.j.williams@intel.com', 'linux-mm@kvack.org'],
    });
  });

  it('makes header injection impossible', async () => {
    const mail = await buildMessage(hostileReply(), { date });
    const names = headerNames(mail.raw);
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    expect(new Set(names).size).toBe(names.length);
    expect(mail.raw.includes(0)).toBe(false);
    // every byte of the header is ASCII: non-ASCII is RFC 2047 encoded
    const head = mail.raw.subarray(0, mail.raw.indexOf('\r\n\r\n'));
    expect([...head].every((b) => b < 128)).toBe(true);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toBe('Re: subject Bcc: victim2@example.org X-Injected: 1 ünïcödé');
    expect(parsed.bcc).toBeUndefined();
    const cc = parsed.cc && !Array.isArray(parsed.cc) ? parsed.cc.value.map((a) => a.address) : [];
    expect(cc).toEqual(['nvdimm@lists.linux.dev', 'ok@example.org', 'joerg@example.org']);
    expect(parsed.references).toEqual(['<good@example.org>', '<cover.1719386613.git-series.apopple@nvidia.com>']);
    expect(mail.envelope.to).not.toContain('victim@example.org');
    expect(mail.envelope.to.join(' ')).not.toMatch(/victim/);
  });

  it('parses hostile address lists without inventing recipients', () => {
    expect(parseMailboxes('a@b.org\r\nBcc: c@d.org')).toEqual([]);
    expect(parseMailboxes('"x\r\ny" <a@b.org>, c@d.org')).toEqual([
      { name: 'x y', address: 'a@b.org' },
      { name: '', address: 'c@d.org' },
    ]);
  });

  it('refuses a message without a valid recipient', async () => {
    const r = renderReply(inputs.regression);
    await expect(buildMessage({ ...r, headers: { ...r.headers, To: 'nobody' } }, { date })).rejects.toThrow(/To/);
  });
});
