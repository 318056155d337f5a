#!/usr/bin/env bash
# The one test command (README's second quick-start command, and what .ci/run calls).
# Installs what it needs, prepares the cached kernel tree, typechecks, lints, runs every test
# (unit and real integration: git, kernel build, QEMU, mail servers), and ends with the plain
# line "N passed, N failed" counted from vitest's JSON report.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

# Kernel trees, build folders and ccache outlive a fresh clone here, so a CI re-run is warm;
# a new machine simply starts cold.
export DAXBOT_CACHE_DIR="${DAXBOT_CACHE_DIR:-$HOME/.cache/daxbot}"
mkdir -p var
status=0

echo "== build (dist/, the compiled CLI the tests spawn)"
bash scripts/build.sh || { echo "build failed: the CLI runs through tsx"; status=1; }

echo "== setup (kernel tree, guest tools; cached)"
if [ -f bot/cli/setup.ts ]; then
  node bin/daxbot.js setup || { echo "setup failed"; status=1; }
fi

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit || status=1
echo "== lint"
npx eslint . || status=1
npx depcruise --config .dependency-cruiser.mjs bot ingest runners config test bin scripts || status=1
npx prettier --check . >/dev/null || { echo "prettier: files not formatted (npm run format)"; npx prettier --list-different .; status=1; }

echo "== tests"
rm -f var/test-results.json
npx vitest run --reporter=default --reporter=json --outputFile.json=var/test-results.json "$@"
vstatus=$?
[ $vstatus -eq 0 ] || status=1

node -e '
const fs = require("fs");
let passed = 0, failed = 0, skipped = 0;
try {
  const r = JSON.parse(fs.readFileSync("var/test-results.json", "utf8"));
  passed = r.numPassedTests; failed = r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  skipped = r.numPendingTests + (r.numTodoTests || 0);
  for (const f of r.testResults || []) if (f.status === "failed" && (!f.assertionResults || f.assertionResults.length === 0)) failed++;
} catch (e) { console.error("no vitest JSON report: " + e.message); failed += 1; }
if (process.argv[1] !== "0") failed = Math.max(failed, 1);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$status"
exit $status
