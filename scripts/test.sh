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
#             against it with find_package(vnpu CONFIG) (vnpu::vnpu and vnpu::ascendcl)
#   capi      cmake --install into build/stage; check libascendcl.so's SONAME and exports (the C
#             API and the Ascend C layer, nothing else); build
#             examples/acl/*.c, the C99 header check and the tests/capi conformance suite with
#             cc against the installed headers and library (pkg-config ascendcl), and run them
#   hccl      cmake --install into build/stage; build examples/hccl/allreduce.c with mpicc against the
#             installed headers and libraries (pkg-config hccl) and run it under mpirun -np 2 and
#             -np 4; then the collectives suite (tests/hccl) with one rank on each of two hosts —
#             network namespaces joined by a veth pair, MPI over TCP (tests/net/two_hosts.sh) —
#             whose results must be the same bits as with both ranks on one host
#   toolkit   cmake --install into build/stage, copied elsewhere with cp -a (the prefix is
#             relocatable); in a clean shell that only sources <copy>/set_env.sh, build
#             examples/samples/* with their own CMakeLists.txt (toolkit from INSTALL_DIR /
#             DDK_PATH / NPU_HOST_LIB) and memory_events once more with a plain g++ line, and run them
#   ascendc   cmake --install into build/ascendc/prefix; in a clean shell that only sources its
#             set_env.sh, build examples/ascendc (Ascend C kernels in CPU mode, the sample-style
#             CMake with find_package(tikicpulib)) for Ascend910B1 and run the four programs,
#             then again for Ascend910B3 with CMAKE_PREFIX_PATH unset (the package found under
#             tools/tikicpulib, as CANN has it; 40 blocks instead of 48), then in NPU mode
#             with the project's run.sh (ascendc_library from the toolkit's ascendc.cmake,
#             generated launchers, <<<>>>, kernels queued on AscendCL streams)
#   cli       vnpu info / demo / bench runtime / bench reduce / bench softmax / bench norm /
#             bench ascendc with --json; each output must parse as JSON (softmax, norm and
#             ascendc with --reps 1, to stay quick);
#             vnpu report of the demo's trace (table, --json, -o HTML)
#   browser   the profiler's HTML report rendered by headless Chromium: DOM/SVG checks, no
#             console errors, a screenshot (build/browser/report.png)
#   tsan      tsan preset (library + tests; SIMD kernels for the baseline target only, and of the
#             operator suite only its synchronous forms), ctest -L 'runtime|kernel|capi|comm' under
#             ThreadSanitizer, then the runtime and kernel suites again with the profiler on
#             (VNPU_PROFILE), traces checked
#   asan      asan preset (library + tests; SIMD kernels at -O1 for every target but SSE4), ctest
#             under AddressSanitizer + UBSan + LSan
#   fuzz      fuzz/ built with clang (libFuzzer + ASan + UBSan) into build/fuzz; npy_fuzz runs
#             for VNPU_FUZZ_SECONDS (default 45) from a generated seed corpus, then acl_fuzz
#             (random C API call sequences) as long; any crash, leak or hang fails
#
# A failing step does not stop the later ones. The last line is "N passed, N failed";
# the exit status is 0 only if every step passed. Builds use -j2 (CI has 2 cores).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

JOBS=2
CTEST_TIMEOUT=300  # seconds per test without its own TIMEOUT property: a hang fails, fast
CLI=build/release/tools/cli/vnpu

ALL_STEPS=(deps build test consumer capi hccl toolkit ascendc cli browser tsan asan fuzz)
declare -A DESCRIPTION=(
  [deps]="install missing packages"
  [build]="release build (library, tests, CLI)"
  [test]="ctest, release build"
  [consumer]="install to build/stage, build and run examples/consumer"
  [capi]="C API: install, exports, examples/acl and the conformance suite built with cc"
  [hccl]="HCCL: the example under mpirun -np 2/4 from the installed toolkit, and the collectives across two hosts (netns, TCP)"
  [toolkit]="install as a CANN toolkit path: examples/samples built with their own CMake after set_env.sh"
  [ascendc]="Ascend C kernels: examples/ascendc built in CPU mode (two SoCs) and NPU mode, and run"
  [cli]="vnpu info/demo/report/bench runtime/reduce/softmax/norm/ascendc --json smoke run"
  [browser]="profiler report in headless Chromium (DOM checks + screenshot)"
  [tsan]="ThreadSanitizer build + ctest -L 'runtime|kernel|capi|comm', then profiled runtime/kernel suites"
  [asan]="AddressSanitizer + UBSan build + ctest"
  [fuzz]="libFuzzer runs of the .npy reader and the C API (clang, ASan + UBSan)"
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
  build/consumer/acl_consumer
}

# The C API as a user sees it: only the installed tree, a C compiler and pkg-config.
step_capi() {
  local stage=$ROOT/build/stage out=build/capi
  rm -rf "$stage" "$out"
  mkdir -p "$out"
  cmake --install build/release --prefix "$stage" >/dev/null
  local lib
  lib=$(dirname "$(find "$stage" -name 'libascendcl.so' | head -n 1)")
  echo "\$ readelf -d libascendcl.so | grep SONAME"
  readelf -d "$lib/libascendcl.so" | grep SONAME
  # Only the APIs are exported: the C API (acl*, vnpu<Upper>*) and the Ascend C layer's
  # out-of-line functions (AscendC::, vnpu::ascendc::, platform_ascendc::, g_coreType) —
  # nothing of the C++ runtime inside.
  local exported foreign
  exported=$(nm -D --defined-only "$lib/libascendcl.so" | awk '{print $3}')
  foreign=$(c++filt <<<"$exported" |
    grep -Ev '^(acl|vnpu[A-Z])|^(AscendC|vnpu::ascendc|platform_ascendc)::|^g_coreType$' || true)
  echo "exported symbols: $(wc -l <<<"$exported")"
  if [[ -n "$foreign" ]]; then
    echo "libascendcl.so exports symbols outside the API:" >&2
    echo "$foreign" >&2
    return 1
  fi
  export PKG_CONFIG_PATH="$lib/pkgconfig"
  local cflags libs rpath=(-Wl,-rpath,"$lib")
  cflags=$(pkg-config --cflags ascendcl)
  libs=$(pkg-config --libs ascendcl)
  echo "\$ pkg-config --cflags --libs ascendcl: $cflags $libs"
  local warn=(-Wall -Wextra -pedantic -Werror)
  # shellcheck disable=SC2086
  cc -std=c99 "${warn[@]}" $cflags -c tests/capi/header_c99.c -o "$out/header_c99.o"
  for ex in async_pipeline multi_stream callback; do
    # shellcheck disable=SC2086
    cc -std=c11 "${warn[@]}" examples/acl/$ex.c $cflags $libs "${rpath[@]}" -lpthread -lm -o "$out/$ex"
    echo "\$ $ex"
    timeout 120 "$out/$ex"
    echo "\$ vnpu check -- $ex (a correct program: no findings)"
    timeout 120 "$stage/bin/vnpu" check -- "$out/$ex" | tail -n 20
  done
  # an existing C++ program builds with the documented g++ line
  g++ -x c++ examples/acl/async_pipeline.c -I"$stage/include" -L"$lib" -lascendcl "${rpath[@]}" -o "$out/async_pipeline_cxx"
  timeout 120 "$out/async_pipeline_cxx"
  local defs=()
  if grep -qx vnpuSoftmax <<<"$exported"; then defs+=(-DVNPU_CAPI_TEST_SOFTMAX tests/capi/test_softmax.c); fi
  if grep -qx vnpuLayerNorm <<<"$exported"; then defs+=(-DVNPU_CAPI_TEST_NORM tests/capi/test_norm.c); fi
  # shellcheck disable=SC2086
  cc -std=c11 "${warn[@]}" tests/capi/harness.c tests/capi/test_{callback,device,hostile,init,kernel,memory,porting,stream,stress}.c \
    "${defs[@]}" $cflags $libs "${rpath[@]}" -lpthread -lm -o "$out/acl_conformance"
  timeout 600 "$out/acl_conformance" | tail -n 1
  # shellcheck disable=SC2086
  cc -std=c11 "${warn[@]}" tests/capi/exit_without_finalize.c $cflags $libs "${rpath[@]}" -lpthread \
    -o "$out/exit_without_finalize"
  timeout 60 "$out/exit_without_finalize" return
  timeout 60 "$out/exit_without_finalize" exit
  echo "exit without aclFinalize: clean"
}

# AscendCL programs built the way Ascend samples are: the toolkit path is all they know.
step_toolkit() {
  local stage=$ROOT/build/stage out=$ROOT/build/toolkit
  rm -rf "$stage" "$out"
  mkdir -p "$out"
  cmake --install build/release --prefix "$stage" >/dev/null
  cp -a "$stage" "$out/prefix"
  echo "\$ the toolkit layout's links in a copy of build/stage (cmake/toolkit.cmake)"
  (cd "$out/prefix" && find . -type l -not -name 'libascendcl.so.*' -printf '%P -> %l\n' | sort)
  # A clean environment: nothing but what set_env.sh exports points at the install.
  env -i HOME="$HOME" PATH=/usr/local/bin:/usr/bin:/bin bash --noprofile --norc -euo pipefail \
    -s "$out/prefix" "$out" "$JOBS" <<'CLEAN_SHELL'
prefix=$1 out=$2 jobs=$3
source "$prefix/set_env.sh"
for v in ASCEND_TOOLKIT_HOME ASCEND_HOME_PATH ASCEND_CANN_PACKAGE_PATH INSTALL_DIR DDK_PATH; do
  [[ ${!v} == "$prefix" ]] || { echo "set_env.sh: $v=${!v}, expected $prefix" >&2; exit 1; }
done
[[ $NPU_HOST_LIB == "$prefix/runtime/lib64/stub" && $LD_LIBRARY_PATH == "$prefix/runtime/lib64" ]]
[[ $(command -v vnpu) == "$prefix/bin/vnpu" && -n $CPU_ARCH ]]
echo "set_env.sh: INSTALL_DIR=$INSTALL_DIR NPU_HOST_LIB=$NPU_HOST_LIB CPU_ARCH=$CPU_ARCH"
for s in memory_events stream_callback runtime_api; do
  echo "\$ cmake -S examples/samples/$s && cmake --build && VNPU_DEVICES=2 $s"
  cmake -S "examples/samples/$s" -B "$out/$s" >/dev/null
  cmake --build "$out/$s" -j"$jobs" >/dev/null
  ldd "$out/$s/$s" | grep -F "$prefix/runtime/lib64/libascendcl.so"
  VNPU_DEVICES=2 timeout 60 "$out/$s/$s"  # two devices: runtime_api also tours peer access
  echo "\$ vnpu check -- $s (a correct program: no findings)"
  VNPU_DEVICES=2 timeout 60 vnpu check -- "$out/$s/$s" | tail -n 20
done
echo "\$ g++ memory_events/main.cpp -I\$INSTALL_DIR/runtime/include -L\$NPU_HOST_LIB -lascendcl -lstdc++"
g++ examples/samples/memory_events/main.cpp -o "$out/memory_events_gxx" -I"$INSTALL_DIR/runtime/include" \
  -L"$NPU_HOST_LIB" -lascendcl -lstdc++
timeout 60 "$out/memory_events_gxx"
CLEAN_SHELL
}

step_ascendc() {
  local out=$ROOT/build/ascendc
  rm -rf "$out"
  mkdir -p "$out"
  cmake --install build/release --prefix "$out/prefix" >/dev/null
  env -i HOME="$HOME" PATH=/usr/local/bin:/usr/bin:/bin bash --noprofile --norc -euo pipefail \
    -s "$out/prefix" "$out" "$JOBS" <<'CLEAN_SHELL'
prefix=$1 out=$2
export jobs=$3
source "$prefix/set_env.sh"
run_examples() {  # SOC_VERSION, build dir
  echo "\$ cmake -S examples/ascendc -DSOC_VERSION=$1 && cmake --build && run each example"
  cmake -S examples/ascendc -B "$2" -DSOC_VERSION="$1" >/dev/null
  cmake --build "$2" -j"$jobs" >/dev/null
  for e in add_custom reduce_sum softmax layer_norm; do
    timeout 120 "$2/$e"
    echo "\$ vnpu check -- $e (a correct program: no findings)"
    timeout 120 vnpu check -- "$2/$e" | tail -n 20
  done
}
run_examples Ascend910B1 "$out/910b1"
env -u CMAKE_PREFIX_PATH bash -euo pipefail -c "$(declare -f run_examples); run_examples Ascend910B3 '$out/910b3'" \
  | tee "$out/910b3.log"
grep -q "on 40 blocks (Ascend910B3)" "$out/910b3.log"
# NPU mode with the examples' own run.sh (ascendc_library, generated launchers, <<<>>>,
# AscendCL streams), from a copy: run.sh builds inside the project as samples do.
cp -r examples/ascendc "$out/npu"
echo "\$ examples/ascendc/run.sh -r npu -v Ascend910B1"
timeout 600 "$out/npu/run.sh" -r npu -v Ascend910B1
# The pipe view of a profiled kernel: add_custom's spans in MTE2, V and MTE3, and exactly
# the global memory it moves (x and y read, z written: 3 x 263376 halves).
echo "\$ VNPU_PROFILE=add.json add_custom && vnpu report add.json --json: pipes"
VNPU_PROFILE="$out/add.json" "$out/npu/build_npu_Ascend910B1/add_custom"
"$prefix/bin/vnpu" report "$out/add.json" --json --peak-gbps 30 | python3 -c '
import json, sys
pipes = {p["name"]: p for p in json.load(sys.stdin)["pipes"]}
p = pipes["add_custom"]
print(p)
assert p["gm_bytes"] == 3 * 263376 * 2, p
assert p["mte2_ms"] > 0 and p["v_ms"] > 0 and p["mte3_ms"] > 0, p'
CLEAN_SHELL
}

# Runs `vnpu ARGS... --json`, shows the head of its output and checks that it is JSON.
# It may take CLI_JSON_TIMEOUT seconds (default 120).
cli_json() {
  local out
  out="build/smoke/$(echo "$*" | tr ' /' '__').json"
  echo "\$ vnpu $* --json"
  local rc=0
  local limit=${CLI_JSON_TIMEOUT:-120}
  timeout "$limit" "$CLI" "$@" --json >"$out" || rc=$?
  if ((rc == 124)); then echo "vnpu $* --json: timed out after $limit s" >&2; fi
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
  echo "\$ vnpu check -- vnpu demo (a correct program: no findings)"
  "$CLI" check -- "$CLI" demo | tail -n 1
  cli_json report build/smoke/demo.trace.json
  echo "\$ vnpu report build/smoke/demo.trace.json"
  "$CLI" report build/smoke/demo.trace.json
  cli_json bench runtime
  # Each streams GiBs through cases along every axis set, some of them still slow: 1.5-3
  # minutes on a loaded 2-vCPU machine.
  CLI_JSON_TIMEOUT=300 cli_json bench reduce --reps 1
  CLI_JSON_TIMEOUT=300 cli_json bench softmax --reps 1
  cli_json bench norm --reps 1
  cli_json bench ascendc --reps 1
}

step_browser() {
  python3 tests/profiler/browser_test.py --vnpu "$CLI" --out build/browser
}

step_hccl() {
  local stage=$ROOT/build/stage out=build/hccl
  rm -rf "$stage" "$out"
  mkdir -p "$out"
  cmake --install build/release --prefix "$stage" >/dev/null
  local lib
  lib=$(dirname "$(find "$stage" -name 'libhccl.so' | head -n 1)")
  echo "\$ nm -D libhccl.so: only Hccl* exported"
  local foreign
  foreign=$(nm -D --defined-only "$lib/libhccl.so" | awk '{print $3}' | grep -v '^Hccl' || true)
  if [[ -n "$foreign" ]]; then
    echo "libhccl.so exports more than the HCCL API:"
    echo "$foreign" | head -n 20
    return 1
  fi
  export PKG_CONFIG_PATH="$lib/pkgconfig"
  echo "\$ mpicc examples/hccl/allreduce.c \$(pkg-config --cflags --libs hccl)"
  # shellcheck disable=SC2046
  mpicc -std=c99 -Wall -Wextra -Werror examples/hccl/allreduce.c $(pkg-config --cflags --libs hccl) \
    -Wl,-rpath,"$lib" -o "$out/allreduce"
  local np
  for np in 2 4; do
    echo "\$ mpirun -np $np $out/allreduce"
    mpirun --allow-run-as-root --oversubscribe -np "$np" "$out/allreduce" 1000003
  done
  local suite=build/release/tests/hccl/hccl_collectives
  echo "\$ $suite on one host (2 ranks), then on two hosts over TCP"
  mpirun --allow-run-as-root --oversubscribe -np 2 "$suite" --digest | tee "$out/one_host.txt"
  tests/net/two_hosts.sh "$suite" --digest | tee "$out/two_hosts.txt"
  local d1 d2
  d1=$(grep '^digest ' "$out/one_host.txt")
  d2=$(grep '^digest ' "$out/two_hosts.txt")
  if [[ -z "$d1" || "$d1" != "$d2" ]]; then
    echo "the results differ between one host ($d1) and two hosts ($d2)"
    return 1
  fi
  echo "same bits on one host and on two hosts: $d1"
}

step_tsan() {
  cmake --preset tsan
  cmake --build --preset tsan -j"$JOBS"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build/tsan -L 'runtime|kernel|capi|comm' --output-on-failure -j"$JOBS" \
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
  local dir=build/fuzz seconds=${VNPU_FUZZ_SECONDS:-45}
  cmake -S fuzz -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++
  cmake --build "$dir" -j"$JOBS"
  rm -rf "$dir/seeds" "$dir/corpus" "$dir/artifacts"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  python3 fuzz/make_corpus.py "$dir/seeds"
  # The two targets run at once, one per CPU of a 2-core CI machine. The C API target
  # plays random call sequences with random handles, pointers, sizes and kinds.
  mkdir -p "$dir/acl_corpus"
  echo "\$ npy_fuzz and acl_fuzz for ${seconds} s each, side by side (logs: $dir/fuzz.log, $dir/acl_fuzz.log)"
  timeout $((seconds + 120)) "$dir/npy_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=12288 -dict=fuzz/npy.dict -artifact_prefix="$dir/artifacts/" -print_final_stats=1 \
    "$dir/corpus" "$dir/seeds" >"$dir/fuzz.log" 2>&1 &
  local npy_pid=$!
  local rc=0 npy_rc=0
  ASAN_OPTIONS=detect_leaks=1 timeout $((seconds + 120)) "$dir/acl_fuzz" -max_total_time="$seconds" -timeout=30 \
    -rss_limit_mb=4096 -max_len=512 -artifact_prefix="$dir/artifacts/acl-" -print_final_stats=1 \
    "$dir/acl_corpus" >"$dir/acl_fuzz.log" 2>&1 || rc=$?
  wait "$npy_pid" || npy_rc=$?
  if ((npy_rc != 0)); then
    tail -n 60 "$dir/fuzz.log"
    echo "npy_fuzz failed (exit $npy_rc); inputs: $(ls "$dir/artifacts")" >&2
  fi
  if ((rc != 0)); then
    tail -n 60 "$dir/acl_fuzz.log"
    echo "acl_fuzz failed (exit $rc); inputs: $(ls "$dir/artifacts")" >&2
  fi
  ((npy_rc == 0 && rc == 0)) || return 1
  grep -E '^(Done|stat::)' "$dir/fuzz.log"
  grep -E '^(Done|stat::)' "$dir/acl_fuzz.log"
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
  # These steps use the release build: report them failed, not confusingly broken.
  if [[ ("$s" == consumer || "$s" == capi || "$s" == toolkit || "$s" == cli || "$s" == browser) &&
        "${result[build]:-}" == failed ]]; then
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
