#!/usr/bin/env bash
# Checks what building kafkit needs, and names what is missing (exit 9):
#   (default)  the Debian packages: the -dev libraries the Kafka client is built against
#              (from source, CKJS_LINKING=dynamic), a C/C++ compiler, make and python3 (node-gyp).
#              Run as the package's preinstall step, before the client's long build; skipped
#              where there is no dpkg.
#   --client   the built Kafka client: each feature kafkit relies on, and the -dev package that
#              provides it when it is missing (the client's build leaves a feature out silently).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'kafkit: %s\n' "$*" >&2; }

case "${1:-}" in
  "")
    command -v dpkg-query >/dev/null 2>&1 || exit 0
    missing=()
    for pkg in libssl-dev libsasl2-dev libzstd-dev liblz4-dev zlib1g-dev libcurl4-openssl-dev g++ make python3; do
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    if ((${#missing[@]} > 0)); then
      say "cannot build: missing Debian packages: ${missing[*]}"
      say "install them, then install kafkit again: sudo apt-get install ${missing[*]}"
      exit 9
    fi
    ;;
  --client)
    # feature:package pairs (snappy, sasl_plain and sasl_oauthbearer are built in).
    node -e '
const need = {ssl: "libssl-dev", sasl_scram: "libssl-dev", sasl_gssapi: "libsasl2-dev", zstd: "libzstd-dev", lz4: "liblz4-dev", gzip: "zlib1g-dev", oidc: "libcurl4-openssl-dev", snappy: null, sasl_plain: null, sasl_oauthbearer: null};
let have;
try { have = require("@confluentinc/kafka-javascript").features } catch (e) {
  console.error("kafkit: the Kafka client (@confluentinc/kafka-javascript) does not load: " + String(e.message).split("\n")[0]);
  process.exit(9);
}
const missing = Object.keys(need).filter((f) => !have.includes(f));
if (missing.length) {
  const pkgs = [...new Set(missing.map((f) => need[f]).filter(Boolean))];
  console.error("kafkit: the Kafka client was built without: " + missing.join(", ") + (pkgs.length ? " (missing Debian packages: " + pkgs.join(" ") + ")" : ""));
  console.error("kafkit: install " + (pkgs.length ? "them (sudo apt-get install " + pkgs.join(" ") + ")" : "what it needs") + ", then install kafkit again (CKJS_LINKING=dynamic npm install -g kafkit)");
  process.exit(9);
}'
    ;;
  *) say "check-build-deps: unknown option $1"; exit 2 ;;
esac
