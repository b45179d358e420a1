// bench/ops/norm_vnpu.cpp — vnpu's layer_norm (gamma, beta) and rms_norm (gamma), timed as
// `vnpu bench norm` times its two modes: "vnpu" queues the op on a stream and synchronizes
// each iteration; "vnpu-direct" calls the synchronous form.
#include <string>

#include "norm_peers.hpp"
#include "vnpu/ops/norm.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::bench {

namespace {

// The options of case c with pc's gamma and beta; `run(layer_norm, x, y, ln, rms)` times one call.
template <class Run>
void time_norm(benchmark::State& state, const RowPeerCase& pc, Run run) {
  const RowCase& c = pc.c;
  const Tensor x(pc.x, DType::kF32, {c.rows(), c.cols()});
  const Tensor y(pc.y, DType::kF32, {c.rows(), c.cols()});
  const Tensor gamma(pc.gamma, DType::kF32, {c.cols()});
  const Tensor beta(pc.beta, DType::kF32, {c.cols()});
  ops::LayerNormOptions ln;
  ln.eps = c.eps();
  ln.gamma = gamma;
  ln.beta = beta;
  ops::RmsNormOptions rms;
  rms.eps = c.eps();
  rms.gamma = gamma;
  for (auto _ : state) {
    if (run(c.op == RowOp::kLayerNorm, x, y, ln, rms) != Status::kSuccess)
      return state.SkipWithError((std::string("vnpu: ") + last_error_message()).c_str());
  }
  finish_rows(state, pc);
}

}  // namespace

void bench_vnpu_norm(benchmark::State& state, const RowPeerCase& pc) {
  const Stream stream = peer_device(pc.threads).create_stream().value();
  time_norm(state, pc, [&](bool layer, const Tensor& x, const Tensor& y, const auto& ln, const auto& rms) {
    const Status s = layer ? ops::layer_norm(stream, x, y, ln) : ops::rms_norm(stream, x, y, rms);
    return s != Status::kSuccess ? s : stream.synchronize();
  });
}

void bench_vnpu_norm_direct(benchmark::State& state, const RowPeerCase& pc) {
  time_norm(state, pc, [](bool layer, const Tensor& x, const Tensor& y, const auto& ln, const auto& rms) {
    return layer ? ops::layer_norm(x, y, ln) : ops::rms_norm(x, y, rms);
  });
}

}  // namespace vnpu::bench
