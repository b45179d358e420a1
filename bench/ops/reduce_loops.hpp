// bench/ops/reduce_loops.hpp — the inner loops of the plain OpenMP and oneTBB peers,
// written as a user would: scalar C++ with `#pragma omp simd` so the compiler vectorizes
// the f32 accumulation (the source needs -fopenmp or -fopenmp-simd), bf16 widened as the
// upper half of an f32 and f16 by branch-free integer arithmetic.
//
// Why not _Float16 for f16: GCC 12 converts it one element at a time unless the CPU has
// AVX512-FP16, which made the plain loops ten times slower than memory. The branch-free
// form below vectorizes and is exact for every f16 value (checked against
// vnpu::f16_to_f32 for all 65536 inputs).
#pragma once

#include <bit>
#include <cstdint>

#include "vnpu/dtype.hpp"

namespace vnpu::bench {

struct Bf16 {
  std::uint16_t bits;
};
struct F16 {
  std::uint16_t bits;
};

inline float to_f32(float x) { return x; }
inline float to_f32(Bf16 x) { return std::bit_cast<float>(static_cast<std::uint32_t>(x.bits) << 16); }
// Normal numbers: shift exponent and mantissa into place and rescale the exponent bias
// by a multiply (which also maps inf/NaN); subnormals: build 0.5 + m * 2^-24 with m the
// mantissa in the low bits, then subtract 0.5. Pick by magnitude, restore the sign.
inline float to_f32(F16 x) {
  const std::uint32_t w = static_cast<std::uint32_t>(x.bits) << 16;
  const std::uint32_t sign = w & 0x80000000u;
  const std::uint32_t two_w = w + w;  // exponent and mantissa at the top, sign dropped
  const float normal = std::bit_cast<float>((two_w >> 4) + (0xE0u << 23)) * 0x1p-112f;
  const float subnormal = std::bit_cast<float>((two_w >> 17) | (126u << 23)) - 0.5f;
  const std::uint32_t magnitude =
      two_w < (1u << 27) ? std::bit_cast<std::uint32_t>(subnormal) : std::bit_cast<std::uint32_t>(normal);
  return std::bit_cast<float>(sign | magnitude);
}

/// Calls f(p) with `src` as a pointer to the element type of `dtype` (f32, bf16, f16).
template <class F>
void with_elements(DType dtype, const void* src, F&& f) {
  switch (dtype) {
    case DType::kBF16: f(static_cast<const Bf16*>(src)); break;
    case DType::kF16: f(static_cast<const F16*>(src)); break;
    default: f(static_cast<const float*>(src)); break;
  }
}

/// Sum of x[0..n) in f32 (one accumulator per SIMD lane).
template <class T>
float sum_span(const T* x, std::int64_t n) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (std::int64_t i = 0; i < n; ++i) s += to_f32(x[i]);
  return s;
}

/// acc[j] += x[j] for j in [0, n).
inline void add_span(float* __restrict acc, const float* __restrict x, std::int64_t n) {
#pragma omp simd
  for (std::int64_t j = 0; j < n; ++j) acc[j] += x[j];
}

}  // namespace vnpu::bench
