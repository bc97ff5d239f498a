#!/usr/bin/env bash
# Builds kafkit's native admin extension (native/ -> native/build/Release/kafkit_admin.node),
# linked to the librdkafka.so that @confluentinc/kafka-javascript built (never the system one).
# Idempotent: does nothing when the .node file is newer than its sources and than that librdkafka.
# Options: --force rebuilds anyway.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'build-native: %s\n' "$*" >&2; }

force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    *) say "unknown option $arg"; exit 2 ;;
  esac
done

addon=native/build/Release/kafkit_admin.node
# The produce hot loop (native/src/kafkit_produce.c), a second target of the same binding.gyp.
produce_addon=native/build/Release/kafkit_produce.node
# The consume hot loop (native/src/kafkit_consume.c), a third target of the same binding.gyp.
consume_addon=native/build/Release/kafkit_consume.node

deps_dir=$(node -p "require('path').join(require('path').dirname(require.resolve('@confluentinc/kafka-javascript/package.json')), 'build', 'deps')" 2>/dev/null) || {
  say "@confluentinc/kafka-javascript is not installed: run npm ci first"
  exit 9
}
librdkafka=$(readlink -f "$deps_dir/librdkafka.so" 2>/dev/null || true)
if [[ -z "$librdkafka" || ! -f "$librdkafka" || ! -f "$deps_dir/include/librdkafka/rdkafka.h" ]]; then
  say "no librdkafka.so / rdkafka.h under $deps_dir: the client library was not built from source"
  say "rebuild it with: CKJS_LINKING=dynamic npm rebuild @confluentinc/kafka-javascript"
  exit 9
fi

needs_build() {
  $force && return 0
  [[ -f "$addon" && -f "$produce_addon" && -f "$consume_addon" ]] || return 0
  local f
  for f in native/binding.gyp native/src/* "$librdkafka" "$deps_dir/include/librdkafka/rdkafka.h"; do
    [[ "$f" -nt "$addon" || "$f" -nt "$produce_addon" || "$f" -nt "$consume_addon" ]] && return 0
  done
  return 1
}

if ! needs_build; then
  say "up to date ($addon)"
  exit 0
fi

gyp_args=(rebuild --directory native)
# Use the installed Node headers instead of downloading them.
if [[ -d /usr/include/node ]]; then gyp_args+=(--nodedir=/usr); fi

node_gyp=$(node -p "require.resolve('node-gyp/bin/node-gyp.js')" 2>/dev/null) || {
  say "node-gyp is not installed (a devDependency): run npm ci first"
  exit 9
}

log=$(mktemp "${TMPDIR:-/tmp}/kafkit-build-native.XXXXXX")
trap 'rm -f "$log"' EXIT
start=$(date +%s)
say "building $addon against $librdkafka"
if ! node "$node_gyp" "${gyp_args[@]}" >"$log" 2>&1; then
  cat "$log" >&2
  say "build failed"
  exit 1
fi
touch "$addon" "$produce_addon" "$consume_addon"

# Load it once: proves it finds the right librdkafka at run time (the runpath is relative).
if ! versions=$(node -e "const v = require('./$addon').versions(); console.log(v.librdkafka)" 2>&1); then
  printf '%s\n' "$versions" >&2
  say "the built extension does not load"
  exit 1
fi
if ! produce_versions=$(node -e "console.log(require('./$produce_addon').versions().librdkafka)" 2>&1); then
  printf '%s\n' "$produce_versions" >&2
  say "the built produce extension does not load"
  exit 1
fi
if ! consume_versions=$(node -e "console.log(require('./$consume_addon').versions().librdkafka)" 2>&1); then
  printf '%s\n' "$consume_versions" >&2
  say "the built consume extension does not load"
  exit 1
fi
say "built in $(($(date +%s) - start))s, running on librdkafka $versions"
