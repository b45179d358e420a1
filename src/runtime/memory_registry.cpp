#include "runtime/memory_registry.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <limits>
#include <mutex>
#include <utility>

#include "check/checker.hpp"
#include "common/error.hpp"
#include "runtime/device_impl.hpp"

namespace vnpu::detail {
namespace {

// Hands the whole pages inside [base, base + size) back to the OS; the range stays ours.
void release_pages(std::uintptr_t base, std::size_t size) {
  static const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t first = (base + page - 1) / page * page;
  const std::uintptr_t last = (base + size) / page * page;
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

// Large blocks start on a 2 MiB boundary and ask for transparent huge pages: streaming
// through device memory then costs far fewer TLB misses (page walks are dear in a VM).
constexpr std::size_t kHugePage = std::size_t{2} << 20;

void* host_allocate(std::size_t rounded, std::size_t align) {
  if (rounded < kHugePage) return std::aligned_alloc(align, rounded);
  void* p = std::aligned_alloc(kHugePage, (rounded + kHugePage - 1) / kHugePage * kHugePage);
#if defined(MADV_HUGEPAGE)
  if (p != nullptr) (void)madvise(p, rounded, MADV_HUGEPAGE);  // a hint; refusal is fine
#endif
  return p;
}

// find()'s per-thread cache: the last few answers, each valid while the registry's epoch
// is the one it was made at. A hit covers an allocation's whole range, a miss the one
// address asked about.
struct FindCache {
  struct Entry {
    std::uint64_t epoch = 0;
    std::uintptr_t lo = 0;
    std::uintptr_t span = 0;  // addresses [lo, lo + span)
    bool found = false;
    Allocation a;
  };
  static constexpr int kEntries = 4;
  Entry entries[kEntries];
  int next = 0;
};

FindCache& find_cache() {
  thread_local FindCache cache;
  return cache;
}

}  // namespace

std::size_t page_bytes() noexcept {
  static const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

std::uint64_t MemoryRegistry::first_epoch() noexcept {
  static std::atomic<std::uint64_t> registries{0};
  return (registries.fetch_add(1, std::memory_order_relaxed) << 40) + 1;
}

MemoryRegistry& MemoryRegistry::instance() {
  static MemoryRegistry* r = new MemoryRegistry();  // leaked: valid while the process exits
  return *r;
}

MemoryRegistry::~MemoryRegistry() {
  for (const auto& [base, a] : live_) std::free(reinterpret_cast<void*>(base));
  for (const auto& [base, c] : cached_) std::free(reinterpret_cast<void*>(base));
}

MemoryRegistry::CacheStats MemoryRegistry::cache_stats() const {
  std::shared_lock lock(mu_);
  return {cached_.size(), resident_bytes_, by_age_.size()};
}

Status MemoryRegistry::allocate(DeviceImpl* device, int device_id, MemoryType type, std::size_t bytes,
                                void** out) {
  const std::size_t rounded = round_block(type, bytes);
  std::unique_lock lock(mu_);
  std::uintptr_t base = 0;
  // The most recently freed block of this size (the last before the next size): the
  // likeliest to keep its pages and to be in the CPU's caches.
  const SizeKey newest{device, static_cast<int>(type), rounded, std::numeric_limits<std::uint64_t>::max()};
  auto hit = by_size_.upper_bound(newest);
  if (hit != by_size_.begin() && same_size((--hit)->first, newest)) {
    base = hit->second;
    forget_locked(cached_.find(base));
  } else {
    lock.unlock();  // the host allocator may take a while (page faults)
    void* p = host_allocate(rounded, type == MemoryType::kPinnedHost ? page_bytes() : kAllocAlign);
    if (p == nullptr) return fail(Status::kOutOfMemory, "the host cannot provide %zu bytes", bytes);
    base = reinterpret_cast<std::uintptr_t>(p);
    lock.lock();
  }
  try {
    live_[base] = Allocation{base, bytes, type, device, device_id};
    epoch_.fetch_add(1, std::memory_order_release);
  } catch (const std::bad_alloc&) {
    std::free(reinterpret_cast<void*>(base));
    return fail(Status::kOutOfMemory, "out of memory recording an allocation");
  }
  *out = reinterpret_cast<void*>(base);
  return Status::kSuccess;
}

const Allocation* MemoryRegistry::containing_locked(std::uintptr_t addr) const {
  auto it = live_.upper_bound(addr);
  if (it == live_.begin()) return nullptr;
  --it;
  return addr - it->second.base < it->second.size ? &it->second : nullptr;
}

const MemoryRegistry::Cached* MemoryRegistry::freed_containing_locked(std::uintptr_t addr) const {
  auto it = cached_.upper_bound(addr);
  if (it == cached_.begin()) return nullptr;
  --it;
  return addr - it->first < it->second.freed.size ? &it->second : nullptr;
}

std::optional<Allocation> MemoryRegistry::find(const void* p) const {
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  FindCache& cache = find_cache();
  const std::uint64_t now = epoch_.load(std::memory_order_acquire);
  for (const FindCache::Entry& e : cache.entries) {
    if (e.epoch == now && addr - e.lo < e.span) {
      if (e.found) return e.a;
      return std::nullopt;
    }
  }
  FindCache::Entry fresh;
  {
    std::shared_lock lock(mu_);
    fresh.epoch = epoch_.load(std::memory_order_relaxed);  // no writer while the lock is shared
    if (const Allocation* a = containing_locked(addr)) {
      fresh.found = true;
      fresh.a = *a;
    } else if (const Cached* c = freed_containing_locked(addr)) {
      fresh.found = true;
      fresh.a = c->freed;
      fresh.a.type = MemoryType::kFreed;
    }
  }
  fresh.lo = fresh.found ? fresh.a.base : addr;
  fresh.span = fresh.found ? fresh.a.size : 1;
  cache.entries[cache.next] = fresh;
  cache.next = (cache.next + 1) % FindCache::kEntries;
  if (fresh.found) return fresh.a;
  return std::nullopt;
}

DeviceImpl* MemoryRegistry::retain_owner(const void* p) const {
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  // Under the lock the device cannot be deleted: its teardown removes its allocations
  // (release_device) before it goes, and try_retain refuses a device already going.
  std::shared_lock lock(mu_);
  const Allocation* a = containing_locked(addr);
  if (a == nullptr || a->device == nullptr) return nullptr;
  return a->device->try_retain() ? a->device : nullptr;
}

MemoryRegistry::Removed MemoryRegistry::release(void* p, MemoryType type, Allocation* out) {
  if (p == nullptr) return Removed::kNull;
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  std::unique_lock lock(mu_);
  auto it = live_.find(addr);
  if (it == live_.end()) {
    if (const Allocation* a = containing_locked(addr)) {
      *out = *a;
      return Removed::kInterior;
    }
    return cached_.count(addr) != 0 ? Removed::kDoubleFree : Removed::kUnknown;
  }
  *out = it->second;
  if (it->second.type != type) return Removed::kWrongType;
  live_.erase(it);
  epoch_.fetch_add(1, std::memory_order_release);
  const std::size_t rounded = round_block(out->type, out->size);
  // A block larger than the whole resident budget hands its pages back at once.
  const Cached entry{*out, rounded, next_order_++, rounded <= limits_.max_resident_bytes};
  try {
    cached_.emplace(addr, entry);
    by_size_.emplace(size_key(entry), addr);
    by_age_.emplace(entry.order, addr);
    if (entry.resident) resident_.emplace(entry.order, addr);
  } catch (const std::bad_alloc&) {
    by_size_.erase(size_key(entry));
    by_age_.erase(entry.order);
    cached_.erase(addr);
    std::free(p);
    return Removed::kOk;
  }
  if (entry.resident) {
    resident_bytes_ += rounded;
  } else {
    release_pages(addr, rounded);
  }
  trim_locked();
  return Removed::kOk;
}

void MemoryRegistry::trim_locked() {
  while (cached_.size() > limits_.max_blocks) evict_locked(by_age_.begin()->second);
  // Over the budget, the pages of the blocks freed longest ago go first: they are the
  // least likely to be reused soon.
  while (resident_bytes_ > limits_.max_resident_bytes) {
    const auto oldest = resident_.begin();
    const auto c = cached_.find(oldest->second);
    if (c->second.rounded < kPagedBlock) {
      evict_locked(c->first);
      continue;
    }
    release_pages(c->first, c->second.rounded);
    c->second.resident = false;
    resident_bytes_ -= c->second.rounded;
    resident_.erase(oldest);
  }
}

void MemoryRegistry::forget_locked(std::map<std::uintptr_t, Cached>::iterator c) {
  by_size_.erase(size_key(c->second));
  by_age_.erase(c->second.order);
  if (c->second.resident) {
    resident_.erase(c->second.order);
    resident_bytes_ -= c->second.rounded;
  }
  cached_.erase(c);
  epoch_.fetch_add(1, std::memory_order_release);
}

void MemoryRegistry::evict_locked(std::uintptr_t base) {
  forget_locked(cached_.find(base));
  std::free(reinterpret_cast<void*>(base));
}

void MemoryRegistry::release_device(const DeviceImpl* device) {
  std::vector<std::pair<std::uintptr_t, std::size_t>> to_free;  // base, bytes
  std::unique_lock lock(mu_);
  for (auto it = live_.begin(); it != live_.end();) {
    if (it->second.device == device) {
      to_free.emplace_back(it->first, round_block(it->second.type, it->second.size));
      it = live_.erase(it);
    } else {
      ++it;
    }
  }
  epoch_.fetch_add(1, std::memory_order_release);
  std::vector<std::uintptr_t> cached;
  for (const auto& [base, c] : cached_)
    if (c.freed.device == device) cached.push_back(base);
  for (std::uintptr_t base : cached) evict_locked(base);
  lock.unlock();
  for (const auto& [base, bytes] : to_free) {
    if (check::on()) check::Checker::instance().forget_guards(base, base + bytes);  // protected pages let go
    std::free(reinterpret_cast<void*>(base));
  }
}

}  // namespace vnpu::detail
