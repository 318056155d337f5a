import { describe, expect, it } from 'vitest';
import {
  regzbotLine,
  renderTreeBisection,
  type TreeBisectionReport,
} from '../../../../../bot/report/render/tree-bisection.ts';
import { expectGoldenText } from '../../../../helpers/golden.ts';

const sha = (c: string) => c.repeat(40);
const report: TreeBisectionReport = {
  tree: 'linux-6.1',
  good: 'v6.1.192-debian',
  bad: 'daxbot-test/bisect-five',
  test: 'crash:BUG: kernel NULL pointer dereference in ext4_dax_bsize_ok',
  steps: [
    {
      sha: sha('3'),
      subject: 'ext4: refuse DAX when the journal block size is larger than the fs block',
      result: 'bad',
    },
    { sha: sha('2'), subject: 'dax: comment the fsdax mount checks', result: 'good' },
  ],
  firstBad: { sha: sha('3'), subject: 'ext4: refuse DAX when the journal block size is larger than the fs block' },
  candidates: [{ sha: sha('3'), subject: 'ext4: refuse DAX when the journal block size is larger than the fs block' }],
};

describe('the report of a bisection along a tree', () => {
  it('names the first bad commit and tells regzbot where it was introduced', () => {
    const text = renderTreeBisection(report);
    expectGoldenText('report/tree-bisection', text);
    expect(text.split('\n')).toContain(`first bad commit: [${sha('3')}] ${report.firstBad?.subject ?? ''}`);
    expect(text.split('\n')).toContain('#regzbot introduced: 333333333333');
  });

  it("in the regression report's thread, points regzbot at the mail it answers", () => {
    const text = renderTreeBisection({ ...report, inReplyTo: '<oops-report@example.org>' });
    expectGoldenText('report/tree-bisection-reply', text);
    expect(text).toContain('\n#regzbot ^introduced: 333333333333\n');
    expect(text).not.toContain('#regzbot introduced');
  });

  it('tells regzbot nothing when skips left several candidates', () => {
    const candidates = [report.steps[0], { sha: sha('4'), subject: 'pmem: one more' }].flatMap((c) =>
      c ? [{ sha: c.sha, subject: c.subject }] : [],
    );
    const text = renderTreeBisection({ ...report, firstBad: null, candidates });
    expectGoldenText('report/tree-bisection-candidates', text);
    expect(text).not.toContain('#regzbot');
    expect(text).not.toContain('first bad commit:');
    expect(regzbotLine({ firstBad: null })).toBeNull();
  });
});
