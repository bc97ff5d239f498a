#!/usr/bin/env bash
# Lag at scale: `kafkit lag --all-groups` and `kafkit groups describe --all-groups` against
# `kafka-consumer-groups --describe --all-groups` (Apache's ConsumerGroupCommand), in one run,
# on a broker of its own with BENCH_GROUPS groups x PARTITIONS partitions of committed offsets.
# Also checks that kafkit's numbers equal Apache's before timing anything.
#
#   bash bench/lag.sh                 # 100 groups x 50 partitions (10 topics of 50)
#   BENCH_GROUPS=20 PARTITIONS=10 bash bench/lag.sh
#
# Needs: a built kafkit (npm run build), Java 17+ and Maven for the broker jars (kafkit local
# start fetches them once), hyperfine (bash scripts/setup.sh --with-peers).
set -euo pipefail

cd "$(dirname "$0")/.."
BENCH_GROUPS=${BENCH_GROUPS:-100}
PARTITIONS=${PARTITIONS:-50}
TOPICS=${TOPICS:-10}
RUNS=${RUNS:-5}
KAFKIT="node bin/run.cjs"

command -v hyperfine >/dev/null || { echo "bench/lag.sh: hyperfine is missing (bash scripts/setup.sh --with-peers)" >&2; exit 9; }
[ -f dist/kafkit.cjs ] || { echo "bench/lag.sh: build kafkit first: npm run build" >&2; exit 9; }

STATE=$(mktemp -d /tmp/kafkit-bench-lag.XXXXXX)
cleanup() {
  $KAFKIT local stop --state-dir "$STATE" >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT INT TERM

# A free loopback port (override with PORT=...), so that the run never meets another broker.
PORT=${PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
BOOTSTRAP=$($KAFKIT local start --port "$PORT" --state-dir "$STATE" 2>/dev/null | tail -1)
# The same jars the broker runs from ($KAFKA_HOME/libs or kafkit's cache).
KAFKA_LIBS=$(node -e 'require("./dist/kafkit.cjs").resolveKafkaLibs().then((libs) => console.log(libs.dir))')
APACHE="java -cp '$KAFKA_LIBS/*' -Dlog4j2.configurationFile=$PWD/bench/log4j2-quiet.properties org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server $BOOTSTRAP --describe --all-groups"
echo "broker $BOOTSTRAP; creating $BENCH_GROUPS groups x $PARTITIONS partitions ($TOPICS topics)" >&2
node bench/lag-setup.mjs "$BOOTSTRAP" "$BENCH_GROUPS" "$PARTITIONS" "$TOPICS"

# Same numbers first: per partition (describe) and per group/topic (lag).
OUT=$STATE/compare
mkdir -p "$OUT"
eval "$APACHE" 2>/dev/null | awk '$3 ~ /^[0-9]+$/ {print $1, $2, $3, $4, $5, $6}' | sort >"$OUT/apache"
$KAFKIT groups describe --all-groups -b "$BOOTSTRAP" | awk -F'\t' '{print $1, $2, $3, $4, $5, $6}' | sort >"$OUT/kafkit"
$KAFKIT lag --all-groups -b "$BOOTSTRAP" | awk -F'\t' '{print $1, $2, $4}' | sort >"$OUT/kafkit-lag"
awk '{s[$1" "$2]+=$6} END {for (k in s) print k, s[k]}' "$OUT/apache" | sort >"$OUT/apache-lag"
rows=$(wc -l <"$OUT/apache")
[ "$rows" -gt 0 ] || { echo "bench/lag.sh: kafka-consumer-groups showed no partitions" >&2; exit 1; }
if ! diff -q "$OUT/apache" "$OUT/kafkit" >/dev/null || ! diff -q "$OUT/apache-lag" "$OUT/kafkit-lag" >/dev/null; then
  echo "bench/lag.sh: kafkit's numbers differ from kafka-consumer-groups:" >&2
  diff "$OUT/apache" "$OUT/kafkit" | head >&2 || true
  diff "$OUT/apache-lag" "$OUT/kafkit-lag" | head >&2 || true
  exit 1
fi
echo "same numbers: $rows partition rows, $(wc -l <"$OUT/kafkit-lag") group/topic rows, total lag $(awk '{s+=$3} END {print s}' "$OUT/kafkit-lag")" >&2

hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$STATE/lag.md" \
  -n "kafkit lag --all-groups" "$KAFKIT lag --all-groups -b $BOOTSTRAP" \
  -n "kafkit groups describe --all-groups" "$KAFKIT groups describe --all-groups -b $BOOTSTRAP" \
  -n "kafka-consumer-groups --describe --all-groups" "$APACHE"
cat "$STATE/lag.md"
