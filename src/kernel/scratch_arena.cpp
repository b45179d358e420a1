#include "kernel/scratch_arena.hpp"

#include <sys/mman.h>
#include <unistd.h>

namespace vnpu::detail {

ScratchArena::ScratchArena(std::size_t capacity) noexcept {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t body = capacity == 0 ? page : (capacity + page - 1) / page * page;
  void* p = mmap(nullptr, body + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return;
  auto* base = static_cast<unsigned char*>(p);
  // The guard page; if the OS refuses, the arena still works, unguarded.
  (void)mprotect(base + body, page, PROT_NONE);
  data_ = base;
  mapped_ = body + page;
}

ScratchArena::~ScratchArena() {
  if (data_ != nullptr) munmap(data_, mapped_);
}

}  // namespace vnpu::detail
