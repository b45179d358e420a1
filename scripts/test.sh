#!/usr/bin/env bash
# test.sh — the whole vnpu test: install, build, and pass every test.
#
#   ./scripts/test.sh                 # every step below, in order
#   ./scripts/test.sh build test cli  # only the named steps
#
# Steps:
#   deps      scripts/install-deps.sh (installs only what is missing)
#   build     release preset: library, tests and the vnpu CLI
#   test      ctest on the release build
#   consumer  cmake --install into build/stage, then build and run examples/consumer
#             against it with find_package(vnpu CONFIG)
#   cli       vnpu info / demo / bench runtime / bench reduce with --json; each output must parse as JSON;
#             vnpu report of the demo's trace (table, --json, -o HTML)
#   browser   the profiler's HTML report rendered by headless Chromium: DOM/SVG checks, no
#             console errors, a screenshot (build/browser/report.png)
#   tsan      tsan preset (library + tests), ctest -L 'runtime|kernel' under ThreadSanitizer, then
#             the runtime and kernel suites again with the profiler on (VNPU_PROFILE), traces checked
#   asan      asan preset (library + tests), ctest under AddressSanitizer + UBSan + LSan
#   fuzz      fuzz/ built with clang (libFuzzer + ASan + UBSan) into build/fuzz; npy_fuzz runs
#             for VNPU_FUZZ_SECONDS (default 60) from a generated seed corpus; any crash fails
#
# A failing step does not stop the later ones. The last line is "N passed, N failed";
# the exit status is 0 only if every step passed. Builds use -j2 (CI has 2 cores).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

JOBS=2
CTEST_TIMEOUT=300  # seconds per test without its own TIMEOUT property: a hang fails, fast
CLI=build/release/tools/cli/vnpu

ALL_STEPS=(deps build test consumer cli browser tsan asan fuzz)
declare -A DESCRIPTION=(
  [deps]="install missing packages"
  [build]="release build (library, tests, CLI)"
  [test]="ctest, release build"
  [consumer]="install to build/stage, build and run examples/consumer"
  [cli]="vnpu info/demo/bench runtime/bench reduce --json smoke run"
  [browser]="profiler report in headless Chromium (DOM checks + screenshot)"
  [tsan]="ThreadSanitizer build + ctest -L 'runtime|kernel'"
  [asan]="AddressSanitizer + UBSan build + ctest"
  [fuzz]="libFuzzer run of the .npy reader (clang, ASan + UBSan)"
)

step_deps() {
  ./scripts/install-deps.sh
}

step_build() {
  cmake --preset release
  cmake --build --preset release -j"$JOBS"
}

step_test() {
  ctest --test-dir build/release --output-on-failure -j"$JOBS" \
    --timeout "$CTEST_TIMEOUT" --no-tests=error
}

step_consumer() {
  rm -rf build/stage build/consumer
  cmake --install build/release --prefix build/stage
  cmake -S examples/consumer -B build/consumer -G Ninja \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$ROOT/build/stage"
  cmake --build build/consumer -j"$JOBS"
  build/consumer/consumer
}

# Runs `vnpu ARGS... --json`, shows the head of its output and checks that it is JSON.
cli_json() {
  local out
  out="build/smoke/$(echo "$*" | tr ' /' '__').json"
  echo "\$ vnpu $* --json"
  local rc=0
  timeout 120 "$CLI" "$@" --json >"$out" || rc=$?
  if ((rc == 124)); then echo "vnpu $* --json: timed out after 120 s" >&2; fi
  if ((rc != 0)); then return "$rc"; fi
  head -c 600 "$out"
  echo
  python3 -c 'import json,sys; json.load(sys.stdin)' <"$out"
  echo "-> valid JSON ($(wc -c <"$out") bytes, $out)"
}

step_cli() {
  mkdir -p build/smoke
  cli_json info
  cli_json demo --trace build/smoke/demo.trace.json --report build/smoke/demo.report.html
  cli_json report build/smoke/demo.trace.json
  echo "\$ vnpu report build/smoke/demo.trace.json"
  "$CLI" report build/smoke/demo.trace.json
  cli_json bench runtime
  cli_json bench reduce
}

step_browser() {
  python3 tests/profiler/browser_test.py --vnpu "$CLI" --out build/browser
}

step_tsan() {
  cmake --preset tsan
  cmake --build --preset tsan -j"$JOBS"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build/tsan -L 'runtime|kernel' --output-on-failure -j"$JOBS" \
    --timeout "$CTEST_TIMEOUT" --no-tests=error
  profiled_suites build/tsan TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
}

# Runs the runtime and kernel suites of build dir $1 with the profiler recording every task
# (VNPU_PROFILE), the sanitizer options $2 set, then checks each trace (tests/profiler/check_trace.py).
profiled_suites() {
  local dir=$1 options=$2 suite
  for suite in runtime kernel; do
    echo "\$ VNPU_PROFILE=$dir/profile-$suite.json $dir/tests/vnpu_${suite}_tests"
    env "$options" VNPU_PROFILE="$dir/profile-$suite.json" timeout 900 "$dir/tests/vnpu_${suite}_tests" --gtest_brief=1
    python3 tests/profiler/check_trace.py "$dir/profile-$suite.json" --min-spans 1000
  done
}

step_asan() {
  cmake --preset asan
  cmake --build --preset asan -j"$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure -j"$JOBS" \
    --timeout "$CTEST_TIMEOUT" --no-tests=error
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 profiled_suites build/asan UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
}

# Builds the libFuzzer targets with clang and fuzzes the .npy reader for a bounded time.
# libFuzzer exits non-zero on a crash, a sanitizer report or a timeout; the input that
# caused it is kept in build/fuzz/artifacts/ (replay: build/fuzz/npy_fuzz FILE).
step_fuzz() {
  local dir=build/fuzz seconds=${VNPU_FUZZ_SECONDS:-60}
  cmake -S fuzz -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++
  cmake --build "$dir" -j"$JOBS"
  rm -rf "$dir/seeds" "$dir/corpus" "$dir/artifacts"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  python3 fuzz/make_corpus.py "$dir/seeds"
  echo "\$ npy_fuzz for ${seconds} s (log: $dir/fuzz.log)"
  local rc=0
  timeout $((seconds + 120)) "$dir/npy_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=12288 -dict=fuzz/npy.dict -artifact_prefix="$dir/artifacts/" -print_final_stats=1 \
    "$dir/corpus" "$dir/seeds" >"$dir/fuzz.log" 2>&1 || rc=$?
  if ((rc != 0)); then
    tail -n 60 "$dir/fuzz.log"
    echo "npy_fuzz failed (exit $rc); inputs: $(ls "$dir/artifacts")" >&2
    return 1
  fi
  grep -E '^(Done|stat::)' "$dir/fuzz.log"
}

if (($# > 0)); then
  steps=("$@")
  for s in "${steps[@]}"; do
    if [[ -z "${DESCRIPTION[$s]+x}" ]]; then
      echo "test.sh: unknown step '$s' (steps: ${ALL_STEPS[*]})" >&2
      exit 2
    fi
  done
else
  steps=("${ALL_STEPS[@]}")
fi

START=$SECONDS
passed=()
failed=()
declare -A result=()

for s in "${steps[@]}"; do
  printf '\n======== [%s] %s (t=%ds)\n' "$s" "${DESCRIPTION[$s]}" "$((SECONDS - START))"
  t0=$SECONDS
  # consumer and cli use the release build: report them failed, not confusingly broken.
  if [[ ("$s" == consumer || "$s" == cli || "$s" == browser) && "${result[build]:-}" == failed ]]; then
    echo "skipped: needs the release build, which failed"
    rc=1
  else
    # A subshell with its own errexit: the first failing command ends the step only.
    set +e
    (
      set -e
      "step_$s"
    )
    rc=$?
    set -e
  fi
  dt=$((SECONDS - t0))
  if ((rc == 0)); then
    passed+=("$s")
    result[$s]=passed
    printf '======== [%s] PASSED in %ds\n' "$s" "$dt"
  else
    failed+=("$s")
    result[$s]=failed
    printf '======== [%s] FAILED (exit %d) in %ds\n' "$s" "$rc" "$dt"
  fi
done

echo
echo "steps passed: ${passed[*]:-none}"
echo "steps failed: ${failed[*]:-none}"
echo "total time: $((SECONDS - START))s"
echo "${#passed[@]} passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
