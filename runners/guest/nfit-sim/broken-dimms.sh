#!/bin/sh
# Checks the deliberately broken DIMMs of nfit_test's second bus against what the simulator sets
# up (tools/testing/nvdimm/test/nfit.c, nfit_test1_setup): one DIMM whose memory-map flags say
# save, restore and flush failed, not armed and a health event seen, and one whose mapping failed.
# sysfs spells them (drivers/acpi/nfit/core.c, flags_show):
#   save_fail restore_fail flush_fail not_armed smart_event      map_fail
# "smart_notify" only says health notifications are enabled, so it is not reported.
# One machine-read KTAP diagnostic per DIMM, for the host (runners/nfit-sim/guest-lines.ts):
#   # DAXBOT-NFIT-DIMM <bus> <nmemN> [<flag> ...]
# Exit status 0 when the bus has DIMMs and at least one shows an expected flag (the simulation
# works; the flags are information, not a failure), 1 otherwise with the reason as the last line.
# Usage: broken-dimms.sh [BUS] [SYSFS]
bus=${1:-nfit_test.1}
sysfs=${2:-/sys}
EXPECTED="save_fail restore_fail flush_fail not_armed smart_event map_fail"

dimms=0
flagged=0
for b in "$sysfs"/bus/nd/devices/ndbus*; do
	[ "$(cat "$b/provider" 2>/dev/null)" = "$bus" ] || continue
	for d in "$b"/nmem*; do
		[ -e "$d" ] || continue
		dimms=$((dimms + 1))
		found=""
		for f in $(cat "$d/nfit/flags" 2>/dev/null); do
			case " $EXPECTED " in *" $f "*) found="$found $f" ;; esac
		done
		echo "# DAXBOT-NFIT-DIMM $bus ${d##*/}$found"
		[ -n "$found" ] && flagged=$((flagged + 1))
	done
done

if [ $dimms = 0 ]; then
	echo "no DIMMs on $bus: the simulator's broken-DIMM bus is empty"
	exit 1
fi
if [ $flagged = 0 ]; then
	echo "none of the $dimms DIMMs on $bus shows a simulated failure flag ($EXPECTED)"
	exit 1
fi
echo "$flagged of $dimms DIMMs on $bus show their simulated failure flags"
