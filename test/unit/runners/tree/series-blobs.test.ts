import { describe, expect, it } from 'vitest';
import { newestMatch, parseLsTree, parseRawLog, type RawCommit } from '../../../../runners/tree/blob-state.ts';
import { sameBlob, seriesFiles } from '../../../../runners/tree/series-blobs.ts';

const PATCH1 = `From: A <a@example.org>
Subject: [PATCH 1/2] dax: one

---
 fs/dax.c | 2 +-
diff --git a/fs/dax.c b/fs/dax.c
index 1234567890ab..abcdef012345 100644
--- a/fs/dax.c
+++ b/fs/dax.c
@@ -1 +1 @@
-a
+b
diff --git a/include/linux/new.h b/include/linux/new.h
new file mode 100644
index 000000000000..fedcba987654
--- /dev/null
+++ b/include/linux/new.h
@@ -0,0 +1 @@
+x
diff --git a/drivers/nvdimm/old.c b/drivers/nvdimm/renamed.c
similarity index 90%
rename from drivers/nvdimm/old.c
rename to drivers/nvdimm/renamed.c
index 0011223344ff..5566778899aa 100644
--- a/drivers/nvdimm/old.c
+++ b/drivers/nvdimm/renamed.c
@@ -1 +1 @@
-c
+d
`;

const PATCH2 = `Subject: [PATCH 2/2] dax: two

diff --git a/fs/dax.c b/fs/dax.c
index abcdef012345..999999999999 100644
--- a/fs/dax.c
+++ b/fs/dax.c
@@ -1 +1 @@
-b
+c
diff --git a/mm/memory.c b/mm/memory.c
deleted file mode 100644
index 0a0b0c0d0e0f..000000000000
--- a/mm/memory.c
+++ /dev/null
@@ -1 +0,0 @@
-gone
diff --git a/include/linux/new.h b/include/linux/new.h
index fedcba987654..111111111111 100644
--- a/include/linux/new.h
+++ b/include/linux/new.h
@@ -1 +1 @@
-x
+y
`;

describe('series preimage blobs', () => {
  it('takes the first preimage of each path the series changes, renames or deletes', () => {
    const files = seriesFiles(PATCH1 + PATCH2);
    expect(files.preimages).toEqual([
      { path: 'fs/dax.c', blob: '1234567890ab' },
      { path: 'drivers/nvdimm/old.c', blob: '0011223344ff' },
      { path: 'mm/memory.c', blob: '0a0b0c0d0e0f' },
    ]);
    expect(files.paths).toEqual([
      'fs/dax.c',
      'include/linux/new.h',
      'drivers/nvdimm/old.c',
      'drivers/nvdimm/renamed.c',
      'mm/memory.c',
    ]);
  });

  it('reads quoted paths and ignores diff-looking text outside a diff header', () => {
    const text =
      'Some text\n--- a/not/a/diff\ndiff --git "a/x\\ty" "b/x\\ty"\nindex 0123456..89abcde 100644\n--- "a/x\\ty"\n+++ "b/x\\ty"\n';
    expect(seriesFiles(text).preimages).toEqual([{ path: 'x\ty', blob: '0123456' }]);
  });

  it('compares a short id with a full one', () => {
    expect(sameBlob('1234567', '1234567890abcdef1234567890abcdef12345678')).toBe(true);
    expect(sameBlob('1234568', '1234567890abcdef1234567890abcdef12345678')).toBe(false);
    expect(sameBlob('1234567', undefined)).toBe(false);
  });
});

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const D = 'd'.repeat(40);
const blob = (n: number): string => String(n).repeat(40);

describe('newest commit whose files have the blobs', () => {
  it('parses ls-tree -z and log --raw', () => {
    const ls = [`100644 blob ${blob(1)}\tfs/dax.c`, `100644 blob ${blob(2)}\tmm/memory.c`, ''].join('\0');
    expect([...parseLsTree(ls)]).toEqual([
      ['fs/dax.c', blob(1)],
      ['mm/memory.c', blob(2)],
    ]);
    const log = `commit ${A} ${B}\n\n:100644 100644 ${blob(3)} ${blob(1)} M\tfs/dax.c\ncommit ${B}\n\n:000000 100644 ${'0'.repeat(40)} ${blob(3)} A\tfs/dax.c\n`;
    expect(parseRawLog(log)).toEqual([
      { sha: A, parents: [B], changes: [{ path: 'fs/dax.c', oldBlob: blob(3), newBlob: blob(1) }] },
      { sha: B, parents: [], changes: [{ path: 'fs/dax.c', oldBlob: null, newBlob: blob(3) }] },
    ]);
  });

  it('is the head when the head matches, else the first parent of the last commit undone', () => {
    const head = new Map([
      ['fs/dax.c', blob(1)],
      ['mm/memory.c', blob(2)],
    ]);
    const history: RawCommit[] = [
      { sha: A, parents: [B], changes: [{ path: 'fs/dax.c', oldBlob: blob(3), newBlob: blob(1) }] },
      { sha: C, parents: [D], changes: [{ path: 'mm/memory.c', oldBlob: blob(4), newBlob: blob(2) }] },
    ];
    const wantHead = [{ path: 'fs/dax.c', blob: blob(1).slice(0, 12) }];
    expect(newestMatch(A, head, history, wantHead).match).toEqual({ commit: A, walked: 0 });
    const wantOlder = [
      { path: 'fs/dax.c', blob: blob(3).slice(0, 12) },
      { path: 'mm/memory.c', blob: blob(2).slice(0, 12) },
    ];
    expect(newestMatch(A, head, history, wantOlder).match).toEqual({ commit: B, walked: 1 });
    const wantOldest = [
      { path: 'fs/dax.c', blob: blob(3).slice(0, 12) },
      { path: 'mm/memory.c', blob: blob(4).slice(0, 12) },
    ];
    expect(newestMatch(A, head, history, wantOldest).match).toEqual({ commit: D, walked: 2 });
    const none = newestMatch(A, head, history, [...wantOldest, { path: 'x', blob: '123' }]);
    expect(none).toEqual({ match: null, best: 2 });
  });
});
