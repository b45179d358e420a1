// TaskQueue: a stream's queue — many producers, one consumer (the stream's owner).
//
// Positions are handed out by the stream (the same atomic step that counts the task
// submitted), so the queue needs no atomic read-modify-write of its own. The fast path is
// a bounded ring of cells: the producer of position `pos` builds its task in cell
// `pos % N` and publishes it by storing `pos + 1` in the cell's sequence word (release).
// The consumer takes positions in order; a cell is ready when its sequence word equals
// `head + 1`. A cell is free again once the consumer's head has passed its previous
// position, which producers judge from a cached head, re-read only when the ring looks
// full; the consumer never writes to a cell. So in the steady state a host thread feeding
// a stream shares no lock and no written line with the core draining it beyond the task's
// own cache lines — for a plain kernel, one line (see task.hpp).
//
// A producer whose cell is still in use (more than N tasks pending) puts its task in the
// overflow list, tagged with its position; the consumer takes overflow tasks when its
// head reaches their position. Nothing ever waits for ring space. The overflow list is
// made of fixed blocks of task slots that are recycled once consumed: a long burst (a
// host thread running far ahead of a slow core) costs no reallocation, no moving of
// tasks and, once the blocks exist, no page faults.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "platform/prefetch.hpp"
#include "runtime/task.hpp"

namespace vnpu::detail {

class TaskQueue {
 public:
  // A power of two. 64 cells (20 KB) stay in the submitting core's L1 cache; a larger
  // ring made sustained submission slower, and bursts beyond it go to the overflow list.
  static constexpr std::uint64_t kRingSlots = 64;
  static constexpr std::uint64_t kPrefetchAhead = 4;

  TaskQueue();
  ~TaskQueue();
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  /// Producer: places the task of position `pos` (0-based, each position exactly once),
  /// built in place by `init(Task&)` on a default-constructed Task. Never fails: if the
  /// overflow list cannot grow, it retries until memory is available or the ring has room.
  template <class Init>
  void emplace(std::uint64_t pos, Init&& init) noexcept;

  /// Consumer: the task at the head position, or null if it is not placed yet. Once
  /// returned, the task stays the head until pop().
  Task* front();
  /// Consumer: destroys the head task returned by front() and advances the head.
  void pop() noexcept;

 private:
  // Cache-line aligned: the consumer reading one cell must not share a line with the
  // producer writing the next.
  struct alignas(64) Cell {
    std::atomic<std::uint64_t> seq;
    alignas(Task) unsigned char storage[sizeof(Task)];  // at offset 8 (see task.hpp)
    Task* task() noexcept { return std::launder(reinterpret_cast<Task*>(storage)); }
  };
  // An overflow task and its position.
  struct Spilled {
    std::uint64_t pos;
    alignas(Task) unsigned char storage[sizeof(Task)];
    Task* task() noexcept { return std::launder(reinterpret_cast<Task*>(storage)); }
  };
  // Overflow storage: slots filled in order, blocks chained in the order they were filled.
  struct SpillBlock {
    static constexpr std::size_t kSlots = 32;
    SpillBlock* next = nullptr;
    std::size_t used = 0;
    Spilled slots[kSlots];
  };
  // Consumed blocks kept for reuse: up to 4096 (about 42 MB, 131,072 tasks), so a stream
  // that ran far ahead once does it again without faulting in fresh memory; the rest are
  // freed. All go with the stream.
  static constexpr std::size_t kMaxFreeBlocks = 4096;
  /// True when the cell of `pos` may be written (its previous task has been consumed).
  bool cell_free(std::uint64_t pos) {
    // Acquire/release on the cache too: a producer reusing a cell on the strength of a
    // head another producer cached must still see the consumer's work on that cell as
    // done (consumer releases head_ -> that producer acquires it and releases
    // head_cache_ -> we acquire head_cache_).
    return pos - head_cache_.load(std::memory_order_acquire) < kRingSlots || refresh_head(pos);
  }
  /// cell_free() when the ring looks full: asks the consumer for its head.
  bool refresh_head(std::uint64_t pos);
  Task* take_overflow(std::uint64_t h);
  /// A block for the overflow list (recycled or new; throws std::bad_alloc). overflow_mu_ held.
  SpillBlock* spill_block_locked();
  /// Gives the consumer's blocks back for reuse (all their tasks consumed).
  void recycle_held() noexcept;
  static void delete_chain(SpillBlock* b) noexcept;
  static void backoff(int attempt) noexcept;

  // Each group on its own cache lines: a line written per task by one side must hold
  // nothing the other side reads per task.
  // Read by both sides per task, written rarely.
  alignas(64) const std::unique_ptr<Cell[]> cells_;
  std::atomic<std::uint64_t> head_cache_{0};  // a recent consumer head (never ahead of it)

  // The overflow list (bursts only); all guarded by overflow_mu_.
  alignas(64) std::atomic<bool> overflow_on_{false};  // the list may be non-empty
  std::mutex overflow_mu_;
  SpillBlock* spill_head_ = nullptr;  // filled blocks, oldest first; spill_tail_ is being filled
  SpillBlock* spill_tail_ = nullptr;
  SpillBlock* free_blocks_ = nullptr;  // consumed blocks kept for reuse
  std::size_t free_count_ = 0;

  // Consumer side.
  alignas(64) std::atomic<std::uint64_t> head_{0};  // written by the consumer only
  Task* front_ = nullptr;  // pinned head
  bool front_in_ring_ = false;
  std::vector<Spilled*> taken_;  // overflow tasks taken by the consumer, sorted by position
  std::size_t taken_next_ = 0;
  SpillBlock* held_ = nullptr;  // the blocks holding taken_'s tasks
};

static_assert(alignof(Task) <= 8 && offsetof(Task, kernel) + 16 <= 64 - 8,
              "a queue cell's first line holds the sequence word, the task's hot members and the kernel's table");

template <class Init>
void TaskQueue::emplace(std::uint64_t pos, Init&& init) noexcept {
  if (cell_free(pos)) {
    Cell& c = cells_[pos & (kRingSlots - 1)];
    // Bring a cell a few positions ahead into this core's cache for writing now, so the
    // stores of a later push hit lines this core already owns.
    const auto* ahead = reinterpret_cast<const char*>(&cells_[(pos + kPrefetchAhead) & (kRingSlots - 1)]);
    for (std::size_t off = 0; off < sizeof(Cell); off += 64) prefetch_for_write(ahead + off);
    // Default-initialized, not value-initialized: the members' own initializers run as
    // plain stores instead of a zeroing of the whole cell first.
    init(*::new (static_cast<void*>(c.storage)) Task);
    c.seq.store(pos + 1, std::memory_order_release);
    return;
  }
  for (int attempt = 0;; ++attempt) {
    try {
      std::lock_guard lock(overflow_mu_);
      SpillBlock* b = spill_tail_;
      if (b == nullptr || b->used == SpillBlock::kSlots) b = spill_block_locked();
      Spilled& sp = b->slots[b->used];
      sp.pos = pos;
      init(*::new (static_cast<void*>(sp.storage)) Task);  // built in place: a Task is large
      ++b->used;
      overflow_on_.store(true, std::memory_order_release);
      return;
    } catch (const std::bad_alloc&) {
      // The stream has already counted this task, so it must arrive: wait for memory (or
      // for the consumer to free the cell) and try again.
      if (cell_free(pos)) return emplace(pos, std::forward<Init>(init));
      backoff(attempt);
    }
  }
}

}  // namespace vnpu::detail
