#!/usr/bin/env bash
# The newcomer demo: ingest the local demo inbox (two series), test both on the cached
# linux-6.1 tree with the qemu-pmem runner, and print the reply the bot wrote to its outbox.
# The five-patch series ends with "first bad commit: [PATCH 3/5] ...". A cold run builds the
# kernel several times (ccache makes later runs much faster).
#   DEMO_FRESH=1 scripts/demo.sh   start from an empty store and outbox
set -euo pipefail
cd "$(dirname "$0")/.."
export DAXBOT_DB="${DAXBOT_DB:-var/demo/daxbot.sqlite}"
outbox=var/demo/outbox
daxbot() { node bin/daxbot.js --config config/demo.yaml "$@"; }

bash scripts/build.sh

if [ "${DEMO_FRESH:-0}" = 1 ]; then rm -rf var/demo; fi
mkdir -p var/demo
if ! git -C "${DAXBOT_CACHE_DIR:-var/cache}/linux-6.1" rev-parse -q --verify HEAD >/dev/null 2>&1; then
  echo "== preparing the cached linux-6.1 tree (daxbot setup)"
  daxbot setup
fi
echo "== ingest the demo inbox"
daxbot ingest
echo "== test every new series (run --once)"
daxbot run --once --since all
echo "== status"
daxbot status --all
echo "== replies in $outbox"
shopt -s nullglob
files=("$outbox"/new/* "$outbox"/cur/*)
if [ ${#files[@]} -eq 0 ]; then
  echo "no reply was written" >&2
  exit 1
fi
for f in "${files[@]}"; do
  echo "---- $f"
  cat "$f"
done
