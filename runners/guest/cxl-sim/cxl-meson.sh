#!/bin/sh
# ndctl's `cxl` meson suite on cxl_test, run by the guest init as /daxbot/suites/ndctl-meson.sh
# (the host reads the section under that name: runners/cxl-sim/meson.ts). It puts the cxl_test
# setup in front of nfit-sim's ndctl-meson.sh, which mounts the Debian root filesystem and the
# ndctl build, installs the test modules in the chroot and runs `meson test` there:
# - the CXL drivers must be loaded before cxl_test adds its devices (the guest has no udev, and
#   ndctl's cxl tests only `modprobe -r cxl_test; modprobe cxl_test`): when the smoke suite did not
#   run, this loads every module with the cxl-sim loader (its lines are for the host too);
# - bash's /dev/fd links, which devtmpfs lacks (below);
# - ndctl-meson.sh takes its helpers from $NFIT_SIM_DIR: a folder with nfit-sim's helpers, the
#   cxl_test load order (the chroot's /lib/modules/<release>/extra/ gets these modules) and a
#   loader that does nothing (nfit_test is not part of this guest).
CXL=${CXL_SIM_DIR:-/daxbot/cxl-sim}
NFIT=/daxbot/nfit-sim
DIR=/tmp/cxl-meson

if [ ! -d /sys/module/cxl_acpi ]; then
	sh "$CXL/load-modules.sh" "$CXL/modules.order" >/tmp/cxl-meson.load 2>&1 ||
		echo "# DAXBOT-MESON-ERROR cxl_test modules: $(grep -v '^ *$' /tmp/cxl-meson.load | tail -n 1 | sed 's/^# //')"
	cat /tmp/cxl-meson.load
fi

# bash's process substitution (`readarray -t mem < <(cxl list ...)` in ndctl's cxl tests) opens
# /dev/fd/N: devtmpfs has no /dev/fd (udev makes it on a full system), and the chroot's /dev is
# this one bind-mounted. Without it those tests fail with "/dev/fd/63: No such file or directory".
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for i in 0:stdin 1:stdout 2:stderr; do
	[ -e "/dev/${i#*:}" ] || ln -s "/proc/self/fd/${i%%:*}" "/dev/${i#*:}"
done

# cxl-events.sh and cxl-poison.sh read CXL trace events under /sys/kernel/tracing (systemd mounts
# tracefs there); it exists only when the kernel has tracing (not in the cxl-sim fragments yet).
[ -d /sys/kernel/tracing ] && mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

mkdir -p "$DIR"
for f in meson-run.py chroot-modules.sh kernel; do
	[ -e "$NFIT/$f" ] && ln -sf "$NFIT/$f" "$DIR/$f"
done
cp "$CXL/modules.order" "$DIR/modules.order"
printf '# cxl_test was loaded by cxl-meson.sh\nexit 0\n' >"$DIR/load-modules.sh"
NFIT_SIM_DIR=$DIR exec sh "$CXL/ndctl-meson.sh"
