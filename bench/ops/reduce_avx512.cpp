// bench/ops/reduce_avx512.cpp — a straightforward hand-vectorized AVX-512 loop for each
// case, threaded with OpenMP: what a performance-minded user writes for one machine.
//
// The kernels carry target("avx512f") attributes (the rest of the binary stays baseline)
// and run only when the CPU reports AVX-512F. Each thread sums a contiguous share with
// four 16-lane f32 accumulators (bf16 widened by a shift, f16 by vcvtph2ps); row sums
// reduce each row's vector; column sums follow ColumnPlan, with the accumulators in
// registers when a tile is at most 64 columns wide and in L1 otherwise.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "reduce_peers.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// GCC 12's AVX-512 headers trip -Wuninitialized on their own _mm512_undefined_*() when
// inlined into target("avx512f") functions (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#include <omp.h>

#define VNPU_AVX512 __attribute__((target("avx512f")))

namespace vnpu::bench {

namespace {

VNPU_AVX512 inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
template <bool kF16>
VNPU_AVX512 inline __m512 load16(const std::uint16_t* p) {
  const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  if constexpr (kF16) return _mm512_cvtph_ps(h);
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}
VNPU_AVX512 inline __m512 load_tail(const float* p, std::int64_t n) {
  return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
}

VNPU_AVX512 float sum_f32(const float* x, std::int64_t n) {
  __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  std::int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    a0 = _mm512_add_ps(a0, load16(x + i));
    a1 = _mm512_add_ps(a1, load16(x + i + 16));
    a2 = _mm512_add_ps(a2, load16(x + i + 32));
    a3 = _mm512_add_ps(a3, load16(x + i + 48));
  }
  for (; i + 16 <= n; i += 16) a0 = _mm512_add_ps(a0, load16(x + i));
  if (i < n) a1 = _mm512_add_ps(a1, load_tail(x + i, n - i));
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

// f16 (kF16) or bf16 elements.
template <bool kF16>
VNPU_AVX512 float sum_16bit(const std::uint16_t* x, std::int64_t n) {
  __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  std::int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    a0 = _mm512_add_ps(a0, load16<kF16>(x + i));
    a1 = _mm512_add_ps(a1, load16<kF16>(x + i + 16));
    a2 = _mm512_add_ps(a2, load16<kF16>(x + i + 32));
    a3 = _mm512_add_ps(a3, load16<kF16>(x + i + 48));
  }
  for (; i + 16 <= n; i += 16) a0 = _mm512_add_ps(a0, load16<kF16>(x + i));
  float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
  for (; i < n; ++i) s += kF16 ? f16_to_f32(x[i]) : bf16_to_f32(x[i]);
  return s;
}

VNPU_AVX512 void row_sums(const float* x, std::int64_t r0, std::int64_t r1, std::int64_t cols, float* y) {
  if (cols == 16) {  // one vector per row
    for (std::int64_t r = r0; r < r1; ++r) y[r] = _mm512_reduce_add_ps(load16(x + r * cols));
    return;
  }
  for (std::int64_t r = r0; r < r1; ++r) y[r] = sum_f32(x + r * cols, cols);
}

// acc[0..w) += the w columns from c0 of rows [r0, r1).
VNPU_AVX512 void add_rows(float* acc, const float* x, std::int64_t r0, std::int64_t r1, std::int64_t cols,
                          std::int64_t c0, std::int64_t w) {
  if (w <= 64) {  // registers: two sets (even and odd rows) so adds do not wait on each other
    const std::int64_t v = (w + 15) / 16;
    __m512 even[4], odd[4];
    __mmask16 mask[4];
    for (std::int64_t k = 0; k < 4; ++k) {
      const std::int64_t left = std::clamp<std::int64_t>(w - 16 * k, 0, 16);
      mask[k] = static_cast<__mmask16>((1u << left) - 1u);
      even[k] = _mm512_maskz_loadu_ps(mask[k], acc + 16 * k);
      odd[k] = _mm512_setzero_ps();
    }
    std::int64_t r = r0;
    for (; r + 2 <= r1; r += 2) {
      const float* p = x + r * cols + c0;
      for (std::int64_t k = 0; k < v; ++k) {
        even[k] = _mm512_add_ps(even[k], _mm512_maskz_loadu_ps(mask[k], p + 16 * k));
        odd[k] = _mm512_add_ps(odd[k], _mm512_maskz_loadu_ps(mask[k], p + cols + 16 * k));
      }
    }
    if (r < r1) {
      for (std::int64_t k = 0; k < v; ++k)
        even[k] = _mm512_add_ps(even[k], _mm512_maskz_loadu_ps(mask[k], x + r * cols + c0 + 16 * k));
    }
    for (std::int64_t k = 0; k < v; ++k) _mm512_mask_storeu_ps(acc + 16 * k, mask[k], _mm512_add_ps(even[k], odd[k]));
    return;
  }
  const std::int64_t full = w / 16 * 16;
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* p = x + r * cols + c0;
    for (std::int64_t j = 0; j < full; j += 16) _mm512_storeu_ps(acc + j, _mm512_add_ps(load16(acc + j), load16(p + j)));
    if (full < w) {
      const auto m = static_cast<__mmask16>((1u << (w - full)) - 1u);
      _mm512_mask_storeu_ps(acc + full, m,
                            _mm512_add_ps(_mm512_maskz_loadu_ps(m, acc + full), _mm512_maskz_loadu_ps(m, p + full)));
    }
  }
}

// [begin, end) of share t when n items are split into `parts` contiguous shares whose
// boundaries are multiples of `align`.
std::pair<std::int64_t, std::int64_t> share(std::int64_t n, int parts, int t, std::int64_t align) {
  const std::int64_t per = (n / parts + align - 1) / align * align;
  return {std::min(n, t * per), t == parts - 1 ? n : std::min(n, (t + 1) * per)};
}

float full_sum(const PeerCase& pc, std::vector<float>& partials) {
  const std::int64_t n = pc.c.numel();
  partials.assign(static_cast<std::size_t>(pc.threads), 0.0f);
#pragma omp parallel num_threads(pc.threads)
  {
    const int t = omp_get_thread_num();
    const auto [b, e] = share(n, omp_get_num_threads(), t, 64);
    const auto* x16 = static_cast<const std::uint16_t*>(pc.src) + b;
    float& out = partials[static_cast<std::size_t>(t)];
    switch (pc.c.dtype) {
      case DType::kF16: out = sum_16bit<true>(x16, e - b); break;
      case DType::kBF16: out = sum_16bit<false>(x16, e - b); break;
      default: out = sum_f32(static_cast<const float*>(pc.src) + b, e - b); break;
    }
  }
  float s = 0.0f;
  for (float p : partials) s += p;
  return s;
}

void column_sums(const PeerCase& pc, std::vector<float>& partials) {
  const auto* x = static_cast<const float*>(pc.src);
  const std::int64_t rows = pc.c.rows(), cols = pc.c.cols();
  const ColumnPlan plan(cols, pc.threads);
  if (plan.tiled()) {
#pragma omp parallel for num_threads(pc.threads) schedule(static)
    for (std::int64_t t = 0; t < plan.tiles; ++t) {
      const std::int64_t c0 = t * plan.tile;
      const std::int64_t w = std::min(plan.tile, cols - c0);
      alignas(64) float acc[ColumnPlan::kMaxTile] = {};
      add_rows(acc, x, 0, rows, cols, c0, w);
      std::copy(acc, acc + w, pc.dst + c0);
    }
    return;
  }
  partials.assign(static_cast<std::size_t>(pc.threads * cols), 0.0f);
#pragma omp parallel num_threads(pc.threads)
  {
    const int t = omp_get_thread_num();
    const auto [b, e] = share(rows, omp_get_num_threads(), t, 1);
    add_rows(partials.data() + t * cols, x, b, e, cols, 0, cols);
  }
  std::copy(partials.begin(), partials.begin() + cols, pc.dst);
  for (int t = 1; t < pc.threads; ++t) {
    for (std::int64_t j = 0; j < cols; ++j) pc.dst[j] += partials[static_cast<std::size_t>(t * cols + j)];
  }
}

}  // namespace

void bench_avx512(benchmark::State& state, const PeerCase& pc) {
  if (!__builtin_cpu_supports("avx512f")) return state.SkipWithError("this CPU has no AVX-512F");
  if (!pc.c.full() && pc.c.dtype != DType::kF32) return state.SkipWithError("matrix cases are f32 only");
  std::vector<float> partials;
  for (auto _ : state) {
    if (pc.c.full()) {
      pc.dst[0] = full_sum(pc, partials);
    } else if (pc.c.axis() == 1) {
      const auto* x = static_cast<const float*>(pc.src);
#pragma omp parallel num_threads(pc.threads)
      {
        const auto [b, e] = share(pc.c.rows(), omp_get_num_threads(), omp_get_thread_num(), 1);
        row_sums(x, b, e, pc.c.cols(), pc.dst);
      }
    } else {
      column_sums(pc, partials);
    }
    benchmark::ClobberMemory();
  }
  finish(state, pc);
}

}  // namespace vnpu::bench

#else  // not x86-64

namespace vnpu::bench {
void bench_avx512(benchmark::State& state, const PeerCase&) { state.SkipWithError("AVX-512 is x86-64 only"); }
}  // namespace vnpu::bench

#endif
