# Shared helpers for guest suites: KTAP output, prerequisites, the injected-hang knob.
N=0
FAILED_PREREQ=""
ktap_plan() {
  echo "KTAP version 1"
  echo "# DAXBOT plan: $*"
  set -- $*
  echo "1..$#"
}
# run_test NAME [REQUIRES...] -- CMD...: runs CMD, prints "ok N NAME" or "not ok N NAME # reason".
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
  out=$("$@" 2>&1)
  rc=$?
  if [ "$(echo "$out" | wc -l)" -gt 16 ]; then
    echo "$out" | head -n 4 | sed 's/^/# /'
    echo "# [...]"
  fi
  echo "$out" | tail -n 12 | sed 's/^/# /'
  if [ $rc -eq 0 ]; then
    echo "ok $N $name"
  else
    last=$(echo "$out" | grep -v '^$' | tail -n 1 | tr -d '#' | cut -c1-160)
    echo "not ok $N $name # exit status $rc: $last"
    FAILED_PREREQ="$FAILED_PREREQ $name"
  fi
}
