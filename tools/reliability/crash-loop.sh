#!/usr/bin/env bash
# Longer run of crash safety (docs/RELIABILITY.md): hundreds of SIGKILLs of a real server under
# load from several WebSocket clients, each restart checked as tests/reliability/crash.test.mjs
# does (acknowledged commands exactly once, hash chains, views equal a fresh replay, resume
# with `from` sees every event once).
#
#   tools/reliability/crash-loop.sh [KILLS] [ROUNDS]
#       KILLS per round (default 100), ROUNDS of them (default 3), each round a fresh data
#       directory and seed. Figures are appended to build/reliability-figures.jsonl.
# KARTIBA_SERVER / KARTIBA_CLI choose the binaries (default: build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
kills=${1:-100}
rounds=${2:-3}
figures=${RELIABILITY_FIGURES:-$root/build/reliability-figures.jsonl}
export KARTIBA_SERVER=${KARTIBA_SERVER:-$root/build/server/kartiba-server}
export KARTIBA_CLI=${KARTIBA_CLI:-$root/build/clients/cli/kartiba}
export RELIABILITY_FIGURES=$figures
"$root/tools/npm-install.sh"
start=$(date +%s)
for ((r = 1; r <= rounds; r++)); do
  echo "== round $r of $rounds: $kills kills"
  (cd "$root/tests/reliability" && RELIABILITY_KILLS=$kills node --test --test-reporter=spec crash.test.mjs)
done
echo "== $((rounds * kills)) kills survived in $(( $(date +%s) - start )) s; figures in $figures"
