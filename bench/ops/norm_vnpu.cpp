// bench/ops/norm_vnpu.cpp — vnpu's layer_norm (gamma, beta) and rms_norm (gamma), timed as
// `vnpu bench norm` times them: each iteration queues the op on a stream and synchronizes.
#include <string>

#include "norm_peers.hpp"
#include "vnpu/ops/norm.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::bench {

void bench_vnpu_norm(benchmark::State& state, const RowPeerCase& pc) {
  const RowCase& c = pc.c;
  const Stream stream = peer_device(pc.threads).create_stream().value();
  const Tensor x(pc.x, DType::kF32, {c.rows, c.cols});
  const Tensor y(pc.y, DType::kF32, {c.rows, c.cols});
  const Tensor gamma(pc.gamma, DType::kF32, {c.cols});
  const Tensor beta(pc.beta, DType::kF32, {c.cols});
  ops::LayerNormOptions ln;
  ln.eps = c.eps();
  ln.gamma = gamma;
  ln.beta = beta;
  ops::RmsNormOptions rms;
  rms.eps = c.eps();
  rms.gamma = gamma;
  for (auto _ : state) {
    const Status s =
        c.op == RowOp::kLayerNorm ? ops::layer_norm(stream, x, y, ln) : ops::rms_norm(stream, x, y, rms);
    if (s != Status::kSuccess || stream.synchronize() != Status::kSuccess) {
      return state.SkipWithError((std::string("vnpu: ") + last_error_message()).c_str());
    }
  }
  finish_rows(state, pc);
}

}  // namespace vnpu::bench
