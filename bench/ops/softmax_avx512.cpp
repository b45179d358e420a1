// bench/ops/softmax_avx512.cpp — a straightforward AVX-512 softmax, threaded with OpenMP
// over rows (static schedule): per row a max pass, an exp pass that writes e^(x - max) to
// y and sums it, and a scaling pass over y. What a performance-minded user writes for one
// machine; it needs AVX-512F (the case is skipped otherwise).
#include "norm_peers.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <omp.h>

#include <cstdint>

#include "row_avx512.hpp"

namespace vnpu::bench {

namespace {

using avx512::lanes;

VNPU_AVX512 void softmax_row(const float* x, float* y, std::int64_t n) {
  __m512 m = _mm512_set1_ps(-__builtin_inff());
  for (std::int64_t j = 0; j < n; j += 16) m = _mm512_max_ps(m, _mm512_mask_loadu_ps(m, lanes(j, n), x + j));
  const __m512 max = _mm512_set1_ps(_mm512_reduce_max_ps(m));
  __m512 sum = _mm512_setzero_ps();
  for (std::int64_t j = 0; j < n; j += 16) {
    const __mmask16 k = lanes(j, n);
    const __m512 e = avx512::exp16(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + j), max));
    _mm512_mask_storeu_ps(y + j, k, e);
    sum = _mm512_mask_add_ps(sum, k, sum, e);
  }
  const __m512 scale = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sum));
  for (std::int64_t j = 0; j < n; j += 16) {
    const __mmask16 k = lanes(j, n);
    _mm512_mask_storeu_ps(y + j, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, y + j), scale));
  }
}

}  // namespace

void bench_avx512_softmax(benchmark::State& state, const RowPeerCase& pc) {
  if (!avx512::have_avx512f()) return state.SkipWithError("this CPU has no AVX-512F");
  const std::int64_t rows = pc.c.rows(), cols = pc.c.cols();
  for (auto _ : state) {
#pragma omp parallel for num_threads(pc.threads) schedule(static)
    for (std::int64_t r = 0; r < rows; ++r) softmax_row(pc.xf() + r * cols, pc.yf() + r * cols, cols);
  }
  finish_rows(state, pc);
}

}  // namespace vnpu::bench

#else  // not x86-64

namespace vnpu::bench {
void bench_avx512_softmax(benchmark::State& state, const RowPeerCase&) {
  state.SkipWithError("AVX-512 is x86-64 only");
}
}  // namespace vnpu::bench

#endif
