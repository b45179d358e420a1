// The SIMD kernels of Cast (vec_cast_kernels.cpp): compiled once per Highway target, the
// best one for the CPU picked at run time. They give the bits of the one-element
// conversions of vec_cast.cpp.
#pragma once

#include <cstdint>

namespace vnpu::ascendc {

/// f16 -> f32 (exact) and f32 -> f16 rounded to nearest even with finite overflow
/// saturating at ±65504, n contiguous values.
void cast_f16_to_f32(const std::uint16_t* src, float* dst, std::uint64_t n);
void cast_f32_to_f16_rint(const float* src, std::uint16_t* dst, std::uint64_t n);

}  // namespace vnpu::ascendc
