// LaunchSync: the barriers of one cooperative launch.
//
// Each barrier counts arrivals in its current generation; the last block to arrive
// starts the next generation and wakes the others. Blocks that have finished (returned or
// failed) are counted as exited: once every block still running has arrived and some
// have exited, the barrier can never complete, so it *breaks* and every waiter's sync
// call throws instead of hanging. A failing block breaks every barrier of its launch.
// Each block's barrier calls and state are kept, so that a barrier that breaks because
// blocks returned without reaching it says which blocks wait at which call, and which
// returned after how many (the message of the failure, and checked mode's deadlock finding).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "platform/park.hpp"

namespace vnpu::detail::prof {
class ScopedSpan;
}  // namespace vnpu::detail::prof

namespace vnpu::detail {

struct alignas(64) Barrier {
  std::atomic<std::uint32_t> arrived{0};
  std::atomic<std::uint32_t> generation{0};
  std::atomic<std::uint32_t> exited{0};
  std::uint32_t participants = 0;
  EventCount ec;
};

/// One block of a cooperative launch, as its barriers see it.
struct BlockTrack {
  enum State : std::uint8_t { kRunning = 0, kAtAll, kAtGroup, kReturned, kFailed };
  std::atomic<std::uint32_t> all_calls{0};    // sync_all calls so far (the current one included)
  std::atomic<std::uint32_t> group_calls{0};  // sync_group calls so far
  std::atomic<std::uint8_t> state{kRunning};
};

struct LaunchSync {
  /// `lanes` > 0: the blocks run as fibers on that many cores (block b on lane b % lanes),
  /// so that more blocks than cores are all resident; a waiting fiber suspends to its lane.
  LaunchSync(std::uint32_t blocks, std::uint32_t group_size, std::int64_t spin_ns, std::uint32_t lanes = 0);

  std::uint32_t blocks;
  std::uint32_t group_size;  // blocks per group (the last group may be smaller)
  std::int64_t spin_ns;      // how long a waiter spins before parking
  std::uint32_t lanes;       // 0: one block per core
  std::atomic<bool> broken{false};
  Barrier all;
  std::unique_ptr<Barrier[]> groups;
  std::unique_ptr<BlockTrack[]> track;      // per block
  std::atomic<std::uint32_t> at_barrier{0};  // blocks inside a barrier wait now
  std::atomic<bool> block_failed{false};       // a block failed (not a deadlock then)
  std::atomic<bool> deadlock_reported{false};
  // Fiber lanes whose every fiber waits park here until a barrier completes, a block
  // exits or the launch breaks (each of which bumps `progress`).
  std::atomic<std::uint64_t> progress{0};
  EventCount progress_ec;

  std::uint32_t group_of(std::uint32_t block) const noexcept { return block / group_size; }
  /// Waits at `b`; throws vnpu::Error(kTaskFailed) if the barrier breaks.
  void wait(Barrier& b, std::uint32_t block, const char* what);
  /// Why barrier `b` (the launch's or group `group`'s) cannot complete: the blocks waiting at
  /// it and at which call, and the blocks that returned without reaching it.
  std::string describe_stuck(const Barrier& b, bool all_barrier, std::uint32_t group) const;
  /// A block has finished (normally or not): it will arrive at no further barrier.
  void block_exited(std::uint32_t block, bool failed) noexcept;
  /// Starts `span` as a barrier span named `what` of `block` on the calling core's lane,
  /// inside the kernel span of that core (nothing while the profiler is off, or when the
  /// core's kernel span was not recorded).
  void begin_barrier_span(prof::ScopedSpan& span, const char* what, std::uint32_t block) const noexcept;
  /// Records progress and wakes parked lanes.
  void advance() noexcept {
    progress.fetch_add(1, std::memory_order_acq_rel);
    progress_ec.notify_all();
  }
};

}  // namespace vnpu::detail
