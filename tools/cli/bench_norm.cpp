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
#include <memory>
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

// The buffers of one case, alive through the rounds.
struct Buffers {
  Buffers(const Device& d, std::size_t n, std::size_t params) : x(d, n), y(d, n), gamma(d, params), beta(d, params) {}
  DeviceF32 x, y, gamma, beta;
};

void add_rows(OpSuite& suite, std::vector<std::unique_ptr<Buffers>>& buffers, std::vector<TimedCase>& cases) {
  const Device& dev = suite.dev;
  const Stream& stream = suite.stream;
  for (const bench::RowCase& c : bench::row_cases()) {
    if (c.op == bench::RowOp::kSoftmax) continue;
    auto b = std::make_unique<Buffers>(dev, static_cast<std::size_t>(c.numel()), static_cast<std::size_t>(c.cols()));
    bench::fill_row_input(c, b->x.host().data());
    bench::fill_gamma_beta(c.cols(), b->gamma.host().data(), b->beta.host().data());
    b->x.upload();
    b->gamma.upload();
    b->beta.upload();
    const std::vector<std::int64_t> shape = {c.rows(), c.cols()}, params = {c.cols()};
    const Tensor tx = b->x.tensor(shape), ty = b->y.tensor(shape);
    ops::LayerNormOptions ln;
    ln.eps = c.eps();
    ln.gamma = b->gamma.tensor(params);
    ln.beta = b->beta.tensor(params);
    ops::RmsNormOptions rms;
    rms.eps = c.eps();
    rms.gamma = ln.gamma;
    const Buffers* bp = b.get();
    buffers.push_back(std::move(b));
    for (const std::string mode : {"stream", "direct"}) {
      TimedCase t;
      t.label = c.name() + "/" + mode;
      const bool direct = mode == "direct";
      t.call = [c, tx, ty, ln, rms, direct, &stream] {
        if (c.op == bench::RowOp::kLayerNorm) {
          check_ok(direct ? ops::layer_norm(tx, ty, ln) : ops::layer_norm(stream, tx, ty, ln));
        } else {
          check_ok(direct ? ops::rms_norm(tx, ty, rms) : ops::rms_norm(stream, tx, ty, rms));
        }
        if (!direct) check_ok(stream.synchronize());
      };
      // y holds the output of the case timed last: compute this one again before checking.
      t.verify = [c, bp, call = t.call, label = t.label] {
        call();
        verify_rows(c, bp->x, bp->y, label);
      };
      t.record = [&suite, c, mode](const Summary& ns) { return row_result(suite.name, c, mode, ns, suite.threads); };
      cases.push_back(std::move(t));
    }
  }
}

// batch_norm over one input, inference and training, each case with running statistics
// of its own: training updates them on every call, as a training loop does, and
// inference reads them.
struct BatchNormBuffers {
  explicit BatchNormBuffers(const Device& d)
      : x(d, static_cast<std::size_t>(kN * kC * kH * kW)), y(d, x.host().size()), gamma(d, kC), beta(d, kC) {}
  DeviceF32 x, y, gamma, beta;
  std::vector<std::unique_ptr<DeviceF32>> running;  // mean, var per case
};

void add_batch_norm(OpSuite& suite, BatchNormBuffers& b, std::vector<TimedCase>& cases) {
  const Device& dev = suite.dev;
  const Stream& stream = suite.stream;
  const std::vector<std::int64_t> shape = {kN, kC, kH, kW}, channels = {kC};
  std::vector<float>& xs = b.x.host();
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = bench::row_input_value(bench::RowOp::kLayerNorm, i);
  bench::fill_gamma_beta(kC, b.gamma.host().data(), b.beta.host().data());
  b.x.upload();
  b.gamma.upload();
  b.beta.upload();
  for (bool training : {false, true}) {
    for (const std::string mode : {"stream", "direct"}) {
      auto& rmean = *b.running.emplace_back(std::make_unique<DeviceF32>(dev, kC));
      auto& rvar = *b.running.emplace_back(std::make_unique<DeviceF32>(dev, kC));
      for (std::size_t c = 0; c < static_cast<std::size_t>(kC); ++c) {
        rmean.host()[c] = 0.2f * bench::beta_value(c + 100);
        rvar.host()[c] = 0.5f + bench::gamma_value(c + 100);
      }
      rmean.upload();
      rvar.upload();
      ops::BatchNormOptions bn;
      bn.training = training;
      bn.gamma = b.gamma.tensor(channels);
      bn.beta = b.beta.tensor(channels);
      bn.running_mean = rmean.tensor(channels);
      bn.running_var = rvar.tensor(channels);
      const Tensor tx = b.x.tensor(shape), ty = b.y.tensor(shape);
      const bool direct = mode == "direct";
      TimedCase t;
      t.label = fmt::format("batch_norm/f32/[{},{},{},{}]/{}/{}", kN, kC, kH, kW, training ? "training" : "inference",
                            mode);
      t.call = [tx, ty, bn, direct, &stream] {
        check_ok(direct ? ops::batch_norm(tx, ty, bn) : ops::batch_norm(stream, tx, ty, bn));
        if (!direct) check_ok(stream.synchronize());
      };
      // y holds the output of the case timed last: compute this one again before checking.
      t.verify = [call = t.call, training, &b, &rmean, &rvar, eps = bn.eps] {
        call();
        verify_batch_norm(training, b.x, b.y, rmean, rvar, b.gamma, b.beta, eps);
      };
      t.record = [&suite, shape, training, mode, bytes = 2 * b.x.host().size() * sizeof(float),
                  label = t.label](const Summary& ns) {
        Throughput r;
        r.op = "batch_norm";
        r.shape = shape;
        r.axes = {0, 2, 3};
        r.dtype = "f32";
        r.mode = mode;
        r.training = training;
        return op_result(suite.name, label, std::move(r), bytes, ns, suite.threads);
      };
      cases.push_back(std::move(t));
    }
  }
}

}  // namespace

std::vector<BenchResult> run_norm_suite(const BenchOptions& o) {
  OpSuite suite("norm", o);
  std::vector<std::unique_ptr<Buffers>> buffers;
  BatchNormBuffers bn(suite.dev);
  std::vector<TimedCase> cases;
  add_rows(suite, buffers, cases);
  add_batch_norm(suite, bn, cases);
  suite.run_rounds(cases);
  return suite.finish();
}

}  // namespace vnpu::cli
