#!/bin/sh
# daxbot's built-in nfit_test simulator suite, run by the guest init (runners/guest/init.sh) as
# /daxbot/suites/nfit-sim.sh between its suite markers. It loads the test build's modules, then
# works on the simulated buses with ndctl, busybox and mkfs.ext4. Output is KTAP:
#   ok N name | ok N name # SKIP reason | not ok N name # reason
# with "DAXBOT: test-start NAME" before each test (the host's per-test timeout) and a fixed plan,
# so tests a crash prevented are known. Failing commands' output follows as "# " lines.
BUS0=${NFIT_BUS0:-nfit_test.0}
BUS1=${NFIT_BUS1:-nfit_test.1}
MNT=${NFIT_MNT:-/mnt/nfit-sim}
HERE=${NFIT_SIM_DIR:-/daxbot/nfit-sim}
# Overridable so test/unit/nfit-sim/suite-script.test.ts can run this script on the host.
TMP=${NFIT_TMP:-/tmp}
SYSFS=${NFIT_SYSFS:-/sys}
OUT=$TMP/nfit-sim.out
n=0
started=""

PLAN="buses-present labels-init fsdax-create fsdax-blockdev fsdax-mount-dax fsdax-destroy
devdax-create devdax-chardev devdax-destroy sector-create sector-io sector-destroy raw-create raw-io
raw-destroy reconfigure reconfigure-destroy region-disable-enable namespace-disable-enable
inject-error-badblocks inject-error-clear bus1-dimms-listed bus1-broken-dimms"

echo "KTAP version 1"
echo "# DAXBOT plan: $(echo $PLAN)"
set -- $PLAN
echo "1..$#"
set --

# A test's marker is printed once, however many helpers announce it: the host restarts the test's
# timer (runners/qemu/run.ts) at every marker, so a second one would cut the set-up that came
# before it (module loading, namespace creation) out of the test's timeout and duration.
start() {
	[ "$started" = "$1" ] && return 0
	started=$1
	echo "DAXBOT: test-start $1"
}
pass() { n=$((n + 1)); echo "ok $n $1"; }
skip() { start "$1"; n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
fail() {
	n=$((n + 1))
	[ -s "$OUT" ] && tail -n 15 "$OUT" | sed 's/^/# /'
	echo "not ok $n $1 # $2"
	return 0
}

# run NAME CMD...: one test from one command; the reason is the command's last output line.
run() {
	name=$1
	shift
	start "$name"
	"$@" >"$OUT" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		pass "$name"
		return 0
	fi
	last=$(grep -v '^ *$' "$OUT" | tail -n 1 | cut -c1-160)
	fail "$name" "exit $rc: ${last:-no output}"
	return 1
}

# JSON field from ndctl's pretty-printed output (one key per line; busybox has no jq).
field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$2" | head -n 1; }

# create MODE [extra args]: a namespace on BUS0; sets NS (namespaceX.Y) and DEV (pmemX / daxX.Y).
create() {
	mode=$1
	shift
	NS=""
	DEV=""
	ndctl create-namespace -b "$BUS0" -m "$mode" "$@" >"$OUT.ns" 2>&1 || { cat "$OUT.ns"; return 1; }
	NS=$(field dev "$OUT.ns")
	DEV=$(field blockdev "$OUT.ns")
	[ -n "$DEV" ] || DEV=$(field chardev "$OUT.ns")
	[ -n "$NS" ] || { cat "$OUT.ns"; echo "no namespace name in ndctl output"; return 1; }
}

destroy() { ndctl destroy-namespace -f "$1"; }

# A sysfs attribute always has a nonzero size: test what it holds.
has_badblocks() { [ -n "$(cat "/sys/block/$1/badblocks" 2>/dev/null)" ]; }

# Checks that /dev/$1 exists as a block (b) or character (c) device.
has_dev() {
	case $2 in
	b) [ -b "/dev/$1" ] ;;
	c) [ -c "/dev/$1" ] ;;
	esac || { echo "/dev/$1 missing after create"; return 1; }
}

buses() {
	[ "$LOADED" = 0 ] || { echo "simulator not ready: $(grep 'fail\|BUSES' "$TMP/nfit-sim.load" | tail -n 1 | sed 's/^# //')"; return 1; }
	for b in "$BUS0" "$BUS1"; do
		ndctl list -B -b "$b" | grep -q "\"provider\":\"$b\"" || { echo "bus $b not listed by ndctl"; return 1; }
	done
}

# What ndctl's own tests do before each test: fresh, empty label areas on every DIMM of BUS0.
labels_init() {
	ndctl disable-region -b "$BUS0" all &&
		ndctl zero-labels -b "$BUS0" all &&
		ndctl init-labels -f -b "$BUS0" all &&
		ndctl enable-region -b "$BUS0" all
}

fsdax_mount() {
	mkdir -p "$MNT"
	mkfs.ext4 -q -F -b 4096 "/dev/$1" || return 1
	mount -t ext4 -o dax=always "/dev/$1" "$MNT" || return 1
	if ! grep " $MNT " /proc/mounts | grep -q 'dax=always'; then
		grep " $MNT " /proc/mounts
		echo "mounted without dax=always"
		umount "$MNT"
		return 1
	fi
	dd if=/dev/urandom of="$TMP/nfit-sim.src" bs=4096 count=64 2>/dev/null &&
		cp "$TMP/nfit-sim.src" "$MNT/data" && sync &&
		cmp "$TMP/nfit-sim.src" "$MNT/data" || { umount "$MNT"; return 1; }
	umount "$MNT"
}

sector_io() {
	dd if=/dev/urandom of="$TMP/nfit-sim.src" bs=4096 count=16 2>/dev/null &&
		dd if="$TMP/nfit-sim.src" of="/dev/$1" bs=4096 count=16 conv=fsync 2>/dev/null &&
		dd if="/dev/$1" of="$TMP/nfit-sim.back" bs=4096 count=16 2>/dev/null &&
		cmp "$TMP/nfit-sim.src" "$TMP/nfit-sim.back"
}

# The reconfiguration path (unbind of the old personality, bind of the new) on one namespace.
reconfigure() {
	ns=$1
	for mode in devdax sector fsdax raw fsdax; do
		ndctl create-namespace -f -e "$ns" -m "$mode" >"$OUT.reconf" 2>&1 || { cat "$OUT.reconf"; echo "reconfigure $ns to $mode failed"; return 1; }
		ns=$(field dev "$OUT.reconf")
		[ -n "$ns" ] || { echo "no namespace after reconfigure to $mode"; return 1; }
	done
	RECONF_NS=$ns
}

# Region disable/enable with active namespaces of two personalities: the driver unbind path.
region_cycle() {
	ndctl disable-region -b "$BUS0" all || return 1
	ndctl enable-region -b "$BUS0" all || return 1
	for ns in "$@"; do
		ndctl list -n "$ns" | grep -q "\"dev\":\"$ns\"" || { echo "$ns missing after region enable"; return 1; }
	done
}

namespace_cycle() {
	ndctl disable-namespace "$1" && ndctl enable-namespace "$1"
}

badblocks_after_inject() {
	ns=$1
	blk=$2
	ndctl inject-error --block=8 --count=2 "$ns" || return 1
	ndctl start-scrub "$BUS0" >/dev/null 2>&1
	ndctl wait-scrub "$BUS0" >/dev/null 2>&1
	# Up to 30 s: the list is refreshed by work the scrub queues, which a loaded TCG host runs late.
	i=0
	while [ $i -lt 60 ]; do
		has_badblocks "$blk" && break
		sleep 0.5
		i=$((i + 1))
	done
	echo "badblocks: $(cat "/sys/block/$blk/badblocks" 2>/dev/null | tr '\n' ' ')"
	has_badblocks "$blk" || { echo "no badblocks on $blk after inject-error"; return 1; }
	ndctl list -n "$ns" --media-errors | grep -q badblock || { echo "ndctl reports no media errors for $ns"; return 1; }
}

clear_injected() {
	ns=$1
	blk=$2
	ndctl inject-error --uninject --block=8 --count=2 "$ns" || return 1
	# ndctl's clear path (scrub, then clear through the bus's clear-error command). A direct
	# 512-byte write over the poisoned sectors gets EIO on nfit_test in 6.1, so it is not used.
	ndctl clear-errors "$ns" || return 1
	# The block layer's list is updated after the command returns.
	i=0
	while has_badblocks "$blk" && [ $i -lt 60 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	! has_badblocks "$blk" || { echo "badblocks left: $(tr '\n' ' ' <"/sys/block/$blk/badblocks")"; return 1; }
}

bus1_listed() {
	dimms=$(ndctl list -D -b "$BUS1" | grep -c '"dev":"nmem')
	[ "$dimms" -gt 0 ] || { echo "ndctl lists no DIMMs on $BUS1"; return 1; }
	echo "$dimms DIMMs on $BUS1"
}

# --- the tests ---------------------------------------------------------------------------------

# Module loading belongs to the first test (its timeout covers a hanging probe, and its duration
# plus the boot time is "boot to buses ready"); its lines are printed as they are for the host
# (runners/nfit-sim/guest-lines.ts).
start buses-present
sh "$HERE/load-modules.sh" "$HERE/modules.order" "$BUS0 $BUS1" >"$TMP/nfit-sim.load" 2>&1
LOADED=$?
cat "$TMP/nfit-sim.load"
if ! run buses-present buses; then
	# Without the simulator nothing below can run; the host reports the module errors.
	for t in $PLAN; do [ "$t" = buses-present ] || skip "$t" "simulator buses not available"; done
	exit 0
fi
run labels-init labels_init
labels_ok=$?

# create_test NAME MODE: a personality's create test; without labels it is a skip, so it is
# reported either way (an unreported test reads as "not run" on the host).
create_test() {
	[ $labels_ok = 0 ] || { skip "$1" "labels not initialised"; return 1; }
	run "$1" create "$2"
}

if create_test fsdax-create fsdax; then
	FS_NS=$NS FS_DEV=$DEV
	run fsdax-blockdev has_dev "$FS_DEV" b
	run fsdax-mount-dax fsdax_mount "$FS_DEV"
	run fsdax-destroy destroy "$FS_NS"
else
	for t in fsdax-blockdev fsdax-mount-dax fsdax-destroy; do skip $t "no fsdax namespace"; done
fi

if create_test devdax-create devdax; then
	DX_NS=$NS
	run devdax-chardev has_dev "$DEV" c
	run devdax-destroy destroy "$DX_NS"
else
	for t in devdax-chardev devdax-destroy; do skip $t "no devdax namespace"; done
fi

if create_test sector-create sector; then
	SC_NS=$NS
	run sector-io sector_io "$DEV"
	run sector-destroy destroy "$SC_NS"
else
	for t in sector-io sector-destroy; do skip $t "no sector namespace"; done
fi

if create_test raw-create raw; then
	run raw-io sector_io "$DEV"
	run raw-destroy destroy "$NS"
else
	for t in raw-io raw-destroy; do skip $t "no raw namespace"; done
fi

start reconfigure
# Whole-region size: a btt (sector mode) needs more than 16 MiB.
if [ $labels_ok = 0 ] && create fsdax >"$OUT" 2>&1; then
	RECONF_NS=$NS
	run reconfigure reconfigure "$NS"
	run reconfigure-destroy destroy "$RECONF_NS"
else
	skip reconfigure "no namespace to reconfigure: $(tail -n 1 "$OUT")"
	skip reconfigure-destroy "no namespace to reconfigure"
fi

start region-disable-enable
if [ $labels_ok = 0 ] && create fsdax -s 16M >"$OUT" 2>&1; then
	A_NS=$NS
	if create devdax -s 16M >"$OUT" 2>&1; then
		B_NS=$NS
		run region-disable-enable region_cycle "$A_NS" "$B_NS"
		run namespace-disable-enable namespace_cycle "$B_NS"
		destroy "$B_NS" >/dev/null 2>&1
	else
		skip region-disable-enable "second namespace not created: $(tail -n 1 "$OUT")"
		skip namespace-disable-enable "second namespace not created"
	fi
	destroy "$A_NS" >/dev/null 2>&1
else
	skip region-disable-enable "no namespace: $(tail -n 1 "$OUT")"
	skip namespace-disable-enable "no namespace"
fi

start inject-error-badblocks
if [ $labels_ok = 0 ] && create raw >"$OUT" 2>&1; then
	E_NS=$NS E_DEV=$DEV
	run inject-error-badblocks badblocks_after_inject "$E_NS" "$E_DEV"
	run inject-error-clear clear_injected "$E_NS" "$E_DEV"
	destroy "$E_NS" >/dev/null 2>&1
else
	skip inject-error-badblocks "no raw namespace: $(tail -n 1 "$OUT")"
	skip inject-error-clear "no raw namespace"
fi

run bus1-dimms-listed bus1_listed
# nfit_test.1's DIMMs are broken on purpose: the test passes when they show their failure flags
# and fails only when the simulation lost them. The flags are information for the reply: the
# per-DIMM lines go to the console for the host (runners/nfit-sim/guest-lines.ts); a failure
# has already shown them with the command's output.
if run bus1-broken-dimms sh "$HERE/broken-dimms.sh" "$BUS1" "$SYSFS"; then
	grep '^# DAXBOT-NFIT-DIMM ' "$OUT"
fi

exit 0
