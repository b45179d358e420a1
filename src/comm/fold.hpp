// The reduction arithmetic of the collectives: one left fold in rank order.
#pragma once

#include <cstddef>

#include "comm/outcome.hpp"

namespace vnpu::comm {

/// out[i] = parts[0][i] op parts[1][i] op ... op parts[n-1][i], folded left in that order for
/// every element, so the bits depend only on the inputs and their order. FP16/BFP16 fold in
/// binary32 and round once; integers wrap around; MAX/MIN give NaN when any input is NaN.
/// `out` may be one of the parts (in place); it must not overlap another part.
void fold(Type type, Op op, void* out, const void* const* parts, int n, std::size_t count) noexcept;

}  // namespace vnpu::comm
