// Scratch: the bump allocator over a core's scratch arena.
#include <cstdint>

#include "common/error.hpp"
#include "vnpu/kernel.hpp"

namespace vnpu {

namespace {
std::size_t align_up(std::size_t v, std::size_t a) noexcept { return (v + a - 1) & ~(a - 1); }
}  // namespace

std::size_t Scratch::available() const noexcept {
  const std::size_t start = align_up(used_, 64);
  return start >= capacity_ ? 0 : capacity_ - start;
}

void* Scratch::try_allocate(std::size_t bytes, std::size_t align) noexcept {
  if (align == 0 || (align & (align - 1)) != 0 || align > 4096) return nullptr;
  // The arena base is page aligned, so aligning the offset aligns the address.
  const std::size_t start = align_up(used_, align);
  if (start > capacity_ || bytes > capacity_ - start) return nullptr;
  used_ = start + bytes;
  return base_ + start;
}

void* Scratch::allocate(std::size_t bytes, std::size_t align) {
  if (align == 0 || (align & (align - 1)) != 0 || align > 4096) {
    detail::fail(Status::kInvalidArgument, "Scratch::allocate: alignment %zu is not a power of two up to 4096", align);
    check(Status::kInvalidArgument);
  }
  if (void* p = try_allocate(bytes, align)) return p;
  detail::fail(Status::kScratchOverflow,
               "scratch overflow: asked for %zu bytes (aligned to %zu) with %zu of the core's %zu-byte scratch arena "
               "in use",
               bytes, align, used_, capacity_);
  check(Status::kScratchOverflow);
  return nullptr;  // not reached
}

void Scratch::count_overflow(std::size_t n, std::size_t size) const {
  detail::fail(Status::kScratchOverflow,
               "scratch overflow: asked for %zu objects of %zu bytes, more bytes than an address holds (the core's "
               "scratch arena has %zu bytes)",
               n, size, capacity_);
  check(Status::kScratchOverflow);
  __builtin_unreachable();
}

}  // namespace vnpu
