import { describe, expect, it } from 'vitest';
import { outsideSymlink, patchSymlinks, pointsOutside } from '../../../../runners/tree/symlinks.ts';

// As `git format-patch` writes a new symlink, a retargeted one and an ordinary file.
const PATCH = `Subject: [PATCH] links

---
diff --git a/drivers/nvdimm/shadow b/drivers/nvdimm/shadow
new file mode 120000
index 0000000..2c2ec4c
--- /dev/null
+++ b/drivers/nvdimm/shadow
@@ -0,0 +1 @@
+/etc/shadow
\\ No newline at end of file
diff --git a/tools/up b/tools/up
index 1111111..2222222 120000
--- a/tools/up
+++ b/tools/up
@@ -1 +1 @@
-../Makefile
\\ No newline at end of file
+../../../root/.ssh/id_ed25519
\\ No newline at end of file
diff --git a/a.c b/a.c
index 3333333..4444444 100644
--- a/a.c
+++ b/a.c
@@ -1 +1 @@
-/etc/old
+/etc/new
`;

describe('symlinks in a patch', () => {
  it('finds every link created or retargeted, with its new target, and no ordinary file', () => {
    expect(patchSymlinks(PATCH)).toEqual([
      { path: 'drivers/nvdimm/shadow', target: '/etc/shadow' },
      { path: 'tools/up', target: '../../../root/.ssh/id_ed25519' },
    ]);
  });

  it('tells links inside the tree from those outside', () => {
    expect(pointsOutside({ path: 'include/asm', target: 'asm-x86' })).toBe(false);
    expect(pointsOutside({ path: 'a/b/c', target: '../../d' })).toBe(false);
    expect(pointsOutside({ path: 'a/b/c', target: '../../../d' })).toBe(true);
    expect(pointsOutside({ path: 'c', target: '/etc/shadow' })).toBe(true);
    expect(pointsOutside({ path: 'c', target: '..' })).toBe(true);
    expect(outsideSymlink(PATCH)).toEqual({ path: 'drivers/nvdimm/shadow', target: '/etc/shadow' });
  });

  it('is not fooled by a mode line inside an ordinary file', () => {
    const text = PATCH.split('diff --git a/a.c')[1] ?? '';
    expect(patchSymlinks(`diff --git a/a.c${text}+new file mode 120000\n`)).toEqual([]);
  });
});
