/**
 * renderAmMbox against the installed b4 (Debian's 0.12, the one b4-compare.test.ts runs) on b4's
 * own follow-up trailer samples (corpus b4/samples): each sample thread goes through
 * `b4 -n am -t [-s] -m SAMPLE` and through our assembly and renderer, with and without your own
 * Signed-off-by, and the mboxes must be byte for byte the same. b4's user is "Test Override" when
 * it signs off and someone absent from the samples otherwise (b4 moves a follow-up that carries
 * its user's own Signed-off-by to the end, which only happens when it signs off).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleSeries, newestVersion } from '../../ingest/series/assemble.ts';
import { renderAmMbox } from '../../ingest/series/am-mbox.ts';
import { b4Available, loadMbox, repoRoot } from '../helpers/b4.ts';

const samples = path.resolve(repoRoot, '..', 'shared', 'corpus', 'b4', 'samples');
const SOB = 'Test Override <test-override@example.com>';

function b4Am(file: string, signOff: boolean): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'daxbot-b4-sample-'));
  const [name, email] = signOff ? ['Test Override', 'test-override@example.com'] : ['Nobody', 'nobody@example.invalid'];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: '3',
    GIT_CONFIG_KEY_0: 'b4.attestation-policy',
    GIT_CONFIG_VALUE_0: 'off',
    GIT_CONFIG_KEY_1: 'user.name',
    GIT_CONFIG_VALUE_1: name,
    GIT_CONFIG_KEY_2: 'user.email',
    GIT_CONFIG_VALUE_2: email,
    GIT_CEILING_DIRECTORIES: dir,
  };
  try {
    const args = ['-n', '--no-stdin', 'am', '-t', ...(signOff ? ['-s'] : []), '-m', file, '-o', dir];
    execFileSync('b4', args, { cwd: dir, env, stdio: 'pipe' });
    const mbx = readdirSync(dir).find((f) => f.endsWith('.mbx'));
    return mbx ? readFileSync(path.join(dir, mbx), 'utf8') : '';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function ours(file: string, signOff: boolean): Promise<string> {
  const { msgs, raws } = await loadMbox(file);
  const v = newestVersion(assembleSeries(msgs, { linkHistory: false }));
  return v ? (await renderAmMbox(v, raws, { signOff: signOff ? SOB : null })).toString('utf8') : '';
}

const ready = b4Available() && existsSync(samples);
const files = ready ? readdirSync(samples).filter((f) => /^trailers-followup-.*\.mbox$/.test(f)) : [];

describe.skipIf(!ready)('renderAmMbox vs the installed b4 on b4 sample threads', () => {
  for (const f of files) {
    for (const signOff of [false, true]) {
      it(`${f}${signOff ? ' -s' : ''}`, async () => {
        const file = path.join(samples, f);
        expect(await ours(file, signOff)).toBe(b4Am(file, signOff));
      });
    }
  }
});
