// TaskQueue: a stream's queue — many producers, one consumer (the stream's owner).
//
// The fast path is a bounded ring of cells. A producer claims position `pos` with one CAS
// on the tail, builds its task in cell `pos % N` and publishes it by storing `pos + 1`
// in the cell's sequence word (release). The consumer reads cells in order, and a cell is
// ready when its sequence word equals `head + 1`. Whether a cell is free again is judged
// from the consumer's head, which producers cache and re-read only when the ring looks
// full, and the consumer never writes to a cell. So in the steady state the host thread
// feeding a stream pays no dependent cache miss per task and shares no lock with the core
// draining it: the task's own cache lines are the only traffic.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>
#include <memory>
#include <mutex>
#include <new>

#include "runtime/task.hpp"

namespace vnpu::detail {

class TaskQueue {
 public:
  static constexpr std::uint64_t kRingSlots = 512;  // power of two
  static constexpr std::uint64_t kPrefetchAhead = 4;

  TaskQueue();
  ~TaskQueue();
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  /// Producer: appends a task built in place by `init(Task&)` (called on a default-
  /// constructed Task, exactly once). Never fails: if the overflow list cannot grow, it
  /// retries until memory is available or the ring has room.
  template <class Init>
  void emplace(Init&& init) noexcept;

  /// Consumer: the head task, or null if none is published yet (a claimed cell not yet
  /// published counts as not yet). Once returned, the task stays the head until pop().
  Task* front();
  /// Consumer: destroys the head task returned by front().
  void pop() noexcept;

 private:
  struct Cell {
    std::atomic<std::uint64_t> seq;
    alignas(Task) unsigned char storage[sizeof(Task)];
    Task* task() noexcept { return std::launder(reinterpret_cast<Task*>(storage)); }
  };
  template <class Init>
  bool try_emplace_ring(Init& init);
  /// Claims the next ring position; false when the ring is full.
  bool claim(std::uint64_t* pos);
  Task* take_overflow();
  static void backoff(int attempt) noexcept;

  // Producer side.
  alignas(64) std::atomic<std::uint64_t> tail_{0};
  std::atomic<std::uint64_t> head_cache_{0};  // a recent consumer head (never ahead of it)
  std::atomic<bool> overflow_on_{false};
  std::mutex overflow_mu_;
  std::vector<Task> overflow_;  // guarded by overflow_mu_

  // Consumer side.
  alignas(64) std::atomic<std::uint64_t> head_{0};  // written by the consumer only
  Task* front_ = nullptr;  // pinned head
  bool front_in_ring_ = false;
  std::vector<Task> taken_;  // overflow tasks moved to the consumer
  std::size_t taken_next_ = 0;

  std::unique_ptr<Cell[]> cells_;
};

template <class Init>
bool TaskQueue::try_emplace_ring(Init& init) {
  std::uint64_t pos = 0;
  if (!claim(&pos)) return false;
  Cell& c = cells_[pos & (kRingSlots - 1)];
  init(*::new (static_cast<void*>(c.storage)) Task());
  c.seq.store(pos + 1, std::memory_order_release);
  return true;
}

template <class Init>
void TaskQueue::emplace(Init&& init) noexcept {
  for (int attempt = 0;; ++attempt) {
    try {
      if (overflow_on_.load(std::memory_order_acquire)) {
        std::lock_guard lock(overflow_mu_);
        if (overflow_on_.load(std::memory_order_relaxed)) {
          init(overflow_.emplace_back());
          return;
        }
      }
      if (try_emplace_ring(init)) return;
      std::lock_guard lock(overflow_mu_);
      init(overflow_.emplace_back());
      overflow_on_.store(true, std::memory_order_release);
      return;
    } catch (const std::bad_alloc&) {
      // The stream has already counted this task, so it must arrive: wait for memory (or
      // for the consumer to free ring cells) and try again.
      backoff(attempt);
    }
  }
}

}  // namespace vnpu::detail
