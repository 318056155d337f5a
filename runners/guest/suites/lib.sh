# Shared helpers for guest suites: KTAP output, prerequisites, the injected-hang knob.
N=0
FAILED_PREREQ=""
ktap_plan() {
  echo "KTAP version 1"
  echo "# DAXBOT plan: $*"
  set -- $*
  echo "1..$#"
}
# dump_stacks NAME SECONDS: what every blocked or sleeping user task of the guest waits in.
# Lines start with "# " (KTAP diagnostics); the host reads the block between the markers. Shell
# builtins only (read, echo): on TCG every fork costs, and this runs when things are stuck.
dump_stacks() {
  echo "DAXBOT: watchdog $1 $2"
  for t in /proc/[0-9]*/task/[0-9]*; do
    # Kernel threads (no command line) sleep by design: only user tasks are evidence.
    cl=""
    read -r cl < "$t/cmdline" 2>/dev/null
    [ -n "$cl" ] || continue
    st=""
    while read -r k v rest; do [ "$k" = "State:" ] && { st=$v; break; }; done < "$t/status"
    case "$st" in D|S) ;; *) continue ;; esac
    comm=""
    read -r comm < "$t/comm"
    case "$comm" in sh|init|sleep|cat) continue ;; esac
    wchan=""
    read -r wchan < "$t/wchan" 2>/dev/null
    head=""
    while read -r frame; do
      [ -n "$head" ] || { head=1; echo "# task ${t#/proc/} $comm state $st wchan $wchan"; }
      echo "#   $frame"
    done < "$t/stack" 2>/dev/null
  done
  echo "DAXBOT: watchdog-end $1"
}

# One watchdog for the whole guest (not one per test: forks are slow on TCG). run_test writes
# "N NAME" to $CURRENT while a test runs; when the same test is still there 15 s before the
# host's per-test timeout (daxbot.test_timeout) would kill the guest, its stacks are printed.
CURRENT=/tmp/daxbot-current-test
watchdog_loop() { # timeout seconds
  last=""
  waited=0
  dumped=""
  while :; do
    sleep 5
    cur=""
    read -r cur < $CURRENT 2>/dev/null
    if [ -n "$cur" ] && [ "$cur" = "$last" ]; then waited=$((waited + 5)); else waited=0; last=$cur; fi
    if [ -n "$cur" ] && [ $waited -ge $(($1 - 15)) ] && [ "$dumped" != "$cur" ]; then
      dump_stacks "${cur#* }" $waited
      dumped=$cur
    fi
  done
}
if [ -n "$DAXBOT_TEST_TIMEOUT" ] && [ "$DAXBOT_TEST_TIMEOUT" -gt 25 ] && [ ! -e /tmp/daxbot-watchdog ]; then
  : > /tmp/daxbot-watchdog
  watchdog_loop "$DAXBOT_TEST_TIMEOUT" &
fi

# run_test NAME [REQUIRES...] -- CMD...: runs CMD, prints "ok N NAME" or "not ok N NAME # reason";
# CMD exiting 77 is a skip whose reason is its last output line.
run_test() {
  name=$1; shift
  N=$((N + 1))
  echo "DAXBOT: test-start $name"
  while [ "$1" != "--" ]; do
    case " $FAILED_PREREQ " in
      *" $1 "*) echo "ok $N $name # SKIP prerequisite $1 failed"; FAILED_PREREQ="$FAILED_PREREQ $name"; return 0 ;;
    esac
    shift
  done
  shift
  if [ "$DAXBOT_HANG" = "$name" ]; then
    echo "# injected hang in $name (daxbot.hang)"
    while :; do sleep 3600; done
  fi
  # The command's output goes to a file, so that what it printed is still there for the
  # watchdog's hang report context and the tail below (one file, overwritten: no rm fork).
  echo "$N $name" > $CURRENT
  # A subshell, as the command substitution before it was: a suite's function cannot change
  # this shell's state.
  ("$@") > /tmp/daxbot-test-out 2>&1
  rc=$?
  : > $CURRENT
  out=$(cat /tmp/daxbot-test-out)
  if [ "$(echo "$out" | wc -l)" -gt 16 ]; then
    echo "$out" | head -n 4 | sed 's/^/# /'
    echo "# [...]"
  fi
  echo "$out" | tail -n 12 | sed 's/^/# /'
  if [ $rc -eq 0 ]; then
    echo "ok $N $name"
  elif [ $rc -eq 77 ]; then
    # 77 is the automake/meson convention ndctl uses too: a missing prerequisite, not a failure.
    why=$(echo "$out" | grep -v '^$' | tail -n 1 | tr -d '#' | cut -c1-160)
    echo "ok $N $name # SKIP $why"
  else
    last=$(echo "$out" | grep -v '^$' | tail -n 1 | tr -d '#' | cut -c1-160)
    echo "not ok $N $name # exit status $rc: $last"
    FAILED_PREREQ="$FAILED_PREREQ $name"
  fi
}
