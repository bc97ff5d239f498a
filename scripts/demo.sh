#!/usr/bin/env bash
# The main job, end to end on a fresh machine: set up, start a real local Kafka with
# `kafkit local`, create a topic, produce a few JSON records, consume them back and print them.
# Usage: npm run demo [-- --keep]   (--keep leaves the broker running; stop it with: kafkit local stop)
set -euo pipefail
cd "$(dirname "$0")/.."

keep=false
[[ ${1:-} == --keep ]] && keep=true

bash scripts/setup.sh
kafkit() { node bin/run.cjs "$@"; }
step() { printf '\n\033[1m$ kafkit %s\033[0m\n' "$*" >&2; }

port=${KAFKIT_DEMO_PORT:-9092}
state=${KAFKIT_LOCAL_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/kafkit/local}
step local start --port "$port"
bootstrap=$(kafkit local start --port "$port" --state-dir "$state")
export KAFKA_BOOTSTRAP_SERVERS=$bootstrap
if ! $keep; then trap 'kafkit local stop --state-dir "$state" >&2' EXIT; fi

step cluster describe
kafkit cluster describe

topic=demo.orders
# A fresh topic each run, so the output below is the same every time.
kafkit topics delete $topic --if-exists --yes >/dev/null
step topics create $topic --partitions 3
kafkit topics create $topic --partitions 3

step topics list
kafkit topics list

step "produce $topic --value-format json -K :"
printf '%s\n' \
  'order-1:{"id":1,"item":"coffee","qty":2}' \
  'order-2:{"id":2,"item":"tea","qty":1}' \
  'order-3:{"id":3,"item":"cake","qty":4}' |
  kafkit produce $topic --value-format json -K :

step "consume $topic -o beginning -e --output jsonl --value-format json"
kafkit consume $topic -o beginning -e --output jsonl --value-format json

step "consume $topic -g demo-readers -e -f 'partition %p offset %o: %k = %v\\n'"
kafkit consume $topic -g demo-readers -e -f 'partition %p offset %o: %k = %v\n'

step "lag demo-readers"
kafkit lag demo-readers

if $keep; then
  echo >&2
  echo "The broker keeps running at $bootstrap (state in $state). Stop it with: node bin/run.cjs local stop" >&2
fi
