// MemoryRegistry: vnpu's device and pinned-host allocator, and the record of every live
// allocation, so any pointer can be classified and every free checked.
//
// Freed blocks are not returned to the host allocator: they stay reserved in a cache and
// serve later allocations of the same rounded size (the most recently freed first), like
// an accelerator's caching allocator. Because a freed address can then only come back
// through vnpu, freeing it again is known to be a double free, any other unknown pointer
// is foreign, and a pointer into a cached block is a use after free (find() reports it
// as kFreed).
//
// The cache is bounded twice. It holds at most `max_blocks` blocks; beyond that the
// oldest go back to the host allocator and are forgotten. And cached blocks keep their
// physical pages, so that reusing one costs no page faults, only up to
// `max_resident_bytes`: beyond that the oldest resident blocks hand their pages back to
// the OS (madvise) and stay cached, and a block larger than the whole budget does so as
// it is freed. A block too small to give whole pages back (under kPagedBlock) leaves the
// cache instead.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <tuple>
#include <vector>

#include "vnpu/memory.hpp"
#include "vnpu/status.hpp"

namespace vnpu::detail {

class DeviceImpl;

inline constexpr std::size_t kAllocAlign = 64;
inline constexpr std::size_t round_alloc(std::size_t bytes) { return (bytes + kAllocAlign - 1) / kAllocAlign * kAllocAlign; }
/// The host's page size.
std::size_t page_bytes() noexcept;
/// The bytes a block of `type` takes: pinned host blocks have whole pages of their own (as
/// page-locked memory does, and so checked mode can protect them, see check/host_guard).
inline std::size_t round_block(MemoryType type, std::size_t bytes) {
  if (type != MemoryType::kPinnedHost) return round_alloc(bytes);
  const std::size_t page = page_bytes();
  return (bytes + page - 1) / page * page;
}

struct Allocation {
  std::uintptr_t base = 0;
  std::size_t size = 0;  // as requested
  MemoryType type = MemoryType::kDevice;
  DeviceImpl* device = nullptr;
  int device_id = -1;
};

/// Bounds of a registry's cache of freed blocks.
struct CacheLimits {
  std::size_t max_blocks = std::size_t{1} << 16;            ///< blocks cached at most
  std::size_t max_resident_bytes = std::size_t{256} << 20;  ///< cached bytes whose pages are kept
};

class MemoryRegistry {
 public:
  /// The process's registry (never destroyed). Other instances serve tests of the cache.
  static MemoryRegistry& instance();
  explicit MemoryRegistry(CacheLimits limits = {}) : limits_(limits) {}
  /// Gives every block it still holds, live or cached, back to the host allocator.
  ~MemoryRegistry();
  MemoryRegistry(const MemoryRegistry&) = delete;
  MemoryRegistry& operator=(const MemoryRegistry&) = delete;

  /// Allocates `bytes` (> 0), 64-byte aligned, reusing a cached block of the same rounded
  /// size when there is one. Capacity accounting is the caller's.
  Status allocate(DeviceImpl* device, int device_id, MemoryType type, std::size_t bytes, void** out);

  /// The allocation containing `p`, if any: a live one, or a freed one still in the cache
  /// (reported with type kFreed, its other fields as they were while it was live). Answered
  /// from a small per-thread cache of recent answers while nothing was allocated, freed or
  /// evicted since (an op checks the same few pointers call after call); else looked up
  /// under the lock.
  std::optional<Allocation> find(const void* p) const;
  /// The device owning the live allocation containing `p`, with a reference taken for the
  /// caller; null for other memory or a device already being torn down.
  DeviceImpl* retain_owner(const void* p) const;

  enum class Removed { kOk, kNull, kDoubleFree, kUnknown, kInterior, kWrongType };
  /// Frees the allocation starting at `p` if it has type `type` (into the cache).
  Removed release(void* p, MemoryType type, Allocation* out);

  /// Frees every live and cached block of `device` (device teardown).
  void release_device(const DeviceImpl* device);

  struct CacheStats {
    std::size_t blocks = 0;          ///< freed blocks held in the cache
    std::size_t resident_bytes = 0;  ///< their bytes whose pages were kept
    std::size_t order_entries = 0;   ///< entries of the eviction order (one per cached block)
  };
  CacheStats cache_stats() const;

 private:
  struct Cached {
    Allocation freed;       // the allocation as it was while live (its type kDevice or kPinnedHost)
    std::size_t rounded;
    std::uint64_t order;    // when it was freed: its key in by_age_ and resident_ (and part of by_size_'s)
    bool resident = false;  // keeps its pages: in resident_ and counted in resident_bytes_
  };
  // Device, type, rounded size, order: the blocks of one size sort by age.
  using SizeKey = std::tuple<const DeviceImpl*, int, std::size_t, std::uint64_t>;
  static SizeKey size_key(const Cached& c) noexcept {
    return {c.freed.device, static_cast<int>(c.freed.type), c.rounded, c.order};
  }
  static bool same_size(const SizeKey& a, const SizeKey& b) noexcept {
    return std::get<0>(a) == std::get<0>(b) && std::get<1>(a) == std::get<1>(b) && std::get<2>(a) == std::get<2>(b);
  }

  /// Takes the cached block at `c` out of the cache and every index of it (its addresses
  /// are then no longer kFreed).
  void forget_locked(std::map<std::uintptr_t, Cached>::iterator c);
  /// Forgets the cached block at `base` and gives it back to the host allocator.
  void evict_locked(std::uintptr_t base);
  /// Brings the cache within its limits after a block was added.
  void trim_locked();
  /// The live allocation containing `addr`, or null; mu_ must be held (shared is enough).
  const Allocation* containing_locked(std::uintptr_t addr) const;
  /// The cached (freed) block whose allocation contained `addr`, or null; mu_ held.
  const Cached* freed_containing_locked(std::uintptr_t addr) const;

  const CacheLimits limits_;
  mutable std::shared_mutex mu_;
  // Changes (under mu_ held exclusively) whenever live_ or cached_ does: an answer of find()
  // made at the current epoch is still the answer. Each registry counts in its own range
  // of 2^40 values (the first starts at 1: empty cache entries hold 0), so an answer cached
  // for one registry is never taken for another's.
  std::atomic<std::uint64_t> epoch_{first_epoch()};
  static std::uint64_t first_epoch() noexcept;
  std::map<std::uintptr_t, Allocation> live_;  // by base address
  std::map<std::uintptr_t, Cached> cached_;    // freed blocks still owned by vnpu
  std::map<SizeKey, std::uintptr_t> by_size_;
  // Every cached block by order, oldest first: the eviction order. A block that leaves
  // the cache (reused or evicted) leaves it too, so it never holds more than cached_.
  std::map<std::uint64_t, std::uintptr_t> by_age_;
  std::map<std::uint64_t, std::uintptr_t> resident_;  // the cached blocks keeping their pages, oldest first
  std::uint64_t next_order_ = 0;
  std::size_t resident_bytes_ = 0;  // the rounded sizes of the blocks in resident_

  // Over the resident budget, a block this large hands its pages back and stays cached; a
  // smaller one would keep partial pages and is evicted instead.
  static constexpr std::size_t kPagedBlock = std::size_t{64} << 10;
};

/// Checks a copy request; on success returns the resolved kind through `resolved` and the
/// source's classification through `src_type`. `count` must be non-zero.
Status check_copy(void* dst, std::size_t dst_max, const void* src, std::size_t count, CopyKind kind,
                  const char* who, CopyKind* resolved, MemoryType* src_type);
/// As check_copy, for `height` rows of `width` bytes at pitches `dpitch` and `spitch`
/// (width and height non-zero).
Status check_copy_2d(void* dst, std::size_t dpitch, const void* src, std::size_t spitch, std::size_t width,
                     std::size_t height, CopyKind kind, const char* who, CopyKind* resolved, MemoryType* src_type);
/// Copies rows [first_row, end_row) of a 2-D copy, each with memmove semantics.
void copy_rows(void* dst, std::size_t dpitch, const void* src, std::size_t spitch, std::size_t width,
               std::size_t first_row, std::size_t end_row) noexcept;
/// The task and span name of a copy of resolved kind `k`: "memcpy_h2d" and the like.
const char* copy_name(CopyKind k) noexcept;
/// Checks a memset request (non-zero `count`).
Status check_memset(void* dst, std::size_t max_count, std::size_t count, const char* who);

}  // namespace vnpu::detail
