// tools/cli/bench_rows.cpp — helpers of the softmax and norm suites (bench_rows.hpp).
#include "bench_rows.hpp"

#include <algorithm>
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

void verify_rows(const bench::RowCase& c, const DeviceF32& x, const DeviceF32& y, const std::string& label) {
  const auto cols = static_cast<std::size_t>(c.cols);
  for (std::size_t row : {std::size_t{0}, static_cast<std::size_t>(c.rows) - 1}) {
    const std::vector<float> got = y.download(row * cols, cols);
    const std::int64_t j = bench::first_wrong(c, x.host().data() + row * cols, got.data());
    if (j >= 0) {
      const std::vector<double> want = bench::row_reference(c, x.host().data() + row * cols);
      throw CliError(kExitWrongResult, fmt::format("bench: {} gives {} at row {}, column {}; expected {}", label,
                                                   got[static_cast<std::size_t>(j)], row, j,
                                                   want[static_cast<std::size_t>(j)]));
    }
  }
}

BenchResult row_result(const std::string& suite, const bench::RowCase& c, const std::string& mode,
                       const Summary& ns, int threads) {
  Throughput t;
  t.op = bench::row_op_name(c.op);
  t.shape = {c.rows, c.cols};
  t.axes = {1};
  t.dtype = "f32";
  t.mode = mode;
  return op_result(suite, c.name() + "/" + mode, std::move(t), c.bytes(), ns, threads);
}

}  // namespace vnpu::cli
