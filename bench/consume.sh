#!/usr/bin/env bash
# Consume benchmark: kafkit vs kcat (and Apache's console consumer), side by side on one broker.
#
# Reads RECORDS records of 100 bytes from a 6-partition topic to /dev/null in four modes, each
# paired with kcat doing the same in the same round (who goes first alternates by round):
#   direct       kafkit consume T -e                     vs kcat -C -e -o beginning
#   jsonl        kafkit consume T -e --output jsonl      vs kcat -C -e -o beginning -J
#   group        kafkit consume T -g G -c N              vs kcat -G G -c N        (a fresh group per run)
#   group-jsonl  kafkit consume T -g G -c N --output jsonl  vs kcat -G G -c N -J
# Apache's ConsoleConsumer runs once per round in direct mode. Every run is wrapped in
# /usr/bin/time for its peak RSS. Reported per mode: median wall times, the median of the
# per-round throughput ratios (kcat time / kafkit time: above 1, kafkit is faster) and the peak
# RSS of both tools. At the end, the peak RSS of both with a slow reader on stdout (one that
# sleeps 5 s before reading). The broker is kafkit's own local Kafka on a port of its own,
# stopped at the end.
#
# Usage: bash bench/consume.sh [--rounds N] [--records N] [--port P] [--modes direct,jsonl,group,group-jsonl]
#                              [--no-apache] [--no-slow-reader]
# Needs: a built kafkit (npm run build; bash scripts/build-native.sh), kcat, Java 17+, GNU time
# (bash scripts/setup.sh --with-peers installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
records=1000000
port=29692
apache=true
slow_reader=true
modes=direct,jsonl,group,group-jsonl
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --modes) modes=$2; shift 2 ;;
    --no-apache) apache=false; shift ;;
    --no-slow-reader) slow_reader=false; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
IFS=, read -ra modes <<<"$modes"

say() { printf 'bench/consume: %s\n' "$*" >&2; }
state_dir=${KAFKIT_BENCH_STATE:-/tmp/kafkit-bench-consume-$port}
kafkit=(node bin/run.cjs)
bootstrap=127.0.0.1:$port
topic=bench-consume-$records
# The jars the broker runs from ($KAFKA_HOME/libs or kafkit's cache), found as kafkit finds them.
libs=$(node -e 'require("./dist/kafkit.cjs").resolveKafkaLibs().then((libs) => console.log(libs.dir))' 2>/dev/null || true)

command -v kcat >/dev/null || { say "kcat is not installed (bash scripts/setup.sh --with-peers)"; exit 9; }
[[ -x /usr/bin/time ]] || { say "GNU time (/usr/bin/time) is not installed: it measures the peak RSS"; exit 9; }
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

# The command of a tool in a mode; the third argument makes its group name unique.
command_for() {
  local tool=$1 mode=$2 run=$3
  local group=bench-$tool-$mode-$run-$$
  case "$tool/$mode" in
    kafkit/direct) echo "${kafkit[*]} consume $topic -b $bootstrap -e" ;;
    kafkit/jsonl) echo "${kafkit[*]} consume $topic -b $bootstrap -e --output jsonl" ;;
    kafkit/group) echo "${kafkit[*]} consume $topic -b $bootstrap -g $group -c $records" ;;
    kafkit/group-jsonl) echo "${kafkit[*]} consume $topic -b $bootstrap -g $group -c $records --output jsonl" ;;
    kcat/direct) echo "kcat -C -b $bootstrap -t $topic -e -q -o beginning" ;;
    kcat/jsonl) echo "kcat -C -b $bootstrap -t $topic -e -q -o beginning -J" ;;
    # kcat -G starts a new group where auto.offset.reset says (librdkafka's default: the end).
    kcat/group) echo "kcat -b $bootstrap -G $group -X auto.offset.reset=earliest -c $records -q $topic" ;;
    kcat/group-jsonl) echo "kcat -b $bootstrap -G $group -X auto.offset.reset=earliest -c $records -q -J $topic" ;;
  esac
}

# Correctness first: every tool must read exactly $records records in every mode.
for mode in "${modes[@]}"; do
  for tool in kafkit kcat; do
    n=$(bash -c "$(command_for "$tool" "$mode" check)" | wc -l)
    [[ "$n" -eq "$records" ]] || { say "$tool ($mode) read $n records, expected $records"; exit 1; }
  done
done

now_ns() { date +%s%N; }
declare -A times rss ratios
rss_file=$(mktemp)
trap 'rm -f "$rss_file"; cleanup' EXIT
# Runs one command to /dev/null; appends its wall time (ms) and peak RSS (MB) to the key's lists.
run_one() {
  local key=$1 command=$2 start end
  start=$(now_ns)
  /usr/bin/time -o "$rss_file" -f '%M' bash -c "exec $command >/dev/null 2>&1"
  end=$(now_ns)
  last_ms=$(( (end - start) / 1000000 ))
  times[$key]+="$last_ms "
  rss[$key]+="$(( $(tail -1 "$rss_file") / 1024 )) "
}

for ((round = 1; round <= rounds; round++)); do
  for mode in "${modes[@]}"; do
    # Alternate the order so neither tool always runs on a warmer cache.
    if ((round % 2)); then order=(kafkit kcat); else order=(kcat kafkit); fi
    for tool in "${order[@]}"; do
      run_one "$tool/$mode" "$(command_for "$tool" "$mode" "$round")"
      [[ $tool == kafkit ]] && k_last=$last_ms || c_last=$last_ms
    done
    ratios[$mode]+="$(awk -v k="$k_last" -v c="$c_last" 'BEGIN {printf "%.3f", c / k}') "
    say "round $round/$rounds $mode: kafkit ${k_last}ms, kcat ${c_last}ms"
  done
  if $apache; then
    run_one apache "java -cp '$libs/*' org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server $bootstrap --topic $topic --from-beginning --max-messages $records --timeout-ms 20000"
  fi
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
maximum() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | tail -1; }
rate() { awk -v r="$records" -v ms="$1" 'BEGIN {printf "%.0f", r / (ms / 1000)}'; }

printf '\n%s records of 100 bytes, 6 partitions, %s rounds. Ratio: kcat wall time / kafkit wall time per round, median (above 1: kafkit is faster).\n\n' "$records" "$rounds"
printf '| mode | kafkit median ms (records/s) | kcat median ms (records/s) | kafkit/kcat throughput | peak RSS kafkit (median, max) | peak RSS kcat (median, max) | per-round ratios |\n|---|---:|---:|---:|---:|---:|---|\n'
for mode in "${modes[@]}"; do
  k_ms=$(median "${times[kafkit/$mode]}")
  c_ms=$(median "${times[kcat/$mode]}")
  printf '| %s | %s (%s) | %s (%s) | **%s** | %s MB, %s MB | %s MB, %s MB | %s|\n' "$mode" \
    "$k_ms" "$(rate "$k_ms")" "$c_ms" "$(rate "$c_ms")" "$(median "${ratios[$mode]}")" \
    "$(median "${rss[kafkit/$mode]}")" "$(maximum "${rss[kafkit/$mode]}")" \
    "$(median "${rss[kcat/$mode]}")" "$(maximum "${rss[kcat/$mode]}")" "${ratios[$mode]}"
done
if $apache; then
  a_ms=$(median "${times[apache]}")
  printf '\nApache ConsoleConsumer (direct): median %s ms (%s records/s), peak RSS %s MB; runs (ms): %s\n' "$a_ms" "$(rate "$a_ms")" "$(median "${rss[apache]}")" "${times[apache]}"
fi

if $slow_reader; then
  # Memory with a reader that does not keep up: stdout fills its pipe and stays full for 5 s.
  for tool in kafkit kcat; do
    command=$(command_for "$tool" direct slow)
    /usr/bin/time -o "$rss_file" -f '%M' bash -c "exec $command 2>/dev/null" | (sleep 5; cat >/dev/null)
    printf 'slow reader (direct, stdout read after 5 s): %s peak RSS %s MB\n' "$tool" "$(( $(tail -1 "$rss_file") / 1024 ))"
  done
fi
printf 'load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
