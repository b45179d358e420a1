// The registry's cache of freed blocks (src/runtime/memory_registry.hpp), on registries of
// the test's own with small limits: its bookkeeping stays bounded however often blocks
// are reused, the block count is bounded, and a cached block is still known.
#include <cstdint>
#include <vector>

#include "runtime/memory_registry.hpp"
#include "support/test_support.hpp"

namespace vnpu {
namespace {

using detail::CacheLimits;
using detail::MemoryRegistry;
using Removed = MemoryRegistry::Removed;

void* allocate(MemoryRegistry& r, std::size_t bytes) {
  void* p = nullptr;
  EXPECT_OK(r.allocate(nullptr, -1, MemoryType::kDevice, bytes, &p));
  return p;
}

Removed release(MemoryRegistry& r, void* p) {
  detail::Allocation a;
  return r.release(p, MemoryType::kDevice, &a);
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
  std::vector<void*> blocks;
  for (int i = 0; i < 20; ++i) blocks.push_back(allocate(r, 256));
  for (void* p : blocks) ASSERT_EQ(release(r, p), Removed::kOk);
  EXPECT_EQ(r.cache_stats().blocks, 8u);
  // The 12 oldest left the cache and are forgotten; the 8 newest are still known.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(release(r, blocks[i]), i < 12 ? Removed::kUnknown : Removed::kDoubleFree) << i;
}

}  // namespace
}  // namespace vnpu
