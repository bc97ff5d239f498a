#!/usr/bin/env bash
# The test command (README, .ci/run): set-up, type check, lint, unit tests, and integration tests
# against real Kafka brokers that the vitest global setup starts and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --with-peers

echo "== type check" >&2
npx tsc -p tsconfig.json --noEmit
echo "== lint" >&2
npx eslint .

# Every broker JVM of this run lives under this folder; whatever happens to vitest, none survives it.
export KAFKIT_TEST_STATE_ROOT
KAFKIT_TEST_STATE_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/kafkit-test-XXXXXX")
results="$KAFKIT_TEST_STATE_ROOT/vitest-results.json"
cleanup() {
  pkill -KILL -f -- "$KAFKIT_TEST_STATE_ROOT" 2>/dev/null || true
  rm -rf -- "$KAFKIT_TEST_STATE_ROOT"
}
trap cleanup EXIT

echo "== tests" >&2
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?

# One closing line in the plain 'N passed, N failed' form that any CI log reader understands.
if [[ -f $results ]]; then
  node -e '
const r = require(process.argv[1]);
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1) }' "$results" || status=1
fi
exit $status
