# Every build option of vnpu, in one place.
option(VNPU_BUILD_TESTS "Build the GoogleTest suites" ${PROJECT_IS_TOP_LEVEL})
option(VNPU_BUILD_CLI "Build the vnpu command-line tool" ${PROJECT_IS_TOP_LEVEL})
option(VNPU_BUILD_BENCHMARKS "Build the Google Benchmark suites (bench/) when Google Benchmark is found"
       ${PROJECT_IS_TOP_LEVEL})
option(VNPU_BENCH_NATIVE "Compile the hand-written and Eigen benchmark peers with -march=native" ON)
option(VNPU_PROFILER "Compile the profiler's capture points into the runtime (OFF: profiler::start returns kNotSupported)" ON)
option(VNPU_WERROR "Treat compiler warnings as errors" OFF)
set(VNPU_SANITIZE "" CACHE STRING "Sanitizer build: '', 'thread' or 'address' (address + undefined)")
set_property(CACHE VNPU_SANITIZE PROPERTY STRINGS "" thread address)
