# Every build option of vnpu, in one place.
option(VNPU_BUILD_TESTS "Build the GoogleTest suites" ${PROJECT_IS_TOP_LEVEL})
option(VNPU_BUILD_CLI "Build the vnpu command-line tool" ${PROJECT_IS_TOP_LEVEL})
option(VNPU_BUILD_BENCHMARKS "Build the Google Benchmark suites (bench/) when Google Benchmark is found"
       ${PROJECT_IS_TOP_LEVEL})
option(VNPU_BENCH_NATIVE "Compile the hand-written and Eigen benchmark peers with -march=native" ON)
option(VNPU_PROFILER "Compile the profiler's capture points into the runtime (OFF: profiler::start returns kNotSupported)" ON)
option(VNPU_SIMD_BASELINE_ONLY
       "Compile the operators' SIMD kernels for the compiler's baseline target only (no runtime dispatch; for quick sanitizer builds)"
       OFF)
set(VNPU_SIMD_DISABLED_TARGETS "" CACHE STRING
    "Highway targets the operators' kernels are not compiled for, e.g. HWY_SSE4 (HWY_SSSE3 never is)")
option(VNPU_WERROR "Treat compiler warnings as errors" OFF)
set(VNPU_SANITIZE "" CACHE STRING "Sanitizer build: '', 'thread' or 'address' (address + undefined)")
set_property(CACHE VNPU_SANITIZE PROPERTY STRINGS "" thread address)
