/**
 * runners/guest/nfit-sim/meson-run.py on the host, with a fake `meson` (a shell script that
 * answers --list, prints result lines and writes a testlog.json as meson 1.0 does) and a plain
 * file standing for the results disk.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTestlog, readNdctlTestlog } from '../../../../runners/nfit-sim/ndctl-testlog.ts';
import { hasBinary } from '../../../helpers/servers/binaries.ts';

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', '..');
const script = path.join(repoRoot, 'runners', 'guest', 'nfit-sim', 'meson-run.py');

// The fake records its arguments, lists the two tests (or only those named), and writes the log.
const FAKE_MESON = `#!/bin/sh
echo "$@" >>"$FAKE_DIR/calls"
case " $* " in
*" --list "*)
	case " $* " in *" create.sh "*) echo "ndctl:ndctl / create.sh" ;;
	*) echo "ndctl:ndctl / libndctl"; echo "ndctl:ndctl / create.sh" ;; esac
	exit 0 ;;
esac
mkdir -p "$BUILD/meson-logs"
echo " 1/1 ndctl:ndctl / create.sh        FAIL            3.21s   exit status 1"
printf '%s\\n' '{"name": "ndctl:ndctl / create.sh", "stdout": "+ x\\ntest/create.sh: failed at line 30\\n", "result": "FAIL", "starttime": 1.0, "duration": 3.21, "returncode": 1, "env": {}, "command": ["/ndctl/src/test/create.sh"]}' >"$BUILD/meson-logs/testlog.json"
exit 1
`;

describe.skipIf(!hasBinary('python3'))('meson-run.py', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'daxbot-meson-run-'));
    await mkdir(path.join(dir, 'bin'));
    await writeFile(path.join(dir, 'bin', 'meson'), FAKE_MESON);
    chmodSync(path.join(dir, 'bin', 'meson'), 0o755);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('runs only the named tests, marks each, and copies testlog.json to the results disk', async () => {
    const build = path.join(dir, 'build');
    const disk = path.join(dir, 'results.raw');
    await writeFile(disk, Buffer.alloc(4096));
    const out = execFileSync('python3', [script, build, 'ndctl:ndctl,ndctl:dax', '2', 'create.sh', disk], {
      encoding: 'utf8',
      env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, FAKE_DIR: dir, BUILD: build },
    });
    const calls = (await readFile(path.join(dir, 'calls'), 'utf8')).trim().split('\n');
    expect(calls[0]).toBe(`test -C ${build} --no-rebuild --suite ndctl:ndctl --suite ndctl:dax --list create.sh`);
    expect(calls[1]).toBe(
      `test -C ${build} --no-rebuild --suite ndctl:ndctl --suite ndctl:dax create.sh --print-errorlogs --num-processes 1 -t 2`,
    );
    expect(out).toContain('# DAXBOT-MESON-LIST 1 ndctl:ndctl/create.sh\nDAXBOT: test-start ndctl:ndctl/create.sh\n');
    expect(out).toContain('not ok 1 ndctl:ndctl/create.sh\n');
    expect(out).toMatch(/^DAXBOT-MESON-LOG \{"name": "ndctl:ndctl\/create.sh", "result": "FAIL"/m);
    expect(out).toMatch(/^# DAXBOT-MESON-TESTLOG \d+\n# DAXBOT-MESON-EXIT 1\n$/m);
    const testlog = await readNdctlTestlog(disk);
    expect(parseTestlog(testlog ?? '')).toEqual([
      {
        suite: 'ndctl',
        name: 'create.sh',
        status: 'fail',
        durationMs: 3210,
        reason: 'exit status 1: test/create.sh: failed at line 30',
        excerpt: '+ x\ntest/create.sh: failed at line 30',
      },
    ]);
  });
});
