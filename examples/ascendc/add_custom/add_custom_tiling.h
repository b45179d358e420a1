// How add_custom splits its work, passed to the kernel by value.
#pragma once
#include <cstdint>

struct AddCustomTiling {
  uint32_t totalLength;  // elements of x, y and z (a multiple of 16 halves: 32 bytes)
  uint32_t tileLength;   // elements per tile (a multiple of 16)
};
