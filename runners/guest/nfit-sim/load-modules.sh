#!/bin/sh
# Loads the nfit_test build's modules (re-linked with --wrap, NOT the in-tree ones) in the order
# listed in $1 (one "name path" per line), then waits for the simulated buses. Each outcome is one
# machine-read line, a KTAP diagnostic ("# ...") so the suite's KTAP around it stays valid:
#   # DAXBOT-NFIT-MODULE <name> ok
#   # DAXBOT-NFIT-MODULE <name> fail <insmod's message>
#   # DAXBOT-NFIT-BUSES <provider> <provider> ...
# Exit status: 0 when every module loaded and both buses appeared, 1 otherwise.
order=${1:-/daxbot/nfit-sim/modules.order}
want_buses=${2:-"nfit_test.0 nfit_test.1"}
status=0
while read -r name path; do
	[ -n "$name" ] || continue
	case $name in \#*) continue ;; esac
	out=$(insmod "$path" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then
		echo "# DAXBOT-NFIT-MODULE $name ok"
	else
		# One line: insmod's message is what a maintainer needs ("No such device", "Unknown symbol").
		msg=$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ *$//')
		echo "# DAXBOT-NFIT-MODULE $name fail ${msg:-insmod exited $rc}"
		status=1
	fi
done < "$order"

# nfit_test registers its buses asynchronously (ACPI NFIT parsing runs in a workqueue).
i=0
while [ $i -lt 60 ]; do
	found=""
	missing=""
	for b in $want_buses; do
		if grep -qx "$b" /sys/bus/nd/devices/ndbus*/provider 2>/dev/null; then
			found="$found $b"
		else
			missing="$missing $b"
		fi
	done
	[ -z "$missing" ] && break
	sleep 0.5
	i=$((i + 1))
done
echo "# DAXBOT-NFIT-BUSES${found}"
[ -z "$missing" ] || status=1
exit $status
