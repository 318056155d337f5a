/**
 * Oversized mails for the ingest memory bench and tests, written straight to a file in pieces so
 * the writer itself never holds the whole mail: a plain-text patch mail whose diff is `bytes`
 * long, and a multipart mail with a base64 `.patch` attachment of `bytes` encoded bytes. Both are
 * written as one-message mbox files (a From_ line first).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const FROM_LINE = 'From mboxrd@z Thu Jan  1 00:00:00 1970\n';

function headers(subject: string, id: string, extra: string[] = []): string {
  return [
    'From: Big Sender <big@example.org>',
    'To: nvdimm@lists.linux.dev',
    `Subject: ${subject}`,
    'Date: Sat, 01 Jun 2024 12:00:00 +0000',
    `Message-ID: <${id}>`,
    ...extra,
  ].join('\n');
}

/** Writes `total` bytes made of `line` repeated (the last copy cut), in 1 MiB pieces. */
function writeRepeated(fd: number, line: string, total: number): void {
  const piece = Buffer.from(line.repeat(Math.max(1, Math.floor((1 << 20) / line.length))));
  let left = total;
  while (left > 0) {
    const n = Math.min(left, piece.length);
    writeSync(fd, piece, 0, n);
    left -= n;
  }
}

/** A `[PATCH] ` mail whose diff adds lines until the body is `bytes` long. */
export function writeBigPatchMbox(file: string, bytes: number, id = 'big-patch@example.org'): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, FROM_LINE);
    writeSync(fd, `${headers('[PATCH] huge: add a very large table', id)}\n\n`);
    writeSync(fd, 'A table too large for any list.\n\nSigned-off-by: Big Sender <big@example.org>\n---\n');
    writeSync(fd, 'diff --git a/t.c b/t.c\n--- a/t.c\n+++ b/t.c\n@@ -0,0 +1,1 @@\n');
    writeRepeated(fd, '+\t{ 0x0123456789abcdef, 0xfedcba9876543210, "entry of the huge table" },\n', bytes);
    writeSync(fd, '\n');
  } finally {
    closeSync(fd);
  }
}

/** A multipart mail with one base64 `.patch` attachment of `bytes` encoded bytes (76-column lines). */
export function writeBigAttachmentMbox(file: string, bytes: number, id = 'big-attachment@example.org'): void {
  const fd = openSync(file, 'w');
  const boundary = 'daxbot-bench-boundary';
  try {
    writeSync(fd, FROM_LINE);
    const mime = ['MIME-Version: 1.0', `Content-Type: multipart/mixed; boundary="${boundary}"`];
    writeSync(fd, `${headers('[PATCH] huge: attached', id, mime)}\n\n`);
    writeSync(fd, `--${boundary}\nContent-Type: text/plain; charset=utf-8\n\nThe patch is attached.\n\n`);
    writeSync(fd, `--${boundary}\nContent-Type: text/x-patch; name="huge.patch"\n`);
    writeSync(fd, 'Content-Disposition: attachment; filename="huge.patch"\nContent-Transfer-Encoding: base64\n\n');
    const text = '+\t{ 0x0123456789abcdef, 0xfedcba9876543210, "entry" },\n'.repeat(64);
    const b64 = Buffer.from(text).toString('base64');
    const lines = (b64.match(/.{1,76}/g) ?? []).join('\n') + '\n';
    writeRepeated(fd, lines, bytes - (bytes % 77));
    writeSync(fd, `\n--${boundary}--\n`);
  } finally {
    closeSync(fd);
  }
}
