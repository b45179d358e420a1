// The arithmetic of the vector unit as the reduction kernels define it, one value at a
// time: half sums that round and saturate, the "first extreme" comparison, and the
// pairwise tree over a stream of values. The SIMD kernels (vec_reduce_kernels.cpp) give
// the same bits.
#pragma once

#include <cstdint>
#include <cstring>

#include "vnpu/dtype.hpp"

namespace vnpu::ascendc::num {

inline constexpr float kHalfMax = 65504.0f;

/// x rounded to the nearest binary16 value (ties to even), as an f32.
inline float half_grid(float x) { return vnpu::f16_to_f32(vnpu::f32_to_f16(x)); }

/// a + b of two halves (held as f32) as the vector unit adds them: rounded to half; a sum
/// of finite values beyond ±65504 saturates there; inf and NaN propagate. The f32 sum is
/// exact enough: rounding it to half again is correct (24 >= 2 * 11 + 2 bits).
inline float add_half(float a, float b) {
  float s = a + b;
  if (s > kHalfMax && s <= 3.4028235e38f) s = kHalfMax;
  if (s < -kHalfMax && s >= -3.4028235e38f) s = -kHalfMax;
  return half_grid(s);
}

/// The sum of the vector unit for f32 (kHalf false) or half values.
template <bool kHalf>
inline float add(float a, float b) {
  if constexpr (kHalf) return add_half(a, b);
  else return a + b;
}

/// The pairwise tree over v[0 .. n) (n a power of two), in place: (v0+v1), (v2+v3), ...,
/// then pairs of those. Disabled lanes hold -0, which changes no sum (x + -0 == x).
template <bool kHalf>
inline float tree_sum(float* v, std::uint32_t n) {
  for (std::uint32_t width = n; width > 1; width /= 2)
    for (std::uint32_t k = 0; k < width / 2; ++k) v[k] = add<kHalf>(v[2 * k], v[2 * k + 1]);
  return v[0];
}

/// An f32 or f16 (`half`) element at p, as f32; and the other way (exact for a value of
/// the half grid).
inline float load(const unsigned char* p, bool half) {
  if (half) {
    std::uint16_t h;
    std::memcpy(&h, p, 2);
    return vnpu::f16_to_f32(h);
  }
  float f;
  std::memcpy(&f, p, 4);
  return f;
}
inline void store(unsigned char* p, float v, bool half) {
  if (half) {
    const std::uint16_t h = vnpu::f32_to_f16(v);
    std::memcpy(p, &h, 2);
  } else {
    std::memcpy(p, &v, 4);
  }
}

/// Whether `v` replaces `best` as the extreme so far, scanning in index order: a NaN beats
/// every number (the first NaN stays), otherwise strictly larger (max) or smaller (min),
/// so the first of equal extremes stays.
inline bool beats(float v, float best, bool is_max) {
  if (best != best) return false;
  if (v != v) return true;
  return is_max ? v > best : v < best;
}

/// The pairwise tree over a stream of values v0, v1, ...: (v0+v1), (v2+v3), ..., then pairs
/// of those, a missing partner leaving a value as it is — with O(log n) state. push() the
/// values in order, then result().
template <bool kHalf>
class PairwiseFold {
 public:
  void push(float v) {
    std::uint32_t level = 0;
    // Two complete subtrees of one size are siblings: combine them, and so on upwards.
    while (top_ > 0 && level_[top_ - 1] == level) {
      v = add<kHalf>(value_[top_ - 1], v);
      --top_;
      ++level;
    }
    value_[top_] = v;
    level_[top_] = level;
    ++top_;
  }
  bool empty() const { return top_ == 0; }
  /// The root. The stack holds the complete subtrees in order, sizes decreasing; in the
  /// padded tree each is the left sibling of everything after it.
  float result() const {
    float r = value_[top_ - 1];
    for (int i = static_cast<int>(top_) - 2; i >= 0; --i) r = add<kHalf>(value_[i], r);
    return r;
  }

 private:
  float value_[64];
  std::uint32_t level_[64];
  std::uint32_t top_ = 0;
};

}  // namespace vnpu::ascendc::num
