// tools/cli/bench_norm.cpp — `vnpu bench norm`: layer_norm and rms_norm over the last axis
// (bench::row_cases(), with gamma and beta) and batch_norm over an NCHW activation
// ([32,64,56,56], training and inference, with gamma and beta), as GB/s (one read and one
// write of the tensor) and as a percentage of the read and copy bandwidth measured through
// the same run (OpSuite::finish).
//
// Each case in two modes: each sample queues the op on a stream and synchronizes (mode
// "stream"), or calls the synchronous form (mode "direct"); on all compute
// cores of the default device. Results are checked against float64 afterwards: the first
// and last rows, or two (n, channel) planes for batch_norm. Training updates the running
// statistics on every call, as a training loop does.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>

#include "bench_rows.hpp"
#include "vnpu/ops/norm.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

constexpr std::int64_t kN = 32, kC = 64, kH = 56, kW = 56;

// Checks batch_norm's output for planes (0, 0) and (N-1, C-1) against float64: with the
// running statistics (inference) or the channel's batch statistics (training).
void verify_batch_norm(bool training, const DeviceF32& x, const DeviceF32& y, const DeviceF32& rmean,
                       const DeviceF32& rvar, const DeviceF32& gamma, const DeviceF32& beta, double eps) {
  constexpr auto kPlane = static_cast<std::size_t>(kH * kW);
  for (const auto& [n, ch] : {std::pair<std::int64_t, std::int64_t>{0, 0}, {kN - 1, kC - 1}}) {
    const auto c = static_cast<std::size_t>(ch);
    double mean = rmean.host()[c], var = rvar.host()[c];
    if (training) {
      double sum = 0.0, sq = 0.0;
      for (std::int64_t i = 0; i < kN; ++i) {
        const float* p = x.host().data() + static_cast<std::size_t>(i * kC + ch) * kPlane;
        for (std::size_t k = 0; k < kPlane; ++k) sum += p[k];
      }
      mean = sum / static_cast<double>(kN * kH * kW);
      for (std::int64_t i = 0; i < kN; ++i) {
        const float* p = x.host().data() + static_cast<std::size_t>(i * kC + ch) * kPlane;
        for (std::size_t k = 0; k < kPlane; ++k) sq += (p[k] - mean) * (p[k] - mean);
      }
      var = sq / static_cast<double>(kN * kH * kW);
    }
    const std::size_t offset = static_cast<std::size_t>(n * kC + ch) * kPlane;
    const std::vector<float> got = y.download(offset, kPlane);
    for (std::size_t k = 0; k < kPlane; ++k) {
      const double want = (x.host()[offset + k] - mean) / std::sqrt(var + eps) * gamma.host()[c] + beta.host()[c];
      if (!(std::abs(got[k] - want) <= 1e-5 * std::fmax(1.0, std::abs(want)))) {
        throw CliError(kExitWrongResult, fmt::format("bench: batch_norm ({}) gives {} at n {} channel {} element {}; "
                                                     "expected {}",
                                                     training ? "training" : "inference", got[k], n, ch, k, want));
      }
    }
  }
}

void run_rows(OpSuite& suite) {
  const BenchOptions& o = suite.options;
  const Device& dev = suite.dev;
  const Stream& stream = suite.stream;
  for (const bench::RowCase& c : bench::row_cases()) {
    if (c.op == bench::RowOp::kSoftmax) continue;
    suite.sample_bandwidth();
    DeviceF32 x(dev, static_cast<std::size_t>(c.numel()));
    const DeviceF32 y(dev, x.host().size());
    DeviceF32 gamma(dev, static_cast<std::size_t>(c.cols));
    DeviceF32 beta(dev, gamma.host().size());
    bench::fill_row_input(c, x.host().data());
    bench::fill_gamma_beta(c.cols, gamma.host().data(), beta.host().data());
    x.upload();
    gamma.upload();
    beta.upload();
    const std::vector<std::int64_t> shape = {c.rows, c.cols}, params = {c.cols};
    const Tensor tx = x.tensor(shape), ty = y.tensor(shape);
    ops::LayerNormOptions ln;
    ln.eps = c.eps();
    ln.gamma = gamma.tensor(params);
    ln.beta = beta.tensor(params);
    ops::RmsNormOptions rms;
    rms.eps = c.eps();
    rms.gamma = ln.gamma;
    for (const std::string mode : {"stream", "direct"}) {
      const std::string label = c.name() + "/" + mode;
      if (!o.json) note("  {}", label);
      const bool direct = mode == "direct";
      const Summary ns = time_op(o, [&] {
        if (c.op == bench::RowOp::kLayerNorm) {
          check_ok(direct ? ops::layer_norm(tx, ty, ln) : ops::layer_norm(stream, tx, ty, ln));
        } else {
          check_ok(direct ? ops::rms_norm(tx, ty, rms) : ops::rms_norm(stream, tx, ty, rms));
        }
        if (!direct) check_ok(stream.synchronize());
      });
      verify_rows(c, x, y, label);
      suite.results.push_back(row_result(suite.name, c, mode, ns, suite.threads));
    }
  }
}

void run_batch_norm(OpSuite& suite) {
  const BenchOptions& o = suite.options;
  const Device& dev = suite.dev;
  const Stream& stream = suite.stream;
  const std::vector<std::int64_t> shape = {kN, kC, kH, kW}, channels = {kC};
  DeviceF32 x(dev, static_cast<std::size_t>(kN * kC * kH * kW));
  const DeviceF32 y(dev, x.host().size());
  DeviceF32 gamma(dev, kC), beta(dev, kC), rmean(dev, kC), rvar(dev, kC);
  for (std::size_t i = 0; i < x.host().size(); ++i) x.host()[i] = bench::row_input_value(bench::RowOp::kLayerNorm, i);
  bench::fill_gamma_beta(kC, gamma.host().data(), beta.host().data());
  for (std::size_t c = 0; c < static_cast<std::size_t>(kC); ++c) {
    rmean.host()[c] = 0.2f * bench::beta_value(c + 100);
    rvar.host()[c] = 0.5f + bench::gamma_value(c + 100);
  }
  x.upload();
  gamma.upload();
  beta.upload();
  for (bool training : {false, true}) {
    suite.sample_bandwidth();
    for (const std::string mode : {"stream", "direct"}) {
      rmean.upload();  // training updates them; start each case from the same values
      rvar.upload();
      ops::BatchNormOptions bn;
      bn.training = training;
      bn.gamma = gamma.tensor(channels);
      bn.beta = beta.tensor(channels);
      bn.running_mean = rmean.tensor(channels);
      bn.running_var = rvar.tensor(channels);
      const Tensor tx = x.tensor(shape), ty = y.tensor(shape);
      const std::string label = fmt::format("batch_norm/f32/[{},{},{},{}]/{}/{}", kN, kC, kH, kW,
                                            training ? "training" : "inference", mode);
      if (!o.json) note("  {}", label);
      const bool direct = mode == "direct";
      const Summary ns = time_op(o, [&] {
        check_ok(direct ? ops::batch_norm(tx, ty, bn) : ops::batch_norm(stream, tx, ty, bn));
        if (!direct) check_ok(stream.synchronize());
      });
      verify_batch_norm(training, x, y, rmean, rvar, gamma, beta, bn.eps);
      Throughput t;
      t.op = "batch_norm";
      t.shape = shape;
      t.axes = {0, 2, 3};
      t.dtype = "f32";
      t.mode = mode;
      t.training = training;
      suite.results.push_back(op_result(suite.name, label, std::move(t), 2 * x.host().size() * sizeof(float), ns,
                                        suite.threads));
    }
  }
}

}  // namespace

std::vector<BenchResult> run_norm_suite(const BenchOptions& o) {
  OpSuite suite("norm", o);
  run_rows(suite);
  run_batch_norm(suite);
  return suite.finish();
}

}  // namespace vnpu::cli
