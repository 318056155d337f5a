#!/bin/sh
# The external ndctl suite in the guest, run by init.sh as /daxbot/suites/ndctl-meson.sh between
# its suite markers. It makes sure the nfit_test buses exist (loading the test modules when the
# built-in suite did not run; the host reads the module lines whatever ran), mounts the Debian root
# filesystem (virtio disk, serial daxbot-root) and the ndctl build (serial daxbot-ndctl) at /ndctl
# in it, installs the test modules in the chroot's /lib/modules/<release>/extra/ (chroot-modules.sh)
# and runs `meson test` there in a chroot through meson-run.py, which streams meson's lines plus
# daxbot's markers to the console.
# Both disks are per-run copy-on-write overlays on the host, so writing to them is harmless.
# Setup failures are one line, "# DAXBOT-MESON-ERROR <why>", read by runners/nfit-sim/ndctl-results.ts.
HERE=${NFIT_SIM_DIR:-/daxbot/nfit-sim}
ROOT=/mnt/daxbot-root
SUITES=""
MULT=1
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	daxbot.meson-suites=*) SUITES=${arg#daxbot.meson-suites=} ;;
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
cp "$HERE/meson-run.py" "$ROOT/tmp/meson-run.py" || fail "copy meson-run.py"
# ndctl's harness accepts the simulator's modules only from /lib/modules/<release>/extra/ and
# reloads them with modprobe: install them there (chroot-modules.sh says why in full).
sh "$HERE/chroot-modules.sh" "$ROOT" "$HERE/modules.order" "$HERE/kernel" >/tmp/chroot-modules.out 2>&1 ||
	fail "installing the test modules in the chroot: $(tail -n 1 /tmp/chroot-modules.out)"
sed 's/^/# /' /tmp/chroot-modules.out

chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 \
	PYTHONUNBUFFERED=1 /usr/bin/python3 /tmp/meson-run.py /ndctl/build "$SUITES" "$MULT" 2>&1
rc=$?
[ $rc = 0 ] || echo "# DAXBOT-MESON-EXIT chroot $rc"

# Leave the guest as found for anything after this suite; the disks are thrown away anyway.
umount "$ROOT/run" "$ROOT/tmp" "$ROOT/dev" "$ROOT/sys" "$ROOT/proc" "$ROOT/ndctl" "$ROOT" 2>/dev/null
exit 0
