#include "runtime/task_queue.hpp"

#include <chrono>
#include <thread>
#include <utility>

namespace vnpu::detail {

TaskQueue::TaskQueue() : cells_(new Cell[kRingSlots]) {
  // Sequence 0 is "not ready" for every cell of the first lap (ready means head + 1).
  for (std::uint64_t i = 0; i < kRingSlots; ++i) cells_[i].seq.store(0, std::memory_order_relaxed);
}

TaskQueue::~TaskQueue() {
  // An idle queue is empty; destroy anything published but never consumed all the same.
  while (front() != nullptr) pop();
}

bool TaskQueue::claim(std::uint64_t* out) {
  std::uint64_t pos = tail_.load(std::memory_order_relaxed);
  for (;;) {
    // Acquire/release on the cache too: a producer reusing a cell on the strength of a head
    // another producer cached must still see the consumer's work on that cell as done
    // (consumer releases head_ -> that producer acquires it and releases head_cache_ -> we
    // acquire head_cache_).
    if (pos - head_cache_.load(std::memory_order_acquire) >= kRingSlots) {
      // Looks full: ask the consumer. Acquire makes the destruction of the tasks it has
      // consumed happen before we reuse their cells.
      const std::uint64_t h = head_.load(std::memory_order_acquire);
      head_cache_.store(h, std::memory_order_release);
      if (pos - h >= kRingSlots) return false;
    }
    if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_acquire, std::memory_order_relaxed)) break;
  }
  // Bring a cell a few positions ahead into this core's cache for writing now, so the
  // stores of a later push hit lines this core already owns.
  const auto* ahead = reinterpret_cast<const char*>(&cells_[(pos + kPrefetchAhead) & (kRingSlots - 1)]);
  for (std::size_t off = 0; off < sizeof(Cell); off += 64) __builtin_prefetch(ahead + off, 1);
  *out = pos;
  return true;
}

void TaskQueue::backoff(int attempt) noexcept {
  std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 10 ? 1 : 10));
}

Task* TaskQueue::front() {
  if (front_ != nullptr) return front_;
  // Overflow tasks already taken go first: they were taken when the ring was empty, so
  // they are older than anything pushed to the ring since.
  if (taken_next_ != taken_.size()) {
    front_in_ring_ = false;
    return front_ = &taken_[taken_next_];
  }
  // Then the ring: while the overflow is in use, producers put new tasks there, so
  // whatever is in the ring was submitted before (or concurrently with) the overflow.
  const std::uint64_t h = head_.load(std::memory_order_relaxed);
  Cell& c = cells_[h & (kRingSlots - 1)];
  if (c.seq.load(std::memory_order_acquire) == h + 1) {
    front_in_ring_ = true;
    return front_ = c.task();
  }
  return front_ = take_overflow();
}

Task* TaskQueue::take_overflow() {
  taken_.clear();
  taken_next_ = 0;
  if (!overflow_on_.load(std::memory_order_acquire)) return nullptr;
  // Only once every claimed ring cell is consumed: a cell claimed but not yet published
  // stops the consumer at `head` while later cells may hold tasks older than the overflow.
  if (tail_.load(std::memory_order_acquire) != head_.load(std::memory_order_relaxed)) return nullptr;
  std::lock_guard lock(overflow_mu_);
  taken_.swap(overflow_);
  // The ring is empty (no claims outstanding) and everything in the overflow is now ours:
  // producers may use the ring again at once (their new tasks are younger than taken_).
  overflow_on_.store(false, std::memory_order_release);
  if (taken_.empty()) return nullptr;
  front_in_ring_ = false;
  return &taken_[0];
}

void TaskQueue::pop() noexcept {
  if (front_in_ring_) {
    const std::uint64_t h = head_.load(std::memory_order_relaxed);
    cells_[h & (kRingSlots - 1)].task()->~Task();
    head_.store(h + 1, std::memory_order_release);  // the cell may be reused
  } else {
    taken_[taken_next_].~Task();
    ::new (static_cast<void*>(&taken_[taken_next_])) Task();  // keep the vector's element valid
    ++taken_next_;
  }
  front_ = nullptr;
}

}  // namespace vnpu::detail
