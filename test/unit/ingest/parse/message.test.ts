import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeMail, parseMessage, syntheticId } from '../../../../ingest/parse/message.ts';
import type { ParsedMessage } from '../../../../ingest/parse/types.ts';

const mail = (lines: string[]): Buffer => Buffer.from(lines.join('\n'));

const PATCH = mail([
  'From: =?UTF-8?q?J=C3=B6rg_Dev?= <jorg@example.org>',
  'To: nvdimm@lists.linux.dev',
  'Cc: Dan <dan@example.org>, "Ira W." <ira@example.org>',
  'Cc: other@example.org',
  'Subject: [ndctl PATCH v2 3/5] ndctl: =?UTF-8?q?fix_caf=C3=A9?=',
  '  handling',
  'Date: Tue, 02 Jan 2024 10:00:00 +0100',
  'Message-ID: <20240102.3@example.org>',
  'In-Reply-To: <20240102.0@example.org>',
  'References: <root@example.org>',
  '\t<20240102.0@example.org>',
  'List-Id: <nvdimm.lists.linux.dev>',
  '',
  'Explain the fix.',
  '',
  'Reviewed-by: Dan <dan@example.org>',
  'Signed-off-by: Jörg Dev <jorg@example.org>',
  '---',
  'v2: rebased',
  '',
  ' ndctl/lib.c | 2 +-',
  ' 1 file changed, 1 insertion(+), 1 deletion(-)',
  '',
  'diff --git a/ndctl/lib.c b/ndctl/lib.c',
  'index 1111111..2222222 100644',
  '--- a/ndctl/lib.c',
  '+++ b/ndctl/lib.c',
  '@@ -1 +1 @@',
  '-old',
  '+new',
  '',
  'base-commit: 0123456789abcdef0123456789abcdef01234567',
  '-- ',
  '2.43.0',
  '',
]);

async function ok(raw: Buffer): Promise<ParsedMessage> {
  const r = await parseMessage(raw);
  if (!r.ok) throw new Error(`quarantined: ${r.reason}`);
  return r.message;
}

describe('parseMessage', () => {
  it('parses a patch mail: ids, addresses, date, subject, split, trailers, base', async () => {
    const m = await ok(PATCH);
    expect(m.messageId).toBe('20240102.3@example.org');
    expect(m.inReplyTo).toBe('20240102.0@example.org');
    expect(m.references).toEqual(['root@example.org', '20240102.0@example.org']);
    expect(m.from).toEqual({ name: 'Jörg Dev', address: 'jorg@example.org' });
    expect(m.to).toEqual([{ name: '', address: 'nvdimm@lists.linux.dev' }]);
    expect(m.cc.map((a) => a.address)).toEqual(['dan@example.org', 'ira@example.org', 'other@example.org']);
    expect(m.date).toBe('2024-01-02T09:00:00.000Z');
    expect(m.listId).toBe('nvdimm.lists.linux.dev');
    expect(m.subject).toMatchObject({
      subject: 'ndctl: fix café handling',
      project: 'ndctl',
      revision: 2,
      counter: 3,
      expected: 5,
    });
    expect(m.body).toBe(
      'Explain the fix.\n\nReviewed-by: Dan <dan@example.org>\nSigned-off-by: Jörg Dev <jorg@example.org>',
    );
    expect(m.notes).toContain('v2: rebased');
    expect(m.hasDiffstat).toBe(true);
    expect(m.diff).toMatch(/^diff --git a\/ndctl\/lib.c b\/ndctl\/lib.c\n/);
    expect(m.files).toEqual(['ndctl/lib.c']);
    expect(m.trailers.map((t) => t.name)).toEqual(['Reviewed-by', 'Signed-off-by']);
    expect(m.baseCommit).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(m.followupTrailers).toEqual([]);
  });

  it('gives a stable synthetic id to a mail without Message-ID', async () => {
    const raw = mail(['From: a@b.c', 'Subject: x', '', 'body']);
    const m = await ok(raw);
    expect(m.messageId).toMatch(/^daxbot-[0-9a-f]{24}@synthetic$/);
    expect(m.messageId).toBe(syntheticId(raw));
  });

  it('returns a null date for an unparseable or absurd Date', async () => {
    expect((await ok(mail(['From: a@b.c', 'Date: yesterday-ish', '', 'x']))).date).toBeNull();
    expect((await ok(mail(['From: a@b.c', 'Date: Mon, 1 Jan 99999 00:00:00 +0000', '', 'x']))).date).toBeNull();
    expect((await ok(mail(['From: a@b.c', '', 'x']))).date).toBeNull();
  });

  it('takes the diff from a text/x-patch attachment', async () => {
    const m = await ok(
      mail([
        'From: a@b.c',
        'Message-ID: <att@b.c>',
        'Subject: [PATCH] attached',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="XX"',
        '',
        '--XX',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'See the attachment.',
        '',
        'Signed-off-by: A <a@b.c>',
        '--XX',
        'Content-Type: text/x-patch; name="0001-fix.patch"',
        'Content-Disposition: attachment; filename="0001-fix.patch"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('diff --git a/fs/dax.c b/fs/dax.c\n--- a/fs/dax.c\n+++ b/fs/dax.c\n@@ -1 +1 @@\n-a\n+b\n').toString(
          'base64',
        ),
        '--XX--',
        '',
      ]),
    );
    expect(m.body).toContain('See the attachment.');
    expect(m.files).toEqual(['fs/dax.c']);
    expect(m.diff).toMatch(/^diff --git/);
    expect(m.trailers).toEqual([{ name: 'Signed-off-by', value: 'A <a@b.c>' }]);
  });

  it('collects follow-up trailers from a reply', async () => {
    const m = await ok(
      mail([
        'From: r@b.c',
        'Message-ID: <r@b.c>',
        'Subject: Re: [PATCH] x',
        'In-Reply-To: <p@b.c>',
        '',
        '> Signed-off-by: A <a@b.c>',
        '',
        'Acked-by: R <r@b.c>',
        '',
      ]),
    );
    expect(m.subject.isReply).toBe(true);
    expect(m.followupTrailers).toEqual([{ name: 'Acked-by', value: 'R <r@b.c>' }]);
    expect(m.references).toEqual([]);
  });

  it('uses the in-body From: as patch author', async () => {
    const m = await ok(
      mail([
        'From: Sender <s@b.c>',
        'Subject: [PATCH] x',
        '',
        'From: Real Author <real@b.c>',
        '',
        'msg',
        '---',
        'diff --git a/x b/x',
        '',
      ]),
    );
    expect(m.author).toEqual({ name: 'Real Author', address: 'real@b.c' });
    expect(m.from.address).toBe('s@b.c');
  });

  it('quarantines what cannot be used, with a reason, and never throws', async () => {
    expect(await parseMessage(Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty message', messageId: null });
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 32));
    expect(await parseMessage(garbage)).toMatchObject({ ok: false, reason: expect.stringContaining('binary') });
    expect(await parseMessage(Buffer.from('\nno headers here\n'))).toMatchObject({
      ok: false,
      reason: 'no header fields',
    });
    for (let i = 0; i < 50; i++) {
      const r = await parseMessage(
        Buffer.concat([
          Buffer.from('From: a@b.c\nContent-Type: multipart/mixed; boundary=q\n\n--q\n'),
          randomBytes(200),
        ]),
      );
      expect(typeof r.ok).toBe('boolean');
    }
  });

  it('fast and full MIME paths agree on these mails', async () => {
    for (const raw of [
      PATCH,
      mail([
        'From: a@b.c',
        'Content-Type: text/plain; charset=utf-8; format=flowed',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'soft =\nbreak and caf=C3=A9 ',
        'flowed line ',
        'end',
        '',
      ]),
    ]) {
      const fast = await decodeMail(raw, 'auto');
      const full = await decodeMail(raw, 'full');
      expect(fast.path).toBe('fast');
      expect(fast.text).toBe(full.text);
      const a = await parseMessage(raw);
      const b = await parseMessage(raw, { decoder: 'full' });
      expect(a).toEqual(b);
    }
  });
});
