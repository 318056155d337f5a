/**
 * Patch ids as `git patch-id --stable` computes them (what b4 writes in `prerequisite-patch-id:`),
 * for many diffs with one git process: each diff goes in under a made-up commit id that maps back
 * to its key. No repository is needed.
 */
import os from 'node:os';
import { InfraError } from '../../bot/errors.ts';
import { git } from './git-run.ts';

export interface KeyedDiff {
  key: string;
  diff: string;
}

function fakeId(i: number): string {
  return (i + 1).toString(16).padStart(40, '0');
}

/** The input of `git patch-id`: `commit <id>` then the diff, for each. */
export function patchIdInput(diffs: readonly KeyedDiff[]): string {
  return diffs.map((d, i) => `commit ${fakeId(i)}\n${d.diff.endsWith('\n') ? d.diff : `${d.diff}\n`}`).join('');
}

/** `<patch-id> <commit id>` lines → key → patch id. */
export function parsePatchIds(out: string, diffs: readonly KeyedDiff[]): Map<string, string> {
  const byFake = new Map(diffs.map((d, i) => [fakeId(i), d.key]));
  const ids = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]{40}) ([0-9a-f]{40})$/.exec(line.trim());
    const key = m?.[2] ? byFake.get(m[2]) : undefined;
    if (m?.[1] && key !== undefined) ids.set(key, m[1]);
  }
  return ids;
}

export async function patchIds(diffs: readonly KeyedDiff[]): Promise<Map<string, string>> {
  if (diffs.length === 0) return new Map();
  const r = await git(os.tmpdir(), ['patch-id', '--stable'], { input: patchIdInput(diffs) });
  if (r.code !== 0) throw new InfraError('git patch-id failed', { output: r.output.slice(-2000) });
  return parsePatchIds(r.stdout, diffs);
}
