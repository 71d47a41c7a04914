#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, into build-fuzz/) and runs each for a while
# from its corpus in tests/fuzz/corpus/<target>/. New inputs go to build-fuzz/inputs/<target>/,
# crashes to build-fuzz/crashes/<target>/; the committed corpus is only read, unless --merge.
#
#   tests/fuzz/run.sh                     every target for 5 s (what CTest runs)
#   tests/fuzz/run.sh --seconds 3600      an hour each (tools/reliability/fuzz-long.sh)
#   tests/fuzz/run.sh --merge             then fold the new inputs into the committed corpus
#   tests/fuzz/run.sh --seed-records      rewrite the event-record seeds from the demo plan
#   tests/fuzz/run.sh fuzz_http           one target
#
# Without clang++ and libFuzzer it prints "SKIPPED: …" and exits 0 (CTest reports a skip).
# KARTIBA_BUILD_JOBS (default 1) sets the build's parallelism: other builds share the machine.
# Figures (executions per target) go to build-fuzz/figures.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${KARTIBA_FUZZ_BUILD:-$root/build-fuzz}
seconds=5
merge=0
seed_records=0
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --merge) merge=1; shift ;;
    --seed-records) seed_records=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_command fuzz_event_record fuzz_http)

cxx=${CXX_FUZZ:-clang++}
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "SKIPPED: $cxx not found; the fuzz targets need clang with libFuzzer"
  exit 0
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' > "$probe/p.cpp"
if ! "$cxx" -fsanitize=fuzzer,address "$probe/p.cpp" -o "$probe/p" >/dev/null 2>&1; then
  echo "SKIPPED: $cxx cannot link -fsanitize=fuzzer (libclang_rt.fuzzer missing)"
  exit 0
fi

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
echo "== building ${targets[*]} in $build"
nice ninja -C "$build" -j "${KARTIBA_BUILD_JOBS:-1}" "${targets[@]}" | grep -vE '^\[[0-9]+/[0-9]+\] (Building|Linking)' || true
for t in "${targets[@]}"; do
  [[ -x "$build/$t" ]] || { echo "FAILED: $t was not built"; exit 1; }
done

if [[ $seed_records == 1 ]]; then
  dir="$root/tests/fuzz/corpus/fuzz_event_record"
  mkdir -p "$dir"
  KARTIBA_FUZZ_WRITE_RECORDS="$dir" "$build/fuzz_event_record" -runs=0 >/dev/null 2>&1 || true
  echo "event-record seeds: $(ls "$dir" | wc -l) in $dir"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
figures="{"
for t in "${targets[@]}"; do
  corpus="$root/tests/fuzz/corpus/$t"
  work="$build/inputs/$t"
  crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$work" "$crashes"
  dict=()
  case "$t" in
    fuzz_command) dict=(-dict="$root/tests/fuzz/command.dict") ;;
    fuzz_http) dict=(-dict="$root/tests/fuzz/http.dict") ;;
  esac
  log="$build/$t.log"
  echo "== $t: ${seconds}s from $(ls "$corpus" | wc -l) corpus inputs"
  set +e
  "$build/$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "${dict[@]}" "$work" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  echo "   $runs executions, coverage $cov, exit $rc"
  figures+="\"$t\":{\"executions\":$runs,\"seconds\":$seconds,\"coverage\":$cov,\"exit\":$rc},"
  if [[ $rc != 0 ]]; then
    status=1
    echo "FAILED: $t found a problem; the input is in $crashes/. Log:"
    grep -E 'ERROR|FUZZ FINDING|SUMMARY|runtime error|#[0-9]+ ' "$log" | head -40
  fi
  if [[ $merge == 1 ]]; then
    "$build/$t" -merge=1 "$corpus" "$work" >/dev/null 2>&1 || true
  fi
done
echo "${figures%,}}" > "$build/figures.json"
exit $status
