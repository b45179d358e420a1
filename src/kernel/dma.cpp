// DmaQueue: a block's transfers between device memory and scratch.
//
// A CPU core is its own DMA engine. copy_in() records the transfer and prefetches the
// start of the source, so the memory system fetches it while the kernel computes on
// another buffer; the bytes are copied when the transfer completes (wait(), or when the
// queue is full and the oldest must make room). copy_out() copies at once: stores are
// already asynchronous in the CPU's store buffer.
#include <cstring>

#include "common/error.hpp"
#include "vnpu/kernel.hpp"

namespace vnpu {

namespace {
// Prefetch at most this much of a transfer up front: enough to cover the memory latency
// of the first accesses without evicting what the kernel works on.
constexpr std::size_t kPrefetchBytes = 16 * 1024;

void prefetch_range(const unsigned char* p, std::size_t bytes) noexcept {
  const std::size_t n = bytes < kPrefetchBytes ? bytes : kPrefetchBytes;
  for (std::size_t off = 0; off < n; off += 64) __builtin_prefetch(p + off, 0, 3);
}
}  // namespace

void DmaQueue::check_scratch(const void* p, std::size_t bytes, const char* what) const {
  if (arena_ == nullptr || bytes == 0 || arena_->contains(p, bytes)) return;
  if (arena_->contains(p, 0)) {
    detail::fail(Status::kScratchOverflow,
                 "DMA %s of %zu bytes at scratch offset %zu runs past the end of the core's %zu-byte scratch arena",
                 what, bytes, arena_->offset_of(p), arena_->capacity());
  } else {
    detail::fail(Status::kScratchOverflow, "DMA %s: %p is not in the core's scratch arena (%zu bytes)", what, p,
                 arena_->capacity());
  }
  check(Status::kScratchOverflow);
}

DmaTicket DmaQueue::copy_in(void* dst, const void* src, std::size_t bytes) {
  return copy_in_2d(dst, src, 1, bytes, bytes);
}

DmaTicket DmaQueue::copy_in_2d(void* dst, const void* src, std::size_t rows, std::size_t row_bytes,
                               std::size_t src_pitch) {
  if (row_bytes != 0 && rows > static_cast<std::size_t>(-1) / row_bytes) {
    detail::fail(Status::kScratchOverflow, "DMA copy_in: %zu rows of %zu bytes overflow the byte count", rows,
                 row_bytes);
    check(Status::kScratchOverflow);
  }
  check_scratch(dst, rows * row_bytes, "copy_in");
  if (issued_ - completed_ == static_cast<std::uint64_t>(kDepth)) complete_oldest();
  const auto* s = static_cast<const unsigned char*>(src);
  ring_[issued_ % kDepth] = Transfer{dst, s, rows, row_bytes, src_pitch};
  if (rows == 1 || src_pitch == row_bytes) {
    prefetch_range(s, rows * row_bytes);
  } else {
    std::size_t budget = kPrefetchBytes;
    for (std::size_t r = 0; r < rows && budget >= 64; ++r) {
      const std::size_t n = row_bytes < budget ? row_bytes : budget;
      prefetch_range(s + r * src_pitch, n);
      budget -= n < 64 ? 64 : n;
    }
  }
  return DmaTicket{++issued_};
}

DmaTicket DmaQueue::copy_out(void* dst, const void* src, std::size_t bytes) {
  check_scratch(src, bytes, "copy_out");
  // Earlier copy_ins into the source buffer must land first.
  wait_all();
  if (bytes != 0) std::memcpy(dst, src, bytes);
  ++issued_;
  ++completed_;
  return DmaTicket{issued_};
}

void DmaQueue::complete_oldest() noexcept {
  const Transfer& t = ring_[completed_ % kDepth];
  auto* d = static_cast<unsigned char*>(t.dst);
  if (t.rows == 1 || t.src_pitch == t.row_bytes) {
    if (t.rows * t.row_bytes != 0) std::memcpy(d, t.src, t.rows * t.row_bytes);
  } else {
    for (std::size_t r = 0; r < t.rows; ++r) std::memcpy(d + r * t.row_bytes, t.src + r * t.src_pitch, t.row_bytes);
  }
  ++completed_;
}

void DmaQueue::wait(DmaTicket ticket) noexcept {
  const std::uint64_t upto = ticket.id < issued_ ? ticket.id : issued_;
  while (completed_ < upto) complete_oldest();
}

void DmaQueue::wait_all() noexcept {
  while (completed_ < issued_) complete_oldest();
}

}  // namespace vnpu
