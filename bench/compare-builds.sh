#!/usr/bin/env bash
# Two builds of kafkit side by side (e.g. before and after a refactor), on one running broker:
# produce 1,000,000 records of 100 bytes from a file, consume them back (-e, the native loop;
# --output jsonl; and in a group with -g). hyperfine alternates nothing itself, so each pair runs
# back to back and the ratio of the pair is what to read, not the absolute times.
#
#   bash bench/compare-builds.sh OLD_CHECKOUT NEW_CHECKOUT [BOOTSTRAP]
#
# Each checkout must be built (npm run build; bash scripts/build-native.sh). An old commit can be
# checked out with: git worktree add --detach /tmp/kafkit-old REV, then linking node_modules.
# BOOTSTRAP defaults to localhost:9092 (kafkit local start).
set -euo pipefail
old=${1:?usage: compare-builds.sh OLD_CHECKOUT NEW_CHECKOUT [BOOTSTRAP]}
new=${2:?usage: compare-builds.sh OLD_CHECKOUT NEW_CHECKOUT [BOOTSTRAP]}
bootstrap=${3:-localhost:9092}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c "
with open('$work/records.txt', 'w') as f:
    for i in range(1_000_000): f.write('r%09d-' % i + 'x' * 89 + '\n')"
suffix=$(date +%s)
kafkit() { node "$new/bin/run.cjs" "$@"; }
kafkit topics create "cmp-produce-$suffix" --partitions 6 -b "$bootstrap" >/dev/null
kafkit topics create "cmp-consume-$suffix" --partitions 6 -b "$bootstrap" >/dev/null
kafkit produce "cmp-consume-$suffix" --file "$work/records.txt" -b "$bootstrap" 2>/dev/null

pair() {
  hyperfine -S bash --warmup 1 --runs "${RUNS:-8}" -n old "$1" -n new "$2" 2>&1 | grep -E 'Time|faster|Benchmark'
}
for mode in produce consume jsonl group; do
  cmd() {
    case "$mode" in
      produce) echo "node $1/bin/run.cjs produce cmp-produce-$suffix --file $work/records.txt -b $bootstrap" ;;
      consume) echo "node $1/bin/run.cjs consume cmp-consume-$suffix -e -b $bootstrap >/dev/null" ;;
      jsonl) echo "node $1/bin/run.cjs consume cmp-consume-$suffix -e --output jsonl -b $bootstrap >/dev/null" ;;
      group) echo "node $1/bin/run.cjs consume cmp-consume-$suffix -g cmp-\$(date +%s%N) -o beginning -c 1000000 -b $bootstrap >/dev/null" ;;
    esac
  }
  echo "== $mode"
  pair "$(cmd "$old")" "$(cmd "$new")"
  for side in old new; do
    dir=$old; [[ $side == new ]] && dir=$new
    /usr/bin/time -f "$side peak RSS %M KB" bash -c "$(cmd "$dir")" 2>&1 | grep 'peak RSS'
  done
done
kafkit topics delete "cmp-produce-$suffix" "cmp-consume-$suffix" --yes -b "$bootstrap" >/dev/null
