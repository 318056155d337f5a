import { describe, expect, it } from 'vitest';
import {
  canonicalTrailerName,
  parseBaseInfo,
  parseFollowupTrailers,
  parseTrailers,
} from '../../../../ingest/parse/trailers.ts';

const PATCH = `dax: fix the thing

The thing was broken. Note: this matters.

Fixes: 0123456789ab ("dax: introduce the
thing")
Reported-by: Kernel Test Robot <lkp@intel.com>
Closes: https://lore.kernel.org/r/202301010000.abc@intel.com/
Cc: stable@vger.kernel.org # v6.1+
Co-developed-by: Ann Author <ann@example.org>
signed-off-by: Ann Author <ann@example.org>
Signed-off-by: Bob Builder
<bob@example.org>
[bob: rebased on v6.5]
Link: https://lore.kernel.org/r/1@example.org
Reviewed-and-Tested-By: Carl <carl@example.org>
X-Custom-Tag: something
---
 fs/dax.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/fs/dax.c b/fs/dax.c
--- a/fs/dax.c
+++ b/fs/dax.c
@@ -1 +1 @@
-Acked-by: not a trailer <x@y.z>
+Acked-by: still not <x@y.z>
`;

describe('parseTrailers', () => {
  it('reads the last paragraph of the commit message, canonical names, unwrapped values', () => {
    expect(parseTrailers(PATCH)).toEqual([
      { name: 'Fixes', value: '0123456789ab ("dax: introduce the thing")' },
      { name: 'Reported-by', value: 'Kernel Test Robot <lkp@intel.com>' },
      { name: 'Closes', value: 'https://lore.kernel.org/r/202301010000.abc@intel.com/' },
      { name: 'Cc', value: 'stable@vger.kernel.org # v6.1+' },
      { name: 'Co-developed-by', value: 'Ann Author <ann@example.org>' },
      { name: 'Signed-off-by', value: 'Ann Author <ann@example.org>' },
      { name: 'Signed-off-by', value: 'Bob Builder <bob@example.org>' },
      { name: 'Link', value: 'https://lore.kernel.org/r/1@example.org' },
      { name: 'Reviewed-and-tested-by', value: 'Carl <carl@example.org>' },
      { name: 'X-custom-tag', value: 'something' },
    ]);
  });

  it('ignores a last paragraph of prose', () => {
    expect(
      parseTrailers('subject\n\nBody text.\nNote: not a trailer block, just a sentence here.\nMore prose.\n'),
    ).toEqual([]);
  });

  it('accepts a mostly-trailer block with a known name and some prose (git 25% rule)', () => {
    expect(parseTrailers('s\n\nThis line is prose.\nSigned-off-by: A <a@b.c>\n').map((t) => t.name)).toEqual([
      'Signed-off-by',
    ]);
  });

  it('ignores signature Phone:/Email: lines and stops at the signature', () => {
    expect(parseTrailers('s\n\nSigned-off-by: A <a@b.c>\nPhone: 123\n-- \nName\nEmail: x@y.z\n')).toEqual([
      { name: 'Signed-off-by', value: 'A <a@b.c>' },
    ]);
  });

  it('folds indented continuation lines', () => {
    expect(parseTrailers('s\n\nLink: https://example.org/\n  continued\nSigned-off-by: A <a@b.c>')).toEqual([
      { name: 'Link', value: 'https://example.org/ continued' },
      { name: 'Signed-off-by', value: 'A <a@b.c>' },
    ]);
  });

  it('returns [] without a trailer block', () => {
    expect(parseTrailers('')).toEqual([]);
    expect(parseTrailers('just a subject')).toEqual([]);
  });
});

describe('parseFollowupTrailers', () => {
  const REPLY = `On Mon, Jan 1, 2024 at 10:00, Ann wrote:
> Signed-off-by: Ann Author <ann@example.org>
> Acked-by: Quoted <q@example.org>

Looks good to me.

Reviewed-by: Dan Reviewer <dan@example.org>
Tested-by: Tess Tester <tess@example.org> # on QEMU
Acked-by: no email here
Fixes: 0123456789ab ("not a person trailer")
Link: https://example.org/x
Reported-by: Url <https://example.org/u@x.y>
reviewed-BY: Dan Reviewer <dan@example.org>

-- 
Dan
Acked-by: In Signature <sig@example.org>
`;
  it('takes only person trailers with an address, outside quotes and the signature', () => {
    expect(parseFollowupTrailers(REPLY)).toEqual([
      { name: 'Reviewed-by', value: 'Dan Reviewer <dan@example.org>' },
      { name: 'Tested-by', value: 'Tess Tester <tess@example.org> # on QEMU' },
    ]);
  });

  it('ignores trailers inside a diff the reply carries', () => {
    expect(parseFollowupTrailers('Try this:\n\ndiff --git a/x b/x\n+Acked-by: A <a@b.c>\n')).toEqual([]);
  });
});

describe('canonicalTrailerName', () => {
  it('maps known names and shapes unknown ones', () => {
    expect(canonicalTrailerName('SIGNED-OFF-BY')).toBe('Signed-off-by');
    expect(canonicalTrailerName('cc')).toBe('Cc');
    expect(canonicalTrailerName('buglink')).toBe('BugLink');
    expect(canonicalTrailerName('Some-Tag')).toBe('Some-tag');
  });
});

describe('parseBaseInfo', () => {
  it('reads b4 footers after the diff', () => {
    const text = `${PATCH}\nbase-commit: ABCDEF0123456789abcdef0123456789abcdef01\nprerequisite-patch-id: 1111111111111111111111111111111111111111\nprerequisite-patch-id: 2222222222222222222222222222222222222222\nprerequisite-message-id: <20240101.1@example.org>\nchange-id: 20240101-dax-fix-0123abcd\n-- \n2.43.0\n`;
    expect(parseBaseInfo(text)).toEqual({
      baseCommit: 'abcdef0123456789abcdef0123456789abcdef01',
      prerequisitePatchIds: ['1111111111111111111111111111111111111111', '2222222222222222222222222222222222222222'],
      prerequisiteMessageIds: ['20240101.1@example.org'],
      changeId: '20240101-dax-fix-0123abcd',
    });
  });
  it('ignores quoted footers and non-hex base commits', () => {
    expect(parseBaseInfo('> base-commit: abcdef0\nbase-commit: not-hex\n')).toEqual({
      baseCommit: null,
      prerequisitePatchIds: [],
      prerequisiteMessageIds: [],
      changeId: null,
    });
  });
});
