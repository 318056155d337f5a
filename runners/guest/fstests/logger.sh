#!/bin/sh
# fstests' LOGGER_PROG in the guest's chroot: check runs `$LOGGER_PROG "run xfstest <test>"` just
# before each test. Marks the test's start for the host (its per-test timeout) and for the hang
# watchdog of suites/lib.sh (the file it polls); DAXBOT_FS names the filesystem being tested.
t=${1##* }
echo "0 $DAXBOT_FS.$t" >/tmp/daxbot-current-test
echo "DAXBOT: test-start $DAXBOT_FS.$t" >/dev/console
