// Element-wise math written as plain IEEE operations (no fused multiply-adds: the files
// using it are built with -ffp-contract=off), so that loops calling it vectorize on every
// SIMD target and give the same bits on all of them.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace vnpu::ops::detail {

/// e^x in f32, within 1 ulp for normal results (measured over the whole range). Results
/// below the smallest normal float flush to 0; overflow gives +inf; NaN stays NaN.
/// Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2, then a degree-7 polynomial for e^r.
[[gnu::always_inline]] inline float exp_f32(float x) noexcept {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding and subtracting it rounds to an integer
  constexpr float kLn2Hi = 0.693359375f;  // ln 2 split so that k * kLn2Hi is exact
  constexpr float kLn2Lo = -2.12194440e-4f;
  constexpr float kMin = -87.3365479f;  // below: the result is not a normal float
  constexpr float kMax = 88.3762626f;   // above: overflow
  float xc = x < kMin ? kMin : x;
  xc = xc > kMax ? kMax : xc;
  const float k = (xc * kLog2e + kRound) - kRound;
  float r = xc - k * kLn2Hi;
  r = r - k * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = (p * (r * r) + r) + 1.0f;
  const auto scale = std::bit_cast<float>(static_cast<std::uint32_t>(static_cast<std::int32_t>(k) + 127) << 23);
  float res = y * scale;
  res = x < kMin ? 0.0f : res;
  res = x > kMax ? std::numeric_limits<float>::infinity() : res;
  return x != x ? x : res;
}

}  // namespace vnpu::ops::detail
