#!/usr/bin/env bash
# Consume benchmark: kafkit vs kcat vs Apache's console consumer, side by side on one broker.
#
# Reads RECORDS records of 100 bytes from a 6-partition topic to /dev/null, stopping at the end
# (kafkit consume -e, kcat -C -e -o beginning, ConsoleConsumer --from-beginning --max-messages),
# alternating the tools for ROUNDS rounds, and reports records/s (median) and the kafkit/kcat
# ratio. The broker is kafkit's own local Kafka on a port of its own, stopped at the end.
#
# Usage: bash bench/consume.sh [--rounds N] [--records N] [--port P] [--no-apache]
# Needs: a built kafkit (npm run build; bash scripts/build-native.sh), kcat, Java 17+
# (bash scripts/setup.sh --with-peers installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
records=1000000
port=29692
apache=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --no-apache) apache=false; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

say() { printf 'bench/consume: %s\n' "$*" >&2; }
state_dir=${KAFKIT_BENCH_STATE:-/tmp/kafkit-bench-consume-$port}
kafkit=(node bin/run.cjs)
bootstrap=127.0.0.1:$port
topic=bench-consume-$records
# The jars the broker runs from ($KAFKA_HOME/libs or kafkit's cache), found as kafkit finds them.
libs=$(node -e 'require("./dist/kafkit.cjs").resolveKafkaLibs().then((libs) => console.log(libs.dir))' 2>/dev/null || true)

command -v kcat >/dev/null || { say "kcat is not installed (bash scripts/setup.sh --with-peers)"; exit 9; }
[[ -f native/build/Release/kafkit_consume.node ]] || say "warning: the native consume loop is not built (bash scripts/build-native.sh); kafkit will use its slower JS path"

cleanup() { "${kafkit[@]}" local stop --state-dir "$state_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
say "starting a broker on $bootstrap (state in $state_dir)"
"${kafkit[@]}" local start --port "$port" --state-dir "$state_dir" >/dev/null 2>&1

java_tool() { java -cp "$libs/*" "$@"; }

# The data: created once per state folder (a rerun reuses it).
count=$(set +o pipefail; kcat -C -b "$bootstrap" -t "$topic" -e -q -o beginning -f 'x' 2>/dev/null | wc -c)
if [[ "$count" -ne "$records" ]]; then
  say "writing $records records of 100 bytes to $topic (6 partitions)"
  java_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --delete --topic "$topic" >/dev/null 2>&1 || true
  sleep 1
  java_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create --topic "$topic" --partitions 6 --replication-factor 1 >/dev/null
  java_tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" --record-size 100 --throughput -1 \
    --producer-props bootstrap.servers="$bootstrap" acks=1 linger.ms=20 batch.size=262144 >/dev/null
fi

# Correctness first: every tool must read exactly $records records.
check() {
  local name=$1; shift
  local n
  n=$("$@" | wc -l)
  [[ "$n" -eq "$records" ]] || { say "$name read $n records, expected $records"; exit 1; }
}
check kafkit "${kafkit[@]}" consume "$topic" -b "$bootstrap" -e
check kcat kcat -C -b "$bootstrap" -t "$topic" -e -q -o beginning

now_ns() { date +%s%N; }
declare -A times
# kcat time / kafkit time of each round: the pair ran back to back, so load on the machine
# affects both; the median of these is the headline ratio.
ratios=""
run_one() {
  local name=$1; shift
  local start end
  start=$(now_ns)
  "$@" >/dev/null 2>&1
  end=$(now_ns)
  last_ms=$(( (end - start) / 1000000 ))
  times[$name]+="$last_ms "
}

for ((round = 1; round <= rounds; round++)); do
  # Alternate the order so neither tool always runs on a warmer cache.
  if ((round % 2)); then
    run_one kafkit "${kafkit[@]}" consume "$topic" -b "$bootstrap" -e
    run_one kcat kcat -C -b "$bootstrap" -t "$topic" -e -q -o beginning
  else
    run_one kcat kcat -C -b "$bootstrap" -t "$topic" -e -q -o beginning
    run_one kafkit "${kafkit[@]}" consume "$topic" -b "$bootstrap" -e
  fi
  if $apache; then
    run_one apache java_tool org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$bootstrap" --topic "$topic" \
      --from-beginning --max-messages "$records" --timeout-ms 20000
  fi
  k_last=$(awk '{print $NF}' <<<"${times[kafkit]}")
  c_last=$(awk '{print $NF}' <<<"${times[kcat]}")
  ratios+="$(awk -v k="$k_last" -v c="$c_last" 'BEGIN {printf "%.3f", c / k}') "
  say "round $round/$rounds: kafkit ${k_last}ms, kcat ${c_last}ms"
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rate() { awk -v r="$records" -v ms="$1" 'BEGIN {printf "%.0f", r / (ms / 1000)}'; }

k_ms=$(median "${times[kafkit]}")
c_ms=$(median "${times[kcat]}")
printf '\n| tool | median wall time (ms) | records/s | all runs (ms) |\n|---|---:|---:|---|\n'
printf '| kafkit consume -e | %s | %s | %s|\n' "$k_ms" "$(rate "$k_ms")" "${times[kafkit]}"
printf '| kcat -C -e -o beginning | %s | %s | %s|\n' "$c_ms" "$(rate "$c_ms")" "${times[kcat]}"
if $apache; then
  a_ms=$(median "${times[apache]}")
  printf '| Apache ConsoleConsumer | %s | %s | %s|\n' "$a_ms" "$(rate "$a_ms")" "${times[apache]}"
fi
printf '\nkafkit/kcat records/s ratio: %s from the medians; %s as the median of the per-round ratios (%s) (above 1: kafkit is faster)\n' \
  "$(awk -v k="$k_ms" -v c="$c_ms" 'BEGIN {printf "%.2f", c / k}')" "$(median "$ratios")" "$ratios"
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
