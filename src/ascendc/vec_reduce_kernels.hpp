// The SIMD kernels of the reduction instructions (vec_reduce_kernels.cpp): compiled once
// per Highway target, the best one for the CPU picked at run time (vnpu::set_isa / VNPU_ISA
// restrict it). Every target gives the bits of the scalar definitions in vec_numeric.hpp.
#pragma once

#include <cstdint>

#include "ascendc/vec_walk.hpp"

namespace vnpu::ascendc {

/// out[r - r0] = the pairwise-tree sum of repeat r of `w`, r in [r0, r1): f32 lanes, or f16
/// lanes (`half`) summed with rounding and saturation, the sums given as f32.
void repeat_sums(const LaneWalk& w, bool half, std::uint32_t r0, std::uint32_t r1, float* out);

/// The first extreme (vec_numeric.hpp: num::beats) of n > 0 contiguous f32 or f16 (`half`)
/// values: its bits, and its index when `want_index` (else the index may be any).
struct Extreme {
  std::uint32_t bits = 0;
  std::uint64_t index = 0;
};
Extreme extreme_count(const void* src, bool half, std::uint64_t n, bool is_max, bool want_index);

}  // namespace vnpu::ascendc
