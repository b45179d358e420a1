// The part of a length each block of a launch takes: contiguous ranges, as equal as the
// alignment allows (every range but the last a multiple of `align` elements), the last
// block taking what remains. Kernel code (runs in each block).
#pragma once
#include <cstdint>

#include "kernel_operator.h"

namespace example {

struct BlockRange {
  uint64_t start;
  uint64_t length;
};

__aicore__ inline BlockRange block_range(uint64_t total, uint64_t align) {
  const uint64_t blocks = static_cast<uint64_t>(AscendC::GetBlockNum());
  const uint64_t block = static_cast<uint64_t>(AscendC::GetBlockIdx());
  const uint64_t per = (total + blocks * align - 1) / (blocks * align) * align;
  const uint64_t start = per * block < total ? per * block : total;
  const uint64_t length = total - start < per ? total - start : per;
  return {start, length};
}

}  // namespace example
