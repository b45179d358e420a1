// bench/ops/reduce_tbb.cpp — the oneTBB loops a user would write for these sums.
//
// Full sums: tbb::parallel_reduce over blocks (inner loop vectorized with `omp simd`).
// Row sums (axis 1): tbb::parallel_for over rows. Column sums (axis 0): ColumnPlan, with
// tbb::parallel_for over tiles or over one row block per thread. The thread count comes
// from a task_arena of pc.threads (the main thread joins it, as TBB's master does).
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "reduce_loops.hpp"
#include "reduce_peers.hpp"

namespace vnpu::bench {

namespace {

using Range = tbb::blocked_range<std::int64_t>;
constexpr std::int64_t kGrain = 1 << 16;  // elements per leaf: ~256 KiB of f32

template <class T>
float full_sum(const T* x, std::int64_t n) {
  return tbb::parallel_reduce(
      Range(0, n, kGrain), 0.0f,
      [x](const Range& r, float acc) { return acc + sum_span(x + r.begin(), r.end() - r.begin()); },
      std::plus<float>());
}

void row_sums(const float* x, std::int64_t rows, std::int64_t cols, float* y) {
  const std::int64_t grain = std::max<std::int64_t>(1, kGrain / cols);
  tbb::parallel_for(Range(0, rows, grain), [=](const Range& r) {
    for (std::int64_t i = r.begin(); i < r.end(); ++i) y[i] = sum_span(x + i * cols, cols);
  });
}

void column_sums(const float* x, std::int64_t rows, std::int64_t cols, float* y, int threads,
                 std::vector<float>& partials) {
  const ColumnPlan plan(cols, threads);
  if (plan.tiled()) {
    tbb::parallel_for(std::int64_t{0}, plan.tiles, [=](std::int64_t t) {
      const std::int64_t c0 = t * plan.tile;
      const std::int64_t w = std::min(plan.tile, cols - c0);
      alignas(64) float acc[ColumnPlan::kMaxTile] = {};
      for (std::int64_t r = 0; r < rows; ++r) add_span(acc, x + r * cols + c0, w);
      std::copy(acc, acc + w, y + c0);
    });
    return;
  }
  // Each thread's partial starts on its own cache line: with 16 columns, two partials in
  // one line would bounce between the cores on every row.
  const std::int64_t stride = (cols + 15) / 16 * 16;
  partials.assign(static_cast<std::size_t>(threads * stride + 16), 0.0f);
  float* p = partials.data() + (16 - reinterpret_cast<std::uintptr_t>(partials.data()) / sizeof(float) % 16) % 16;
  const std::int64_t block = (rows + threads - 1) / threads;
  tbb::parallel_for(0, threads, [=](int t) {
    const std::int64_t end = std::min(rows, (t + 1) * block);
    for (std::int64_t r = t * block; r < end; ++r) add_span(p + t * stride, x + r * cols, cols);
  });
  std::copy(p, p + cols, y);
  for (int t = 1; t < threads; ++t) add_span(y, p + t * stride, cols);
}

}  // namespace

void bench_tbb(benchmark::State& state, const PeerCase& pc) {
  const ReduceCase& c = pc.c;
  if (!c.full() && c.dtype != DType::kF32) return state.SkipWithError("matrix cases are f32 only");
  tbb::task_arena arena(pc.threads);
  std::vector<float> partials;
  for (auto _ : state) {
    arena.execute([&] {
      if (c.full()) {
        with_elements(c.dtype, pc.src, [&](const auto* x) { pc.dst[0] = full_sum(x, c.numel()); });
      } else if (c.axis() == 1) {
        row_sums(static_cast<const float*>(pc.src), c.rows(), c.cols(), pc.dst);
      } else {
        column_sums(static_cast<const float*>(pc.src), c.rows(), c.cols(), pc.dst, pc.threads, partials);
      }
    });
    benchmark::ClobberMemory();
  }
  finish(state, pc);
}

}  // namespace vnpu::bench
