#!/usr/bin/env python3
"""daxbot: runs `meson test` in the guest's Debian chroot and streams its lines to the console.

Besides meson's own output it prints, for the host (runners/nfit-sim/ndctl-results.ts):
  # DAXBOT-MESON-LIST <n> <name> ...   the tests meson will run, "project:suite/name"
  DAXBOT: test-start <name>            before each test, so the host's per-test timeout applies
  ok|not ok <i> <name>                 after each result, which ends that timeout
  DAXBOT-MESON-LOG <json>              for each test that did not pass: result, exit code and
                                       the tail of its output (an exit-77 test's reason line)
  # DAXBOT-MESON-TESTLOG <bytes>       meson's testlog.json was written to the results disk
  # DAXBOT-MESON-EXIT <code>
When a results device is given, meson's own testlog.json (every test's result, exit code,
duration and output) is written to it as a one-member tar stream from offset 0: the host reads
it after the guest stops (runners/guest/disks.ts; a raw disk, so the guest can write nothing
else on the host).
Usage: meson-run.py BUILD_DIR SUITE[,SUITE...] TIMEOUT_MULTIPLIER [TEST[,TEST...]] [RESULTS_DEVICE]
"""
import json
import os
import re
import subprocess
import sys
import tarfile

RESULT = re.compile(r'^\s*(\d+)\s*/\s*(\d+)\s+(\S+)\s+/\s+(\S+)\s+(OK|FAIL|SKIP|EXPECTEDFAIL|UNEXPECTEDPASS|TIMEOUT|ERROR)\b')


def say(line):
    sys.stdout.write(line + '\n')
    sys.stdout.flush()


def marker(name):
    return name.replace(' / ', '/').replace(' ', '_')


def arg(i, default=''):
    return sys.argv[i] if len(sys.argv) > i else default


def run_tests(base, names, mult):
    """Runs meson test, echoing its lines plus the per-test markers; returns its exit code."""
    done = 0
    seen = set()
    say('DAXBOT: test-start %s' % names[0])
    proc = subprocess.Popen(base + ['--print-errorlogs', '--num-processes', '1', '-t', mult],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        m = RESULT.match(line)
        if not m:
            continue
        name = marker('%s / %s' % (m.group(3), m.group(4)))
        # "Summary of Failures" repeats failed tests' lines after the run.
        if name in seen:
            continue
        seen.add(name)
        ok = m.group(5) in ('OK', 'SKIP', 'EXPECTEDFAIL')
        say('%s %s %s' % ('ok' if ok else 'not ok', m.group(1), name))
        done += 1
        if done < len(names):
            say('DAXBOT: test-start %s' % names[done])
    return proc.wait()


def echo_logs(path):
    """The reason lines of tests that did not pass, on the console (what a reply quotes)."""
    try:
        with open(path) as f:
            for raw in f:
                entry = json.loads(raw)
                if entry.get('result') in ('OK', 'EXPECTEDFAIL'):
                    continue
                # ndctl's scripts say why on stdout; a C test only logs, on stderr.
                out = [l for l in (entry.get('stdout') or '').splitlines() if l.strip()]
                out = out or [l for l in (entry.get('stderr') or '').splitlines() if l.strip()]
                say('DAXBOT-MESON-LOG ' + json.dumps({
                    'name': marker(entry.get('name', '')),
                    'result': entry.get('result'),
                    'returncode': entry.get('returncode'),
                    'tail': [l[:300] for l in out[-15:]],
                }))
    except (OSError, ValueError) as e:
        say('# DAXBOT-MESON-ERROR reading testlog.json: %s' % e)


def copy_testlog(path, device):
    try:
        size = os.path.getsize(path)
        with open(device, 'r+b', buffering=0) as d:
            # ustar: the plainest header, which the host's reader parses itself.
            with tarfile.open(fileobj=d, mode='w', format=tarfile.USTAR_FORMAT) as tar:
                tar.add(path, arcname='testlog.json')
            os.fsync(d.fileno())
        say('# DAXBOT-MESON-TESTLOG %d' % size)
    except (OSError, tarfile.TarError) as e:
        say('# DAXBOT-MESON-ERROR copying testlog.json to %s: %s' % (device, e))


def main():
    build = arg(1)
    suites = [s for s in arg(2).split(',') if s]
    mult = arg(3, '1')
    tests = [t for t in arg(4).split(',') if t]
    device = arg(5)
    select = [a for s in suites for a in ('--suite', s)]
    # Test names after the options narrow the suites' tests to those names (meson ANDs them).
    base = ['meson', 'test', '-C', build, '--no-rebuild'] + select

    listed = subprocess.run(base + ['--list'] + tests, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    names = [marker(l.strip()) for l in listed.stdout.splitlines() if ' / ' in l]
    say('# DAXBOT-MESON-LIST %d %s' % (len(names), ' '.join(names)))
    if listed.returncode != 0 or not names:
        tail = [l for l in listed.stdout.splitlines() if l.strip()][-1:] or ['no output']
        say('# DAXBOT-MESON-ERROR meson test --list found no tests (exit %d): %s' % (listed.returncode, tail[0]))
        say('# DAXBOT-MESON-EXIT %d' % listed.returncode)
        return

    # Tests run one at a time in list order (ndctl's are all is_parallel: false).
    code = run_tests(base + tests, names, mult)
    testlog = build + '/meson-logs/testlog.json'
    echo_logs(testlog)
    if device:
        copy_testlog(testlog, device)
    say('# DAXBOT-MESON-EXIT %d' % code)


main()
