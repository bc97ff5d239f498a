#!/usr/bin/env bash
# Installs the Python peers the interop tests compare with (confluent-kafka, QuixStreams) into a
# virtual environment of their own, from PyPI, pinned in test/python/requirements.txt. Idempotent:
# nothing happens when the environment already holds exactly those pins. Prints the environment's
# python on stdout.
#
#   bash scripts/python-peers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'python-peers: %s\n' "$*" >&2; }
requirements=test/python/requirements.txt
# One environment per set of pins: checkouts with different pins (branches, worktrees) no longer
# reinstall each other's.
pins=$(sha256sum "$requirements" | cut -c1-12)
venv=${KAFKIT_PYTHON_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/kafkit/python-peers-$pins}
stamp=$venv/.requirements
python=${PYTHON:-python3}

if [[ -x $venv/bin/python && -f $stamp ]] && cmp -s "$stamp" "$requirements"; then
  echo "$venv/bin/python"
  exit 0
fi
command -v "$python" >/dev/null || { say "python3 is missing (apt-get install python3 python3-venv)"; exit 9; }
say "installing $(grep -v '^#' "$requirements" | tr '\n' ' ')into $venv"
rm -rf "$venv"
if ! "$python" -m venv "$venv" >&2; then
  say "python3 cannot create a virtual environment (apt-get install python3-venv)"
  exit 9
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
cp "$requirements" "$stamp"
echo "$venv/bin/python"
