// The scalar exponentials of the operators: exp_neg_f32 (softmax, logsumexp), exp_f32
// (softmax's chunk merge, the Ascend C Exp) and exp_f64 (the f64 reductions).
//
// Written as plain IEEE operations in a fixed order: no fused multiply-adds but the
// explicit std::fma of exp_neg_f32 (every file including this header is built with
// -ffp-contract=off, so the compiler adds none), so that loops calling these functions
// vectorize on every SIMD target and give the same bits on all of them. Every function
// is total (any input gives a defined result) unless its contract says otherwise, and
// rounds its intermediate steps to nearest even (the IEEE default; nothing here changes
// the rounding mode). exp-inl.hpp holds exp_neg_f32 on Highway vectors.
//
// Contracts (ulp: units in the last place of the exact result; the bounds are those the
// tests check, tests/ops/test_softmax_exp.cpp and tests/ops/test_simd_numerics.cpp):
// - exp_neg_f32(x): x in [-inf, 0]; <= kExpNegMaxUlp = 0.9 ulp while the result is a
//   normal float; 0 for x < kExpNegLo = -87.33; x > 0 or NaN: unspecified.
// - exp_f32(x): any x; <= 1 ulp for normal results; 0 below -87.3365 (no subnormal
//   results); +inf above 88.376; NaN in, the same NaN out.
// - exp_f64(x): any x; <= 2 ulp for normal results; 0 below -708.396 (no subnormal
//   results); +inf above 709.78; NaN in, the same NaN out.
#pragma once

#include <bit>
#include <cstdint>
#include <cstddef>
#include <iterator>
#include <limits>

#include <cmath>

namespace vnpu::ops::detail {

// Constants of exp_neg_f32 (its vector form, ExpNegV of exp-inl.hpp, uses them too).
inline constexpr float kExpNegLo = -87.33f;  // below: 0 (e^-87.33 is 1.2e-38, near the smallest normal)
inline constexpr float kExpNegRound = 12582912.0f;  // 1.5 * 2^23
inline constexpr float kExpNegLog2e = 1.44269504088896341f;
inline constexpr float kExpNegLn2Hi = 0.693359375f;  // ln 2 split so that k * kExpNegLn2Hi is exact
inline constexpr float kExpNegLn2Lo = -2.12194440e-4f;
// c6, c5, ..., c2 of the polynomial (Horner order).
inline constexpr float kExpNegC[5] = {1.38146104e-3f, 8.36871006e-3f, 4.16683890e-2f, 1.66665211e-1f,
                                      4.99999940e-1f};
/// The documented bound of exp_neg_f32, in ulp of the result (tests/kernel/test_vmath.cpp
/// fails above it): 0.89 measured over every float in [-87.33, 0].
inline constexpr double kExpNegMaxUlp = 0.9;

/// e^x for x in [-inf, 0], the exp of softmax and logsumexp (every argument x - max is
/// there), within kExpNegMaxUlp = 0.9 ulp for results down to the smallest normal float;
/// arguments below -87.33 give 0. Not for x > 0 or NaN (the result is then unspecified).
/// Cheaper than exp_f32: no clamps and no integer conversion, one polynomial degree less.
/// Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2, then
/// e^r = 1 + r (1 + r (c2 + r (c3 + ... + r c6))), a degree-6 polynomial fitted to e^r's
/// relative error on that interval (3.1e-9 before rounding), in fused multiply-adds only:
/// std::fma rounds once whether the target has the instruction or not, so every target
/// gives the same bits (without hardware FMA the loops calling it do not vectorize).
/// The integer k sits in the low mantissa bits of t = x log2(e) + 1.5 * 2^23, and the
/// result y * 2^k is formed by adding k to y's exponent field: bits(y) + (bits(t) << 23)
/// (the bits of 1.5 * 2^23 shift out above bit 31). That is exact while the result is a
/// normal float, which kExpNegLo ensures (above it, k >= -126 comes with y >= 1, k > -126
/// with y >= 0.7).
[[gnu::always_inline]] inline float exp_neg_f32(float x) noexcept {
  // No clamp: below kExpNegLo the result is replaced by 0 whatever the arithmetic gave.
  const float t = std::fma(x, kExpNegLog2e, kExpNegRound);
  const float k = t - kExpNegRound;
  float r = std::fma(k, -kExpNegLn2Hi, x);
  r = std::fma(k, -kExpNegLn2Lo, r);
  float p = std::fma(kExpNegC[0], r, kExpNegC[1]);
  p = std::fma(p, r, kExpNegC[2]);
  p = std::fma(p, r, kExpNegC[3]);
  p = std::fma(p, r, kExpNegC[4]);
  p = std::fma(p, r, 1.0f);
  const float y = std::fma(p, r, 1.0f);
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(y) + (std::bit_cast<std::uint32_t>(t) << 23);
  return x < kExpNegLo ? 0.0f : std::bit_cast<float>(bits);
}

/// The constants of exp_cw<T>: Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2, with ln 2
/// split so that k * kLn2Hi is exact; the clamps kMin (below: not a normal result) and kMax
/// (above: overflow); the coefficients of p, highest degree first, for
/// e^r = (p(r) r^2 + r) + 1.
template <class T>
struct ExpConstants;
template <>
struct ExpConstants<float> {
  using Bits = std::uint32_t;
  static constexpr int kMantissa = 23, kBias = 127;
  static constexpr float kLog2e = 1.44269504088896341f;
  static constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer
  static constexpr float kLn2Hi = 0.693359375f;
  static constexpr float kLn2Lo = -2.12194440e-4f;
  static constexpr float kMin = -87.3365479f;
  static constexpr float kMax = 88.3762626f;
  // A degree-7 polynomial for e^r, fitted on [-ln2/2, ln2/2].
  static constexpr float kC[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
};
template <>
struct ExpConstants<double> {
  using Bits = std::uint64_t;
  static constexpr int kMantissa = 52, kBias = 1023;
  static constexpr double kLog2e = 1.4426950408889634074;
  static constexpr double kRound = 6755399441055744.0;  // 1.5 * 2^52
  static constexpr double kLn2Hi = 6.93147180369123816490e-01;
  static constexpr double kLn2Lo = 1.90821492927058770002e-10;
  static constexpr double kMin = -708.3964185322641;
  static constexpr double kMax = 709.782712893384;
  // The Taylor polynomial of degree 13 (1/n! for n = 13 down to 2; its truncation error is
  // below 0.02 ulp on the interval).
  static constexpr double kC[] = {1.6059043836821613e-10, 2.08767569878681e-09,  2.505210838544172e-08,
                                  2.755731922398589e-07,  2.7557319223985893e-06, 2.48015873015873e-05,
                                  1.984126984126984e-04,  1.3888888888888889e-03, 8.333333333333333e-03,
                                  4.1666666666666664e-02, 1.6666666666666666e-01, 0.5};
};

/// e^x by Cody-Waite reduction and a polynomial (ExpConstants<T>): results below the
/// smallest normal T flush to 0, overflow gives +inf, NaN stays NaN. 2^k is applied as
/// two exact power-of-two factors (k reaches 1024 at the top of the f64 range, beyond a
/// double's exponent); the only rounding there is the final product's.
template <class T>
[[gnu::always_inline]] inline T exp_cw(T x) noexcept {
  using E = ExpConstants<T>;
  using Bits = typename E::Bits;
  T xc = x < E::kMin ? E::kMin : x;
  xc = xc > E::kMax ? E::kMax : xc;
  const T k = (xc * E::kLog2e + E::kRound) - E::kRound;
  T r = xc - k * E::kLn2Hi;
  r = r - k * E::kLn2Lo;
  T p = E::kC[0];
  for (std::size_t i = 1; i < std::size(E::kC); ++i) p = p * r + E::kC[i];
  const T y = (p * (r * r) + r) + T(1);
  const auto ki = static_cast<std::int64_t>(k);
  const auto half = std::bit_cast<T>(static_cast<Bits>(ki / 2 + E::kBias) << E::kMantissa);
  const auto rest = std::bit_cast<T>(static_cast<Bits>(ki - ki / 2 + E::kBias) << E::kMantissa);
  T res = (y * half) * rest;
  res = x < E::kMin ? T(0) : res;
  res = x > E::kMax ? std::numeric_limits<T>::infinity() : res;
  return x != x ? x : res;
}

/// e^x in f32, within 1 ulp for normal results (measured over the whole range).
[[gnu::always_inline]] inline float exp_f32(float x) noexcept { return exp_cw(x); }

/// e^x in f64, within 2 ulp for normal results.
[[gnu::always_inline]] inline double exp_f64(double x) noexcept { return exp_cw(x); }

}  // namespace vnpu::ops::detail
