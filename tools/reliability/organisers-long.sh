#!/usr/bin/env bash
# Longer run of concurrent organisers (docs/RELIABILITY.md): ROUNDS runs of
# tests/reliability/concurrent.test.mjs, each with ORGANISERS clients × COMMANDS commands and a
# new seed; every conflict checked against the log, every subscriber against the log.
#
#   tools/reliability/organisers-long.sh [ROUNDS] [ORGANISERS] [COMMANDS]   (default 20 32 100)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-20}
export RELIABILITY_ORGANISERS=${2:-32}
export RELIABILITY_COMMANDS=${3:-100}
export KARTIBA_SERVER=${KARTIBA_SERVER:-$root/build/server/kartiba-server}
export RELIABILITY_FIGURES=${RELIABILITY_FIGURES:-$root/build/reliability-figures.jsonl}
"$root/tools/npm-install.sh"
for ((r = 1; r <= rounds; r++)); do
  echo "== round $r of $rounds"
  (cd "$root/tests/reliability" && node --test --test-reporter=dot concurrent.test.mjs)
done
