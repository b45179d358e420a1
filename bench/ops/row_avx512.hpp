// bench/ops/row_avx512.hpp — what the AVX-512 peers of vnpu_norm_peers share: 16-lane
// helpers for walking a row with a masked tail, and a vectorized exp.
//
// Functions carry target("avx512f") attributes (the rest of the binary stays baseline);
// the peers call them only when the CPU reports AVX-512F. Include only on x86-64 with
// GCC or Clang.
#pragma once

// GCC 12's AVX-512 headers trip -Wuninitialized on their own _mm512_undefined_*() when
// inlined into target("avx512f") functions (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>

#define VNPU_AVX512 __attribute__((target("avx512f")))

namespace vnpu::bench::avx512 {

/// The lanes of the 16-element block at j that lie inside a row of n elements.
VNPU_AVX512 inline __mmask16 lanes(std::int64_t j, std::int64_t n) {
  return n - j >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (n - j)) - 1u);
}

/// e^x for 16 lanes, within 2 ulp over the range where the result is a normal float:
/// x = k ln2 + r with |r| <= ln2 / 2 (ln2 split in two for an exact product), e^r by its
/// degree-6 Taylor polynomial (error below r^7 / 5040 < 1.2e-7), scaled by 2^k with
/// vscalefps (which also gives 0 and inf beyond the range). x is clamped at -104 so that
/// -inf gives 0 rather than NaN.
VNPU_AVX512 inline __m512 exp16(__m512 x) {
  x = _mm512_max_ps(x, _mm512_set1_ps(-104.0f));
  const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693145752f), x);
  r = _mm512_fnmadd_ps(k, _mm512_set1_ps(1.42860677e-6f), r);
  __m512 p = _mm512_set1_ps(1.0f / 720.0f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, k);
}

/// Whether this CPU can run the AVX-512 peers.
inline bool have_avx512f() { return __builtin_cpu_supports("avx512f"); }

}  // namespace vnpu::bench::avx512
