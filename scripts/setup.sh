#!/usr/bin/env bash
# One idempotent set-up step for a fresh machine, quick when nothing is missing:
#   1. Debian packages: the -dev libraries the Kafka client is built against, a compiler, Java and Maven
#   2. npm ci, building @confluentinc/kafka-javascript from source against those system libraries
#   3. kafkit's three native extensions (native/: admin, produce, consume), linked to the same librdkafka
#   4. the TypeScript build and the oclif manifest
#   5. a check that the built client has ssl, sasl (plain, scram, oauthbearer), zstd, lz4, snappy, gzip
# Option: --with-peers also installs the peers the tests and benchmarks compare with (kcat,
# hyperfine, zsh, tmux and fish for the completion tests, jq for bench/pipe.sh, and confluent-kafka / QuixStreams in a Python
# virtual environment).
# The Kafka jars come from Maven Central on the first `kafkit local start` (or test run), not here.
set -euo pipefail
cd "$(dirname "$0")/.."

with_peers=false
for arg in "$@"; do
  case "$arg" in
    --with-peers) with_peers=true ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'setup: %s\n' "$*" >&2; }

# ---- 1. Debian packages -------------------------------------------------------------------------
# openssl: the certificates of `local start --security` and the secured test broker.
required_packages=(libssl-dev libsasl2-dev libzstd-dev liblz4-dev zlib1g-dev libcurl4-openssl-dev g++ make python3 openssl)
command -v java >/dev/null 2>&1 || required_packages+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || required_packages+=(maven)
# zsh, tmux and fish: the completion tests drive real shells (test/integration/completion.test.ts);
# jq: the --exec transform of bench/pipe.sh.
if $with_peers; then required_packages+=(kcat hyperfine python3-venv zsh tmux fish jq); fi

missing=()
for pkg in "${required_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]]; then
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them as root: sudo apt-get install ${missing[*]}" >&2
    exit 9
  fi
fi

# ---- 2. npm dependencies, client library built from source --------------------------------------
# The library's prebuilt download and its static build both need hosts this machine cannot reach;
# CKJS_LINKING=dynamic builds the bundled librdkafka against the system libraries instead.
export CKJS_LINKING=dynamic
if [[ -d /usr/include/node ]]; then export npm_config_nodedir=/usr; fi

client_dir=node_modules/@confluentinc/kafka-javascript
stamp=node_modules/.kafkit-npm-stamp
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_hash" || ! -f $client_dir/build/Release/confluent-kafka-javascript.node ]]; then
  say "npm ci (builds the Kafka client from source, about 1.5 minutes)"
  npm ci --no-audit --no-fund >&2
  echo "$lock_hash" > "$stamp"
fi

# ---- 3. kafkit's native extensions -----------------------------------------------------------------
bash scripts/build-native.sh

# ---- 4. TypeScript build and oclif manifest -----------------------------------------------------
build_stamp=dist/.build-stamp
if [[ ! -f $build_stamp || -n $(find src package.json tsconfig.json tsconfig.build.json scripts/bundle.mjs -newer "$build_stamp" -print -quit) ]]; then
  say "building"
  npm run --silent build >&2
  touch "$build_stamp"
fi

# ---- 5. client features -------------------------------------------------------------------------
node -e '
const need = ["ssl", "sasl_plain", "sasl_scram", "sasl_oauthbearer", "zstd", "lz4", "snappy", "gzip"];
const have = require("@confluentinc/kafka-javascript").features;
const missing = need.filter((f) => !have.includes(f));
if (missing.length) {
  console.error("setup: the Kafka client was built without: " + missing.join(", ") + " (a -dev package was missing at build time; delete node_modules and run setup again)");
  process.exit(9);
}'

# ---- 6. Python peers (with --with-peers) --------------------------------------------------------
if $with_peers; then bash scripts/python-peers.sh >/dev/null; fi

say "ready: $(node bin/run.cjs --version)"
