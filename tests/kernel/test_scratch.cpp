// Scratch arena (the accelerator's UB): capacity from the device configuration, bump
// allocation with alignment and without overlap, try_allocate's null on overflow,
// allocate's kScratchOverflow failing the kernel with a clear message, an empty arena at
// the start of every block, and private arenas for blocks running at the same time.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kernel/kernel_support.hpp"

namespace vnpu {
namespace {

using test::kernel_device;

std::uintptr_t addr(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

class ScratchCapacity : public ::testing::TestWithParam<std::size_t> {};

TEST_P(ScratchCapacity, EqualsTheDevicesScratchBytes) {
  const std::size_t bytes = GetParam();
  Device dev = kernel_device(2, bytes);
  ASSERT_EQ(dev.info().scratch_bytes, bytes);
  Stream s = dev.create_stream().value();
  constexpr std::uint32_t kBlocks = 8;
  auto capacity = std::make_shared<std::vector<std::size_t>>(kBlocks, 0);
  auto available = std::make_shared<std::vector<std::size_t>>(kBlocks, 0);
  ASSERT_OK(s.launch("capacity", kBlocks, [capacity, available](const KernelContext& k) {
    (*capacity)[k.block_idx()] = k.scratch().capacity();
    (*available)[k.block_idx()] = k.scratch().available();
  }));
  ASSERT_OK(s.synchronize());
  for (std::uint32_t b = 0; b < kBlocks; ++b) {
    EXPECT_EQ((*capacity)[b], bytes) << "block " << b;
    // An empty arena offers all of its capacity to a 64-byte aligned allocation.
    EXPECT_EQ((*available)[b], bytes) << "block " << b;
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, ScratchCapacity,
                         ::testing::Values(std::size_t{16} << 10, std::size_t{192} << 10, std::size_t{1} << 20));

TEST(Scratch, AutoCapacityMatchesDeviceInfo) {
  test::ScopedEnv env("VNPU_SCRATCH_BYTES", std::nullopt);
  DeviceConfig c;
  c.compute_cores = 1;
  c.memory_bytes = std::size_t{64} << 20;
  Device dev = Device::create(c).value();
  const std::size_t expected = dev.info().scratch_bytes;
  ASSERT_GT(expected, 0u);
  Stream s = dev.create_stream().value();
  auto got = std::make_shared<std::size_t>(0);
  ASSERT_OK(s.launch("auto_capacity", 1, [got](const KernelContext& k) { *got = k.scratch().capacity(); }));
  ASSERT_OK(s.synchronize());
  EXPECT_EQ(*got, expected);
}

TEST(Scratch, CapacityFromEnvironment) {
  test::ScopedEnv env("VNPU_SCRATCH_BYTES", "96K");
  DeviceConfig c;
  c.compute_cores = 1;
  c.memory_bytes = std::size_t{64} << 20;
  Device dev = Device::create(c).value();
  ASSERT_EQ(dev.info().scratch_bytes, std::size_t{96} << 10);
  Stream s = dev.create_stream().value();
  auto got = std::make_shared<std::size_t>(0);
  ASSERT_OK(s.launch("env_capacity", 1, [got](const KernelContext& k) { *got = k.scratch().capacity(); }));
  ASSERT_OK(s.synchronize());
  EXPECT_EQ(*got, std::size_t{96} << 10);
}

TEST(Scratch, ArenaIsEmptyAtEveryBlockStart) {
  // Blocks allocate different amounts and never reset; the next block on the same core
  // (one core: every block) and the blocks of a later launch still start empty.
  for (int cores : {1, 2}) {
    Device dev = kernel_device(cores);
    Stream s = dev.create_stream().value();
    constexpr std::uint32_t kBlocks = 64;
    auto not_empty = std::make_shared<std::atomic<int>>(0);
    auto alloc_failed = std::make_shared<std::atomic<int>>(0);
    for (int launch = 0; launch < 3; ++launch) {
      ASSERT_OK(s.launch("fills", kBlocks, [not_empty, alloc_failed](const KernelContext& k) {
        Scratch& sc = k.scratch();
        if (sc.used() != 0 || sc.available() != sc.capacity()) not_empty->fetch_add(1);
        // Leave between 1 byte and most of the arena allocated.
        const std::size_t want = 1 + (k.block_idx() * 997u) % (sc.capacity() - 64);
        void* p = sc.try_allocate(want);
        if (p == nullptr) {
          alloc_failed->fetch_add(1);
          return;
        }
        std::memset(p, static_cast<int>(k.block_idx()), want);
        if (sc.used() < want) not_empty->fetch_add(1000);  // used() must count the allocation
      }));
    }
    ASSERT_OK(s.synchronize());
    EXPECT_EQ(not_empty->load(), 0) << cores << " cores: a block started with a non-empty arena";
    EXPECT_EQ(alloc_failed->load(), 0) << cores << " cores";
  }
}

TEST(Scratch, ArenaIsEmptyAfterAFailedBlock) {
  Device dev = kernel_device(1);
  Stream s = dev.create_stream().value();
  ASSERT_OK(s.launch("fills_then_throws", 1, [](const KernelContext& k) {
    (void)k.scratch().allocate(k.scratch().capacity() / 2);
    throw std::runtime_error("after allocating");
  }));
  EXPECT_EQ(s.synchronize(), Status::kTaskFailed);
  auto used = std::make_shared<std::size_t>(12345);
  ASSERT_OK(s.launch("checks", 1, [used](const KernelContext& k) { *used = k.scratch().used(); }));
  ASSERT_OK(s.synchronize());
  EXPECT_EQ(*used, 0u);
}

TEST(Scratch, WholeCapacityIsAllocatableAndWritable) {
  Device dev = kernel_device(1, std::size_t{128} << 10);
  Stream s = dev.create_stream().value();
  struct Result {
    void* p = nullptr;
    std::size_t used_after = 0, available_after = 1;
    void* one_more = reinterpret_cast<void*>(1);
    std::size_t used_after_fail = 0;
    std::size_t used_after_reset = 1;
    void* again = nullptr;
    bool pattern_ok = false;
  };
  auto r = std::make_shared<Result>();
  ASSERT_OK(s.launch("whole", 1, [r](const KernelContext& k) {
    Scratch& sc = k.scratch();
    const std::size_t cap = sc.capacity();
    r->p = sc.allocate(cap);
    auto* bytes = static_cast<unsigned char*>(r->p);
    for (std::size_t i = 0; i < cap; ++i) bytes[i] = static_cast<unsigned char>(i * 7);
    r->used_after = sc.used();
    r->available_after = sc.available();
    r->one_more = sc.try_allocate(1, 1);
    r->used_after_fail = sc.used();
    bool ok = true;
    for (std::size_t i = 0; i < cap; ++i) ok = ok && bytes[i] == static_cast<unsigned char>(i * 7);
    r->pattern_ok = ok;
    sc.reset();
    r->used_after_reset = sc.used();
    r->again = sc.try_allocate(cap);
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  EXPECT_NE(r->p, nullptr);
  EXPECT_EQ(r->used_after, std::size_t{128} << 10);
  EXPECT_EQ(r->available_after, 0u);
  EXPECT_EQ(r->one_more, nullptr);
  EXPECT_EQ(r->used_after_fail, std::size_t{128} << 10);
  EXPECT_TRUE(r->pattern_ok);
  EXPECT_EQ(r->used_after_reset, 0u);
  EXPECT_EQ(r->again, r->p) << "reset() should give the arena back from its start";
}

TEST(Scratch, TryAllocateBeyondCapacityReturnsNullAndLeavesArenaUnchanged) {
  Device dev = kernel_device(1);
  Stream s = dev.create_stream().value();
  auto bad = std::make_shared<std::vector<std::string>>();
  ASSERT_OK(s.launch("try", 1, [bad](const KernelContext& k) {
    Scratch& sc = k.scratch();
    auto expect = [&](bool cond, const char* what) {
      if (!cond) bad->push_back(what);
    };
    expect(sc.try_allocate(100) != nullptr, "100 bytes");
    const std::size_t used = sc.used();
    const std::size_t avail = sc.available();
    expect(used >= 100, "used() counts the allocation");
    expect(avail <= sc.capacity() - 100, "available() shrinks");
    expect(sc.try_allocate(sc.capacity()) == nullptr, "capacity after 100 bytes");
    expect(sc.try_allocate(avail + 1) == nullptr, "available()+1");
    expect(sc.try_allocate(std::numeric_limits<std::size_t>::max()) == nullptr, "SIZE_MAX");
    expect(sc.try_allocate(std::numeric_limits<std::size_t>::max() - 63, 64) == nullptr, "SIZE_MAX-63 (wraps)");
    expect(sc.try_allocate(std::numeric_limits<std::size_t>::max() / 2, 4096) == nullptr, "SIZE_MAX/2");
    expect(sc.used() == used, "used() unchanged by failed attempts");
    expect(sc.available() == avail, "available() unchanged by failed attempts");
    void* last = sc.try_allocate(avail);
    expect(last != nullptr, "exactly available() bytes");
    expect(last != nullptr && addr(last) % 64 == 0, "64-byte aligned");
    expect(sc.available() == 0, "nothing left");
    expect(sc.try_allocate(1, 1) == nullptr, "one byte past the end");
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  for (const std::string& b : *bad) ADD_FAILURE() << b;
}

TEST(Scratch, AllocationsAreAlignedAndDisjoint) {
  Device dev = kernel_device(1, std::size_t{256} << 10);
  Stream s = dev.create_stream().value();
  struct Alloc {
    std::uintptr_t p;
    std::size_t bytes;
    std::size_t align;
  };
  auto allocs = std::make_shared<std::vector<Alloc>>();
  auto used = std::make_shared<std::size_t>(0);
  auto capacity = std::make_shared<std::size_t>(0);
  auto failed = std::make_shared<int>(0);
  ASSERT_OK(s.launch("align", 1, [allocs, used, capacity, failed](const KernelContext& k) {
    Scratch& sc = k.scratch();
    *capacity = sc.capacity();
    auto take = [&](std::size_t bytes, std::size_t align) {
      void* p = sc.try_allocate(bytes, align);
      if (p == nullptr) {
        ++*failed;
        return;
      }
      std::memset(p, 0xA5, bytes);
      allocs->push_back({addr(p), bytes, align});
    };
    for (std::size_t align = 1; align <= 4096; align *= 2) {
      take(1, 1);  // misalign the bump pointer first
      take(3, align);
      take(align + 5, align);
    }
    take(10, 64);
    for (int i = 0; i < 5; ++i) {
      take(1, 1);
      void* d = sc.allocate<double>(3);
      allocs->push_back({addr(d), 3 * sizeof(double), 64});
      take(1, 1);
      void* c = sc.allocate<char>(1);
      allocs->push_back({addr(c), 1, 64});
      take(7, 1);
      void* f = sc.allocate(33);  // default alignment 64
      allocs->push_back({addr(f), 33, 64});
    }
    *used = sc.used();
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  EXPECT_EQ(*failed, 0);
  ASSERT_FALSE(allocs->empty());
  std::uintptr_t lo = allocs->front().p, hi = 0;
  for (const Alloc& a : *allocs) {
    EXPECT_EQ(a.p % a.align, 0u) << a.bytes << " bytes aligned to " << a.align << " at " << a.p;
    lo = std::min(lo, a.p);
    hi = std::max(hi, a.p + a.bytes);
  }
  // Everything lies inside the arena, and used() covers it (padding included).
  EXPECT_LE(hi - lo, *used);
  EXPECT_LE(*used, *capacity);
  std::vector<Alloc> sorted = *allocs;
  std::sort(sorted.begin(), sorted.end(), [](const Alloc& a, const Alloc& b) { return a.p < b.p; });
  for (std::size_t i = 1; i < sorted.size(); ++i)
    EXPECT_GE(sorted[i].p, sorted[i - 1].p + sorted[i - 1].bytes) << "allocations " << i - 1 << " and " << i << " overlap";
}

TEST(Scratch, AllocateBeyondCapacityThrowsScratchOverflow) {
  Device dev = kernel_device(1);
  Stream s = dev.create_stream().value();
  struct Result {
    bool threw = false;
    Status status = Status::kSuccess;
    std::string what;
    std::size_t used_before = 0, used_after = 1;
    bool threw_small = false;
    std::size_t request = 0;
  };
  auto r = std::make_shared<Result>();
  ASSERT_OK(s.launch("overflow_caught", 1, [r](const KernelContext& k) {
    Scratch& sc = k.scratch();
    (void)sc.allocate(1000);
    r->used_before = sc.used();
    r->request = sc.capacity() + 12345;
    try {
      (void)sc.allocate(r->request);
    } catch (const Error& e) {
      r->threw = true;
      r->status = e.status();
      r->what = e.what();
    }
    r->used_after = sc.used();
    // Less than the capacity, more than what is left.
    try {
      (void)sc.allocate<float>(sc.available() / sizeof(float) + 1);
    } catch (const Error& e) {
      r->threw_small = e.status() == Status::kScratchOverflow;
    }
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  EXPECT_TRUE(r->threw);
  EXPECT_EQ(r->status, Status::kScratchOverflow);
  EXPECT_TRUE(test::contains_nocase(r->what, "scratch")) << r->what;
  EXPECT_NE(r->what.find(std::to_string(r->request)), std::string::npos) << "the requested size is missing: " << r->what;
  EXPECT_EQ(r->used_after, r->used_before) << "a failed allocate() must leave the arena unchanged";
  EXPECT_TRUE(r->threw_small);
}

TEST(Scratch, AllocateBeyondCapacityFailsTheKernel) {
  constexpr std::size_t kCap = std::size_t{32} << 10;
  Device dev = kernel_device(2, kCap);
  Stream s = dev.create_stream().value();
  auto after = std::make_shared<std::atomic<int>>(0);
  ASSERT_OK(s.launch("greedy_kernel", 4, [](const KernelContext& k) {
    if (k.block_idx() == 2) (void)k.scratch().allocate<float>(kCap);  // 4x the capacity
  }));
  ASSERT_OK(s.launch("after", 1, [after](const KernelContext&) { after->fetch_add(1); }));
  EXPECT_EQ(test::bounded_sync(s), Status::kTaskFailed);
  const std::string msg = last_error_message();
  EXPECT_NE(msg.find("greedy_kernel"), std::string::npos) << msg;
  EXPECT_TRUE(test::contains_nocase(msg, "scratch")) << msg;
  EXPECT_NE(msg.find(std::to_string(kCap * sizeof(float))), std::string::npos) << "requested size missing: " << msg;
  EXPECT_EQ(after->load(), 1);
  EXPECT_OK(s.synchronize());
}

TEST(Scratch, BlocksRunningAtTheSameTimeHavePrivateArenas) {
  Device dev = kernel_device(2, std::size_t{64} << 10);
  Stream s = dev.create_stream().value();
  struct Shared {
    std::atomic<int> arrived{0};
    std::atomic<int> filled{0};
    std::uintptr_t lo[2] = {0, 0}, hi[2] = {0, 0};
    std::uint32_t core[2] = {99, 99};
    int corrupted = 0;
    bool met = true;
  };
  auto sh = std::make_shared<Shared>();
  ASSERT_OK(s.launch("private", 2, [sh](const KernelContext& k) {
    const std::uint32_t b = k.block_idx();
    sh->arrived.fetch_add(1);
    if (!test::wait_until([&] { return sh->arrived.load() == 2; })) sh->met = false;
    Scratch& sc = k.scratch();
    const std::size_t n = sc.capacity();
    auto* p = static_cast<unsigned char*>(sc.allocate(n));
    std::memset(p, static_cast<int>(0x40 + b), n);
    sh->lo[b] = addr(p);
    sh->hi[b] = addr(p) + n;
    sh->core[b] = k.core();
    sh->filled.fetch_add(1);
    if (!test::wait_until([&] { return sh->filled.load() == 2; })) sh->met = false;
    int bad = 0;
    for (std::size_t i = 0; i < n; ++i) bad += p[i] != static_cast<unsigned char>(0x40 + b);
    if (bad != 0) sh->corrupted = bad;
  }));
  ASSERT_OK(test::bounded_sync(s));
  ASSERT_TRUE(sh->met) << "the two blocks never ran at the same time";
  EXPECT_NE(sh->core[0], sh->core[1]);
  EXPECT_TRUE(sh->hi[0] <= sh->lo[1] || sh->hi[1] <= sh->lo[0]) << "two cores share scratch memory";
  EXPECT_EQ(sh->corrupted, 0);
}

}  // namespace
}  // namespace vnpu
