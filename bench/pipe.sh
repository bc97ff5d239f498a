#!/usr/bin/env bash
# Pipe benchmark (issue 14): the seeds' Celsius example, topic to topic, kafkit pipe against a
# QuixStreams app and against `kafkit consume | kafkit produce`, side by side on one broker.
#
# The source: RECORDS JSON records {"city": one of 20 names, "celsius": float}, keyed by city, in a
# 6-partition topic, written once per run and counted. Then, for several rounds, each case copies it
# into a fresh 6-partition destination topic with a fresh consumer group; the order of the cases
# rotates by round. Every run is timed from process start to exit (wall clock) under
# /usr/bin/time for its peak RSS, then checked: the destination must hold exactly RECORDS records
# for a read_committed reader (kcat -X isolation.level=read_committed), and its first record must
# carry the transform's fields; a run that fails either check, or exits non-zero, is reported as
# invalid and left out of the medians.
#
#   1 map        kafkit pipe SRC DEST -g G -e --value-format json --map '({...r, value: {... fahrenheit, kelvin}})'
#   2 quix       python bench/pipe_quix.py (QuixStreams, processing_guarantee="exactly-once", stops at RECORDS)
#   3 copy       kafkit pipe SRC DEST -g G -e                        (exactly once, no transform)
#   4 copy-alo   kafkit pipe SRC DEST -g G -e --at-least-once
#   5 chain      kafkit consume SRC -e -g G --output jsonl | kafkit produce DEST --input jsonl
#   6 exec-jq    kafkit pipe SRC DEST -g G -e --value-format json --exec "jq -c --unbuffered '.value.fahrenheit = ...'"
#   7 quix-1s    case 2 with commit_interval=1 (kafkit pipe's default; QuixStreams' own is 5 s); not in the default list
#
# Reported per case: the median records/s, the median of the per-round throughput ratios against
# case 2 (QuixStreams) and, for 3 and 4, against case 5, and the peak RSS (case 5: consume + produce;
# case 6: the largest process of the pipe's tree, node or jq).
#
#   bash bench/pipe.sh [-b BOOTSTRAP] [--records N] [--rounds R] [--cases 1,2,3,4,5,6]
#                      [--kafkit PATH/bin/run.cjs] [--snapshot] [--port P] [--quix-commit-interval S] [--cpu-prof DIR] [--perf DIR]
#
# -b: an already-running broker (topics and groups the run creates are deleted at the end); without
#     it, a broker of its own on 127.0.0.1:PORT (29693), stopped at the end.
# --kafkit (or $KAFKIT): the kafkit build to measure (default: this checkout's bin/run.cjs).
# --snapshot: measure a copy of that build (bin, dist, native/build, manifest) taken at the start,
#     so that a rebuild of its checkout during the run does not change what is measured.
# --cpu-prof DIR: after the rounds, one more untimed run of cases 1 and 3 each under node --cpu-prof;
#     their hottest functions are printed (bench/cpu-prof-top.mjs).
# --perf DIR: the same two runs under Linux perf (node --perf-basic-prof), which also sees native
#     code: the client binding's C++, librdkafka's threads, V8's garbage collector. (Node leaves the
#     JIT symbol maps perf reads in /tmp/perf-PID.map.)
# Cases 1, 3, 4 and 6 are skipped, with a message, when `kafkit pipe --help` fails for that build.
# Needs: the built CLI (npm run build), kcat, jq, GNU time, python3 with venv (bash scripts/setup.sh
# --with-peers; scripts/python-peers.sh installs QuixStreams).
set -euo pipefail
cd "$(dirname "$0")/.."

records=1000000
rounds=3
bootstrap=
port=29693
cases=1,2,3,4,5,6
kafkit_js=${KAFKIT:-bin/run.cjs}
quix_commit_interval=
cpu_prof=
perf_dir=
snapshot=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    -b | --bootstrap-server) bootstrap=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --kafkit) kafkit_js=$2; shift 2 ;;
    --snapshot) snapshot=true; shift ;;
    --port) port=$2; shift 2 ;;
    --quix-commit-interval) quix_commit_interval=$2; shift 2 ;;
    --cpu-prof) cpu_prof=$2; shift 2 ;;
    --perf) perf_dir=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
IFS=, read -ra cases <<<"$cases"

say() { printf 'bench/pipe: %s\n' "$*" >&2; }
for tool in kcat jq; do command -v $tool >/dev/null || { say "$tool is not installed (bash scripts/setup.sh --with-peers)"; exit 9; }; done
[[ -x /usr/bin/time ]] || { say "GNU time (/usr/bin/time) is not installed: it measures the peak RSS"; exit 9; }
[[ -f dist/kafkit.cjs ]] || { say "build kafkit first: npm run build"; exit 9; }
[[ -f $kafkit_js ]] || { say "no kafkit build at $kafkit_js"; exit 9; }
python=$(bash scripts/python-peers.sh)

work=$(mktemp -d "${TMPDIR:-/tmp}/kafkit-bench-pipe.XXXXXX")
trap 'rm -rf "$work"' EXIT
build_label="$kafkit_js ($(git -C "$(dirname "$kafkit_js")/.." log -1 --format='%h %cd' --date=format:'%H:%M' 2>/dev/null || echo '?'))"
if $snapshot; then
  checkout=$(cd "$(dirname "$kafkit_js")/.." && pwd)
  # A build in progress has no dist/kafkit.cjs for a moment: wait until it is there and settled.
  for _ in $(seq 60); do
    [[ -f $checkout/dist/kafkit.cjs ]] && (( $(date +%s) - $(stat -c %Y "$checkout/dist/kafkit.cjs") > 5 )) && break
    sleep 2
  done
  mkdir -p "$work/kafkit/native/build"
  cp -rp "$checkout/bin" "$checkout/dist" "$checkout/package.json" "$checkout/oclif.manifest.json" "$work/kafkit/"
  cp -rp "$checkout/native/build/Release" "$work/kafkit/native/build/"
  ln -s "$(readlink -f "$checkout/node_modules")" "$work/kafkit/node_modules"
  kafkit_js=$work/kafkit/bin/run.cjs
  build_label+=", a copy of its dist/kafkit.cjs of $(date -u -d "@$(stat -c %Y "$checkout/dist/kafkit.cjs")" +%H:%M) UTC"
fi
kafkit="node $kafkit_js"
run_id=$$
own_broker=false
topics_made=()
groups_made=()
cleanup() {
  if $own_broker; then
    node bin/run.cjs local stop --state-dir "$work/broker" >/dev/null 2>&1 || true
  elif [[ -n $bootstrap ]]; then
    # On a shared broker, remove what this run made (untimed, at the end, so no run pays for it).
    if ((${#topics_made[@]})); then node bin/run.cjs topics delete "${topics_made[@]}" -b "$bootstrap" --if-exists -y >/dev/null 2>&1 || true; fi
    if ((${#groups_made[@]})); then node bin/run.cjs groups delete "${groups_made[@]}" -b "$bootstrap" -y >/dev/null 2>&1 || true; fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -z $bootstrap ]]; then
  say "starting a broker of its own on 127.0.0.1:$port"
  node bin/run.cjs local start --port "$port" --state-dir "$work/broker" >/dev/null
  own_broker=true
  bootstrap=127.0.0.1:$port
fi

pipe_ok=true
if ! $kafkit pipe --help >/dev/null 2>&1; then
  pipe_ok=false
  say "SKIPPING cases 1, 3, 4, 6: '$kafkit pipe --help' fails (this build has no pipe command)"
fi

# ---- the source ------------------------------------------------------------------------------
source_topic=bench-pipe-src-$records-$run_id
say "writing $records records {city, celsius} to $source_topic (6 partitions) on $bootstrap"
# Deterministic: the same cities and temperatures on every run. Key TAB value, for produce -K.
awk -v n="$records" 'BEGIN {
  srand(42)
  split("Amsterdam Athens Berlin Bogota Cairo Delhi Dublin Helsinki Istanbul Jakarta Lagos Lima Lisbon London Madrid Nairobi Oslo Paris Seoul Tokyo", city, " ")
  for (i = 0; i < n; i++) { c = city[int(rand() * 20) + 1]; printf "%s\t{\"city\":\"%s\",\"celsius\":%.1f}\n", c, c, rand() * 60 - 20 }
}' >"$work/source.txt"
node bin/run.cjs topics create "$source_topic" -b "$bootstrap" --partitions 6 >/dev/null
topics_made+=("$source_topic")
node bin/run.cjs produce "$source_topic" -b "$bootstrap" -K '\t' --file "$work/source.txt" 2>/dev/null
have=$(node bench/produce-topics.mjs count "$bootstrap" "$source_topic" 6)
[[ $have -eq $records ]] || { say "the source holds $have records, not $records"; exit 1; }

# ---- the cases -------------------------------------------------------------------------------
map_expr='({...r, value: {...r.value, fahrenheit: r.value.celsius * 9 / 5 + 32, kelvin: r.value.celsius + 273.15}})'
jq_filter='.value.fahrenheit = (.value.celsius*9/5+32)'
declare -A name=([1]=map [2]=quix [3]=copy [4]=copy-alo [5]=chain [6]=exec-jq [7]=quix-1s)
declare -A title=(
  [1]="kafkit pipe --map, exactly once"
  [2]="QuixStreams app, exactly-once"
  [3]="kafkit pipe copy, exactly once"
  [4]="kafkit pipe copy --at-least-once"
  [5]="kafkit consume -g --output jsonl \\| kafkit produce --input jsonl"
  [6]="kafkit pipe --exec jq, exactly once"
  [7]="QuixStreams app, exactly-once, commit_interval=1"
)
# The field the destination's first record must carry (the transform ran), or "" for a copy.
declare -A must_have=([1]=kelvin [2]=kelvin [3]= [4]= [5]= [6]=fahrenheit [7]=kelvin)
runnable() { [[ $1 == 2 || $1 == 5 || $1 == 7 ]] || $pipe_ok; }

# The command of case $1 into $2 with group $3; case 5 leaves its two peak RSS files in $work.
command_for() {
  local c=$1 dest=$2 group=$3
  q() { printf '%q' "$1"; }
  case $c in
    1) echo "$kafkit pipe $source_topic $dest -g $group -b $bootstrap -o beginning -e --value-format json --map $(q "$map_expr")" ;;
    2) echo "$python bench/pipe_quix.py --bootstrap $bootstrap --source $source_topic --destination $dest --group $group --count $records${quix_commit_interval:+ --commit-interval $quix_commit_interval}" ;;
    7) echo "$python bench/pipe_quix.py --bootstrap $bootstrap --source $source_topic --destination $dest --group $group --count $records --commit-interval 1" ;;
    3) echo "$kafkit pipe $source_topic $dest -g $group -b $bootstrap -o beginning -e" ;;
    4) echo "$kafkit pipe $source_topic $dest -g $group -b $bootstrap -o beginning -e --at-least-once" ;;
    5) echo "/usr/bin/time -o $work/rss-consume -f %M $kafkit consume $source_topic -b $bootstrap -e -g $group --output jsonl | /usr/bin/time -o $work/rss-produce -f %M $kafkit produce $dest -b $bootstrap --input jsonl" ;;
    6) echo "$kafkit pipe $source_topic $dest -g $group -b $bootstrap -o beginning -e --value-format json --exec $(q "jq -c --unbuffered $(q "$jq_filter")")" ;;
  esac
}

# Counts DEST as a read_committed reader sees it (kcat: independent of the build measured).
committed_count() {
  (set +o pipefail; kcat -C -b "$bootstrap" -t "$1" -e -q -o beginning -X isolation.level=read_committed -f 'x' 2>/dev/null | wc -c)
}

declare -A rates rss invalid
# One timed run of case $1 in round $2: leaves the records/s in $rate (empty when invalid) and
# the peak RSS (MB) in $peak_mb.
timed_run() {
  local c=$1 round=$2 dest group start end status=0 count first log
  dest=bench-pipe-${name[$c]}-r$round-$run_id
  group=$dest
  log=$work/$dest.log
  node bin/run.cjs topics create "$dest" -b "$bootstrap" --partitions 6 >/dev/null
  topics_made+=("$dest")
  groups_made+=("$group")
  rate= peak_mb=
  start=$(date +%s%N)
  if [[ $c == 5 ]]; then
    bash -c "set -o pipefail; $(command_for "$c" "$dest" "$group")" >/dev/null 2>"$log" || status=$?
  else
    /usr/bin/time -o "$work/rss" -f '%M' bash -c "exec $(command_for "$c" "$dest" "$group")" >/dev/null 2>"$log" || status=$?
  fi
  end=$(date +%s%N)
  if [[ $c == 5 ]]; then
    peak_mb=$(( ($(tail -1 "$work/rss-consume") + $(tail -1 "$work/rss-produce")) / 1024 ))
  else
    peak_mb=$(( $(tail -1 "$work/rss") / 1024 ))
  fi
  count=$(committed_count "$dest")
  first=$(kcat -C -b "$bootstrap" -t "$dest" -o beginning -c 1 -e -q -X isolation.level=read_committed 2>/dev/null || true)
  local problem=
  if ((status != 0)); then problem="exited with $status"
  elif [[ $count -ne $records ]]; then problem="the destination holds $count records for a read_committed reader, not $records"
  elif [[ -n ${must_have[$c]} && $first != *"\"${must_have[$c]}\""* ]]; then problem="its first record has no ${must_have[$c]}: $first"
  fi
  if [[ -n $problem ]]; then
    say "round $round: case $c (${name[$c]}) INVALID: $problem; its stderr ends with:"
    tail -5 "$log" | sed 's/^/    /' >&2
    invalid[$c]+="r$round "
    return
  fi
  rate=$(awk -v n="$records" -v ns="$((end - start))" 'BEGIN { printf "%d", n / (ns / 1e9) }')
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
runnable_cases=()
for c in "${cases[@]}"; do runnable "$c" && runnable_cases+=("$c"); done
declare -A round_rate
for ((round = 1; round <= rounds; round++)); do
  # Rotate the order by round so no case always runs first (or right after the same neighbour).
  k=${#runnable_cases[@]}
  for ((i = 0; i < k; i++)); do
    c=${runnable_cases[$(( (i + round - 1) % k ))]}
    timed_run "$c" "$round"
    round_rate[$c,$round]=$rate
    if [[ -n $rate ]]; then
      rates[$c]+="$rate "
      rss[$c]+="$peak_mb "
      say "round $round/$rounds: case $c (${name[$c]}) $rate records/s, peak RSS $peak_mb MB"
    fi
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# The numbers of a space-separated list, one per line (none: no output, and no failure).
numbers() { tr ' ' '\n' | awk 'NF'; }
median() { numbers | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fmt_ratio() { [[ -n $1 ]] && printf '%.2fx' "$1" || printf 'n/a'; }
# The median over rounds of rate(case $1) / rate(case $2), counting only rounds where both were valid.
ratio() {
  local r list=
  for ((r = 1; r <= rounds; r++)); do
    local a=${round_rate[$1,$r]:-} b=${round_rate[$2,$r]:-}
    [[ -n $a && -n $b ]] && list+="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }') "
  done
  echo "$list" | median
}

echo
echo "$records records {city, celsius} (keyed by city), 6 partitions, $rounds rounds, broker $bootstrap; kafkit build: $build_label; $(nproc) cores, load average $load_start at the start, $load_end at the end."
echo
echo "| case | median records/s | vs QuixStreams EOS (2) | vs consume \\| produce (5) | peak RSS (median, max) | runs (records/s) | invalid rounds |"
echo "|---|---:|---:|---:|---:|---|---|"
for c in "${cases[@]}"; do
  if ! runnable "$c"; then echo "| $c. ${title[$c]} | not measured: this build has no pipe command | | | | | |"; continue; fi
  med=$(echo "${rates[$c]:-}" | median)
  vs2=n/a vs5=
  [[ $c != 2 ]] && vs2=$(fmt_ratio "$(ratio "$c" 2)") || vs2=1.00x
  if [[ $c == 3 || $c == 4 ]]; then vs5=$(fmt_ratio "$(ratio "$c" 5)"); fi
  [[ $c == 5 ]] && vs5=1.00x
  rss_med=$(echo "${rss[$c]:-}" | median)
  rss_max=$(echo "${rss[$c]:-}" | numbers | sort -n | tail -1)
  printf '| %s. %s | %s | %s | %s | %s | %s | %s |\n' "$c" "${title[$c]}" "${med:-none valid}" "$vs2" "$vs5" \
    "${rss_med:+$rss_med MB, $rss_max MB}" "$(echo ${rates[$c]:-})" "${invalid[$c]:-}"
done
echo
echo "Ratios: the median over rounds of (this case's records/s / the other case's records/s in the same round); above 1, this case is faster."

if [[ -n $cpu_prof ]] && $pipe_ok; then
  for c in 1 3; do
    dest=bench-pipe-prof-${name[$c]}-$run_id
    node bin/run.cjs topics create "$dest" -b "$bootstrap" --partitions 6 >/dev/null
    topics_made+=("$dest")
    groups_made+=("$dest")
    mkdir -p "$cpu_prof/${name[$c]}"
    say "profiling case $c (${name[$c]}): node --cpu-prof into $cpu_prof/${name[$c]}"
    prof_command=$(command_for "$c" "$dest" "$dest")
    bash -c "exec ${prof_command/node /node --cpu-prof --cpu-prof-dir=$cpu_prof/${name[$c]} }" >/dev/null 2>"$work/prof.log" || say "the profiled run failed: $(tail -3 "$work/prof.log")"
    echo
    echo "CPU profile of case $c, ${title[$c]}, main thread (librdkafka's own threads are not in it):"
    node bench/cpu-prof-top.mjs "$cpu_prof/${name[$c]}"/*.cpuprofile
  done
fi

if [[ -n $perf_dir ]] && $pipe_ok; then
  command -v perf >/dev/null || { say "perf is not installed (linux-perf)"; exit 9; }
  mkdir -p "$perf_dir"
  for c in 1 3; do
    dest=bench-pipe-perf-${name[$c]}-$run_id
    node bin/run.cjs topics create "$dest" -b "$bootstrap" --partitions 6 >/dev/null
    topics_made+=("$dest")
    groups_made+=("$dest")
    data=$perf_dir/${name[$c]}.data
    say "perf record of case $c (${name[$c]}) into $data"
    prof_command=$(command_for "$c" "$dest" "$dest")
    bash -c "exec perf record -F 499 -g -o $data -- ${prof_command/node /node --perf-basic-prof }" >/dev/null 2>"$work/perf.log" || say "the perf run failed: $(tail -3 "$work/perf.log")"
    echo
    echo "perf, case $c, ${title[$c]}: samples by thread, then by function including callees (node's threads only):"
    perf report -i "$data" --no-children --sort comm --stdio -g none 2>/dev/null | awk 'NF && !/^#/' | head -5
    perf report -i "$data" --children --comm node --sort sym --stdio -g none 2>/dev/null | awk 'NF && !/^#/' | head -40
  done
fi
