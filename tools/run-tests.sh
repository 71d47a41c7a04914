#!/usr/bin/env bash
# Quick start 2: installs what is missing, builds, and runs every test suite:
#   1. the release build's CTest suite (engine, server, CLI, tools, browser tests);
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer.
# Each suite prints CTest's summary; the script exits non-zero if any test fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup-deps.sh" --tests
"$root/tools/npm-install.sh"

jobs=$(nproc)
status=0

echo "== release build"
"$root/tools/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure -j "$jobs" --timeout 600) || status=1

echo "== ASan + UBSan build"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
BUILD_TYPE=Debug "$root/tools/build.sh" "$root/build-asan" -DKARTIBA_SANITIZE=ON -DKARTIBA_BROWSER_TESTS=OFF
(cd "$root/build-asan" && ctest --output-on-failure -j "$jobs" --timeout 900) || status=1

exit $status
