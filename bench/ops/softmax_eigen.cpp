// bench/ops/softmax_eigen.cpp — softmax as a straightforward Eigen Tensor expression on a
// ThreadPoolDevice of pc.threads threads: the row maxima, y = exp(x - max), the row sums
// of y, y /= sum (three passes over the data, as a user writes it).
#include <tuple>

#include "row_eigen.hpp"

namespace vnpu::bench {

void bench_eigen_softmax(benchmark::State& state, const RowPeerCase& pc) {
  using namespace eigen;
  Setup s(pc);
  const auto& [device, x, y, row] = std::tie(s.device, s.x, s.y, s.row);
  Vector max(pc.c.rows()), sum(pc.c.rows());
  for (auto _ : state) {
    max.device(device) = x.maximum(along_rows());
    y.device(device) = (x - max.reshape(row.shape).broadcast(row.bcast)).exp();
    sum.device(device) = y.sum(along_rows());
    y.device(device) = y / sum.reshape(row.shape).broadcast(row.bcast);
  }
  finish_rows(state, pc);
}

}  // namespace vnpu::bench
