#!/bin/busybox sh
# daxbot guest init: mount the basics, run the suites named on the kernel command line, print
# their KTAP results between markers on the console, power off. The host reads the console.
/bin/busybox mkdir -p /proc /sys /dev /tmp /mnt /usr/bin /usr/sbin /sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
export PATH=/daxbot/helpers:/usr/sbin:/usr/bin:/sbin:/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64
export HOME=/tmp
echo "DAXBOT: init"

SUITES=dax
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    daxbot.suites=*) SUITES=$(echo "${arg#daxbot.suites=}" | tr ',' ' ') ;;
    daxbot.hang=*) export DAXBOT_HANG="${arg#daxbot.hang=}" ;;
    daxbot.test_timeout=*) export DAXBOT_TEST_TIMEOUT="${arg#daxbot.test_timeout=}" ;;
  esac
done

for suite in $SUITES; do
  script=/daxbot/suites/$suite.sh
  echo "DAXBOT: suite-begin $suite"
  if [ -x "$script" ]; then
    sh "$script"
  else
    echo "KTAP version 1"
    echo "1..1"
    echo "not ok 1 $suite # SKIP no such suite in this initramfs"
  fi
  echo "DAXBOT: suite-end $suite"
done
echo "DAXBOT: done"
# No sync: after a kernel crash it can block forever on a dead task's locks, and the NVDIMM
# contents are thrown away anyway.
poweroff -f
