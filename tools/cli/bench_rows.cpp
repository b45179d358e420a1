// tools/cli/bench_rows.cpp — helpers of the softmax and norm suites (bench_rows.hpp).
#include "bench_rows.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

#include <fmt/core.h>

#include "vnpu/memory.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

OpBandwidths measure_op_bandwidths(const BenchOptions& options, int passes) {
  BandwidthOptions b;
  b.passes = passes > 0 ? passes : std::clamp(3 * options.reps, 3, 15);
  return {measure_read_bandwidth(b), measure_copy_bandwidth(b)};
}

std::vector<BenchResult> bandwidth_results(const std::string& suite, const OpBandwidths& bw) {
  BenchResult copy = bandwidth_result(suite, bw.copy, "copy_bandwidth");
  copy.throughput->pct_peak_bw = 100.0 * bw.copy.gbps / bw.read.gbps;
  copy.throughput->pct_copy_bw = 100.0;
  return {bandwidth_result(suite, bw.read), std::move(copy)};
}

OpSuite::OpSuite(std::string suite_name, const BenchOptions& o)
    : name(std::move(suite_name)),
      options(o),
      bandwidths{measure_op_bandwidths(o)},
      dev(Device::get(0).value()),
      threads(dev.info().compute_cores),
      stream(dev.create_stream().value()) {}

void OpSuite::sample_bandwidth(int passes) { bandwidths.push_back(measure_op_bandwidths(options, passes)); }

void OpSuite::run_rounds(std::vector<TimedCase>& cases) {
  // Per case: at least --reps samples and 60 ms per rep (0.3 s by default), over all rounds.
  const int rounds = options.reps >= 5 ? 3 : 1;
  const int min_samples = (std::max(options.reps, 1) + rounds - 1) / rounds;
  const double budget_ns = 0.06e9 * options.reps / rounds;
  for (int round = 0; round < rounds; ++round) {
    for (TimedCase& c : cases) {
      if (!options.json && round == 0) note("  {}", c.label);
      sample_bandwidth(1);
      const std::vector<double> got = time_call_samples(min_samples, c.call, budget_ns);
      c.samples.insert(c.samples.end(), got.begin(), got.end());
    }
  }
  for (TimedCase& c : cases) {
    c.verify();
    results.push_back(c.record(summarize(std::move(c.samples))));
  }
}

std::vector<BenchResult> OpSuite::finish() {
  std::vector<Bandwidth> reads, copies;
  for (const OpBandwidths& b : bandwidths) {
    reads.push_back(b.read);
    copies.push_back(b.copy);
  }
  const OpBandwidths run{merge_bandwidths(reads), merge_bandwidths(copies)};
  std::vector<BenchResult> out = bandwidth_results(name, run);
  for (BenchResult& r : results) {
    Throughput& t = *r.throughput;
    t.pct_peak_bw = 100.0 * t.gbps / run.read.gbps;
    t.pct_copy_bw = 100.0 * t.gbps / run.copy.gbps;
    out.push_back(std::move(r));
  }
  results.clear();
  return out;
}

BenchResult op_result(const std::string& suite, const std::string& name, Throughput t, std::size_t bytes,
                      const Summary& ns, int threads) {
  t.gbps = static_cast<double>(bytes) / ns.median;
  return throughput_result(suite, name, std::move(t), ns, threads);
}

DeviceF32::DeviceF32(const Device& dev, std::size_t n) : host_(n), dev_(dev, n * sizeof(float)) {}

void DeviceF32::upload() {
  const std::size_t bytes = host_.size() * sizeof(float);
  check(vnpu::memcpy(dev_.get(), std::max<std::size_t>(bytes, 1), host_.data(), bytes, CopyKind::kHostToDevice));
}

std::vector<float> DeviceF32::download(std::size_t offset, std::size_t count) const {
  std::vector<float> out(count);
  const std::size_t bytes = count * sizeof(float);
  check(vnpu::memcpy(out.data(), bytes, static_cast<const float*>(dev_.get()) + offset, bytes,
                     CopyKind::kDeviceToHost));
  return out;
}

Tensor DeviceF32::tensor(std::span<const std::int64_t> shape) const noexcept {
  return Tensor(dev_.get(), DType::kF32, shape);
}

void verify_rows(const bench::RowCase& c, const void* x, const void* y_dev, const std::string& label) {
  // The whole output: the vectors of a case along a leading axis span all of it.
  std::vector<std::byte> y(c.bytes() / 2);
  check(vnpu::memcpy(y.data(), y.size(), y_dev, y.size(), CopyKind::kDeviceToHost));
  for (std::int64_t row : {std::int64_t{0}, c.rows() - 1}) {
    const std::int64_t j = bench::first_wrong(c, x, y.data(), row);
    if (j >= 0) {
      const std::vector<double> want = bench::row_reference(c, x, row);
      throw CliError(kExitWrongResult,
                     fmt::format("bench: {} gives {} in vector {} at {}; expected {}", label,
                                 bench::input_element(c.dtype, y.data(), c.index(row, j)), row, j,
                                 want[static_cast<std::size_t>(j)]));
    }
  }
}

void verify_rows(const bench::RowCase& c, const DeviceF32& x, const DeviceF32& y, const std::string& label) {
  verify_rows(c, x.host().data(), y.data(), label);
}

BenchResult row_result(const std::string& suite, const bench::RowCase& c, const std::string& mode,
                       const Summary& ns, int threads) {
  Throughput t;
  t.op = bench::row_op_name(c.op);
  t.shape = c.shape;
  t.axes = {c.axis};
  t.dtype = dtype_name(c.dtype);
  t.mode = mode;
  return op_result(suite, c.name() + "/" + mode, std::move(t), c.bytes(), ns, threads);
}

}  // namespace vnpu::cli
