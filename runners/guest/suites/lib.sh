# Shared helpers for guest suites: KTAP output, prerequisites, the injected-hang knob.
N=0
FAILED_PREREQ=""
ktap_plan() {
  echo "KTAP version 1"
  echo "# DAXBOT plan: $*"
  set -- $*
  echo "1..$#"
}
# dump_stacks NAME SECONDS: what every blocked or sleeping task of the guest is waiting in.
# Lines start with "# " (KTAP diagnostics); the host reads the block between the markers.
dump_stacks() {
  echo "DAXBOT: watchdog $1 $2"
  for t in /proc/[0-9]*/task/[0-9]*; do
    st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "$t/status" 2>/dev/null)
    case "$st" in D|S) ;; *) continue ;; esac
    # Kernel threads (no command line) sleep by design: only user tasks are evidence.
    [ -n "$(tr -d '\000' < "$t/cmdline" 2>/dev/null)" ] || continue
    comm=$(cat "$t/comm" 2>/dev/null)
    case "$comm" in sh|init|sleep|cat|kthreadd|ksoftirqd/*|kworker/*|rcu_*|migration/*|cpuhp/*|kdevtmpfs|oom_reaper|watchdogd|khungtaskd|kswapd*|kcompactd*|idle_inject/*) continue ;; esac
    # procfs files have no size: read the stack to know whether there is one.
    stack=$(cat "$t/stack" 2>/dev/null)
    [ -n "$stack" ] || continue
    echo "# task ${t#/proc/} $comm state $st wchan $(cat "$t/wchan" 2>/dev/null)"
    echo "$stack" | sed 's/^/#   /'
  done
  echo "DAXBOT: watchdog-end $1"
}

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
  # The command runs in the background with its output in a file, so that a watchdog can speak
  # for it if it hangs: shortly before the host's per-test timeout kills the guest, it prints
  # every sleeping task's kernel stack, which is the evidence a hang report needs.
  tmp=/tmp/daxbot-test-out.$N
  "$@" >"$tmp" 2>&1 &
  pid=$!
  wd=""
  if [ -n "$DAXBOT_TEST_TIMEOUT" ] && [ "$DAXBOT_TEST_TIMEOUT" -gt 20 ]; then
    (sleep $((DAXBOT_TEST_TIMEOUT - 10)) && kill -0 $pid 2>/dev/null && dump_stacks "$name" $((DAXBOT_TEST_TIMEOUT - 10))) &
    wd=$!
  fi
  wait $pid
  rc=$?
  [ -n "$wd" ] && kill $wd 2>/dev/null
  out=$(cat "$tmp")
  rm -f "$tmp"
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
