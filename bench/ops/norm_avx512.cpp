// bench/ops/norm_avx512.cpp — straightforward AVX-512 layer_norm and rms_norm, threaded with
// OpenMP over rows (static schedule). layer_norm: a sum pass (mean), a squared-deviation
// pass (variance), then y = (x - mean) * rstd * gamma + beta; rms_norm: a sum-of-squares
// pass, then y = x * rstd * gamma. A 4096-float row stays in L1 between the passes. Needs
// AVX-512F (the case is skipped otherwise).
#include "norm_peers.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <omp.h>

#include <cmath>
#include <cstdint>

#include "row_avx512.hpp"

namespace vnpu::bench {

namespace {

using avx512::lanes;

VNPU_AVX512 void layer_norm_row(const float* x, float* y, const float* gamma, const float* beta, std::int64_t n,
                                float eps) {
  __m512 s = _mm512_setzero_ps();
  for (std::int64_t j = 0; j < n; j += 16) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(lanes(j, n), x + j));
  const __m512 mean = _mm512_set1_ps(_mm512_reduce_add_ps(s) / static_cast<float>(n));
  __m512 q = _mm512_setzero_ps();
  for (std::int64_t j = 0; j < n; j += 16) {
    const __mmask16 k = lanes(j, n);
    const __m512 d = _mm512_maskz_sub_ps(k, _mm512_maskz_loadu_ps(k, x + j), mean);
    q = _mm512_fmadd_ps(d, d, q);
  }
  const __m512 rstd = _mm512_set1_ps(1.0f / std::sqrt(_mm512_reduce_add_ps(q) / static_cast<float>(n) + eps));
  for (std::int64_t j = 0; j < n; j += 16) {
    const __mmask16 k = lanes(j, n);
    const __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + j), mean), rstd);
    _mm512_mask_storeu_ps(y + j, k,
                          _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(k, gamma + j), _mm512_maskz_loadu_ps(k, beta + j)));
  }
}

VNPU_AVX512 void rms_norm_row(const float* x, float* y, const float* gamma, std::int64_t n, float eps) {
  __m512 q = _mm512_setzero_ps();
  for (std::int64_t j = 0; j < n; j += 16) {
    const __m512 v = _mm512_maskz_loadu_ps(lanes(j, n), x + j);
    q = _mm512_fmadd_ps(v, v, q);
  }
  const __m512 rstd = _mm512_set1_ps(1.0f / std::sqrt(_mm512_reduce_add_ps(q) / static_cast<float>(n) + eps));
  for (std::int64_t j = 0; j < n; j += 16) {
    const __mmask16 k = lanes(j, n);
    const __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + j), rstd);
    _mm512_mask_storeu_ps(y + j, k, _mm512_mul_ps(v, _mm512_maskz_loadu_ps(k, gamma + j)));
  }
}

}  // namespace

void bench_avx512_norm(benchmark::State& state, const RowPeerCase& pc) {
  if (!avx512::have_avx512f()) return state.SkipWithError("this CPU has no AVX-512F");
  const std::int64_t rows = pc.c.rows(), cols = pc.c.cols();
  const auto eps = static_cast<float>(pc.c.eps());
  const bool layer = pc.c.op == RowOp::kLayerNorm;
  for (auto _ : state) {
#pragma omp parallel for num_threads(pc.threads) schedule(static)
    for (std::int64_t r = 0; r < rows; ++r) {
      if (layer) {
        layer_norm_row(pc.xf() + r * cols, pc.yf() + r * cols, pc.gamma, pc.beta, cols, eps);
      } else {
        rms_norm_row(pc.xf() + r * cols, pc.yf() + r * cols, pc.gamma, cols, eps);
      }
    }
  }
  finish_rows(state, pc);
}

}  // namespace vnpu::bench

#else  // not x86-64

namespace vnpu::bench {
void bench_avx512_norm(benchmark::State& state, const RowPeerCase&) {
  state.SkipWithError("AVX-512 is x86-64 only");
}
}  // namespace vnpu::bench

#endif
