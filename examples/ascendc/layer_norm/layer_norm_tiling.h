// How layer_norm splits its work, passed to the kernel by value.
#pragma once
#include <cstdint>

struct LayerNormTiling {
  uint32_t rows;  // rows of the matrix; the blocks take consecutive runs of rows
  uint32_t cols;  // floats per row (a multiple of 8: whole 32-byte blocks), at most 8192
  float epsilon;  // added to the variance
};
