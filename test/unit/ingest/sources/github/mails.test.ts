import { describe, expect, it } from 'vitest';
import { pullRequestMails, pullRequestOfMessageId } from '../../../../../ingest/sources/github/mails.ts';
import { parseMessage } from '../../../../../ingest/parse/message.ts';

const PATCH = `From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
From: Ann Author <ann@example.org>
Date: Mon, 30 Nov 2026 10:00:00 +0000
Subject: [PATCH] ndctl: fix the
 wrapped subject

Body line.

Signed-off-by: Ann Author <ann@example.org>
---
 a.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/a.c b/a.c
index 1..2 100644
--- a/a.c
+++ b/a.c
@@ -1 +1 @@
-int a;
+int a = 1;
--
2.39.5
`;

const pr = {
  owner: 'pmem',
  repo: 'ndctl',
  number: 12,
  title: 'Fix things',
  body: 'Why.',
  author: 'ann',
  headSha: 'abcdef0123456789abcdef0123456789abcdef01',
  baseSha: '0'.repeat(40),
  revision: 2,
  date: '2026-11-30T10:00:00Z',
};

describe('a pull request as the mails of a series', () => {
  it('gives a cover with base-commit and one patch mail per commit, as revision v2, threaded', async () => {
    const texts = pullRequestMails(pr, [{ sha: '1'.repeat(40), patch: PATCH }]);
    const parsed = await Promise.all(texts.map((m) => parseMessage(Buffer.from(m))));
    const [cover, patch] = parsed.map((m) => (m.ok ? m.message : null));
    expect(cover?.subject.revision).toBe(2);
    expect(cover?.subject.counter).toBe(0);
    expect(cover?.baseCommit).toBe(pr.baseSha);
    expect(patch?.subject.subject).toBe('ndctl: fix the wrapped subject');
    expect(patch?.subject.counter).toBe(1);
    expect(patch?.inReplyTo).toBe(cover?.messageId);
    expect(patch?.from.address).toBe('ann@example.org');
    expect(patch?.diff).toContain('+int a = 1;');
  });

  it('names the pull request and head in every Message-ID, and nothing else parses as one', () => {
    const [cover] = pullRequestMails(pr, []);
    const id = /^Message-ID: <(.+)>$/m.exec(cover ?? '')?.[1] ?? '';
    expect(pullRequestOfMessageId(id)).toEqual({ owner: 'pmem', repo: 'ndctl', number: 12, headShort: 'abcdef012345' });
    expect(pullRequestOfMessageId('20221203095858.612027-1-liuyongqiang13@huawei.com')).toBeNull();
  });
});
