#!/usr/bin/env bash
# Produce benchmark: 1,000,000 records of 100 bytes from a file through stdin into a 6-partition
# topic with acks=all, on a broker of its own. kafkit and kcat -P run alternately for several
# rounds; Apache's console producer and ProducerPerformance (the broker's ceiling from the Java
# client) run in the same rounds. Every run writes to a fresh topic whose record count is
# checked. Prints a Markdown table with the median records/s per tool and the kafkit/kcat ratio.
# kafkit runs with its defaults (idempotent producer) and, as `kafkit-no-idempotence`, with the
# same delivery settings as kcat's defaults (acks=all, no idempotence). Every run's peak RSS is
# measured with /usr/bin/time. Then large records: LARGE records of 900 KB from a file, kafkit
# (its defaults) against kcat -P -X acks=all, alternating, for the same number of rounds.
#
#   bash bench/produce.sh [--rounds N] [--warmup N] [--records N] [--large N] [--port P] [--no-java]
#
# --large 0 skips the large records (default 300).
# Needs: the built CLI (npm run build), kcat, Java and Kafka's jars, GNU time (bash scripts/setup.sh --with-peers).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
# A fresh broker's JIT takes several million records to settle (rates climbed from 1.3 M to
# 2.3 M records/s over 9 rounds without it): warm it up, untimed, before the first round.
warmup=3
records=1000000
large=300
port=${KAFKIT_BENCH_PORT:-29692}
java_peers=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --large) large=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --no-java) java_peers=false; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

say() { printf 'bench/produce: %s\n' "$*" >&2; }
command -v kcat >/dev/null || { say "kcat is not installed (bash scripts/setup.sh --with-peers)"; exit 9; }
[[ -x /usr/bin/time ]] || { say "GNU time (/usr/bin/time) is not installed: it measures the peak RSS"; exit 9; }
# The jars the broker runs from ($KAFKA_HOME/libs or kafkit's cache), found as kafkit finds them.
libs=$(node -e 'require("./dist/kafkit.cjs").resolveKafkaLibs().then((libs) => console.log(libs.dir))' 2>/dev/null || true)
if $java_peers && [[ ! -d "$libs" ]]; then say "Kafka's jars are missing at $libs (bash scripts/setup.sh --with-peers)"; exit 9; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kafkit-bench-produce.XXXXXX")
state="$work/broker"
cleanup() {
  node bin/run.cjs local stop --state-dir "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting a broker of its own on 127.0.0.1:$port"
node bin/run.cjs local start --port "$port" --state-dir "$state" >/dev/null
bootstrap="127.0.0.1:$port"

input="$work/input.txt"
say "writing $records records of 100 bytes"
# 100 bytes per record: a 10-digit sequence number and 90 filler characters.
awk -v n="$records" 'BEGIN { pad = sprintf("%90s", ""); gsub(/ /, "x", pad); for (i = 0; i < n; i++) printf "%010d%s\n", i, pad }' >"$input"

rss_file="$work/rss"
# Runs a tool on the input file $3 (default: the 100-byte records) under /usr/bin/time, which
# leaves its peak RSS (KB) in $rss_file.
run_tool() {
  /usr/bin/time -o "$rss_file" -f '%M' bash -c "exec $(tool_command "$1" "$2" "${3:-$input}")"
}
tool_command() {
  local tool=$1 topic=$2 file=$3
  case "$tool" in
    kafkit) echo "node bin/run.cjs produce $topic -b $bootstrap --acks all <'$file' 2>/dev/null" ;;
    kafkit-no-idempotence) echo "node bin/run.cjs produce $topic -b $bootstrap --acks all --no-idempotence <'$file' 2>/dev/null" ;;
    kcat) echo "kcat -P -b $bootstrap -t $topic -X acks=all <'$file'" ;;
    console-producer) echo "java -cp '$libs/*' org.apache.kafka.tools.ConsoleProducer --bootstrap-server $bootstrap --topic $topic --producer-property acks=all <'$file' >/dev/null 2>&1" ;;
    producer-perf) echo "java -cp '$libs/*' org.apache.kafka.tools.ProducerPerformance --topic $topic --num-records $records --record-size 100 --throughput -1 \
      --producer-props bootstrap.servers=$bootstrap acks=all >/dev/null 2>&1" ;;
  esac
}

# Deletes a topic and waits (untimed) until the broker has removed its files: deleting 100 MB
# while the next tool runs would charge that tool for the broker's work.
delete_topic() {
  node bench/produce-topics.mjs delete "$bootstrap" "$1"
  local waited=0
  while compgen -G "$state/node-1/data/$1-*" >/dev/null && (( waited < 100 )); do sleep 0.1; waited=$((waited + 1)); done
}

# One timed run: creates TOPIC, runs TOOL on FILE (default: the 100-byte records), checks that the
# topic holds EXPECTED records, deletes it; leaves the wall time in $elapsed_ns and the peak RSS
# in $peak_mb. The topic is created untimed (kafkit topics create waits for its metadata), so the
# run measures producing, not how a tool copes with partitions that have no leader yet.
timed_run() {
  local tool=$1 topic=$2 expected=$3 file=${4:-$input} start end count
  node bin/run.cjs topics create "$topic" -b "$bootstrap" --partitions 6 >/dev/null
  start=$(date +%s%N)
  run_tool "$tool" "$topic" "$file"
  end=$(date +%s%N)
  count=$(node bench/produce-topics.mjs count "$bootstrap" "$topic" 6)
  if [[ "$count" != "$expected" ]]; then say "$tool: $topic holds $count records, not $expected"; exit 1; fi
  elapsed_ns=$((end - start))
  peak_mb=$(( $(tail -1 "$rss_file") / 1024 ))
  delete_topic "$topic"
}

declare -A rates rss
tools_for_round() {
  # Alternate who goes first, so neither always gets the warmer (or the noisier) slot.
  if (( $1 % 2 == 1 )); then echo kafkit kcat kafkit-no-idempotence; else echo kcat kafkit kafkit-no-idempotence; fi
  if $java_peers; then echo console-producer producer-perf; fi
}

say "warming the broker up: $warmup untimed runs of each tool"
for i in $(seq 1 "$warmup"); do
  for tool in kcat kafkit; do
    topic="bench-produce-warmup-$tool-$i-$$"
    node bin/run.cjs topics create "$topic" -b "$bootstrap" --partitions 6 >/dev/null
    run_tool "$tool" "$topic"
    delete_topic "$topic"
  done
done

for round in $(seq 1 "$rounds"); do
  for tool in $(tools_for_round "$round"); do
    timed_run "$tool" "bench-produce-$tool-$round-$$" "$records"
    rate=$(awk -v n="$records" -v ns="$elapsed_ns" 'BEGIN { printf "%d", n / (ns / 1e9) }')
    rates[$tool]+="$rate "
    rss[$tool]+="$peak_mb "
    say "round $round: $tool $rate records/s, peak RSS $peak_mb MB"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
kafkit_median=$(echo "${rates[kafkit]}" | median)
kcat_median=$(echo "${rates[kcat]}" | median)
# The ratio of each round's pair, then their median: robust against a noisy round.
read -ra k <<<"${rates[kafkit]}"
read -ra c <<<"${rates[kcat]}"
ratios=""
for i in "${!k[@]}"; do ratios+="$(awk -v a="${k[$i]}" -v b="${c[$i]}" 'BEGIN { printf "%.3f", a / b }') "; done
ratio=$(echo "$ratios" | tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : sprintf("%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2) }')

echo "| tool | median records/s | peak RSS (median, max) | runs (records/s) |"
echo "|---|---:|---:|---|"
for tool in kafkit kafkit-no-idempotence kcat console-producer producer-perf; do
  [[ -n "${rates[$tool]:-}" ]] || continue
  echo "| $tool | $(echo "${rates[$tool]}" | median) | $(echo "${rss[$tool]}" | median) MB, $(echo "${rss[$tool]}" | tr ' ' '\n' | sort -n | tail -1) MB | ${rates[$tool]% } |"
done
echo
same_median=$(echo "${rates[kafkit-no-idempotence]}" | median)
echo "kafkit / kcat: median of per-round ratios $ratio (ratio of medians $(awk -v a="$kafkit_median" -v b="$kcat_median" 'BEGIN { printf "%.3f", a / b }')); with kcat's delivery settings (no idempotence): ratio of medians $(awk -v a="$same_median" -v b="$kcat_median" 'BEGIN { printf "%.3f", a / b }'). $records records of 100 bytes, 6 partitions, acks=all, $rounds rounds."

# Large records: $large records of 900 KB from a file (one line each), kafkit against kcat.
(( large > 0 )) || exit 0
large_input="$work/large.txt"
say "writing $large records of 900 KB"
node -e 'const fs = require("node:fs"); const fd = fs.openSync(process.argv[2], "w"); const pad = "y".repeat(900 * 1024 - 10)
  for (let i = 0; i < Number(process.argv[1]); i++) fs.writeSync(fd, String(i).padStart(10, "0") + pad + "\n")' "$large" "$large_input"
declare -A large_ms large_rss
for round in $(seq 1 "$rounds"); do
  if (( round % 2 == 1 )); then order="kafkit kcat"; else order="kcat kafkit"; fi
  for tool in $order; do
    timed_run "$tool" "bench-produce-large-$tool-$round-$$" "$large" "$large_input"
    large_ms[$tool]+="$((elapsed_ns / 1000000)) "
    large_rss[$tool]+="$peak_mb "
    say "round $round: large records, $tool $((elapsed_ns / 1000000)) ms, peak RSS $peak_mb MB"
  done
done
read -ra k <<<"${large_ms[kafkit]}"
read -ra c <<<"${large_ms[kcat]}"
ratios=""
for i in "${!k[@]}"; do ratios+="$(awk -v a="${k[$i]}" -v b="${c[$i]}" 'BEGIN { printf "%.3f", b / a }') "; done
echo
echo "Large records ($large x 900 KB from a file, acks=all, 6 partitions, $rounds rounds):"
echo
echo "| tool | median wall time (ms) | peak RSS (median, max) | runs (ms) |"
echo "|---|---:|---:|---|"
for tool in kafkit kcat; do
  echo "| $tool | $(echo "${large_ms[$tool]}" | median) | $(echo "${large_rss[$tool]}" | median) MB, $(echo "${large_rss[$tool]}" | tr ' ' '\n' | sort -n | tail -1) MB | ${large_ms[$tool]% } |"
done
echo
echo "kafkit / kcat throughput (kcat time / kafkit time, per round): median $(echo "$ratios" | tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : sprintf("%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2) }') ($ratios)"
