/**
 * patchwork's parser test data (shared corpus): real mails with golden snapshots and the
 * expectations patchwork's own tests make (see corpus patchwork/README.txt), and fuzzed mails
 * that must parse or be quarantined, never throw.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../../ingest/parse/message.ts';
import type { ParsedMessage } from '../../../../ingest/parse/types.ts';
import { expectGolden } from '../../../helpers/golden.ts';

const DIR = resolve('..', 'shared', 'corpus', 'patchwork');
const present = existsSync(DIR);
const list = (sub: string): string[] =>
  present
    ? readdirSync(resolve(DIR, sub))
        .filter((f) => f.endsWith('.mbox'))
        .sort()
    : [];

const sha = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

/** A reviewable snapshot: long texts as length + hash + head, everything else as is. */
function snapshot(m: ParsedMessage): unknown {
  return {
    ...m,
    body: { length: m.body.length, sha: sha(m.body), head: m.body.slice(0, 300) },
    diff: m.diff === null ? null : { length: m.diff.length, sha: sha(m.diff), head: m.diff.split('\n').slice(0, 3) },
    notes: m.notes === undefined || m.notes === null ? null : { length: m.notes.length, sha: sha(m.notes) },
  };
}

async function parsed(name: string): Promise<ParsedMessage> {
  const r = await parseMessage(readFileSync(resolve(DIR, 'mail', name)));
  if (!r.ok) throw new Error(`${name} quarantined: ${r.reason}`);
  return r.message;
}

const count = (hay: string, needle: string): number => hay.split(needle).length - 1;

describe.skipIf(!present)('patchwork real mails', () => {
  for (const name of list('mail')) {
    it(`${name} matches its golden snapshot`, async () => {
      expectGolden(`parse/patchwork-${name.replace(/\.mbox$/, '')}`, snapshot(await parsed(name)));
    });
  }

  it('pull requests without a diff have diff null', async () => {
    for (const n of [
      '0001-git-pull-request',
      '0002-git-pull-request-wrapped',
      '0004-git-pull-request-git+ssh',
      '0005-git-pull-request-ssh',
      '0006-git-pull-request-http',
      '0017-git-pull-request-git-2-14-3',
    ]) {
      expect((await parsed(`${n}.mbox`)).diff, n).toBeNull();
    }
  });

  it('a pull request with a diff keeps the diff', async () => {
    expect((await parsed('0003-git-pull-request-with-diff.mbox')).diff).toMatch(
      /^diff --git a\/arch\/x86\/include\/asm\/smp.h/,
    );
  });

  it('binary patches', async () => {
    for (const n of [
      '0025-git-add-binary-file',
      '0026-git-add-mixed-binary-text-files',
      '0027-git-modify-binary-file',
    ]) {
      const d = (await parsed(`${n}.mbox`)).diff ?? '';
      expect(d.startsWith('diff --git a/pixel.bmp b/pixel.bmp') || d.startsWith('diff --git'), n).toBe(true);
      expect(d, n).toContain('GIT binary patch');
      expect(d, n).toMatch(/literal (142|0)/);
    }
  });

  it('renames, empty new file, mode change, CVS diff, missing newline', async () => {
    for (const n of ['0008-git-rename', '0009-git-rename-with-diff']) {
      const d = (await parsed(`${n}.mbox`)).diff ?? '';
      expect(count(d, '\nrename from '), n).toBe(2);
      expect(count(d, '\nrename to '), n).toBe(2);
    }
    expect(count((await parsed('0009-git-rename-with-diff.mbox')).diff ?? '', '\n-a\n+b')).toBe(1);
    expect((await parsed('0021-git-empty-new-file.mbox')).diff).toContain('new file mode');
    expect((await parsed('0022-git-mode-change.mbox')).diff).toContain('new mode');
    expect((await parsed('0007-cvs-format-diff.mbox')).diff).toMatch(/^Index/);
    expect(
      count((await parsed('0011-no-newline-at-end-of-file.mbox')).diff ?? '', '\\ No newline at end of file'),
    ).toBe(2);
  });

  it('odd encodings and headers still give one patch each', async () => {
    for (const n of [
      '0010-invalid-charset',
      '0012-invalid-header-char',
      '0013-with-utf8-body',
      '0014-with-unencoded-utf8-headers',
      '0015-with-invalid-utf8-headers',
    ]) {
      expect((await parsed(`${n}.mbox`)).diff, n).not.toBeNull();
    }
    const noSubject = await parsed('0016-no-subject.mbox');
    expect(noSubject.subject.subject).toBe('');
    expect(noSubject.diff).not.toBeNull();
  });

  it('HTML parts never leak into the message or the diff', async () => {
    for (const n of ['0019-multipart-patch', '0020-multipart-comment']) {
      const m = await parsed(`${n}.mbox`);
      expect(m.body, n).not.toContain('<div');
      expect(m.diff ?? '', n).not.toContain('<div');
    }
    expect((await parsed('0019-multipart-patch.mbox')).diff).not.toBeNull();
  });
});

describe.skipIf(!present)('patchwork fuzzed mails', () => {
  for (const name of list('fuzz')) {
    it(`${name} parses or is quarantined, never throws`, async () => {
      const r = await parseMessage(readFileSync(resolve(DIR, 'fuzz', name)));
      if (r.ok) {
        expect(r.message.messageId.length).toBeGreaterThan(0);
        expect(r.message.date === null || !Number.isNaN(Date.parse(r.message.date))).toBe(true);
      } else {
        expect(r.reason.length).toBeGreaterThan(0);
      }
      expectGolden(
        `parse/fuzz-${name.replace(/\.mbox$/, '')}`,
        r.ok
          ? {
              ok: true,
              messageId: r.message.messageId,
              date: r.message.date,
              subject: r.message.subject.raw,
              from: r.message.from,
            }
          : r,
      );
    });
  }
});
