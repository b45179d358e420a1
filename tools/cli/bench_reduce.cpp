// tools/cli/bench_reduce.cpp — `vnpu bench reduce`: sums (and max, var, logsumexp) over
// large tensors (bench::reduce_cases()), as GB/s of input read and as a percentage of the
// read bandwidth measured through the same run.
//
// A reduction reads each input byte once and writes little, so memory bandwidth is its
// limit. Like the peers' harnesses (bench/vnpu_reduce_peers), each case times repeated
// calls on the same buffers with all compute cores: inputs larger than the last-level
// cache stream from memory, smaller ones ([4096,1024] f32, 16 MiB) run cache-hot.
// One sample is one call of the synchronous form (ops::reduce without a stream), which is
// how a program calls a peer library: the calling thread takes one block's share and the
// device's other compute cores the rest, so threads = compute cores, as for the peers.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bandwidth.hpp"
#include "bench.hpp"
#include "device_buffer.hpp"
#include "reduce_cases.hpp"
#include "vnpu/ops/reduce.hpp"
#include "vnpu/tensor.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

using bench::ReduceCase;

// One input per dtype: the benchmark values on the host (for the reference) and on the
// device. Every case reads a prefix of it.
struct Input {
  std::vector<std::byte> host;
  DeviceBuffer dev;
  Input(const Device& d, DType dtype)
      : host(static_cast<std::size_t>(bench::kReduceMaxElements) * dtype_size(dtype)), dev(d, host.size()) {
    bench::fill_reduce_input(host.data(), dtype, static_cast<std::size_t>(bench::kReduceMaxElements));
    check(vnpu::memcpy(dev.get(), host.size(), host.data(), host.size(), CopyKind::kHostToDevice));
  }
};

// Checks the first and the last output element against float64: GB/s of a wrong result
// mean nothing.
void verify(const ReduceCase& c, const Input& in, const void* dev_out) {
  const auto n = static_cast<std::size_t>(c.out_numel());
  std::vector<float> out(n);
  check(vnpu::memcpy(out.data(), n * sizeof(float), dev_out, n * sizeof(float), CopyKind::kDeviceToHost));
  for (std::int64_t j : {std::int64_t{0}, c.out_numel() - 1}) {
    const bench::ReferenceValue want = bench::reference_value(c, in.host.data(), j);
    const double got = out[static_cast<std::size_t>(j)];
    if (!bench::close_to(c, want, got)) {
      throw CliError(kExitWrongResult,
                     fmt::format("bench reduce: {} gives {} at output {}, expected {}", c.name(), got, j, want.value));
    }
  }
}

// Samples of one case: one round of timed calls (the budget of a round).
void time_round(const ReduceCase& c, const Input& in, void* out, int min_samples, double budget_ns,
                std::vector<double>* samples) {
  const Tensor src(in.dev.get(), c.dtype, std::span<const std::int64_t>(c.shape));
  const ops::ReduceOptions options{.axes = ops::Axes(std::span<const int>(c.axes))};
  // f32 output for every input dtype (f16 and bf16 may write f32), as the peers write.
  const ops::ReduceShape shape = ops::reduce_output_shape(c.op, src, options).value();
  const Tensor dst(out, DType::kF32, shape.shape());
  const std::vector<double> got = time_call_samples(
      min_samples, [&] { check_ok(ops::reduce(c.op, src, dst, options)); }, budget_ns);
  samples->insert(samples->end(), got.begin(), got.end());
}

// The record of one case from its samples; its pct_peak_bw is set by the caller, once the
// run's bandwidth is known.
BenchResult case_result(const ReduceCase& c, std::vector<double> samples, int threads) {
  const Summary ns = summarize(std::move(samples));
  Throughput t;
  t.op = ops::reduce_op_name(c.op);
  t.shape = c.shape;
  t.axes = c.axes;
  t.dtype = dtype_name(c.dtype);
  t.gbps = static_cast<double>(c.bytes()) / ns.median;
  return throughput_result("reduce", c.name(), std::move(t), ns, threads);
}

}  // namespace

std::vector<BenchResult> run_reduce_suite(const BenchOptions& o) {
  // Bandwidth first, before the device's workers exist, so nothing competes for the CPUs.
  // Then the cases are timed in rounds (all cases, then all again), each case after a
  // bandwidth pass: the host's memory speed moves within a run, and a case timed in one
  // stretch could fall in a slow or a fast phase that the bandwidth median does not share.
  // Each case's median is over its samples of every round; the record and every case's
  // percentage use the median over all bandwidth passes (merge_bandwidths).
  std::vector<Bandwidth> samples{measure_read_bandwidth()};
  const Device dev = Device::get(0).value();
  const int threads = dev.info().compute_cores;
  const DeviceBuffer out(dev, static_cast<std::size_t>(bench::kReduceMaxOutElements) * sizeof(float));
  const std::vector<ReduceCase> list = bench::reduce_cases();
  const int rounds = o.reps >= 5 ? 3 : 1;
  const int min_samples = (std::max(o.reps, 5) + rounds - 1) / rounds;
  std::map<DType, Input> inputs;
  std::vector<std::vector<double>> times(list.size());
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const ReduceCase& c = list[i];
      auto it = inputs.find(c.dtype);
      if (it == inputs.end()) it = inputs.try_emplace(c.dtype, dev, c.dtype).first;
      if (!o.json && round == 0) note("  {}", c.name());
      samples.push_back(measure_read_bandwidth({.passes = 1}));
      time_round(c, it->second, out.get(), min_samples, 0.3e9 / rounds, &times[i]);
      if (round == rounds - 1) verify(c, it->second, out.get());
    }
  }
  const Bandwidth bw = merge_bandwidths(samples);
  std::vector<BenchResult> results{bandwidth_result("reduce", bw)};
  for (std::size_t i = 0; i < list.size(); ++i) {
    BenchResult r = case_result(list[i], std::move(times[i]), threads);
    r.throughput->pct_peak_bw = 100.0 * r.throughput->gbps / bw.gbps;
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace vnpu::cli
