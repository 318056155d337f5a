# The fstests-dax suite's pieces that need no kernel (sourced by fstests-dax.sh after lib.sh,
# which defines CURRENT; tested on the host by test/unit/runners/fstests-guest.test.ts).

# Echoes check's lines and adds a KTAP result line for each test's outcome line: check prints a
# test's name, runs it, then completes that line with its time, "[not run] <why>" or the failure.
results_filter() { # fs
	n=0
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		ext4/[0-9]* | xfs/[0-9]* | generic/[0-9]* | shared/[0-9]*) ;;
		*) continue ;;
		esac
		t=${line%% *}
		rest=${line#"$t"}
		rest=${rest#"${rest%%[! ]*}"}
		[ -n "$rest" ] || continue
		n=$((n + 1))
		: >"$CURRENT"
		case "$rest" in
		*"[not run]"*) echo "ok $n $1.$t # SKIP ${rest#*\[not run\] }" ;;
		*"[expunged]"*) echo "ok $n $1.$t # SKIP expunged" ;;
		*"output mismatch"* | *"[failed"* | *_check_* | *inconsistent*) echo "not ok $n $1.$t" ;;
		*) echo "ok $n $1.$t" ;;
		esac
	done
}

