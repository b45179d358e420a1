// How reduce_sum splits its work, passed to the kernel through global memory.
#pragma once
#include <cstdint>

struct ReduceSumTiling {
  uint32_t totalLength;  // floats in x (a multiple of 8: 32 bytes)
  uint32_t tileLength;   // floats per tile (a multiple of 8)
};

/// Floats between the partial sums in the workspace: 16 floats, 64 bytes, so no two blocks'
/// partials share a 64-byte line.
constexpr uint32_t kPartialStride = 16;
