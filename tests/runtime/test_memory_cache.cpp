// The registry's cache of freed blocks (src/runtime/memory_registry.hpp), on registries of
// the test's own with small limits: its bookkeeping stays bounded however often blocks
// are reused, freed blocks keep their pages up to the resident budget (the oldest give
// them back first), the block count is bounded, and a cached block is still known.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "runtime/memory_registry.hpp"
#include "support/test_support.hpp"

namespace vnpu {
namespace {

using detail::CacheLimits;
using detail::MemoryRegistry;
using Removed = MemoryRegistry::Removed;

constexpr std::size_t kKiB = 1024;

void* allocate(MemoryRegistry& r, std::size_t bytes) {
  void* p = nullptr;
  EXPECT_OK(r.allocate(nullptr, -1, MemoryType::kDevice, bytes, &p));
  return p;
}

Removed release(MemoryRegistry& r, void* p) {
  detail::Allocation a;
  return r.release(p, MemoryType::kDevice, &a);
}

/// Allocates a block and writes every byte, so all its pages are resident.
void* allocate_touched(MemoryRegistry& r, std::size_t bytes) {
  void* p = allocate(r, bytes);
  if (p != nullptr) std::memset(p, 0x5a, bytes);
  return p;
}

/// Allocates `n` blocks of `bytes`, writes them, then frees them in allocation order (the
/// first is then the oldest in the cache). Returns their addresses.
std::vector<void*> cache_blocks(MemoryRegistry& r, int n, std::size_t bytes) {
  std::vector<void*> blocks;
  for (int i = 0; i < n; ++i) blocks.push_back(allocate_touched(r, bytes));
  for (void* p : blocks) EXPECT_EQ(release(r, p), Removed::kOk);
  return blocks;
}

/// Expects the cache to hold `blocks` blocks, `resident_bytes` of them keeping their pages.
void expect_cache(const MemoryRegistry& r, std::size_t blocks, std::size_t resident_bytes) {
  const MemoryRegistry::CacheStats stats = r.cache_stats();
  EXPECT_EQ(stats.blocks, blocks);
  EXPECT_EQ(stats.resident_bytes, resident_bytes);
  EXPECT_EQ(stats.order_entries, blocks);
}

/// How many of the whole pages inside [p, p + bytes) are resident, out of how many.
struct Pages {
  std::size_t resident = 0;
  std::size_t total = 0;
};
Pages resident_pages(const void* p, std::size_t bytes) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto first = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
  const auto last = (reinterpret_cast<std::uintptr_t>(p) + bytes) / page * page;
  Pages pages;
  if (last <= first) return pages;
  std::vector<unsigned char> vec((last - first) / page);
  EXPECT_EQ(mincore(reinterpret_cast<void*>(first), last - first, vec.data()), 0);
  pages.total = vec.size();
  for (unsigned char v : vec) pages.resident += v & 1u;
  return pages;
}

// Every free leaves an entry in the eviction order; a reuse must take it out again. A
// program that allocates and frees one size forever keeps one cached block, so its
// bookkeeping must stay one entry, not grow by one per pair.
TEST(MemoryCache, ReusingFreedBlocksLeavesNoBookkeepingBehind) {
  MemoryRegistry r;
  const int pairs = test::scaled(1 << 21, 1 << 18);
  for (int i = 0; i < pairs; ++i) {
    void* p = allocate(r, 1000);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(release(r, p), Removed::kOk);
  }
  const MemoryRegistry::CacheStats stats = r.cache_stats();
  EXPECT_EQ(stats.blocks, 1u);
  EXPECT_EQ(stats.order_entries, 1u) << "after " << pairs << " alloc/free pairs of one size";
}

// Blocks of many sizes, reused in turn: the bookkeeping follows the cached blocks.
TEST(MemoryCache, BookkeepingFollowsTheCachedBlocksOfManySizes) {
  MemoryRegistry r(CacheLimits{.max_blocks = 16, .max_resident_bytes = std::size_t{64} << 20});
  std::vector<void*> held;
  for (int round = 0; round < 2000; ++round) {
    for (std::size_t k = 1; k <= 24; ++k) held.push_back(allocate(r, k * 192));
    for (void* p : held) ASSERT_EQ(release(r, p), Removed::kOk);
    held.clear();
    const MemoryRegistry::CacheStats stats = r.cache_stats();
    ASSERT_EQ(stats.blocks, 16u) << "round " << round;
    ASSERT_EQ(stats.order_entries, stats.blocks) << "round " << round;
  }
}

TEST(MemoryCache, TheBlockCountIsBounded) {
  MemoryRegistry r(CacheLimits{.max_blocks = 8, .max_resident_bytes = std::size_t{64} << 20});
  const std::vector<void*> blocks = cache_blocks(r, 20, 256);
  EXPECT_EQ(r.cache_stats().blocks, 8u);
  // The 12 oldest left the cache and are forgotten; the 8 newest are still known.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(release(r, blocks[i]), i < 12 ? Removed::kUnknown : Removed::kDoubleFree) << i;
}

// A freed block is reused at once by a program that allocates the same size again (a
// step's temporaries): its pages must still be there, or every reuse pays a page fault
// per page.
TEST(MemoryCache, AFreedBlockKeepsItsPages) {
  MemoryRegistry r;
  for (std::size_t bytes : {96 * kKiB, 1000 * kKiB}) {
    void* p = allocate_touched(r, bytes);
    const std::size_t resident_before = r.cache_stats().resident_bytes;
    ASSERT_EQ(release(r, p), Removed::kOk);
    const Pages pages = resident_pages(p, bytes);
    EXPECT_GT(pages.total, 0u);
    EXPECT_EQ(pages.resident, pages.total) << bytes << "-byte block";
    EXPECT_EQ(r.cache_stats().resident_bytes - resident_before, detail::round_alloc(bytes));
    EXPECT_EQ(allocate(r, bytes), p) << "the cached block serves the same size";
    ASSERT_EQ(release(r, p), Removed::kOk);
    EXPECT_EQ(release(r, p), Removed::kDoubleFree);
  }
}

// Over the resident budget, the oldest cached blocks hand their pages back to the OS but
// stay cached, so a second free of them is still a double free.
TEST(MemoryCache, TheOldestBlocksGiveTheirPagesBackOverTheBudget) {
  constexpr std::size_t kBlock = 256 * kKiB;
  MemoryRegistry r(CacheLimits{.max_blocks = 64, .max_resident_bytes = 4 * kBlock});
  const std::vector<void*> blocks = cache_blocks(r, 8, kBlock);
  expect_cache(r, 8, 4 * kBlock);
  for (int i = 0; i < 8; ++i) {
    const Pages pages = resident_pages(blocks[i], kBlock);
    if (i < 4) {
      EXPECT_EQ(pages.resident, 0u) << "block " << i << " (among the oldest)";
    } else {
      EXPECT_EQ(pages.resident, pages.total) << "block " << i << " (among the newest)";
    }
  }
  for (void* p : blocks) EXPECT_EQ(release(r, p), Removed::kDoubleFree);
  // A block whose pages went back is reused like any other (allocate_touched writes it).
  std::vector<void*> again;
  for (int i = 0; i < 8; ++i) again.push_back(allocate_touched(r, kBlock));
  expect_cache(r, 0, 0);
  for (void* p : again) EXPECT_EQ(release(r, p), Removed::kOk);
}

// A block larger than the whole budget gives its pages back as it is freed.
TEST(MemoryCache, ABlockLargerThanTheBudgetGivesItsPagesBackAtOnce) {
  MemoryRegistry r(CacheLimits{.max_blocks = 64, .max_resident_bytes = 512 * kKiB});
  constexpr std::size_t kSmall = 128 * kKiB, kLarge = 1536 * kKiB;
  void* small = allocate_touched(r, kSmall);
  void* large = allocate_touched(r, kLarge);
  ASSERT_EQ(release(r, small), Removed::kOk);
  ASSERT_EQ(release(r, large), Removed::kOk);
  EXPECT_EQ(resident_pages(large, kLarge).resident, 0u);
  const Pages kept = resident_pages(small, kSmall);
  EXPECT_EQ(kept.resident, kept.total) << "the small block stays within the budget";
  expect_cache(r, 2, kSmall);
  EXPECT_EQ(release(r, large), Removed::kDoubleFree);
}

// Blocks too small to give whole pages back leave the cache when they exceed the budget.
TEST(MemoryCache, SmallBlocksOverTheBudgetLeaveTheCache) {
  constexpr std::size_t kBlock = 32 * kKiB;
  MemoryRegistry r(CacheLimits{.max_blocks = 64, .max_resident_bytes = 8 * kBlock});
  const std::vector<void*> blocks = cache_blocks(r, 12, kBlock);
  expect_cache(r, 8, 8 * kBlock);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(release(r, blocks[i]), i < 4 ? Removed::kUnknown : Removed::kDoubleFree) << i;
}

// Of several cached blocks of one size, the most recently freed one is reused: its pages
// are the likeliest to be resident and in the CPU's caches.
TEST(MemoryCache, TheMostRecentlyFreedBlockIsReusedFirst) {
  MemoryRegistry r;
  const std::vector<void*> blocks = cache_blocks(r, 4, 4096);
  for (int i = 3; i >= 0; --i) EXPECT_EQ(allocate(r, 4096), blocks[i]) << i;
  for (void* p : blocks) EXPECT_EQ(release(r, p), Removed::kOk);
}

}  // namespace
}  // namespace vnpu
