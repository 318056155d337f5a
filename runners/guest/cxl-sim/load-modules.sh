#!/bin/sh
# Loads the cxl_test build's modules (cxl_core, cxl_acpi, cxl_port, cxl_mem, cxl_pmem re-linked
# with --wrap, the mock modules, and the in-tree modules they need), in the order listed in $1
# (one "name path" per line; the host writes it from runners/cxl-sim/profile.ts), then waits for
# the simulated topology. cxl_test comes last: it adds the platform devices the drivers loaded
# before it then bind (busybox has no udev to load a driver for a device that appears later).
# Each outcome is one machine-read KTAP diagnostic line for the host (runners/cxl-sim/guest-lines.ts):
#   # DAXBOT-CXL-MODULE <name> ok
#   # DAXBOT-CXL-MODULE <name> fail <insmod's message>
#   # DAXBOT-CXL-TOPOLOGY <root> memdevs=<n> bound=<n> endpoints=<n> ports=<n> decoders=<n> ms=<n> uptime_ms=<n>
#     (ms: from the first insmod to a settled topology; uptime_ms: since the kernel started)
#   # DAXBOT-CXL-TOPOLOGY none <why>
# Exit status: 0 when every module loaded and the topology settled, 1 otherwise (the reason is
# the last line).
# Usage: load-modules.sh [ORDER] [WAIT_SECONDS] [SYSFS]
order=${1:-/daxbot/cxl-sim/modules.order}
wait_s=${2:-60}
sysfs=${3:-/sys}
devs=$sysfs/bus/cxl/devices
now_ms() { # from /proc/uptime ("123.45"): busybox date has whole seconds only
	read -r up _ </proc/uptime
	f=${up#*.}
	echo $((${up%.*} * 1000 + ${f#0} * 10))
}
start=$(now_ms)
status=0
failed=""
while read -r name path; do
	[ -n "$name" ] || continue
	case $name in \#*) continue ;; esac
	out=$(insmod "$path" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		echo "# DAXBOT-CXL-MODULE $name ok"
	else
		msg=$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ *$//')
		# insmod only says "unknown symbol in module"; the kernel log names the symbol.
		why=$(dmesg | sed -n "s/^\[[ 0-9.]*\] //; /^$name: /p" | tail -n 1)
		echo "# DAXBOT-CXL-MODULE $name fail ${msg:-insmod exited $rc}${why:+ ($why)}"
		status=1
		failed="$failed $name"
	fi
done <"$order"

count() { # PATTERN: how many entries of the cxl bus match
	n=0
	for d in "$devs"/$1; do [ -e "$d" ] && n=$((n + 1)); done
	echo $n
}

# cxl_test's devices probe asynchronously (ports, then memdevs, then their endpoint ports): the
# topology is ready when root0 exists, every memdev is bound to cxl_mem and the counts held still
# for one poll.
i=0
last=""
ready=""
# Without cxl_test nothing adds the devices: there is no topology to wait for.
case " $failed " in *" cxl_test "*) wait_s=0 ;; esac
while [ $i -lt $((wait_s * 4)) ]; do
	if [ -e "$devs/root0" ]; then
		mem=$(count 'mem*')
		bound=0
		for m in "$devs"/mem*; do [ -e "$m/driver" ] && bound=$((bound + 1)); done
		now="memdevs=$mem bound=$bound endpoints=$(count 'endpoint*') ports=$(count 'port*') decoders=$(count 'decoder*')"
		if [ "$mem" -gt 0 ] && [ "$bound" = "$mem" ] && [ "$now" = "$last" ]; then
			ready=$now
			break
		fi
		last=$now
	fi
	sleep 0.25
	i=$((i + 1))
done
end=$(now_ms)
ms=$((end - start))
if [ -n "$ready" ]; then
	echo "# DAXBOT-CXL-TOPOLOGY root0 $ready ms=$ms uptime_ms=$end"
elif [ -e "$devs/root0" ]; then
	echo "# DAXBOT-CXL-TOPOLOGY none the topology did not settle in ${wait_s} s (last: ${last:-nothing})"
	status=1
elif [ "$wait_s" = 0 ]; then
	echo "# DAXBOT-CXL-TOPOLOGY none cxl_test did not load: nothing adds the simulated devices"
else
	echo "# DAXBOT-CXL-TOPOLOGY none no CXL root (root0) on the cxl bus after ${wait_s} s"
	status=1
fi
exit $status
