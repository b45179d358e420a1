// ln(x) in f32, the logarithm of log_softmax and logsumexp (and of the Ascend C Ln).
//
// Plain IEEE operations in a fixed order, rounded to nearest even, no fused
// multiply-adds (every file including this header is built with -ffp-contract=off), so
// loops calling it vectorize and give the same bits on every SIMD target.
//
// Contract of log_f32(x): any x; within 1 ulp of ln(x) (checked against a float64 log);
// log(0) = log(-0) = -inf, log(+inf) = +inf, log of a negative number is the quiet NaN,
// NaN in gives the same NaN out; subnormal inputs are scaled exactly into the normal
// range first, so they get the same bound.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace vnpu::ops::detail {

/// ln(x) in f32, within 1 ulp (checked against a float64 log). log(0) = -inf, log of a
/// negative number or NaN is NaN, log(+inf) = +inf; subnormal inputs are exact-scaled first.
/// x = 2^k * m with m in [sqrt(1/2), sqrt(2)); with f = m - 1 and s = f / (2 + f),
/// ln(m) = 2 atanh(s) = f - f^2/2 + s (f^2/2 + R(s^2)), R a degree-4 polynomial in s^2.
[[gnu::always_inline]] inline float log_f32(float x) noexcept {
  constexpr float kLn2Hi = 0.693138123f;  // ln 2 split: k * kLn2Hi is exact for |k| < 2^9
  constexpr float kLn2Lo = 9.05800061e-6f;
  const bool sub = x < 0x1p-126f;
  const float xs = sub ? x * 0x1p25f : x;  // subnormals scaled into the normal range
  const auto bits = std::bit_cast<std::uint32_t>(xs);
  // Exponent relative to the bias, after moving the mantissa interval to [sqrt(1/2), sqrt(2)).
  const std::uint32_t shifted = bits + (0x3F800000u - 0x3F3504F3u);
  const std::int32_t k = static_cast<std::int32_t>(shifted >> 23) - 127 - (sub ? 25 : 0);
  const float m = std::bit_cast<float>((shifted & 0x007FFFFFu) + 0x3F3504F3u);
  const float f = m - 1.0f;
  const float s = f / (2.0f + f);
  const float z = s * s;
  const float w = z * z;
  const float r = z * (0.666666627f + w * 0.284987867f) + w * (0.400009722f + w * 0.242790788f);
  const float hf = 0.5f * f * f;
  const auto kf = static_cast<float>(k);
  float res = (((s * (hf + r) + kf * kLn2Lo) - hf) + f) + kf * kLn2Hi;
  res = x == std::numeric_limits<float>::infinity() ? x : res;
  res = x == 0.0f ? -std::numeric_limits<float>::infinity() : res;
  res = x < 0.0f ? std::numeric_limits<float>::quiet_NaN() : res;
  return x != x ? x : res;
}

}  // namespace vnpu::ops::detail
