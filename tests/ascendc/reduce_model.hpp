// The reduction order of the Ascend C API as the documentation defines it, written as
// plainly as possible (lanes that take no part are absent, not zero), to test the SIMD
// kernels bit for bit; and float64 references to test them against the real sums.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include "kernel_operator.h"

namespace model {

/// a + b of two halves (held as float): rounded to half, a finite overflow saturating at
/// ±65504 (the documented 60000 + 60000 = 65504).
inline float add_half(float a, float b) {
  float s = a + b;
  if (std::isfinite(s) && std::fabs(s) > 65504.0f) s = std::copysign(65504.0f, s);
  return static_cast<float>(half(s));
}

template <typename T>
float add(float a, float b) {
  if constexpr (std::is_same<T, half>::value) return add_half(a, b);
  else return a + b;
}

using Lanes = std::vector<std::optional<float>>;

/// The pairwise tree: (v0+v1), (v2+v3), ..., then pairs of those; an absent value leaves
/// its partner as it is.
template <typename T>
std::optional<float> tree(Lanes v) {
  if (v.empty()) return std::nullopt;
  while (v.size() > 1) {
    if (v.size() % 2 != 0) v.push_back(std::nullopt);
    Lanes next(v.size() / 2);
    for (std::size_t k = 0; k < next.size(); ++k) {
      const auto& a = v[2 * k];
      const auto& b = v[2 * k + 1];
      next[k] = a && b ? std::optional<float>(add<T>(*a, *b)) : (a ? a : b);
    }
    v = next;
  }
  return v[0];
}

template <typename T>
constexpr std::uint32_t lanes() {
  return 256 / sizeof(T);
}

/// ReduceSum, count form: the tree in each repeat, the repeats added in order.
template <typename T>
float reduce_sum_count(const std::vector<T>& x) {
  const std::size_t L = lanes<T>();
  float acc = 0.0f;
  for (std::size_t r = 0; r * L < x.size(); ++r) {
    Lanes v(L);
    for (std::size_t j = 0; j < L && r * L + j < x.size(); ++j) v[j] = static_cast<float>(x[r * L + j]);
    const float s = *tree<T>(v);
    acc = r == 0 ? s : add<T>(acc, s);
  }
  return acc;
}

/// The lanes `mask_bit(j)` enables of repeat r starting at element r * rep (elements), its
/// DataBlocks `blk` blocks apart.
template <typename T, typename Mask>
Lanes repeat_lanes(const std::vector<T>& x, std::size_t r, std::size_t rep, std::size_t blk, Mask mask_bit) {
  const std::size_t L = lanes<T>(), per_block = 32 / sizeof(T);
  Lanes v(L);
  for (std::size_t j = 0; j < L; ++j)
    if (mask_bit(j)) v[j] = static_cast<float>(x[r * rep + (j / per_block) * blk * per_block + j % per_block]);
  return v;
}

/// ReduceSum, mask/repeat form: the tree in each repeat, then a tree over the repeats.
template <typename T, typename Mask>
float reduce_sum_repeats(const std::vector<T>& x, std::size_t repeats, std::size_t rep_blocks, Mask mask_bit) {
  Lanes sums;
  for (std::size_t r = 0; r < repeats; ++r)
    sums.push_back(tree<T>(repeat_lanes(x, r, rep_blocks * 32 / sizeof(T), 1, mask_bit)));
  return *tree<T>(sums);
}

/// The first extreme of the present values (index in the sequence): a NaN wins over any
/// number, otherwise the first strictly larger (smaller) one.
struct Extreme {
  float value = 0.0f;
  std::size_t index = 0;
  bool found = false;
};
inline void consider(Extreme& e, float v, std::size_t i, bool is_max) {
  if (e.found) {
    if (std::isnan(e.value)) return;
    if (!std::isnan(v) && !(is_max ? v > e.value : v < e.value)) return;
  }
  e = Extreme{v, i, true};
}

/// float64 sums with the total magnitude, for error bounds.
template <typename T>
void exact_sum(const std::vector<T>& x, double* sum, double* magnitude) {
  *sum = 0.0;
  *magnitude = 0.0;
  for (const T& v : x) {
    *sum += static_cast<double>(static_cast<float>(v));
    *magnitude += std::fabs(static_cast<double>(static_cast<float>(v)));
  }
}

}  // namespace model
