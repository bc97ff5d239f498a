#!/usr/bin/env bash
# Builds kafkit's three native extensions (native/ -> native/build/Release/kafkit_{admin,produce,
# consume}.node), linked to the librdkafka.so that @confluentinc/kafka-javascript built (never the
# system one). The client is found through Node's module resolution: in a checkout it is in
# node_modules, in an installed package beside or inside kafkit's folder.
# Idempotent: does nothing when the .node files are newer than their sources and than that librdkafka.
# Options: --force rebuilds anyway.
#          --install is the package's install step (npm install -g kafkit): when the client came
#          prebuilt (statically linked, without its librdkafka.so and headers), it is rebuilt from
#          source first (CKJS_LINKING=dynamic), and its features are checked.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'build-native: %s\n' "$*" >&2; }

force=false
install=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    --install) install=true ;;
    *) say "unknown option $arg"; exit 2 ;;
  esac
done

names=(kafkit_admin kafkit_produce kafkit_consume)
addons=()
for name in "${names[@]}"; do addons+=("native/build/Release/$name.node"); done

client_dir=$(node -p "require('path').dirname(require.resolve('@confluentinc/kafka-javascript/package.json'))" 2>/dev/null) || {
  say "@confluentinc/kafka-javascript is not installed: run npm ci first"
  exit 9
}
deps_dir=$client_dir/build/deps

# node-gyp: kafkit's own (a devDependency, in a checkout), else the one npm runs install steps with.
node_gyp=$(node -p "require.resolve('node-gyp/bin/node-gyp.js')" 2>/dev/null) ||
  node_gyp=${npm_config_node_gyp:-}
if [[ -z "$node_gyp" ]]; then
  npm_cli=$(readlink -f "$(command -v npm 2>/dev/null || echo /nonexistent)" 2>/dev/null || true)
  candidate=$(dirname "$(dirname "$npm_cli")")/node_modules/node-gyp/bin/node-gyp.js
  if [[ -f "$candidate" ]]; then node_gyp=$candidate; fi
fi
if [[ -z "$node_gyp" || ! -f "$node_gyp" ]]; then
  say "node-gyp is not available: in a checkout run npm ci; otherwise install kafkit with npm, which brings it"
  exit 9
fi

# Node's own headers when they are installed (no download): those of the running node's prefix.
gyp_args=()
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [[ -z "${npm_config_nodedir:-}" && -f "$node_prefix/include/node/node_api.h" ]]; then gyp_args+=(--nodedir="$node_prefix"); fi

log=$(mktemp "${TMPDIR:-/tmp}/kafkit-build-native.XXXXXX")
trap 'rm -f "$log"' EXIT

run_logged() {
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    return 1
  fi
}

if $install && [[ ! -f "$deps_dir/librdkafka.so" || ! -f "$deps_dir/include/librdkafka/rdkafka.h" ]]; then
  say "the Kafka client came prebuilt; building it from source against the system libraries (CKJS_LINKING=dynamic, a few minutes)"
  if ! (cd "$client_dir" && export CKJS_LINKING=dynamic && run_logged node "$node_gyp" rebuild "${gyp_args[@]}"); then
    say "building the Kafka client failed (see above)"
    exit 1
  fi
fi
if $install; then bash scripts/check-build-deps.sh --client; fi

librdkafka=$(readlink -f "$deps_dir/librdkafka.so" 2>/dev/null || true)
if [[ -z "$librdkafka" || ! -f "$librdkafka" || ! -f "$deps_dir/include/librdkafka/rdkafka.h" ]]; then
  say "no librdkafka.so / rdkafka.h under $deps_dir: the client library was not built from source"
  say "rebuild it with: CKJS_LINKING=dynamic npm rebuild @confluentinc/kafka-javascript"
  exit 9
fi

needs_build() {
  $force && return 0
  local addon f
  for addon in "${addons[@]}"; do
    [[ -f "$addon" ]] || return 0
    for f in native/binding.gyp native/src/* "$librdkafka" "$deps_dir/include/librdkafka/rdkafka.h"; do
      [[ "$f" -nt "$addon" ]] && return 0
    done
  done
  return 1
}

if ! needs_build; then
  say "up to date (native/build/Release)"
  exit 0
fi

start=$(date +%s)
say "building ${names[*]} against $librdkafka"
if ! run_logged node "$node_gyp" rebuild --directory native "${gyp_args[@]}"; then
  say "build failed"
  exit 1
fi
touch "${addons[@]}"

# Load each once: proves it finds the right librdkafka at run time (the runpath is relative).
for addon in "${addons[@]}"; do
  if ! version=$(node -e "console.log(require('./$addon').versions().librdkafka)" 2>&1); then
    printf '%s\n' "$version" >&2
    say "the built $addon does not load"
    exit 1
  fi
done
say "built in $(($(date +%s) - start))s, running on librdkafka $version"
