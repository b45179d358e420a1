// Device and pinned memory: alignment, capacity accounting, frees and their errors,
// synchronous copies and memsets with their checks, pointer classification.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

class Memory : public ::testing::Test {
 protected:
  void SetUp() override { dev_ = test::make_device(1, 1, kCapacity).value(); }
  static constexpr std::size_t kCapacity = std::size_t{1} << 20;
  Device dev_;
};

bool aligned64(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }

std::vector<unsigned char> pattern(std::size_t n, unsigned seed) {
  std::vector<unsigned char> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<unsigned char>((i * 131 + seed) & 0xff);
  return v;
}

TEST_F(Memory, AllocationsAre64ByteAligned) {
  std::vector<void*> ptrs;
  for (std::size_t bytes : {1u, 3u, 63u, 64u, 65u, 100u, 4095u, 4096u, 10000u}) {
    void* d = dev_.malloc(bytes).value();
    void* h = dev_.malloc_host(bytes).value();
    EXPECT_TRUE(aligned64(d)) << bytes;
    EXPECT_TRUE(aligned64(h)) << bytes;
    ptrs.push_back(d);
    EXPECT_OK(free_host(h));
  }
  for (void* p : ptrs) EXPECT_OK(vnpu::free(p));
}

TEST_F(Memory, DeviceOfAPointerIsItsAllocatingDevice) {
  Device other = test::make_device(1, 1, kCapacity).value();
  auto* d = static_cast<unsigned char*>(dev_.malloc(1000).value());
  auto* h = static_cast<unsigned char*>(other.malloc_host(1000).value());
  for (unsigned char* p : {d, d + 999}) {
    Expected<Device> of = Device::of(p);
    ASSERT_TRUE(of) << last_error_message();
    EXPECT_EQ(of->impl(), dev_.impl());
  }
  Expected<Device> of_host = Device::of(h + 10);
  ASSERT_TRUE(of_host);
  EXPECT_EQ(of_host->impl(), other.impl());
  int local = 0;
  std::vector<int> heap(10);
  for (const void* foreign : {static_cast<const void*>(&local), static_cast<const void*>(heap.data()),
                              static_cast<const void*>(nullptr)}) {
    Expected<Device> none = Device::of(foreign);
    EXPECT_FALSE(none);
    EXPECT_EQ(none.status(), Status::kInvalidArgument);
    EXPECT_NE(std::string(last_error_message()).find("not memory vnpu allocated"), std::string::npos);
  }
  EXPECT_OK(vnpu::free(d));
  EXPECT_EQ(Device::of(d).status(), Status::kInvalidArgument) << "freed memory has no device";
  EXPECT_OK(free_host(h));
}

TEST_F(Memory, CapacityAccounting) {
  MemInfo before = dev_.mem_info();
  EXPECT_EQ(before.total, kCapacity);
  EXPECT_EQ(before.free, kCapacity);
  void* p = dev_.malloc(100000).value();
  MemInfo during = dev_.mem_info();
  EXPECT_EQ(during.total, kCapacity);
  EXPECT_LE(during.free, kCapacity - 100000);
  EXPECT_OK(vnpu::free(p));
  EXPECT_EQ(dev_.mem_info().free, kCapacity);
}

TEST_F(Memory, AllocationPastCapacityFailsThenRecoversAfterFree) {
  void* a = dev_.malloc(600 * 1024).value();
  Expected<void*> b = dev_.malloc(600 * 1024);
  EXPECT_EQ(b.status(), Status::kOutOfMemory);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(dev_.malloc(kCapacity + 1).status(), Status::kOutOfMemory);
  EXPECT_EQ(dev_.malloc(SIZE_MAX).status(), Status::kOutOfMemory);
  EXPECT_EQ(dev_.malloc(SIZE_MAX - 63).status(), Status::kOutOfMemory);
  EXPECT_OK(vnpu::free(a));
  Expected<void*> c = dev_.malloc(600 * 1024);
  ASSERT_TRUE(c.has_value());
  EXPECT_OK(vnpu::free(*c));
  Expected<void*> whole = dev_.malloc(kCapacity);
  ASSERT_TRUE(whole.has_value()) << "the whole capacity must be allocatable when free";
  EXPECT_EQ(dev_.mem_info().free, 0u);
  EXPECT_EQ(dev_.malloc(1).status(), Status::kOutOfMemory);
  EXPECT_OK(vnpu::free(*whole));
}

TEST_F(Memory, PinnedHostMemoryDoesNotCountAgainstCapacity) {
  void* h = dev_.malloc_host(2 * kCapacity).value();
  EXPECT_EQ(dev_.mem_info().free, kCapacity);
  std::memset(h, 0x5a, 2 * kCapacity);  // usable host memory
  EXPECT_OK(free_host(h));
}

TEST_F(Memory, CapacityIsPerDevice) {
  Device other = test::make_device(1, 1, kCapacity).value();
  void* a = dev_.malloc(kCapacity).value();
  void* b = other.malloc(kCapacity).value();
  EXPECT_EQ(dev_.mem_info().free, 0u);
  EXPECT_EQ(other.mem_info().free, 0u);
  EXPECT_EQ(pointer_info(a).device, dev_.info().id);
  EXPECT_EQ(pointer_info(b).device, other.info().id);
  EXPECT_OK(vnpu::free(a));
  EXPECT_EQ(dev_.mem_info().free, kCapacity);
  EXPECT_EQ(other.mem_info().free, 0u);
  EXPECT_OK(vnpu::free(b));
}

TEST_F(Memory, ZeroByteAllocationIsInvalid) {
  EXPECT_EQ(dev_.malloc(0).status(), Status::kInvalidArgument);
  EXPECT_EQ(dev_.malloc_host(0).status(), Status::kInvalidArgument);
}

TEST_F(Memory, FreeErrors) {
  void* d = dev_.malloc(256).value();
  void* h = dev_.malloc_host(256).value();
  int on_stack[4] = {};
  auto heap = std::make_unique<char[]>(256);

  EXPECT_EQ(vnpu::free(nullptr), Status::kInvalidArgument);
  EXPECT_EQ(free_host(nullptr), Status::kInvalidArgument);
  EXPECT_EQ(vnpu::free(on_stack), Status::kInvalidPointer);
  EXPECT_EQ(vnpu::free(heap.get()), Status::kInvalidPointer);
  EXPECT_EQ(free_host(on_stack), Status::kInvalidPointer);
  EXPECT_EQ(free_host(heap.get()), Status::kInvalidPointer);
  EXPECT_EQ(vnpu::free(static_cast<char*>(d) + 64), Status::kInvalidPointer);
  EXPECT_EQ(vnpu::free(static_cast<char*>(d) + 1), Status::kInvalidPointer);
  EXPECT_EQ(free_host(static_cast<char*>(h) + 64), Status::kInvalidPointer);
  EXPECT_EQ(vnpu::free(h), Status::kInvalidPointer);  // pinned host through free()
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(free_host(d), Status::kInvalidPointer);  // device memory through free_host()

  // None of the failures released anything.
  EXPECT_EQ(pointer_info(d).type, MemoryType::kDevice);
  EXPECT_EQ(pointer_info(h).type, MemoryType::kPinnedHost);

  EXPECT_OK(vnpu::free(d));
  EXPECT_EQ(vnpu::free(d), Status::kDoubleFree);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_OK(free_host(h));
  EXPECT_EQ(free_host(h), Status::kDoubleFree);
}

TEST_F(Memory, InteriorPointerOverAnOldFreedAddressIsInvalid) {
  // Free many small allocations, then allocate larger ones: the host allocator reuses the
  // freed addresses, so some interior pointers of the new allocations equal the base of
  // an old, freed allocation. Freeing such a pointer is an interior-pointer error
  // (kInvalidPointer), not a double free, and must leave the live allocation alone.
  for (bool pinned : {false, true}) {
    std::vector<void*> small;
    for (int i = 0; i < 256; ++i) small.push_back(pinned ? dev_.malloc_host(64).value() : dev_.malloc(64).value());
    for (void* p : small) ASSERT_OK(pinned ? free_host(p) : vnpu::free(p));
    std::vector<void*> big;
    for (int i = 0; i < 8; ++i) big.push_back(pinned ? dev_.malloc_host(4096).value() : dev_.malloc(4096).value());
    int wrong = 0;
    for (void* b : big) {
      for (std::size_t off = 64; off < 4096; off += 64) {
        void* interior = static_cast<char*>(b) + off;
        Status st = pinned ? free_host(interior) : vnpu::free(interior);
        if (st != Status::kInvalidPointer) {
          ++wrong;
          ADD_FAILURE() << (pinned ? "free_host" : "free") << "(base + " << off << ") returned " << status_name(st);
        }
        if (wrong > 3) break;
      }
      if (wrong > 3) break;
    }
    for (void* b : big) {
      EXPECT_EQ(pointer_info(b).type, pinned ? MemoryType::kPinnedHost : MemoryType::kDevice);
      EXPECT_OK(pinned ? free_host(b) : vnpu::free(b));
    }
  }
}

TEST_F(Memory, ForeignPointerAtARecycledAddressIsInvalid) {
  // After vnpu frees an allocation, the host allocator may hand the same address to
  // anyone. Freeing such a foreign pointer through vnpu is kInvalidPointer (vnpu did not
  // allocate it), not kDoubleFree.
  for (bool pinned : {false, true}) {
    std::vector<void*> mine;
    for (int i = 0; i < 256; ++i) mine.push_back(pinned ? dev_.malloc_host(64).value() : dev_.malloc(64).value());
    for (void* p : mine) ASSERT_OK(pinned ? free_host(p) : vnpu::free(p));
    std::vector<void*> foreign;
    for (int i = 0; i < 256; ++i) foreign.push_back(std::aligned_alloc(64, 64));
    int wrong = 0;
    for (void* f : foreign) {
      Status st = pinned ? free_host(f) : vnpu::free(f);
      if (st != Status::kInvalidPointer && ++wrong <= 3) {
        ADD_FAILURE() << (pinned ? "free_host" : "free") << "(foreign pointer) returned " << status_name(st);
      }
    }
    EXPECT_EQ(wrong, 0);
    for (void* f : foreign) std::free(f);
  }
}

TEST_F(Memory, PointerInfo) {
  void* d = dev_.malloc(1000).value();
  void* h = dev_.malloc_host(500).value();
  int local = 0;

  PointerInfo pd = pointer_info(d);
  EXPECT_EQ(pd.type, MemoryType::kDevice);
  EXPECT_EQ(pd.device, dev_.info().id);
  EXPECT_EQ(pd.base, d);
  EXPECT_EQ(pd.size, 1000u);

  PointerInfo interior = pointer_info(static_cast<char*>(d) + 999);
  EXPECT_EQ(interior.type, MemoryType::kDevice);
  EXPECT_EQ(interior.base, d);
  EXPECT_EQ(interior.size, 1000u);

  PointerInfo ph = pointer_info(static_cast<char*>(h) + 10);
  EXPECT_EQ(ph.type, MemoryType::kPinnedHost);
  EXPECT_EQ(ph.device, dev_.info().id);
  EXPECT_EQ(ph.base, h);
  EXPECT_EQ(ph.size, 500u);

  PointerInfo pl = pointer_info(&local);
  EXPECT_EQ(pl.type, MemoryType::kPageable);
  EXPECT_EQ(pl.device, -1);
  EXPECT_EQ(pl.base, nullptr);
  EXPECT_EQ(pl.size, 0u);

  PointerInfo pn = pointer_info(nullptr);
  EXPECT_EQ(pn.type, MemoryType::kPageable);
  EXPECT_EQ(pn.device, -1);

  EXPECT_OK(vnpu::free(d));
  EXPECT_OK(free_host(h));
  EXPECT_EQ(pointer_info(d).type, MemoryType::kFreed);  // test_use_after_free.cpp has more
  EXPECT_EQ(pointer_info(h).type, MemoryType::kFreed);
}

TEST_F(Memory, SyncCopiesInAllDirections) {
  constexpr std::size_t n = 10007;  // odd size: no multiple of any vector width
  std::vector<unsigned char> src = pattern(n, 1), back(n, 0);
  void* d1 = dev_.malloc(n).value();
  void* d2 = dev_.malloc(n).value();
  void* h = dev_.malloc_host(n).value();

  EXPECT_OK(vnpu::memcpy(d1, n, src.data(), n, CopyKind::kHostToDevice));
  EXPECT_OK(vnpu::memcpy(d2, n, d1, n, CopyKind::kDeviceToDevice));
  EXPECT_OK(vnpu::memcpy(h, n, d2, n, CopyKind::kDeviceToHost));
  EXPECT_OK(vnpu::memcpy(back.data(), n, h, n, CopyKind::kHostToHost));
  EXPECT_EQ(back, src);

  // Pinned memory is host memory for every direction.
  std::vector<unsigned char> src2 = pattern(n, 77), back2(n, 0);
  std::memcpy(h, src2.data(), n);
  EXPECT_OK(vnpu::memcpy(d1, n, h, n, CopyKind::kHostToDevice));
  EXPECT_OK(vnpu::memcpy(back2.data(), n, d1, n, CopyKind::kDeviceToHost));
  EXPECT_EQ(back2, src2);

  // Pageable to pageable.
  std::vector<unsigned char> hh(n, 0);
  EXPECT_OK(vnpu::memcpy(hh.data(), n, src.data(), n, CopyKind::kHostToHost));
  EXPECT_EQ(hh, src);

  EXPECT_OK(vnpu::free(d1));
  EXPECT_OK(vnpu::free(d2));
  EXPECT_OK(free_host(h));
}

TEST_F(Memory, PartialCopiesAtOffsets) {
  constexpr std::size_t n = 4096;
  std::vector<unsigned char> src = pattern(n, 5), back(n, 0xee);
  auto* d = static_cast<unsigned char*>(dev_.malloc(n).value());
  EXPECT_OK(vnpu::memset(d, n, 0, n));
  EXPECT_OK(vnpu::memcpy(d + 1000, n - 1000, src.data(), 333, CopyKind::kHostToDevice));
  EXPECT_OK(vnpu::memcpy(back.data(), n, d, n, CopyKind::kDeviceToHost));
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char want = (i >= 1000 && i < 1333) ? src[i - 1000] : 0;
    ASSERT_EQ(back[i], want) << i;
  }
  // Exactly to the end of the allocation is fine.
  EXPECT_OK(vnpu::memcpy(d + n - 16, 16, src.data(), 16, CopyKind::kHostToDevice));
  EXPECT_OK(vnpu::memcpy(back.data(), 16, d + n - 16, 16, CopyKind::kDeviceToHost));
  EXPECT_EQ(std::memcmp(back.data(), src.data(), 16), 0);
  EXPECT_OK(vnpu::free(d));
}

TEST_F(Memory, DefaultKindInfersDirection) {
  constexpr std::size_t n = 777;
  std::vector<unsigned char> src = pattern(n, 9), back(n, 0), hh(n, 0);
  void* d1 = dev_.malloc(n).value();
  void* d2 = dev_.malloc(n).value();
  void* h = dev_.malloc_host(n).value();
  EXPECT_OK(vnpu::memcpy(d1, n, src.data(), n));  // host -> device
  EXPECT_OK(vnpu::memcpy(d2, n, d1, n, CopyKind::kDefault));  // device -> device
  EXPECT_OK(vnpu::memcpy(h, n, d2, n));  // device -> pinned host
  EXPECT_OK(vnpu::memcpy(back.data(), n, h, n));  // pinned -> pageable
  EXPECT_OK(vnpu::memcpy(hh.data(), n, src.data(), n));  // pageable -> pageable
  EXPECT_EQ(back, src);
  EXPECT_EQ(hh, src);
  EXPECT_OK(vnpu::free(d1));
  EXPECT_OK(vnpu::free(d2));
  EXPECT_OK(free_host(h));
}

TEST_F(Memory, CopyCountBeyondDestinationMax) {
  std::vector<unsigned char> src(256, 1), dst(256, 0);
  void* d = dev_.malloc(256).value();
  EXPECT_EQ(vnpu::memcpy(d, 100, src.data(), 101, CopyKind::kHostToDevice), Status::kOutOfRange);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(vnpu::memcpy(dst.data(), 10, d, 11, CopyKind::kDeviceToHost), Status::kOutOfRange);
  EXPECT_EQ(vnpu::memcpy(dst.data(), 10, src.data(), 11, CopyKind::kHostToHost), Status::kOutOfRange);
  EXPECT_EQ(vnpu::memcpy(dst.data(), 0, src.data(), 1, CopyKind::kDefault), Status::kOutOfRange);
  // Nothing was written by the rejected copies.
  EXPECT_EQ(dst, std::vector<unsigned char>(256, 0));
  EXPECT_OK(vnpu::free(d));
}

TEST_F(Memory, CopyRunningPastDeviceAllocation) {
  std::vector<unsigned char> host(512, 3);
  auto* d = static_cast<unsigned char*>(dev_.malloc(256).value());
  auto* d2 = static_cast<unsigned char*>(dev_.malloc(256).value());
  // dst_max is a lie; the allocation bound still applies.
  EXPECT_EQ(vnpu::memcpy(d, 512, host.data(), 257, CopyKind::kHostToDevice), Status::kOutOfRange);
  EXPECT_EQ(vnpu::memcpy(d + 200, 512, host.data(), 57, CopyKind::kHostToDevice), Status::kOutOfRange);
  EXPECT_EQ(vnpu::memcpy(host.data(), 512, d + 128, 129, CopyKind::kDeviceToHost), Status::kOutOfRange);
  EXPECT_EQ(vnpu::memcpy(d2, 256, d + 1, 256, CopyKind::kDeviceToDevice), Status::kOutOfRange);
  EXPECT_EQ(vnpu::memcpy(d + 200, 512, host.data(), 57), Status::kOutOfRange);
  EXPECT_EQ(vnpu::memset(d + 255, 512, 0, 2), Status::kOutOfRange);
  EXPECT_OK(vnpu::memcpy(d + 200, 512, host.data(), 56, CopyKind::kHostToDevice));
  EXPECT_OK(vnpu::free(d));
  EXPECT_OK(vnpu::free(d2));
}

TEST_F(Memory, CopyRunningPastPinnedAllocation) {
  std::vector<unsigned char> host(512, 3);
  auto* h = static_cast<unsigned char*>(dev_.malloc_host(256).value());
  auto* d = static_cast<unsigned char*>(dev_.malloc(512).value());
  EXPECT_EQ(vnpu::memcpy(d, 512, h + 100, 200, CopyKind::kHostToDevice), Status::kOutOfRange);
  EXPECT_EQ(vnpu::memcpy(h + 100, 512, d, 200, CopyKind::kDeviceToHost), Status::kOutOfRange);
  EXPECT_OK(free_host(h));
  EXPECT_OK(vnpu::free(d));
}

TEST_F(Memory, WrongCopyKinds) {
  std::vector<unsigned char> a(64, 1), b(64, 0);
  void* d = dev_.malloc(64).value();
  void* d2 = dev_.malloc(64).value();
  void* h = dev_.malloc_host(64).value();
  EXPECT_EQ(vnpu::memcpy(d, 64, d2, 64, CopyKind::kHostToDevice), Status::kInvalidCopyKind);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(vnpu::memcpy(b.data(), 64, a.data(), 64, CopyKind::kHostToDevice), Status::kInvalidCopyKind);
  EXPECT_EQ(vnpu::memcpy(b.data(), 64, a.data(), 64, CopyKind::kDeviceToHost), Status::kInvalidCopyKind);
  EXPECT_EQ(vnpu::memcpy(d, 64, d2, 64, CopyKind::kDeviceToHost), Status::kInvalidCopyKind);
  EXPECT_EQ(vnpu::memcpy(b.data(), 64, a.data(), 64, CopyKind::kDeviceToDevice), Status::kInvalidCopyKind);
  EXPECT_EQ(vnpu::memcpy(d, 64, h, 64, CopyKind::kDeviceToDevice), Status::kInvalidCopyKind);
  EXPECT_EQ(vnpu::memcpy(b.data(), 64, d, 64, CopyKind::kHostToHost), Status::kInvalidCopyKind);
  EXPECT_EQ(vnpu::memcpy(d, 64, a.data(), 64, CopyKind::kHostToHost), Status::kInvalidCopyKind);
  EXPECT_EQ(vnpu::memcpy(h, 64, d, 64, CopyKind::kHostToDevice), Status::kInvalidCopyKind);
  EXPECT_EQ(vnpu::memcpy(d, 64, h, 64, CopyKind::kDeviceToHost), Status::kInvalidCopyKind);
  EXPECT_EQ(vnpu::memcpy(d, 64, a.data(), 64, static_cast<CopyKind>(99)), Status::kInvalidArgument);
  EXPECT_EQ(vnpu::memcpy(d, 64, a.data(), 64, static_cast<CopyKind>(-1)), Status::kInvalidArgument);
  EXPECT_EQ(b, std::vector<unsigned char>(64, 0));
  EXPECT_OK(vnpu::free(d));
  EXPECT_OK(vnpu::free(d2));
  EXPECT_OK(free_host(h));
}

TEST_F(Memory, ZeroBytesSucceedEvenWithNull) {
  void* d = dev_.malloc(64).value();
  EXPECT_OK(vnpu::memcpy(nullptr, 0, nullptr, 0, CopyKind::kHostToDevice));
  EXPECT_OK(vnpu::memcpy(nullptr, 0, nullptr, 0, CopyKind::kDefault));
  EXPECT_OK(vnpu::memcpy(nullptr, 0, nullptr, 0, CopyKind::kDeviceToDevice));
  EXPECT_OK(vnpu::memcpy(d, 64, nullptr, 0, CopyKind::kHostToDevice));
  EXPECT_OK(vnpu::memset(nullptr, 0, 0, 0));
  EXPECT_OK(vnpu::memset(d, 64, 7, 0));
  EXPECT_OK(vnpu::free(d));
}

TEST_F(Memory, NullWithNonZeroCountIsInvalid) {
  std::vector<unsigned char> host(64, 0);
  void* d = dev_.malloc(64).value();
  EXPECT_EQ(vnpu::memcpy(nullptr, 64, host.data(), 8, CopyKind::kHostToHost), Status::kInvalidArgument);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(vnpu::memcpy(host.data(), 64, nullptr, 8, CopyKind::kHostToHost), Status::kInvalidArgument);
  EXPECT_EQ(vnpu::memcpy(d, 64, nullptr, 8, CopyKind::kHostToDevice), Status::kInvalidArgument);
  EXPECT_EQ(vnpu::memcpy(nullptr, 64, d, 8, CopyKind::kDeviceToHost), Status::kInvalidArgument);
  EXPECT_EQ(vnpu::memcpy(nullptr, 64, nullptr, 8, CopyKind::kDefault), Status::kInvalidArgument);
  EXPECT_EQ(vnpu::memset(nullptr, 64, 0, 8), Status::kInvalidArgument);
  EXPECT_OK(vnpu::free(d));
}

TEST_F(Memory, MemsetDeviceAndPinned) {
  constexpr std::size_t n = 1001;
  auto* d = static_cast<unsigned char*>(dev_.malloc(n).value());
  auto* h = static_cast<unsigned char*>(dev_.malloc_host(n).value());
  std::vector<unsigned char> back(n, 0);
  EXPECT_OK(vnpu::memset(d, n, 0x11, n));
  EXPECT_OK(vnpu::memset(d + 10, n - 10, 0x1ab, 20));  // only the low byte counts
  EXPECT_OK(vnpu::memcpy(back.data(), n, d, n, CopyKind::kDeviceToHost));
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(back[i], (i >= 10 && i < 30) ? 0xab : 0x11) << i;

  EXPECT_OK(vnpu::memset(h, n, -1, n));
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(h[i], 0xff) << i;
  EXPECT_OK(vnpu::free(d));
  EXPECT_OK(free_host(h));
}

TEST_F(Memory, MemsetErrors) {
  std::vector<unsigned char> host(64, 9);
  void* d = dev_.malloc(64).value();
  EXPECT_EQ(vnpu::memset(d, 10, 0, 11), Status::kOutOfRange);
  EXPECT_EQ(vnpu::memset(d, 128, 0, 65), Status::kOutOfRange);  // past the allocation
  EXPECT_EQ(vnpu::memset(host.data(), 64, 0, 8), Status::kInvalidPointer);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(host, std::vector<unsigned char>(64, 9));
  EXPECT_OK(vnpu::free(d));
  EXPECT_EQ(vnpu::memset(d, 64, 0, 8), Status::kInvalidPointer);  // freed: use after free
}

TEST_F(Memory, ConcurrentAllocationsFromManyThreads) {
  constexpr int kThreads = 4;
  const int per_thread = test::scaled(400, 20);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<void*> mine;
      for (int i = 0; i < per_thread; ++i) {
        Expected<void*> p = (i % 3 == 0) ? dev_.malloc_host(64 + static_cast<std::size_t>(i))
                                         : dev_.malloc(64 + static_cast<std::size_t>(i));
        if (!p) {
          failures.fetch_add(1);
          continue;
        }
        std::memset(*p, t, 64);
        mine.push_back(*p);
        if (mine.size() > 8) {
          void* q = mine.front();
          mine.erase(mine.begin());
          Status s = pointer_info(q).type == MemoryType::kPinnedHost ? free_host(q) : vnpu::free(q);
          if (s != Status::kSuccess) failures.fetch_add(1);
        }
      }
      for (void* q : mine) {
        Status s = pointer_info(q).type == MemoryType::kPinnedHost ? free_host(q) : vnpu::free(q);
        if (s != Status::kSuccess) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(dev_.mem_info().free, kCapacity);
}


// pointer_info answers from a per-thread cache while nothing was allocated or freed: each
// answer must still follow every free and allocation, on this thread and on others.
TEST_F(Memory, PointerInfoFollowsFreesAndAllocations) {
  void* d = dev_.malloc(256).value();
  int on_stack = 0;
  for (int i = 0; i < 3; ++i) {  // cache the answers
    EXPECT_EQ(pointer_info(d).type, MemoryType::kDevice);
    EXPECT_EQ(pointer_info(static_cast<char*>(d) + 255).base, d);
    EXPECT_EQ(pointer_info(&on_stack).base, nullptr);
  }
  ASSERT_OK(vnpu::free(d));
  EXPECT_EQ(pointer_info(d).type, MemoryType::kFreed);
  EXPECT_EQ(pointer_info(static_cast<char*>(d) + 255).type, MemoryType::kFreed);
  // The freed block comes back for the same size: known again.
  void* again = dev_.malloc(256).value();
  EXPECT_EQ(pointer_info(again).type, MemoryType::kDevice);
  EXPECT_EQ(pointer_info(again).size, 256u);
  // Freed by another thread after this one cached it.
  EXPECT_EQ(pointer_info(again).base, again);
  std::thread([&] { EXPECT_OK(vnpu::free(again)); }).join();
  EXPECT_EQ(pointer_info(again).type, MemoryType::kFreed);
  // Allocated by another thread at an address this one cached as freed.
  void* d2 = nullptr;
  std::thread([&] { d2 = dev_.malloc(256).value(); }).join();
  EXPECT_EQ(pointer_info(d2).type, MemoryType::kDevice);
  EXPECT_EQ(pointer_info(d2).base, d2);
  EXPECT_OK(vnpu::free(d2));
  EXPECT_EQ(vnpu::free(d2), Status::kDoubleFree);
}
}  // namespace
}  // namespace vnpu
