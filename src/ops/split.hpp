// The even split of an operator's units of work over the blocks of a launch.
#pragma once

#include <cstdint>

namespace vnpu::ops::detail {

/// Units [u0, u1) of block b of `blocks`; the work of blocks differs by at most one unit.
inline void split(std::int64_t units, std::uint32_t blocks, std::uint32_t b, std::int64_t* u0,
                  std::int64_t* u1) noexcept {
  *u0 = units * b / blocks;
  *u1 = units * (b + 1) / blocks;
}

}  // namespace vnpu::ops::detail
