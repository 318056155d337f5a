#!/bin/sh
# The fstests-dax suite in the guest, run by init.sh as /daxbot/suites/fstests-dax.sh between its
# suite markers. fstests' `check` runs in the Debian chroot (virtio disk, serial daxbot-root) from
# the fstests build (serial daxbot-fstests, mounted at /opt) with TEST_DEV and SCRATCH_DEV on two
# fsdax namespaces carved from the first NVDIMM's region (halves; its label area is rewritten, so
# whatever an earlier suite left there is gone), MOUNT_OPTIONS="-o dax=always" for the scratch
# filesystem (TEST_DEV stays without DAX: generic/413 and 462 compare the two), for each
# filesystem of daxbot.fstests-fs. The second NVDIMM's raw namespace, when there is one, is the
# dm-log-writes log device (generic/470).
# For the host it prints:
#   DAXBOT: test-start <fs>.<test>   before each test (check's LOGGER_PROG), so the per-test
#                                    timeout and the hang watchdog apply
#   ok|not ok <n> <fs>.<test>        when check prints the test's outcome
#   # DAXBOT-FSTESTS-RESULTS <bytes> the tar of the results (xunit reports, .out.bad, .dmesg)
#                                    was written to the raw disk with serial daxbot-results
#   # DAXBOT-FSTESTS-ERROR <why>     the suite could not be set up (one line, then it stops)
# The disks are per-run copies on the host (copy-on-write overlays, a fresh results file).
. /daxbot/suites/lib.sh
. /daxbot/fstests/fstests-lib.sh
# The watchdog of lib.sh polls this file from now on: it names the running test (logger.sh).
: >"$CURRENT"
ROOT=/mnt/daxbot-root
FSTESTS=/opt/xfstests
FSLIST="ext4 xfs"
GROUP=dax
TESTS=""
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	daxbot.fstests-fs=*) FSLIST=$(echo "${arg#daxbot.fstests-fs=}" | tr ',' ' ') ;;
	daxbot.fstests-group=*) GROUP=${arg#daxbot.fstests-group=} ;;
	daxbot.fstests-tests=*) TESTS=$(echo "${arg#daxbot.fstests-tests=}" | tr ',' ' ') ;;
	esac
done

fail() { echo "# DAXBOT-FSTESTS-ERROR $*"; exit 0; }

# The disk whose virtio serial is $1 (device names depend on PCI order; serials do not).
disk() {
	for d in /sys/block/vd*; do
		[ -e "$d/serial" ] && [ "$(cat "$d/serial")" = "$1" ] && { echo "/dev/${d##*/}"; return 0; }
	done
	return 1
}

# Two fsdax namespaces, halves of region0; prints their block devices. Label-less DIMMs cannot
# hold two namespaces, so the DIMM behind region0 gets a fresh label area first.
namespaces() {
	map=$(cat /sys/bus/nd/devices/region0/mapping0 2>/dev/null) || { echo "no region0"; return 1; }
	nmem=${map%%,*}
	size=$(cat /sys/bus/nd/devices/region0/size)
	half=$((size / 2 / 16777216 * 16777216))
	ndctl disable-region region0 >/dev/null 2>&1
	ndctl init-labels -f "$nmem" >/dev/null 2>&1 || { echo "ndctl init-labels $nmem failed"; return 1; }
	ndctl enable-region region0 >/dev/null 2>&1 || { echo "ndctl enable-region region0 failed"; return 1; }
	for s in "-s $half" ""; do
		out=$(ndctl create-namespace -r region0 -m fsdax $s 2>&1) || { echo "create-namespace: $out"; return 1; }
		dev=$(echo "$out" | sed -n 's/.*"blockdev":"\([^"]*\)".*/\1/p')
		[ -b "/dev/$dev" ] || { echo "no block device in: $out"; return 1; }
		echo "/dev/$dev"
	done
}

rootdev=$(disk daxbot-root) || fail "no root filesystem disk (virtio serial daxbot-root): $(ls /sys/block | tr '\n' ' ')"
fstdev=$(disk daxbot-fstests) || fail "no fstests build disk (virtio serial daxbot-fstests)"
resdev=$(disk daxbot-results) || fail "no results disk (virtio serial daxbot-results)"
devs=$(namespaces) || fail "cannot make two fsdax namespaces on region0: $(echo "$devs" | tail -n 1)"
TEST_DEV=$(echo "$devs" | sed -n 1p)
SCRATCH_DEV=$(echo "$devs" | sed -n 2p)
LOGWRITES_DEV=""
[ -b /dev/pmem1 ] && LOGWRITES_DEV=/dev/pmem1
echo "# TEST_DEV=$TEST_DEV SCRATCH_DEV=$SCRATCH_DEV LOGWRITES_DEV=${LOGWRITES_DEV:-none}"

mkdir -p "$ROOT"
mount -t ext4 "$rootdev" "$ROOT" 2>/tmp/mount.err || fail "mount $rootdev: $(cat /tmp/mount.err)"
mount -t ext4 "$fstdev" "$ROOT/opt" 2>/tmp/mount.err || fail "mount $fstdev: $(cat /tmp/mount.err)"
[ -x "$ROOT$FSTESTS/check" ] || fail "no $FSTESTS/check on the fstests disk"
for d in proc sys dev; do
	mount -o bind "/$d" "$ROOT/$d" || fail "bind mount /$d"
done
# The guest's own /tmp: the watchdog (lib.sh) reads the running test's name from it.
mount -o bind /tmp "$ROOT/tmp" || fail "bind mount /tmp"
mount -t tmpfs tmpfs "$ROOT/run" 2>/dev/null
mkdir -p "$ROOT/mnt/test" "$ROOT/mnt/scratch" "$ROOT/results"
# fstests' unprivileged users (_require_user, _require_group), written directly: useradd (and
# su, through PAM) abort when the audit netlink socket cannot be opened, as on a kernel without
# CONFIG_NET. su checks the shadow entries.
n=1001
for u in fsgqa fsgqa2 123456-fsgqa; do
	echo "$u:x:$n:$n::/tmp:/bin/bash" >>"$ROOT/etc/passwd"
	echo "$u:!:19000:0:99999:7:::" >>"$ROOT/etc/shadow"
	echo "$u:x:$n:" >>"$ROOT/etc/group"
	n=$((n + 1))
done
# check calls LOGGER_PROG "run xfstest <test>" just before each test; the chroot sees this /tmp.
cp /daxbot/fstests/logger.sh /tmp/daxbot-fstests-logger && chmod +x /tmp/daxbot-fstests-logger ||
	fail "cannot install the test-start logger"

run_fs() { # fs
	fs=$1
	case $fs in
	ext4) mkfs="mkfs.ext4 -F -q -b 4096" mkfs_opts="-b 4096" ;;
	xfs) mkfs="mkfs.xfs -f -q" mkfs_opts="" ;;
	*) echo "# unsupported filesystem $fs"; return ;;
	esac
	list=""
	for t in $TESTS; do
		case $t in generic/* | "$fs"/*) list="$list $t" ;; esac
	done
	[ -z "$TESTS" ] || [ -n "$list" ] || return
	cat >"$ROOT/results/$fs.config" <<EOF
export FSTYP=$fs
export TEST_DEV=$TEST_DEV
export TEST_DIR=/mnt/test
export SCRATCH_DEV=$SCRATCH_DEV
export SCRATCH_MNT=/mnt/scratch
export MOUNT_OPTIONS="-o dax=always"
export MKFS_OPTIONS="$mkfs_opts"
export LOGWRITES_DEV=$LOGWRITES_DEV
export RESULT_BASE=/results/$fs
export LOGGER_PROG=/tmp/daxbot-fstests-logger
EOF
	# xfsprogs refuses filesystems under 300 MB unless run from a test harness (these variables).
	env="/usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C"
	env="$env TEST_DEV=$TEST_DEV TEST_DIR=/mnt/test QA_CHECK_FS=1"
	echo "# mkfs $fs on TEST_DEV: $mkfs $TEST_DEV"
	if ! chroot "$ROOT" $env $mkfs "$TEST_DEV" >/tmp/mkfs.out 2>&1; then
		echo "# DAXBOT-FSTESTS-MKFS-FAILED $fs $(tail -n 1 /tmp/mkfs.out)"
		return
	fi
	sel="-g $GROUP"
	[ -n "$list" ] && sel=$list
	echo "# check -R xunit $sel ($fs)"
	chroot "$ROOT" $env HOST_OPTIONS="/results/$fs.config" DAXBOT_FS="$fs" \
		/bin/bash -c "cd $FSTESTS && ./check -R xunit $sel" 2>&1 | results_filter "$fs"
	umount "$ROOT/mnt/test" "$ROOT/mnt/scratch" 2>/dev/null
}

for fs in $FSLIST; do
	run_fs "$fs"
done

# The results, without the tests' .full logs (a failure's is in the xunit report), as a tar
# stream on the raw results disk: the host reads it after QEMU exits.
find "$ROOT/results" -name '*.full' -exec rm -f {} +
(cd "$ROOT/results" && tar -c -f /tmp/fstests-results.tar .) || fail "tar of the results failed"
bytes=$(wc -c </tmp/fstests-results.tar)
limit=$(cat "/sys/block/${resdev#/dev/}/size")
if [ "$bytes" -gt $((limit * 512)) ]; then
	echo "# DAXBOT-FSTESTS-ERROR results ($bytes bytes) larger than the results disk"
else
	dd if=/tmp/fstests-results.tar of="$resdev" bs=65536 conv=fsync 2>/dev/null &&
		echo "# DAXBOT-FSTESTS-RESULTS $bytes"
fi
umount "$ROOT/run" "$ROOT/tmp" "$ROOT/dev" "$ROOT/sys" "$ROOT/proc" "$ROOT/opt" "$ROOT" 2>/dev/null
exit 0
