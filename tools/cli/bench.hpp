// tools/cli/bench.hpp — `vnpu bench <suite>`: benchmark suites and their timing loops.
//
// A suite is a function returning one BenchResult per case. Suites are listed in one
// table (bench_suites(), bench.cpp); main.cpp turns every entry into a subcommand, so a
// new suite (`vnpu bench reduce`, ...) is one function plus one table row.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bandwidth.hpp"
#include "cli_common.hpp"
#include "vnpu/status.hpp"

namespace vnpu::cli {

struct BenchOptions {
  bool json = false;
  int reps = 5;          ///< repetitions of each throughput case (median reported)
  int iters = 20000;     ///< individually timed round trips per latency case
  int tasks = 200000;    ///< tasks per repetition of a throughput case
  /// Suite "hccl": message sizes from min_bytes to max_bytes, by factors of 4.
  std::uint64_t min_bytes = std::uint64_t{4} << 10;
  std::uint64_t max_bytes = std::uint64_t{256} << 20;
};

/// `vnpu bench hccl` outside an MPI job of two or more processes (sysexits' EX_USAGE).
inline constexpr int kExitNeedsRanks = 64;

/// What a throughput case (suite "reduce") read, and how fast.
struct Throughput {
  std::string op;                    ///< "sum", or "bandwidth" for the machine's read bandwidth
  std::vector<std::int64_t> shape;   ///< input shape ("bandwidth": the buffer as f32 elements)
  std::vector<int> axes;             ///< reduced axes; empty for "bandwidth" (no "axes" key)
  std::string dtype;                 ///< input dtype: "f32", "f16", "bf16", "i32"
  double gbps = 0.0;                 ///< bytes moved / median time (1 GB = 1e9 bytes)
  double pct_peak_bw = 0.0;          ///< gbps as a percentage of the measured read bandwidth
  /// Suites "softmax" and "norm" (each written to JSON only when set):
  double pct_copy_bw = -1.0;         ///< gbps as a percentage of the measured copy bandwidth
  std::string mode;                  ///< "stream" (launch + synchronize) or "direct" (synchronous form)
  std::optional<bool> training;      ///< batch_norm: training (batch statistics) or inference
};

struct BenchResult {
  std::string suite;
  std::string name;     ///< the case, e.g. "launch_sync_roundtrip"
  std::string unit;     ///< what one sample measures: "ns" (a round trip) or "ns/task"
  Summary ns;           ///< statistics of the samples, in nanoseconds
  std::uint64_t iterations = 0;  ///< operations timed in total (round trips or tasks)
  int threads = 0;      ///< worker threads available to the case
  /// Set by throughput suites; their JSON record is then suite, op, shape, axes, dtype,
  /// threads, median_ns, gbps and pct_peak_bw (and mode, training, pct_copy_bw when set)
  /// instead of the latency fields.
  std::optional<Throughput> throughput;
};

struct BenchSuite {
  std::string_view name;
  std::string_view summary;
  std::vector<BenchResult> (*run)(const BenchOptions&);
  /// A suite whose results are not BenchResult records (suite "hccl": one JSON object, a
  /// table of its own) runs and prints itself and returns the exit code; `run` is then
  /// null. Its options are --json, --reps, --min-bytes and --max-bytes.
  int (*run_and_print)(const BenchOptions&) = nullptr;
};

/// Every suite `vnpu bench` offers.
std::span<const BenchSuite> bench_suites();
/// Runs `suite` and prints its results (a table, or a JSON array with --json).
int run_bench(const BenchSuite& suite, const BenchOptions& options);

/// Suite "runtime": launch, enqueue, event, callback, copy and memory-reuse overheads of
/// the default device, next to peers measured in the same run.
std::vector<BenchResult> run_runtime_suite(const BenchOptions& options);

/// Suite "reduce": sums over large tensors (bench_reduce.cpp) as GB/s and as a percentage
/// of the read bandwidth measured in the same run (a "bandwidth" record comes first: the
/// median over passes taken at the start and again before every case).
std::vector<BenchResult> run_reduce_suite(const BenchOptions& options);

/// Suite "softmax": softmax over the last axis (bench_softmax.cpp); suite "norm":
/// layer_norm, rms_norm and batch_norm (bench_norm.cpp). GB/s count one read and one write
/// of the tensor; records "bandwidth" (read) and "copy_bandwidth" come first.
std::vector<BenchResult> run_softmax_suite(const BenchOptions& options);
std::vector<BenchResult> run_norm_suite(const BenchOptions& options);
/// Suite "ascendc": the Ascend C examples' kernels (examples/ascendc: add_custom,
/// reduce_sum) over 64 Mi elements with the chip's block count and with one block per core,
/// and vnpu's own sum of the same data (bench_ascendc.cpp).
std::vector<BenchResult> run_ascendc_suite(const BenchOptions& options);

/// Suite "hccl" (bench_hccl.cpp; present when vnpu was built with MPI): float32 sum
/// all-reduce between the processes of `mpirun -np N vnpu bench hccl`, vnpu's
/// Communicator against MPI_Allreduce, per message size; only rank 0 prints. Outside an MPI
/// job of two or more processes: CliError(kExitNeedsRanks).
int run_hccl_suite(const BenchOptions& options);

/// A throughput record of `suite`.
BenchResult throughput_result(std::string suite, std::string name, Throughput t, const Summary& ns, int threads);
/// Throws a CliError naming `what` and AscendCL's reason unless `error` (an aclError) is 0.
void acl_ok(int error, const char* what);
/// The two-stream pipeline cases of the ascendc suite (bench_ascendc_pipeline.cpp);
/// initializes AscendCL and sets device 0, which the caller resets and finalizes.
std::vector<BenchResult> run_ascendc_pipeline(const BenchOptions& o, const std::string& suite, int threads);
/// A latency record: `iterations` operations timed, `unit` what one sample measures.
BenchResult latency_result(std::string suite, std::string name, std::string unit, const Summary& ns,
                           std::uint64_t iterations, int threads);
/// The record of a bandwidth measurement: op "bandwidth" (read) or "copy_bandwidth".
BenchResult bandwidth_result(std::string suite, const Bandwidth& bw, std::string op = "bandwidth");

/// vnpu::check() for a hot loop: the call costs nothing when `s` is kSuccess.
inline void check_ok(Status s) {
  if (s != Status::kSuccess) check(s);
}

// Peers of the runtime suite (bench_peers.cpp).
/// A hand-off to a dedicated spinning thread and back: the physical floor of any runtime.
BenchResult bench_floor_spin_handoff(const BenchOptions& options);
/// `threads` threads passing `barriers` std::barrier phases, per phase (median of `reps`).
BenchResult bench_thread_barrier(std::uint32_t threads, int barriers, int reps);
/// oneTBB task_group round trip and throughput; empty when built without TBB.
std::vector<BenchResult> bench_tbb(const BenchOptions& options);

/// Times `iters` calls of `body` one by one (after `warmup` untimed calls), so the median
/// is that of single round trips. Clock reads (~20 ns) are included: a caller pays them too.
template <class F>
Summary time_round_trips(int warmup, int iters, F&& body) {
  for (int i = 0; i < warmup; ++i) body();
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(iters));
  for (int i = 0; i < iters; ++i) {
    const auto t0 = Clock::now();
    body();
    const auto t1 = Clock::now();
    samples.push_back(ns_between(t0, t1));
  }
  return summarize(std::move(samples));
}

/// Times calls of `call` (after four untimed ones, the last three of which size the
/// batch) and returns the samples: until there are at least `min_samples` samples and
/// `budget_ns` have passed, or 2000 samples. A call shorter than kBatchSampleNs is timed in batches, as Google
/// Benchmark times the peers: each sample is the mean of enough consecutive calls to last
/// about kBatchSampleNs, so the clock's own cost (two reads per sample, ~20-40 ns in a VM)
/// is not counted in a short call.
inline constexpr double kBatchSampleNs = 10e3;
template <class F>
std::vector<double> time_call_samples(int min_samples, F&& call, double budget_ns = 0.3e9) {
  call();
  double single = 1e300;  // the fastest of three single calls sizes the batch
  for (int i = 0; i < 3; ++i) {
    const auto t0 = Clock::now();
    call();
    single = std::min(single, ns_between(t0, Clock::now()));
  }
  const int batch = single >= kBatchSampleNs ? 1 : static_cast<int>(std::min(1000.0, kBatchSampleNs / std::max(single, 1.0)));
  std::vector<double> samples;
  const auto start = Clock::now();
  while (samples.size() < static_cast<std::size_t>(min_samples) ||
         (ns_between(start, Clock::now()) < budget_ns && samples.size() < 2000)) {
    const auto t0 = Clock::now();
    for (int i = 0; i < batch; ++i) call();
    samples.push_back(ns_between(t0, Clock::now()) / batch);
  }
  return samples;
}
/// The statistics of time_call_samples().
template <class F>
Summary time_calls(int min_samples, F&& call, double budget_ns = 0.3e9) {
  return summarize(time_call_samples(min_samples, std::forward<F>(call), budget_ns));
}

/// Times `reps` calls of `run_tasks`, which submits `tasks` tasks and waits for them all;
/// each sample is the per-task cost (total / tasks). One untimed call with a tenth of the
/// tasks warms the queues and the allocator first.
template <class F>
Summary time_per_task(int reps, int tasks, F&& run_tasks) {
  run_tasks(tasks / 10 > 0 ? tasks / 10 : 1);
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    run_tasks(tasks);
    const auto t1 = Clock::now();
    samples.push_back(ns_between(t0, t1) / tasks);
  }
  return summarize(std::move(samples));
}

}  // namespace vnpu::cli
