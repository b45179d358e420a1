// A test probe of the softmax kernels: their row and column bodies run on one input, in
// either form — the vector bodies (softmax_vec-inl.hpp) or their plain twins
// (softmax_plain-inl.hpp) — so that a test can check on any target that both give the
// same bits (tests/ops/test_simd_numerics.cpp). Not used by the operators.
#pragma once

#include <cstdint>
#include <vector>

namespace vnpu::ops::detail {

/// What each body gives for input x[0, n) (see probe_softmax).
struct SoftmaxProbe {
  float max = 0.0f;        // Max(x)
  float max_plain = 0.0f;  // MaxPlain(x)
  float sum = 0.0f;        // ExpSum<kStore>(x, m): the sum of exp(x - m), m = max
  float sum_below = 0.0f;  // ExpSum<kBelowMax>(x, m): the same over the elements below m
  std::vector<float> exps;                      // exp(x - m), as ExpSum stored them
  std::vector<float> scaled, exp_scaled, shifted;  // Map<0>, <1>, <2>(x, a, b)
  std::vector<std::uint16_t> f16, bf16;         // RowTo<1>, RowTo<2> of x
  std::vector<float> from_f16, from_bf16;       // RowFrom<1>, RowFrom<2> of those
  // x as n / w rows of w columns: MaxCols over the rows (col_max); ExpAccCols<kStore> with
  // m = col_max (col_sum, col_exps); MapCols<0>, <1>, <2> with m = col_max and a[c] = a + c * b.
  std::vector<float> col_max, col_sum, col_exps, col_scaled, col_exp_scaled, col_shifted;
};

/// Runs the bodies of the active ISA's softmax kernels on x[0, n) (n a multiple of w;
/// the exp bodies expect max to be finite): the plain twins if `plain`, else the vector
/// bodies. Returns false, filling nothing, for the vector bodies of a target that has
/// none (SVE, RVV).
bool probe_softmax(bool plain, const float* x, std::int64_t n, float a, float b, std::int64_t w, SoftmaxProbe* out);

}  // namespace vnpu::ops::detail
