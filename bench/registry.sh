#!/usr/bin/env bash
# Schema Registry benchmark: Avro records through kafkit vs Python confluent-kafka, side by side.
#
# RECORDS Avro records of a small schema (bench/registry-payment.avsc: id, name, amount, currency,
# createdAt) on a 3-partition topic. Per round, in alternating order:
#   consume  kafkit consume T -e --value-format avro                  (issue 11's command: the decoded
#                                                                      value per line, to /dev/null)
#            kafkit consume T -e --value-format avro --output jsonl   (decoded, in jsonl records)
#            kafkit consume T -e                                       (plain: the stored bytes)
#            Python: Consumer + AvroDeserializer loop writing JSON lines (bench/registry_peer.py)
#   produce  kafkit produce T2 --value-format avro --value-schema-file F < JSON lines
#            Python: AvroSerializer + Producer reading the same JSON lines
# Every run is wrapped in /usr/bin/time for its peak RSS and CPU time. Reported: median wall times,
# the median per-round ratios (Python time / kafkit time; plain time / decoded time), CPU times
# (steadier than wall times on a busy machine) and peak RSS.
#
# Usage: bash bench/registry.sh [--rounds N] [--records N] [--port P] [--cpu-prof DIR]
#                               [--bootstrap HOST:PORT --schema-registry URL]
# --cpu-prof DIR: after the rounds, one more run of each decoded consume under node --cpu-prof,
# its profile written to DIR/avro and DIR/jsonl (open in Chrome DevTools or speedscope).
# Without --bootstrap, a local broker and registry (kafkit local start --schema-registry) are
# started on --port (and stopped at the end). Needs: a built kafkit with its native extensions,
# Java 17+, GNU time, python3 (the peer is installed by scripts/python-peers.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
records=1000000
port=29792
bootstrap=
registry=
cpu_prof=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --bootstrap) bootstrap=$2; shift 2 ;;
    --schema-registry) registry=$2; shift 2 ;;
    --cpu-prof) cpu_prof=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

say() { printf 'bench/registry: %s\n' "$*" >&2; }
kafkit=(node bin/run.cjs)
schema=bench/registry-payment.avsc
[[ -x /usr/bin/time ]] || { say "GNU time (/usr/bin/time) is not installed: it measures the peak RSS"; exit 9; }
python=$(bash scripts/python-peers.sh)
peer=(env PYTHONWARNINGS=ignore "$python" bench/registry_peer.py)

state_dir=${KAFKIT_BENCH_STATE:-/tmp/kafkit-bench-registry-$port}
cleanup() { [[ -n ${started:-} ]] && "${kafkit[@]}" local stop --state-dir "$state_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT
if [[ -z $bootstrap ]]; then
  say "starting a broker on 127.0.0.1:$port and a Schema Registry (state in $state_dir)"
  "${kafkit[@]}" local start --port "$port" --state-dir "$state_dir" --schema-registry --schema-registry-port $((port + 10)) >/dev/null 2>&1
  started=1
  bootstrap=127.0.0.1:$port
  registry=http://127.0.0.1:$((port + 10))/apis/ccompat/v7
fi
[[ -n $registry ]] || { say "--bootstrap needs --schema-registry URL too"; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"; cleanup' EXIT
input=$work/payments.jsonl
node -e '
  const out = require("fs").createWriteStream(process.argv[1]); const n = Number(process.argv[2]); let i = 0
  const more = () => { let ok = true
    while (i < n && ok) { let s = ""; for (let j = 0; j < 1000 && i < n; j++, i++) s += JSON.stringify({id: i, name: `customer-${i % 1000}`, amount: Math.round(i * 137) / 100, currency: i % 3 ? "EUR" : "USD", createdAt: 1700000000000 + i}) + "\n"; ok = out.write(s) }
    if (i < n) out.once("drain", more); else out.end() }
  more()' "$input" "$records"

topic=bench-registry-$records-$$
"${kafkit[@]}" topics create "$topic" -b "$bootstrap" -p 3 >/dev/null
# The topic goes at the end (on a shared broker it would stay).
trap 'rm -rf "$work"; "${kafkit[@]}" topics delete "$topic" -b "$bootstrap" --yes >/dev/null 2>&1 || true; cleanup' EXIT
say "writing $records Avro records to $topic"
"${kafkit[@]}" produce "$topic" -b "$bootstrap" -r "$registry" --value-format avro --value-schema-file "$schema" --file "$input" 2>/dev/null

# Correctness first: every reader sees every record, decoded.
n=$("${kafkit[@]}" consume "$topic" -b "$bootstrap" -r "$registry" -e --value-format avro | grep -c '^{"id":[0-9]*,"name":"customer-[0-9]*","amount":[0-9.]*,"currency":"[A-Z]*","createdAt":[0-9]*}$')
[[ $n -eq $records ]] || { say "kafkit decoded $n records, expected $records"; exit 1; }
n=$("${kafkit[@]}" consume "$topic" -b "$bootstrap" -r "$registry" -e --value-format avro --output jsonl | grep -c '"valueSchemaId"')
[[ $n -eq $records ]] || { say "kafkit decoded $n jsonl records, expected $records"; exit 1; }
n=$("${peer[@]}" consume "$bootstrap" "$registry" "$topic" "$records" 2>/dev/null | wc -l)
[[ $n -eq $records ]] || { say "Python decoded $n records, expected $records"; exit 1; }

now_ns() { date +%s%N; }
declare -A times rss cpu ratios
rss_file=$work/rss
run_one() {
  local key=$1 start end
  shift
  start=$(now_ns)
  /usr/bin/time -o "$rss_file" -f '%M %U %S' "$@" >/dev/null 2>&1
  end=$(now_ns)
  last_ms=$(( (end - start) / 1000000 ))
  times[$key]+="$last_ms "
  read -r kb user system < <(tail -1 "$rss_file")
  rss[$key]+="$(( kb / 1024 )) "
  # CPU time (user + system) says more than wall time on a machine busy with other work.
  last_cpu_ms=$(awk -v u="$user" -v s="$system" 'BEGIN {printf "%d", (u + s) * 1000}')
  cpu[$key]+="$last_cpu_ms "
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

for ((round = 1; round <= rounds; round++)); do
  consumers=(avro plain jsonl python)
  ((round % 2)) || consumers=(python jsonl plain avro)
  for tool in "${consumers[@]}"; do
    case $tool in
      avro) run_one consume/avro "${kafkit[@]}" consume "$topic" -b "$bootstrap" -r "$registry" -e --value-format avro; a=$last_ms ;;
      jsonl) run_one consume/avro-jsonl "${kafkit[@]}" consume "$topic" -b "$bootstrap" -r "$registry" -e --value-format avro --output jsonl; j=$last_ms ;;
      plain) run_one consume/plain "${kafkit[@]}" consume "$topic" -b "$bootstrap" -e; p=$last_ms ;;
      python) run_one consume/python "${peer[@]}" consume "$bootstrap" "$registry" "$topic" "$records"; y=$last_ms ;;
    esac
  done
  ratios[consume/python]+="$(ratio "$y" "$a") "
  ratios[consume/plain]+="$(ratio "$p" "$a") "
  ratios[consume/jsonl-python]+="$(ratio "$y" "$j") "
  ratios[consume/jsonl-plain]+="$(ratio "$p" "$j") "
  say "round $round/$rounds consume: kafkit avro ${a}ms, avro jsonl ${j}ms, kafkit plain ${p}ms, Python ${y}ms"

  producers=(kafkit python)
  ((round % 2)) || producers=(python kafkit)
  for tool in "${producers[@]}"; do
    target=$topic-produced-$tool-$round
    "${kafkit[@]}" topics create "$target" -b "$bootstrap" -p 3 >/dev/null
    case $tool in
      kafkit) run_one produce/kafkit "${kafkit[@]}" produce "$target" -b "$bootstrap" -r "$registry" --value-format avro --value-schema-file "$schema" --file "$input"; k=$last_ms ;;
      python) run_one produce/python bash -c "exec ${peer[*]} produce $bootstrap $registry $target $schema < $input"; y=$last_ms ;;
    esac
    "${kafkit[@]}" topics delete "$target" -b "$bootstrap" --yes >/dev/null 2>&1 || true
  done
  ratios[produce/python]+="$(ratio "$y" "$k") "
  say "round $round/$rounds produce: kafkit ${k}ms, Python ${y}ms"
done

median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
maximum() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | tail -1; }
rate() { awk -v r="$records" -v ms="$1" 'BEGIN {printf "%.0f", r / (ms / 1000)}'; }

printf '\n%s Avro records (5 fields), 3 partitions, %s rounds; load average %s on %s cores.\n\n' "$records" "$rounds" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
printf '| run | median wall ms (records/s) | median CPU ms (user + system) | peak RSS (median, max) | runs (wall ms) |\n|---|---:|---:|---:|---|\n'
for key in consume/avro consume/avro-jsonl consume/plain consume/python produce/kafkit produce/python; do
  ms=$(median "${times[$key]}")
  printf '| %s | %s (%s) | %s | %s MB, %s MB | %s|\n' "$key" "$ms" "$(rate "$ms")" "$(median "${cpu[$key]}")" "$(median "${rss[$key]}")" "$(maximum "${rss[$key]}")" "${times[$key]}"
done
cpu_ratio() { ratio "$(median "${cpu[$1]}")" "$(median "${cpu[$2]}")"; }
printf '\nCPU ratios of the medians: consume Python/avro %s, plain/avro %s, Python/avro-jsonl %s, plain/avro-jsonl %s; produce Python/kafkit %s.\n' \
  "$(cpu_ratio consume/python consume/avro)" "$(cpu_ratio consume/plain consume/avro)" "$(cpu_ratio consume/python consume/avro-jsonl)" "$(cpu_ratio consume/plain consume/avro-jsonl)" \
  "$(cpu_ratio produce/python produce/kafkit)"
printf 'Median per-round ratios (wall): consume avro vs Python %sx (Python time / kafkit time); consume avro vs plain %sx (plain time / avro time); avro-jsonl vs Python %sx, vs plain %sx; produce avro vs Python %sx.\n' \
  "$(median "${ratios[consume/python]}")" "$(median "${ratios[consume/plain]}")" "$(median "${ratios[consume/jsonl-python]}")" "$(median "${ratios[consume/jsonl-plain]}")" "$(median "${ratios[produce/python]}")"

if [[ -n $cpu_prof ]]; then
  mkdir -p "$cpu_prof/avro" "$cpu_prof/jsonl"
  node --cpu-prof --cpu-prof-dir="$cpu_prof/avro" bin/run.cjs consume "$topic" -b "$bootstrap" -r "$registry" -e --value-format avro >/dev/null
  node --cpu-prof --cpu-prof-dir="$cpu_prof/jsonl" bin/run.cjs consume "$topic" -b "$bootstrap" -r "$registry" -e --value-format avro --output jsonl >/dev/null
  say "CPU profiles in $cpu_prof/avro and $cpu_prof/jsonl"
fi
