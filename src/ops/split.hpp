// How an operator's units of work are dealt to the blocks of a launch: an even static
// split, or each block's share claimed in runs, which other blocks may help with.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>

namespace vnpu::ops::detail {

/// Units [u0, u1) of block b of `blocks` (b < blocks, units >= 0, units * blocks below
/// 2^63): u0 = floor(units * b / blocks), u1 = floor(units * (b + 1) / blocks). The shares
/// are contiguous, in block order, cover [0, units) exactly once, and hold floor or ceil
/// of units / blocks units each (so they differ by at most one). The one even split of
/// the operators (reductions, softmax, normalization).
inline void split(std::int64_t units, std::uint32_t blocks, std::uint32_t b, std::int64_t* u0,
                  std::int64_t* u1) noexcept {
  *u0 = units * b / blocks;
  *u1 = units * (b + 1) / blocks;
}

/// Units per claimed run: about 16 runs per block's share, short enough to even out the
/// blocks' ends, long enough that a run streams with its prefetches.
inline std::int64_t claim_size(std::int64_t units, std::int64_t blocks) noexcept {
  return std::max<std::int64_t>(1, units / (blocks * 16));
}

/// One claim counter per block, each on its own cache line (see run_owned).
class ShareCounters {
 public:
  /// `blocks` counters at 0. A single block claims nothing (run_owned runs its units
  /// directly), so none are allocated for it: a small synchronous op plans without
  /// touching the heap.
  void reset(std::uint32_t blocks) {
    if (blocks <= 1) {
      slots_.reset();
      return;
    }
    slots_ = std::make_unique<Slot[]>(blocks);
  }
  std::atomic<std::int64_t>& operator[](std::uint32_t b) const noexcept { return slots_[b].next; }

 private:
  struct alignas(64) Slot {
    std::atomic<std::int64_t> next{0};
  };
  std::unique_ptr<Slot[]> slots_;
};

/// Calls run(u0, u1) on runs of units [0, units): the whole range for a single block;
/// else the units are split evenly into one share per block (as split() does), and block
/// b runs its own share first, in runs of `claim` units claimed from next[b] (shorter ones
/// at the end of a share), then helps the other blocks with the runs of their shares
/// nobody has claimed yet. Normally every
/// block runs exactly its share, so a unit stays with the same core from one call to the
/// next and is found in that core's caches (on a host whose vCPUs have separate L3s, a
/// cache-resident layer_norm ran 7% slower with runs claimed from one shared counter);
/// a block slowed down (a busy CPU) leaves the rest of its share to the others. Only for
/// work whose every unit is computed the same way whoever claims it.
template <class Run>
void run_owned(std::uint32_t blocks, std::uint32_t b, std::int64_t units, std::int64_t claim,
               const ShareCounters& next, Run&& run) {
  if (blocks == 1) {
    run(std::int64_t{0}, units);
    return;
  }
  for (std::uint32_t k = 0; k < blocks; ++k) {
    const std::uint32_t owner = (b + k) % blocks;
    std::int64_t s0 = 0, s1 = 0;
    split(units, blocks, owner, &s0, &s1);
    std::atomic<std::int64_t>& at = next[owner];
    std::int64_t done = at.load(std::memory_order_relaxed);
    for (;;) {
      // Runs of `claim` units, shrinking to a quarter of what is left of the share
      // (per block) once that is less: a block that finishes first can still take half
      // of the last stretch of a late one, instead of waiting for its last long run.
      const std::int64_t left = s1 - s0 - done;
      if (left <= 0) break;
      const std::int64_t take = std::clamp<std::int64_t>(left / (2 * static_cast<std::int64_t>(blocks)), 1, claim);
      if (!at.compare_exchange_weak(done, done + take, std::memory_order_relaxed)) continue;  // done reloaded
      run(s0 + done, s0 + done + take);
      done += take;
    }
  }
}

}  // namespace vnpu::ops::detail
