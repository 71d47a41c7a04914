#!/usr/bin/env bash
# ThreadSanitizer over the concurrency tests (docs/RELIABILITY.md, "Sanitizers"):
#   1. the engine's [concurrency] Catch2 cases (tests/reliability: many threads executing
#      commands on several plans with subscribers, retries racing, shutdown in flight, storage
#      faults under load);
#   2. kartiba-server under concurrent WebSocket clients (the concurrent-organisers and crash
#      suites, smaller), every ThreadSanitizer report of the server collected from its log files.
# Builds only reliability_tests and kartiba-server, in build-tsan/ (gcc, -fsanitize=thread).
#
#   tests/reliability/tsan.sh               both
#   tests/reliability/tsan.sh --engine      only the Catch2 cases
#
# KARTIBA_BUILD_JOBS (default 1) sets the build's parallelism: other builds share the machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${KARTIBA_TSAN_BUILD:-$root/build-tsan}
only_engine=0
[[ "${1:-}" == "--engine" ]] && only_engine=1

cxx=${CXX:-g++}
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'int main() { return 0; }' > "$probe/p.cpp"
if ! "$cxx" -fsanitize=thread "$probe/p.cpp" -o "$probe/p" >/dev/null 2>&1 || ! "$probe/p" >/dev/null 2>&1; then
  echo "SKIPPED: $cxx cannot build or run -fsanitize=thread programs here"
  exit 0
fi

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
    -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
    -DKARTIBA_BROWSER_TESTS=OFF -DKARTIBA_JEMALLOC=OFF >/dev/null
fi
targets=(reliability_tests)
[[ $only_engine == 1 ]] || targets+=(kartiba-server)
echo "== building ${targets[*]} in $build (ThreadSanitizer)"
# The log goes to a file (Boost.Asio's fences make GCC warn -Wtsan at length); shown on failure.
if ! nice ninja -C "$build" -j "${KARTIBA_BUILD_JOBS:-1}" "${targets[@]}" >"$build/build.log" 2>&1; then
  grep -E 'error|FAILED' "$build/build.log" | head -40
  echo "FAILED: the ThreadSanitizer build (log: $build/build.log)"
  exit 1
fi

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 ${TSAN_OPTIONS:-}"
echo "== engine: [concurrency] under ThreadSanitizer"
"$build/tests/reliability/reliability_tests" "[concurrency]" --durations no

[[ $only_engine == 1 ]] && exit 0
node=$(command -v node || true)
if [[ -z "$node" || ! -d "$root/tests/reliability/node_modules/ws" ]]; then
  echo "== server: skipped (node or tests/reliability/node_modules missing; tools/npm-install.sh)"
  exit 0
fi
echo "== server: concurrent WebSocket clients against kartiba-server under ThreadSanitizer"
reports="$build/tsan-server"
rm -rf "$reports"
mkdir -p "$reports"
# Every report of every server process goes to a file; the suites run on.
export TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 history_size=4 log_path=$reports/report"
(cd "$root/tests/reliability" &&
  KARTIBA_SERVER="$build/server/kartiba-server" RELIABILITY_ORGANISERS=8 RELIABILITY_COMMANDS=25 RELIABILITY_KILLS=2 \
    RELIABILITY_CLIENTS=4 "$node" --test --test-concurrency=1 --test-reporter=dot concurrent.test.mjs crash.test.mjs authz.test.mjs)
if compgen -G "$reports/report*" >/dev/null; then
  echo "FAILED: ThreadSanitizer reports from kartiba-server:"
  for f in "$reports"/report*; do echo "--- $f"; head -60 "$f"; done
  exit 1
fi
echo "no ThreadSanitizer reports"
