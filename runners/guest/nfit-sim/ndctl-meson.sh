#!/bin/sh
# The external ndctl suite in the guest, run by init.sh as /daxbot/suites/ndctl-meson.sh between
# its suite markers. It makes sure the nfit_test buses exist (loading the test modules when the
# built-in suite did not run; the host reads the module lines whatever ran), mounts the Debian root
# filesystem (virtio disk, serial daxbot-root) and the ndctl build (serial daxbot-ndctl) at /ndctl
# in it, installs the test modules in the chroot's /lib/modules/<release>/extra/ (chroot-modules.sh),
# starts systemd-journald there (ndctl's tests read the kernel log with journalctl) and runs
# `meson test` in the chroot through meson-run.py, which streams meson's lines plus daxbot's
# markers to the console and writes meson's testlog.json to the results disk (serial
# daxbot-results, a raw file the host reads after the run).
# Both system disks are per-run copy-on-write overlays on the host, so writing to them is harmless.
# Setup failures are one line, "# DAXBOT-MESON-ERROR <why>", read by runners/nfit-sim/ndctl-results.ts.
HERE=${NFIT_SIM_DIR:-/daxbot/nfit-sim}
ROOT=/mnt/daxbot-root
SUITES=""
TESTS=""
MULT=1
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	daxbot.meson-suites=*) SUITES=${arg#daxbot.meson-suites=} ;;
	daxbot.meson-tests=*) TESTS=${arg#daxbot.meson-tests=} ;;
	daxbot.meson-timeout-multiplier=*) MULT=${arg#daxbot.meson-timeout-multiplier=} ;;
	esac
done

fail() { echo "# DAXBOT-MESON-ERROR $*"; exit 0; }

# The disk whose virtio serial is $1 (device names depend on PCI order; serials do not).
disk() {
	for d in /sys/block/vd*; do
		[ -e "$d/serial" ] && [ "$(cat "$d/serial")" = "$1" ] && { echo "/dev/${d##*/}"; return 0; }
	done
	return 1
}

if ! grep -qx nfit_test.0 /sys/bus/nd/devices/ndbus*/provider 2>/dev/null; then
	sh "$HERE/load-modules.sh" "$HERE/modules.order" "nfit_test.0 nfit_test.1" >/tmp/ndctl-meson.load 2>&1
	cat /tmp/ndctl-meson.load
fi

rootdev=$(disk daxbot-root) || fail "no root filesystem disk (virtio serial daxbot-root): $(ls /sys/block | tr '\n' ' ')"
ndctldev=$(disk daxbot-ndctl) || fail "no ndctl build disk (virtio serial daxbot-ndctl)"
mkdir -p "$ROOT"
mount -t ext4 "$rootdev" "$ROOT" 2>/tmp/mount.err || fail "mount $rootdev: $(cat /tmp/mount.err)"
mount -t ext4 "$ndctldev" "$ROOT/ndctl" 2>/tmp/mount.err || fail "mount $ndctldev: $(cat /tmp/mount.err)"
for d in proc sys dev; do
	mount -o bind "/$d" "$ROOT/$d" || fail "bind mount /$d"
done
mount -t tmpfs tmpfs "$ROOT/tmp" || fail "tmpfs on /tmp"
mount -t tmpfs tmpfs "$ROOT/run" 2>/dev/null
# btt-pad-compat.sh reads the BTT arenas' layout from debugfs, as on a systemd machine.
mount -t debugfs debugfs "$ROOT/sys/kernel/debug" 2>/dev/null
cp "$HERE/meson-run.py" "$ROOT/tmp/meson-run.py" || fail "copy meson-run.py"
# ndctl's harness accepts the simulator's modules only from /lib/modules/<release>/extra/ and
# reloads them with modprobe: install them there (chroot-modules.sh says why in full).
sh "$HERE/chroot-modules.sh" "$ROOT" "$HERE/modules.order" "$HERE/kernel" >/tmp/chroot-modules.out 2>&1 ||
	fail "installing the test modules in the chroot: $(tail -n 1 /tmp/chroot-modules.out)"
sed 's/^/# /' /tmp/chroot-modules.out

# ndctl's test/common check_dmesg reads the kernel log with `journalctl -k` and fails the test
# when it cannot: a journald in the chroot collects /dev/kmsg as on the systems ndctl tests on.
CHROOT_ENV="PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8"
chroot "$ROOT" /usr/bin/env -i $CHROOT_ENV sh -c \
	'systemd-machine-id-setup >/dev/null 2>&1; exec /lib/systemd/systemd-journald' >/tmp/journald.out 2>&1 &
jpid=$!
i=0
while [ ! -S "$ROOT/run/systemd/journal/socket" ] && [ $i -lt 40 ]; do
	sleep 0.25
	i=$((i + 1))
done
if [ -S "$ROOT/run/systemd/journal/socket" ]; then
	echo "# journald started in the chroot"
else
	echo "# journald did not start: $(tail -n 2 /tmp/journald.out | tr '\n' ' ')"
fi

# ndctl's tests start where nfit_test is not loaded: each loads it with modprobe and unloads it
# in its cleanup, and libndctl, the first, removes and re-inserts it and skips when it cannot. The
# initramfs loaded it to check the modules and buses, so unload it as test/common's _cleanup does
# (an enabled region pins the module). The other test modules stay: modprobe reuses them.
nd="/ndctl/build/ndctl/ndctl"
out=$(chroot "$ROOT" /usr/bin/env -i $CHROOT_ENV sh -c \
	"$nd disable-region -b nfit_test.0 all && $nd disable-region -b nfit_test.1 all && modprobe -r nfit_test" 2>&1)
if [ $? = 0 ]; then
	echo "# nfit_test unloaded for ndctl's tests"
else
	echo "# nfit_test could not be unloaded: $(printf '%s' "$out" | tail -n 1)"
fi

results=$(disk daxbot-results) || results=""
chroot "$ROOT" /usr/bin/env -i $CHROOT_ENV PYTHONUNBUFFERED=1 \
	/usr/bin/python3 /tmp/meson-run.py /ndctl/build "$SUITES" "$MULT" "$TESTS" "$results" 2>&1
rc=$?
[ $rc = 0 ] || echo "# DAXBOT-MESON-EXIT chroot $rc"

# Leave the guest as found for anything after this suite; the disks are thrown away anyway.
kill "$jpid" 2>/dev/null
wait "$jpid" 2>/dev/null
umount "$ROOT/run" "$ROOT/tmp" "$ROOT/dev" "$ROOT/sys" "$ROOT/proc" "$ROOT/ndctl" "$ROOT" 2>/dev/null
exit 0
