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
  delete_chain(held_);
  delete_chain(spill_head_);
  delete_chain(free_blocks_);
}

void TaskQueue::delete_chain(SpillBlock* b) noexcept {
  while (b != nullptr) delete std::exchange(b, b->next);
}

TaskQueue::SpillBlock* TaskQueue::spill_block_locked() {
  SpillBlock* b = free_blocks_;
  if (b != nullptr) {
    free_blocks_ = b->next;
    --free_count_;
    b->next = nullptr;
    b->used = 0;
  } else {
    b = new SpillBlock;  // std::bad_alloc: emplace retries
  }
  (spill_tail_ != nullptr ? spill_tail_->next : spill_head_) = b;
  spill_tail_ = b;
  return b;
}

void TaskQueue::recycle_held() noexcept {
  if (held_ == nullptr) return;
  std::lock_guard lock(overflow_mu_);
  while (held_ != nullptr) {
    SpillBlock* b = std::exchange(held_, held_->next);
    if (free_count_ < kMaxFreeBlocks) {
      b->next = std::exchange(free_blocks_, b);
      ++free_count_;
    } else {
      delete b;
    }
  }
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
  if (taken_next_ != taken_.size() && taken_[taken_next_]->pos == h) {
    front_in_ring_ = false;
    return front_ = taken_[taken_next_]->task();
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
  SpillBlock* chain = nullptr;
  {
    std::lock_guard lock(overflow_mu_);
    chain = std::exchange(spill_head_, nullptr);
    spill_tail_ = nullptr;
    overflow_on_.store(false, std::memory_order_relaxed);
  }
  if (chain == nullptr) return nullptr;
  if (taken_next_ == taken_.size()) {  // the usual case: nothing left from the last batch
    taken_.clear();
    taken_next_ = 0;
  }
  // The consumer holds the blocks until every task in taken_ is consumed.
  for (SpillBlock* b = chain;; b = b->next) {
    for (std::size_t i = 0; i < b->used; ++i) taken_.push_back(&b->slots[i]);
    if (b->next == nullptr) {
      b->next = std::exchange(held_, chain);
      break;
    }
  }
  // Positions are claimed in order but placed by racing producers, so the list may be out
  // of order; from one producer it never is, and then needs no sort.
  auto by_pos = [](const Spilled* a, const Spilled* b) { return a->pos < b->pos; };
  const auto rest = taken_.begin() + static_cast<std::ptrdiff_t>(taken_next_);
  if (!std::is_sorted(rest, taken_.end(), by_pos)) std::sort(rest, taken_.end(), by_pos);
  if (taken_next_ == taken_.size() || taken_[taken_next_]->pos != h) return nullptr;
  front_in_ring_ = false;
  return front_ = taken_[taken_next_]->task();
}

void TaskQueue::pop() noexcept {
  const std::uint64_t h = head_.load(std::memory_order_relaxed);
  if (front_in_ring_) {
    cells_[h & (kRingSlots - 1)].task()->~Task();
  } else {
    taken_[taken_next_]->task()->~Task();
    ++taken_next_;
    if (taken_next_ == taken_.size()) {
      taken_.clear();
      taken_next_ = 0;
      recycle_held();
    }
  }
  head_.store(h + 1, std::memory_order_release);  // the cell may be reused
  front_ = nullptr;
}

}  // namespace vnpu::detail
