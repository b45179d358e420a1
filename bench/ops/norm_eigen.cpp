// bench/ops/norm_eigen.cpp — layer_norm and rms_norm as straightforward Eigen Tensor
// expressions on a ThreadPoolDevice of pc.threads threads: the row statistics (layer_norm:
// mean, then the mean of the squared deviations; rms_norm: the mean of the squares), then
// one expression that normalizes, scales and shifts.
#include <tuple>

#include "row_eigen.hpp"

namespace vnpu::bench {

void bench_eigen_norm(benchmark::State& state, const RowPeerCase& pc) {
  using namespace eigen;
  Setup s(pc);
  const auto& [device, x, y, row] = std::tie(s.device, s.x, s.y, s.row);
  const ConstVector gamma(pc.gamma, pc.c.cols()), beta(pc.beta, pc.c.cols());
  Vector mean(pc.c.rows()), rstd(pc.c.rows());
  const PerColumn col(pc.c.rows(), pc.c.cols());
  const auto eps = static_cast<float>(pc.c.eps());
  for (auto _ : state) {
    if (pc.c.op == RowOp::kLayerNorm) {
      mean.device(device) = x.mean(along_rows());
      rstd.device(device) =
          ((x - mean.reshape(row.shape).broadcast(row.bcast)).square().mean(along_rows()) + eps).rsqrt();
      y.device(device) = (x - mean.reshape(row.shape).broadcast(row.bcast)) *
                             rstd.reshape(row.shape).broadcast(row.bcast) *
                             gamma.reshape(col.shape).broadcast(col.bcast) +
                         beta.reshape(col.shape).broadcast(col.bcast);
    } else {
      rstd.device(device) = (x.square().mean(along_rows()) + eps).rsqrt();
      y.device(device) =
          x * rstd.reshape(row.shape).broadcast(row.bcast) * gamma.reshape(col.shape).broadcast(col.bcast);
    }
  }
  finish_rows(state, pc);
}

}  // namespace vnpu::bench
