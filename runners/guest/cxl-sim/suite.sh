#!/bin/sh
# daxbot's cxl_test smoke suite, run by the guest init (runners/guest/init.sh) as
# /daxbot/suites/cxl-sim.sh between its suite markers. It loads the test build's modules, checks
# that the simulated topology appeared, then creates a persistent-memory region with Debian's
# `cxl` tool, checks it is committed and bound, and tears it down: disable, destroy, and checks
# that every decoder it used is free again, then the same once more and with an interleaved
# region, and finally unloads cxl_test (the whole topology's teardown). Output is KTAP through
# /daxbot/suites/lib.sh (one result per test, "# " lines with a failing command's output, skips
# for tests whose prerequisite failed). The module and topology lines are for the host
# (runners/cxl-sim/guest-lines.ts).
. "${CXL_LIB:-/daxbot/suites/lib.sh}"
HERE=${CXL_SIM_DIR:-/daxbot/cxl-sim}
BUS=${CXL_BUS:-cxl_test}
ST=${CXL_STATE:-/tmp/cxl-sim}
SYSFS=${CXL_SYSFS:-/sys}
DEVS=$SYSFS/bus/cxl/devices
mkdir -p "$ST"

ktap_plan topology memdevs root-decoders region-create region-committed region-disable region-destroy \
	decoders-free region-recreate interleave-region unload

# `cxl list` prints one object bare and several as an array: always an array.
arr='if type == "array" then . else [.] end'

# memdevs: the bus's memory devices, and their names for the tests after.
memdevs() {
	cxl list -b "$BUS" -M >"$ST/memdevs.json" || return 1
	jq -r "$arr | .[].memdev" "$ST/memdevs.json" >"$ST/memdevs" || return 1
	n=$(grep -c . "$ST/memdevs")
	[ "$n" -gt 0 ] || { echo "cxl list shows no memdevs on $BUS"; return 1; }
	echo "$n memdevs on $BUS: $(tr '\n' ' ' <"$ST/memdevs")"
}

# pick WAYS: a pmem-capable root decoder with WAYS targets and, for each of its interleave
# positions in order, a memdev below that position's target (a host bridge); writes
# "decoder mem..." to $ST/pick-WAYS.
pick() {
	ways=$1
	for dec in $(cxl list -b "$BUS" -D -d root | jq -r "$arr | .[] | select(.pmem_capable == true) |
		select(.nr_targets == $ways) | .decoder"); do
		cxl list -T -d "$dec" >"$ST/targets.json" || continue
		mems=""
		pos=0
		while [ $pos -lt "$ways" ]; do
			port=$(jq -r "$arr | .[].targets[] | select(.position == $pos) | .target" "$ST/targets.json")
			mem=$(cxl list -b "$BUS" -M -p "$port" | jq -r "$arr | .[] | select(.pmem_size != null) | .memdev" |
				head -n 1)
			[ -n "$mem" ] || continue 2
			mems="$mems $mem"
			pos=$((pos + 1))
		done
		echo "$dec$mems" >"$ST/pick-$ways"
		echo "root decoder $dec, memdevs$mems"
		return 0
	done
	echo "no pmem-capable root decoder with $ways target(s) and a memdev below each"
	return 1
}

# root_decoders: the x1 pick, and the decoders already in use (the baseline of decoders_free).
root_decoders() {
	busy >"$ST/busy-before"
	[ -s "$ST/busy-before" ] && echo "in use before any region was created: $(tr '\n' ' ' <"$ST/busy-before")"
	pick 1
}

# create WAYS: a pmem region on the picked decoder and memdevs; its name goes to $ST/region.
create() {
	read -r dec mems <"$ST/pick-$1"
	: >"$ST/region"
	cxl create-region -t pmem -d "$dec" -w "$1" -m $mems >"$ST/create.json" || return 1
	cat "$ST/create.json"
	region=$(jq -r "$arr | .[0].region" "$ST/create.json")
	[ -n "$region" ] && [ "$region" != null ] || { echo "create-region printed no region name"; return 1; }
	echo "$region" >"$ST/region"
}

# committed: the region's decoders are programmed and the region driver bound it.
committed() {
	read -r region <"$ST/region"
	[ "$(cat "$DEVS/$region/commit")" = 1 ] || { echo "$region is not committed"; return 1; }
	[ -e "$DEVS/$region/driver" ] || { echo "$region has no driver bound"; return 1; }
	cxl list -b "$BUS" -r "$region" -u
}

disable() {
	read -r region <"$ST/region"
	cxl disable-region -b "$BUS" "$region" || return 1
	[ ! -e "$DEVS/$region/driver" ] || { echo "$region still has its driver after disable-region"; return 1; }
}

destroy() {
	read -r region <"$ST/region"
	cxl destroy-region -b "$BUS" "$region" || return 1
	[ ! -e "$DEVS/$region" ] || { echo "$region still exists after destroy-region"; return 1; }
}

# busy: each decoder of the bus that names a region or holds device capacity, one
# "decoderX.Y:region=R" or "decoderX.Y:dpa_size=S" per line. Shell builtins only (read, not cat):
# a fork costs tens of milliseconds on TCG and there are ~150 decoders.
busy() {
	for d in "$DEVS"/decoder*; do
		r=""
		s=0
		[ -e "$d/region" ] && read -r r <"$d/region"
		[ -e "$d/dpa_size" ] && read -r s <"$d/dpa_size"
		[ -z "$r" ] || echo "${d##*/}:region=$r"
		[ $((s)) = 0 ] || echo "${d##*/}:dpa_size=$s"
	done
}

# decoders_free: no decoder is in use that was free before the first region-create. Decoders of
# regions cxl_test assembled itself (6.3 on: region0 from its pre-committed mock decoders) stay
# in use and are not this suite's.
decoders_free() {
	busy >"$ST/busy-now"
	# busybox grep with an empty -f file drops every line: compare only against a non-empty one.
	if [ -s "$ST/busy-before" ]; then
		bad=$(grep -vxF -f "$ST/busy-before" "$ST/busy-now" | tr '\n' ' ' | sed 's/ *$//')
	else
		bad=$(tr '\n' ' ' <"$ST/busy-now" | sed 's/ *$//')
	fi
	[ -z "$bad" ] || { echo "decoders still in use after destroy-region: $bad"; return 1; }
}

# cycle WAYS: the whole life of a region once more (create, commit check, disable, destroy, free).
cycle() {
	create "$1" && committed && disable && destroy && decoders_free
}

interleave() {
	pick 2 || return 77
	cycle 2
}

# unload: cxl_test's exit tears the topology down (ports, decoders, memdevs).
unload() {
	rmmod cxl_test || return 1
	i=0
	while [ -e "$DEVS/root0" ] && [ $i -lt 40 ]; do
		sleep 0.25
		i=$((i + 1))
	done
	[ ! -e "$DEVS/root0" ] || { echo "root0 still present after rmmod cxl_test"; return 1; }
}

# Module loading belongs to the first test: its timeout covers a probe that hangs, and its lines
# reach the console whole for the host.
echo "DAXBOT: test-start topology"
# lib.sh's watchdog reads which test runs from $CURRENT: module loading is test 1's.
echo "1 topology" >"$CURRENT"
sh "$HERE/load-modules.sh" "$HERE/modules.order" >"$ST/load" 2>&1
loaded=$?
: >"$CURRENT"
cat "$ST/load"
N=$((N + 1))
if [ $loaded = 0 ]; then
	echo "ok $N topology"
else
	echo "not ok $N topology # $(grep -v '^ *$' "$ST/load" | tail -n 1 | sed 's/^# //' | cut -c1-160)"
	FAILED_PREREQ="$FAILED_PREREQ topology"
fi

run_test memdevs topology -- memdevs
run_test root-decoders memdevs -- root_decoders
run_test region-create root-decoders -- create 1
run_test region-committed region-create -- committed
run_test region-disable region-create -- disable
run_test region-destroy region-disable -- destroy
run_test decoders-free region-create -- decoders_free
run_test region-recreate decoders-free -- cycle 1
run_test interleave-region region-recreate -- interleave
run_test unload topology -- unload
exit 0
