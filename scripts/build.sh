#!/usr/bin/env bash
# Compiles the TypeScript sources into dist/ (tsconfig.build.json, tsc) unless dist/ is already
# as new as them (bin/dist-state.js); bin/daxbot.js runs dist/ only when it is. The stamp
# dist/.built is dated from the start of the build and written only when tsc succeeds, so a file
# edited during a build, or a build with type errors, leaves dist/ stale. Compiled files whose
# source is gone are removed. Runs under a lock: parallel test workers may call it together.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p dist
exec 9>dist/.lock
flock 9
node bin/dist-state.js && exit 0
stamp=$(mktemp dist/.built.XXXXXX)
trap 'rm -f "$stamp"' EXIT
npx --no-install tsc -p tsconfig.build.json
while IFS= read -r -d '' js; do
  src=${js#dist/}
  [ -e "${src%.js}.ts" ] || rm -f "$js" "$js.map"
done < <(find dist -name '*.js' -print0)
mv -f "$stamp" dist/.built
