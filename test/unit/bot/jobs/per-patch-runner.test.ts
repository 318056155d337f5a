import { describe, expect, it } from 'vitest';
import { perPatchBuilder } from '../../../../bot/jobs/per-patch-runner.ts';
import { decideReply, resultDigest } from '../../../../bot/report/reply-policy.ts';
import { runnerConfigSchema } from '../../../../runners/registry.ts';
import { judge } from '../../../../bot/judge/verdict.ts';
import { runResult } from '../../../helpers/pipeline-fakes.ts';

const runner = (o: Record<string, unknown>) => runnerConfigSchema().parse(o);
const pmem = runner({ name: 'qemu-pmem', kind: 'qemu-pmem' });
const nfit = runner({ name: 'nfit-sim', kind: 'nfit-sim' });
const scripted = runner({ name: 'scripted', kind: 'scripted' });

describe('perPatchBuilder', () => {
  const members = [
    { id: 7, runner: 'qemu-pmem' },
    { id: 8, runner: 'nfit-sim' },
  ];

  it('is the group first runner with buildEachPatch on (its own, else the global setting)', () => {
    expect(perPatchBuilder(members, [pmem, nfit], true)).toBe(7);
    expect(perPatchBuilder(members, [pmem, nfit], false)).toBeNull();
    const pmemOff = runner({ name: 'qemu-pmem', kind: 'qemu-pmem', buildEachPatch: false });
    expect(perPatchBuilder(members, [pmemOff, nfit], true)).toBe(8);
    const nfitOn = runner({ name: 'nfit-sim', kind: 'nfit-sim', buildEachPatch: true });
    expect(perPatchBuilder(members, [pmem, nfitOn], false)).toBe(8);
  });

  it('leaves the scripted runner (it builds no kernel) out unless it asks', () => {
    expect(perPatchBuilder([{ id: 1, runner: 'scripted' }], [scripted], true)).toBeNull();
    const asks = runner({ name: 'scripted', kind: 'scripted', buildEachPatch: true });
    expect(perPatchBuilder([{ id: 1, runner: 'scripted' }], [asks], true)).toBe(1);
  });
});

describe('reply policy: a series that is not bisectable', () => {
  const pass = judge({ baseRuns: [runResult()], seriesRuns: [runResult()] });
  const nb = { n: 4, broken: 2, fixedBy: 3, errors: [], note: 'does not build' };
  const policy = { replyOnPass: false };

  it('is mailed even when passes are not, and its reply differs from the plain pass', () => {
    expect(decideReply(pass, 'd1', [], policy)).toMatchObject({ kind: 'reply', mail: false });
    expect(decideReply({ ...pass, notBisectable: nb }, 'd1', [], policy)).toMatchObject({ kind: 'reply', mail: true });
    expect(resultDigest({ ...pass, notBisectable: nb }, null)).not.toBe(resultDigest(pass, null));
  });
});
