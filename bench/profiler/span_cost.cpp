// vnpu_profiler_bench — what the profiler costs (Google Benchmark).
//
//   record_span       one span as a capture point records it: two clock reads, filling the
//                     record, the append to this thread's buffer (profiler on)
//   idle_capture      a capture point while the profiler is off (the flag load)
//   enqueue/{0,1}     per task: 20,000 empty one-block kernels submitted to one stream of a
//                     one-core device, then one synchronize; 0 = profiler off, 1 = on.
//                     ns_per_task is wall time; cpu_ns_per_task the CPU time of all the
//                     process's threads (host and workers), which a busy machine inflates less
//
//   build/release/bench/vnpu_profiler_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <ctime>

#include "profiler/capture.hpp"
#include "vnpu/vnpu.hpp"

namespace {

namespace prof = vnpu::detail::prof;

void record_span(benchmark::State& state) {
  if (vnpu::profiler::start() != vnpu::Status::kSuccess) {
    state.SkipWithError("the profiler is compiled out (VNPU_PROFILER=OFF)");
    return;
  }
  std::uint64_t seq = 0;
  for (auto _ : state) {
    prof::ScopedSpan span;
    if (span.begin()) {
      prof::Record& r = span.record();
      r.kind = prof::SpanKind::kKernel;
      r.lane_kind = prof::LaneKind::kComputeCore;
      r.seq = ++seq;
      r.blocks = 1;
      r.set_name("bench_kernel");
    }
    // Restart the session every 500k spans so the buffer never fills (dropping is cheaper).
    if ((seq & 0x7FFFF) == 0) {
      state.PauseTiming();
      vnpu::check(vnpu::profiler::stop());
      vnpu::check(vnpu::profiler::start());
      state.ResumeTiming();
    }
  }
  vnpu::check(vnpu::profiler::stop());
}
BENCHMARK(record_span);

void idle_capture(benchmark::State& state) {
  for (auto _ : state) {
    prof::ScopedSpan span;
    benchmark::DoNotOptimize(span.begin());
  }
}
BENCHMARK(idle_capture);

void enqueue(benchmark::State& state) {
  vnpu::DeviceConfig one_core;
  one_core.compute_cores = 1;
  vnpu::Device dev = vnpu::Device::create(one_core).value();
  vnpu::Stream s = dev.create_stream().value();
  constexpr int kTasks = 20000;
  const bool on = state.range(0) != 0;
  if (on && !prof::kCompiledIn) {
    state.SkipWithError("the profiler is compiled out (VNPU_PROFILER=OFF)");
    return;
  }
  const auto process_cpu_ns = [] {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
  };
  double cpu_ns = 0.0;
  for (auto _ : state) {
    state.PauseTiming();
    if (on) vnpu::check(vnpu::profiler::start());  // a fresh session: buffers never fill
    state.ResumeTiming();
    const double cpu0 = process_cpu_ns();
    for (int i = 0; i < kTasks; ++i) vnpu::check(s.launch("empty", 1, [](const vnpu::KernelContext&) {}));
    vnpu::check(s.synchronize());
    cpu_ns += process_cpu_ns() - cpu0;
    state.PauseTiming();
    if (on) vnpu::check(vnpu::profiler::stop());
    state.ResumeTiming();
  }
  state.counters["ns_per_task"] = benchmark::Counter(static_cast<double>(state.iterations()) * kTasks,
                                                     benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["cpu_ns_per_task"] = cpu_ns / (static_cast<double>(state.iterations()) * kTasks);
}
BENCHMARK(enqueue)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
