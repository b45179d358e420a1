// How an operator's units of work are dealt to the blocks of a launch: an even static
// split, or runs claimed from a shared counter.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace vnpu::ops::detail {

/// Units [u0, u1) of block b of `blocks`; the work of blocks differs by at most one unit.
inline void split(std::int64_t units, std::uint32_t blocks, std::uint32_t b, std::int64_t* u0,
                  std::int64_t* u1) noexcept {
  *u0 = units * b / blocks;
  *u1 = units * (b + 1) / blocks;
}

/// Units per claimed run: about 16 runs per block, short enough to even out the blocks'
/// ends, long enough that a run streams with its prefetches.
inline std::int64_t claim_size(std::int64_t units, std::int64_t blocks) noexcept {
  return std::max<std::int64_t>(1, units / (blocks * 16));
}

/// Calls run(u0, u1) on runs of units [0, units): the whole range for a single block;
/// else runs of `claim` units claimed from `next` (shared by the launch's blocks, starting
/// at 0) until none is left, so a block slowed down (a busy CPU) leaves the rest to the
/// others. Only for work whose every unit is computed the same way whoever claims it.
template <class Run>
void run_claimed(std::uint32_t blocks, std::int64_t units, std::int64_t claim, std::atomic<std::int64_t>& next,
                 Run&& run) {
  if (blocks == 1) {
    run(std::int64_t{0}, units);
    return;
  }
  for (;;) {
    const std::int64_t u0 = next.fetch_add(claim, std::memory_order_relaxed);
    if (u0 >= units) return;
    run(u0, std::min(units, u0 + claim));
  }
}

}  // namespace vnpu::ops::detail
