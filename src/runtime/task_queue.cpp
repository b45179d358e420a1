#include "runtime/task_queue.hpp"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

namespace vnpu::detail {

TaskQueue::TaskQueue() : cells_(new Cell[kRingSlots]) {
  // Sequence 0 is "not ready" for every cell of the first lap (ready means head + 1).
  for (std::uint64_t i = 0; i < kRingSlots; ++i) cells_[i].seq.store(0, std::memory_order_relaxed);
}

TaskQueue::~TaskQueue() {
  // An idle queue is empty; destroy anything placed but never consumed all the same.
  while (front() != nullptr) pop();
}

bool TaskQueue::refresh_head(std::uint64_t pos) {
  // Ask the consumer. Acquire makes the destruction of the tasks it has
  // consumed happen before we reuse their cells.
  const std::uint64_t h = head_.load(std::memory_order_acquire);
  // Keep the cache monotonic: another producer may have stored a newer head meanwhile.
  std::uint64_t cached = head_cache_.load(std::memory_order_relaxed);
  while (cached < h && !head_cache_.compare_exchange_weak(cached, h, std::memory_order_release,
                                                          std::memory_order_relaxed)) {
  }
  return pos - h < kRingSlots;
}

void TaskQueue::backoff(int attempt) noexcept {
  std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 10 ? 1 : 10));
}

Task* TaskQueue::front() {
  if (front_ != nullptr) return front_;
  const std::uint64_t h = head_.load(std::memory_order_relaxed);
  if (taken_next_ != taken_.size() && taken_[taken_next_].pos == h) {
    front_in_ring_ = false;
    return front_ = &taken_[taken_next_].task;
  }
  Cell& c = cells_[h & (kRingSlots - 1)];
  if (c.seq.load(std::memory_order_acquire) == h + 1) {
    front_in_ring_ = true;
    return front_ = c.task();
  }
  return front_ = take_overflow(h);
}

Task* TaskQueue::take_overflow(std::uint64_t h) {
  if (!overflow_on_.load(std::memory_order_acquire)) return nullptr;
  {
    std::lock_guard lock(overflow_mu_);
    if (overflow_.empty()) return nullptr;
    if (taken_next_ == taken_.size()) {
      // The usual case: nothing left from the last batch. Take the whole list (tasks are
      // large: moving them one by one would cost more than running them) and give the
      // producers the old vector's capacity.
      taken_.clear();
      taken_next_ = 0;
      taken_.swap(overflow_);
    } else {
      // Keep the untaken rest, then add the new ones.
      taken_.erase(taken_.begin(), taken_.begin() + static_cast<std::ptrdiff_t>(taken_next_));
      taken_next_ = 0;
      for (Spilled& sp : overflow_) taken_.push_back(std::move(sp));
      overflow_.clear();
    }
    overflow_on_.store(false, std::memory_order_relaxed);
  }
  // Positions are claimed in order but placed by racing producers, so the list may be out
  // of order; from one producer it never is, and then needs no sort.
  auto by_pos = [](const Spilled& a, const Spilled& b) { return a.pos < b.pos; };
  if (!std::is_sorted(taken_.begin(), taken_.end(), by_pos)) std::sort(taken_.begin(), taken_.end(), by_pos);
  if (taken_.empty() || taken_[0].pos != h) return nullptr;
  front_in_ring_ = false;
  return &taken_[0].task;
}

void TaskQueue::pop() noexcept {
  const std::uint64_t h = head_.load(std::memory_order_relaxed);
  if (front_in_ring_) {
    cells_[h & (kRingSlots - 1)].task()->~Task();
  } else {
    // Free what it holds now; the (then empty) element itself goes with the vector.
    taken_[taken_next_].task.release_resources();
    ++taken_next_;
    if (taken_next_ == taken_.size()) {
      taken_.clear();
      taken_next_ = 0;
    }
  }
  head_.store(h + 1, std::memory_order_release);  // the cell may be reused
  front_ = nullptr;
}

}  // namespace vnpu::detail
