// bench/ops/reduce_omp.cpp — the plain OpenMP loops a user would write for these sums.
//
// Full sums: `parallel for simd reduction(+)`. Row sums (axis 1): rows split statically,
// each row summed with `omp simd`. Column sums (axis 0): see ColumnPlan; its row-block
// plan is OpenMP's array-section reduction.
#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "reduce_loops.hpp"
#include "reduce_peers.hpp"

namespace vnpu::bench {

namespace {

template <class T>
float full_sum(const T* x, std::int64_t n, int threads) {
  float s = 0.0f;
#pragma omp parallel for simd reduction(+ : s) num_threads(threads) schedule(static)
  for (std::int64_t i = 0; i < n; ++i) s += to_f32(x[i]);
  return s;
}

void row_sums(const float* x, std::int64_t rows, std::int64_t cols, float* y, int threads) {
#pragma omp parallel for num_threads(threads) schedule(static)
  for (std::int64_t r = 0; r < rows; ++r) y[r] = sum_span(x + r * cols, cols);
}

void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* y, int threads) {
  const ColumnPlan plan(cols, threads);
  if (plan.tiled()) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (std::int64_t t = 0; t < plan.tiles; ++t) {
      const std::int64_t c0 = t * plan.tile;
      const std::int64_t w = std::min(plan.tile, cols - c0);
      alignas(64) float acc[ColumnPlan::kMaxTile] = {};
      for (std::int64_t r = 0; r < rows; ++r) add_span(acc, x + r * cols + c0, w);
      std::copy(acc, acc + w, y + c0);
    }
    return;
  }
  // Row blocks: OpenMP's array-section reduction gives each thread its own copy of y.
  std::fill(y, y + cols, 0.0f);
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : y[:cols])
  for (std::int64_t r = 0; r < rows; ++r) add_span(y, x + r * cols, cols);
}

}  // namespace

void bench_omp(benchmark::State& state, const PeerCase& pc) {
  const ReduceCase& c = pc.c;
  if (!c.full() && c.dtype != DType::kF32) return state.SkipWithError("matrix cases are f32 only");
  for (auto _ : state) {
    if (c.full()) {
      with_elements(c.dtype, pc.src, [&](const auto* x) { pc.dst[0] = full_sum(x, c.numel(), pc.threads); });
    } else if (c.axis() == 1) {
      row_sums(static_cast<const float*>(pc.src), c.rows(), c.cols(), pc.dst, pc.threads);
    } else {
      column_sums(static_cast<const float*>(pc.src), c.rows(), c.cols(), pc.dst, pc.threads);
    }
    benchmark::ClobberMemory();
  }
  finish(state, pc);
}

}  // namespace vnpu::bench
