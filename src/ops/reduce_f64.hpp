// Reductions of f64 inputs, computed in f64: the chunk and column kernels that the layouts
// of reduce_kernels.cpp call for them. One portable translation unit, not compiled per ISA,
// so its bits do not depend on the ISA the f32 kernels run with; loops over independent
// lanes or columns, which the compiler vectorizes.
#pragma once

#include <cstdint>

#include "ops/reduce_plan.hpp"

namespace vnpu::ops::detail::f64 {

/// The partial of n contiguous elements (the family semantics of reduce_plan.hpp): eight
/// lanes, element e into lane e % 8, folded pairwise ((0+1)+(2+3))+((4+5)+(6+7)); `base` is
/// the flat index of x[0] within its output (argmax/argmin; `last`: the last index among
/// equal extremes).
Partial chunk(Family fam, Map map, const double* x, std::int64_t n, std::int64_t base, bool last = false) noexcept;

/// Outer layout: the partials of columns [0, cw) from `base` (the tile's first column)
/// over rows [r0, r1), into out[0 .. cw). Each column's rows are taken in order; var and
/// logsumexp in blocks of kRowBlock rows (two passes over a block), the blocks combined in
/// order.
void columns(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
             Partial* out);

}  // namespace vnpu::ops::detail::f64
