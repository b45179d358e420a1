// tools/npy/npy_internal.hpp — what npy.cpp and npy_header.cpp share (not installed).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "npy.hpp"

namespace vnpu::npy {

/// The preamble and padded header NumPy's np.save writes for a C-order array of `dtype`
/// and `shape` (the caller has validated the shape).
std::vector<std::byte> encode_header(NpyDtype dtype, std::span<const std::int64_t> shape);

}  // namespace vnpu::npy
