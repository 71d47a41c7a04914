#!/usr/bin/env bash
# Longer run of the fuzz targets (docs/RELIABILITY.md, "Fuzzing"): each target for HOURS hours
# (default 1), one after the other, then the new inputs merged into tests/fuzz/corpus/ (commit
# them if they add coverage). Crashes land in build-fuzz/crashes/<target>/.
#
#   tools/reliability/fuzz-long.sh [HOURS] [target...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
hours=${1:-1}
shift || true
seconds=$(awk "BEGIN { printf \"%d\", $hours * 3600 }")
exec "$root/tests/fuzz/run.sh" --seconds "$seconds" --merge "$@"
