/**
 * fstests' xunit report (check -R xunit) as common/report writes it: properties, a pass, a notrun
 * with its reason, a failure with its .full (system-out), _check_dmesg's findings (kernel-log) and
 * the diff (system-err), a CDATA section split around "]]>" as encode_cdata does. Real reports
 * from the guest are read in test/unit/runners/fstests-results.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { FstestsXunitError, parseFstestsXunit } from '../../../../runners/parse/fstests.ts';

const REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuite
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="https://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git https://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git/tree/doc/xunit.xsd"

 name="xfstests"
 failures="1" skipped="1" tests="3" time="31"
 hostname="(none)"
  start_timestamp="2026-01-13T09:00:00+00:00"
        timestamp="2026-01-13T09:00:00+00:00"
 report_timestamp="2026-01-13T09:00:31+00:00"
>
\t<properties>
\t\t<property name="FSTYP" value="xfs"/>
\t\t<property name="MOUNT_OPTIONS" value="-o dax=always"/>
\t\t<property name="TEST_DEV" value="/dev/pmem0"/>
\t\t<property name="SCRATCH_DEV_DAX" value="1"/>
\t</properties>
\t<testcase classname="xfstests.global" name="generic/413" time="12">
\t</testcase>
\t<testcase classname="xfstests.global" name="generic/470" time="0">
\t\t<skipped message="This test requires a valid $LOGWRITES_DEV &amp; a &quot;log&quot;" />
\t</testcase>
\t<testcase classname="xfstests.global" name="generic/608" time="19">
\t\t<failure message="- output mismatch (see /results/xfs/generic/608.out.bad)" type="TestFail" />
\t\t<system-out>
<![CDATA[
meta-data=/dev/pmem0.1 isize=512 agcount=4
odd ]]]]><![CDATA[> in a log
]]>
\t\t</system-out>
\t\t<kernel-log>
<![CDATA[
[  101.000000] run fstests generic/608 at 2026-01-13 09:00:12
[  102.000000] WARNING: CPU: 0 PID: 1 at fs/dax.c:1 dax_iomap_iter+0x1/0x2
]]>
\t\t</kernel-log>
\t\t<system-err>
<![CDATA[
--- tests/generic/608.out\t2025-12-23 10:00:00.000000000 +0000
+++ /results/xfs/generic/608.out.bad\t2026-01-13 09:00:31.000000000 +0000
@@ -1,2 +1,3 @@
 QA output created by 608
+Buffered data is lost
 Silence is golden
]]>
\t\t</system-err>
\t</testcase>
</testsuite>
`;

describe('parseFstestsXunit', () => {
  it('reads each case with its status, time, reason, log, kernel log and diff', () => {
    const r = parseFstestsXunit(REPORT);
    expect(r.properties).toEqual({
      FSTYP: 'xfs',
      MOUNT_OPTIONS: '-o dax=always',
      TEST_DEV: '/dev/pmem0',
      SCRATCH_DEV_DAX: '1',
    });
    expect(r.cases.map((c) => [c.name, c.status, c.timeS, c.message])).toEqual([
      ['generic/413', 'pass', 12, null],
      ['generic/470', 'notrun', 0, 'This test requires a valid $LOGWRITES_DEV & a "log"'],
      ['generic/608', 'fail', 19, '- output mismatch (see /results/xfs/generic/608.out.bad)'],
    ]);
    const f = r.cases[2];
    expect(f?.full).toBe('meta-data=/dev/pmem0.1 isize=512 agcount=4\nodd ]]> in a log');
    expect(f?.dmesg?.split('\n')).toHaveLength(2);
    expect(f?.diff?.split('\n').slice(-3)).toEqual([
      ' QA output created by 608',
      '+Buffered data is lost',
      ' Silence is golden',
    ]);
    expect(r.cases[0]?.diff).toBeNull();
  });

  it('reads a report with no cases (an empty group, or check stopped early)', () => {
    expect(parseFstestsXunit('<testsuite name="xfstests" tests="0"><properties></properties></testsuite>')).toEqual({
      properties: {},
      cases: [],
    });
  });

  it('refuses what is not such a report, saying why', () => {
    expect(() => parseFstestsXunit('<testsuite><testcase time="1"/></testsuite>')).toThrow(FstestsXunitError);
    expect(() => parseFstestsXunit('<html><body>hi</body></html>')).toThrow(/not an fstests xunit report/);
    expect(() => parseFstestsXunit('')).toThrow(FstestsXunitError);
  });
});
