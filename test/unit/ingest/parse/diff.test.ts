import { describe, expect, it } from 'vitest';
import { diffFiles, isPatchBreak, isScissorsLine, splitPatchBody } from '../../../../ingest/parse/diff.ts';

describe('isPatchBreak (git mailinfo rules)', () => {
  it.each([
    ['---', true],
    ['---  ', true],
    ['--- a/file', true],
    ['diff --git a/x b/x', true],
    ['diff -u x y', true],
    ['Index: foo.c', true],
    ['----', false],
    ['--- ', true],
    ['---x', false],
    ['-- ', false],
    ['text', false],
  ])('%j → %s', (line, want) => expect(isPatchBreak(line)).toBe(want));
});

describe('isScissorsLine', () => {
  it.each([
    ['-- >8 --', true],
    ['--8<--', false],
    ['------------------------ >8 ------------------------', true],
    ['-- 8< -- cut here -- 8< --', true],
    ['>8', false],
    ['text -- >8 -- with a lot of words around it here', false],
  ])('%j → %s', (line, want) => expect(isScissorsLine(line)).toBe(want));
});

describe('splitPatchBody', () => {
  const body = [
    '',
    'Subject: [PATCH] real title',
    '',
    'message',
    '',
    'Signed-off-by: A <a@b.c>',
    '---',
    ' x | 1 +',
    '',
    'diff --git a/x b/x',
    '--- a/x',
    '+++ b/x',
    '@@ -0,0 +1 @@',
    '+y',
    '',
  ].join('\n');
  it('splits message, notes and diff', () => {
    const s = splitPatchBody(body);
    expect(s.inbody).toEqual({ subject: '[PATCH] real title' });
    expect(s.message).toBe('message\n\nSigned-off-by: A <a@b.c>');
    expect(s.notes).toBe(' x | 1 +');
    expect(s.diff?.startsWith('diff --git a/x b/x\n')).toBe(true);
    expect(s.patch?.startsWith('---\n x | 1 +')).toBe(true);
    expect(s.files).toEqual(['x']);
  });
  it('honours scissors only when asked', () => {
    const text = 'chatter\n\n-- >8 --\nFrom: B <b@c.d>\n\nreal message\n---\ndiff --git a/y b/y\n';
    expect(splitPatchBody(text).message.startsWith('chatter')).toBe(true);
    const s = splitPatchBody(text, { scissors: true });
    expect(s.message).toBe('real message');
    expect(s.inbody.from).toBe('B <b@c.d>');
  });
  it('has no diff for a cover letter or pull request', () => {
    const s = splitPatchBody('cover text\n\nA (2):\n  x\n\n a | 1 +\n 1 file changed, 1 insertion(+)\n');
    expect(s.diff).toBeNull();
    expect(s.notes).toBeNull();
  });
  it('starts a traditional diff at --- a/ +++ b/', () => {
    const s = splitPatchBody('msg\n--- a/foo.c\n+++ b/foo.c\n@@ -1 +1 @@\n-a\n+b\n');
    expect(s.message).toBe('msg');
    expect(s.files).toEqual(['foo.c']);
  });
});

describe('diffFiles', () => {
  it('reads git headers: renames, deletions, quoted and spaced paths, no-prefix', () => {
    const d = [
      'diff --git a/old.c b/new.c',
      'rename from old.c',
      'rename to new.c',
      'diff --git a/gone.c b/gone.c',
      'deleted file mode 100644',
      'diff --git "a/sp\\303\\251cial name" "b/sp\\303\\251cial name"',
      'diff --git a/with space.txt b/with space.txt',
      '@@ -1 +1 @@',
      '--- not a header',
      '+++ not either',
    ].join('\n');
    expect(diffFiles(d)).toEqual(['new.c', 'gone.c', 'spécial name', 'with space.txt']);
  });
  it('reads plain and CVS diffs, old side for deletions', () => {
    expect(diffFiles('Index: a/b.c\n--- a/b.c\t(rev 1)\n+++ a/b.c\t(working)\n@@\n')).toEqual(['a/b.c']);
    expect(diffFiles('--- a/x.c\n+++ /dev/null\n@@\n')).toEqual(['x.c']);
  });
});
