// Use after free. A freed block stays reserved in vnpu's cache until it is reused or
// leaves the cache, so vnpu knows that a pointer into it is stale: pointer_info() reports
// it as kFreed (interior pointers too), and copies and memsets, synchronous and
// asynchronous, refuse it with kInvalidPointer before anything is queued or written.
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

class UseAfterFree : public ::testing::Test {
 protected:
  void SetUp() override {
    dev_ = test::make_device(1, 1).value();
    s_ = dev_.create_stream().value();
  }

  /// Expects `call` to fail with kInvalidPointer, saying the memory was freed, having
  /// queued nothing.
  void expect_refused(const char* what, const std::function<Status()>& call) {
    const std::uint64_t before = s_.submitted();
    EXPECT_EQ(call(), Status::kInvalidPointer) << what << ": " << last_error_message();
    const std::string message = last_error_message();
    EXPECT_NE(message.find("use after free"), std::string::npos) << what << ": " << message;
    EXPECT_EQ(s_.submitted(), before) << what << ": something was queued";
  }

  Device dev_;
  Stream s_;
};

TEST_F(UseAfterFree, PointerInfoReportsFreedMemory) {
  for (bool pinned : {false, true}) {
    auto* p = static_cast<unsigned char*>(pinned ? dev_.malloc_host(1000).value() : dev_.malloc(1000).value());
    ASSERT_OK(pinned ? free_host(p) : vnpu::free(p));
    for (std::size_t offset : {0u, 1u, 64u, 999u}) {
      const PointerInfo info = pointer_info(p + offset);
      EXPECT_EQ(info.type, MemoryType::kFreed) << "pinned " << pinned << ", offset " << offset;
      EXPECT_EQ(info.base, p);
      EXPECT_EQ(info.size, 1000u);
      EXPECT_EQ(info.device, dev_.info().id);
    }
    // Reallocated, the block is live memory again.
    void* again = pinned ? dev_.malloc_host(1000).value() : dev_.malloc(1000).value();
    ASSERT_EQ(again, p) << "the cached block serves the same size";
    EXPECT_EQ(pointer_info(p + 10).type, pinned ? MemoryType::kPinnedHost : MemoryType::kDevice);
    EXPECT_OK(pinned ? free_host(again) : vnpu::free(again));
  }
}

TEST_F(UseAfterFree, CopiesAndMemsetsRefuseFreedDeviceMemory) {
  constexpr std::size_t n = 4096;
  auto* freed = static_cast<unsigned char*>(dev_.malloc(n).value());
  auto* live = static_cast<unsigned char*>(dev_.malloc(n).value());
  std::vector<unsigned char> host(n, 7);
  ASSERT_OK(vnpu::free(freed));
  unsigned char* interior = freed + 100;
  expect_refused("memcpy D2H", [&] { return vnpu::memcpy(host.data(), n, freed, 64, CopyKind::kDeviceToHost); });
  expect_refused("memcpy H2D", [&] { return vnpu::memcpy(interior, n, host.data(), 64, CopyKind::kHostToDevice); });
  expect_refused("memcpy D2D from", [&] { return vnpu::memcpy(live, n, interior, 64, CopyKind::kDeviceToDevice); });
  expect_refused("memcpy D2D to", [&] { return vnpu::memcpy(freed, n, live, 64, CopyKind::kDeviceToDevice); });
  // Taken for host memory, a freed source would be copied from without a complaint.
  expect_refused("memcpy default", [&] { return vnpu::memcpy(host.data(), n, interior, 64); });
  expect_refused("memcpy H2H", [&] { return vnpu::memcpy(host.data(), n, freed, 64, CopyKind::kHostToHost); });
  expect_refused("memset", [&] { return vnpu::memset(interior, n, 0, 64); });
  expect_refused("memcpy_async D2H", [&] { return s_.memcpy_async(host.data(), n, interior, 64); });
  expect_refused("memcpy_async H2D", [&] { return s_.memcpy_async(freed, n, host.data(), 64); });
  expect_refused("memcpy_async D2D", [&] { return s_.memcpy_async(live, n, freed, 64); });
  expect_refused("memset_async", [&] { return s_.memset_async(freed, n, 0, 64); });
  EXPECT_OK(s_.synchronize());
  EXPECT_EQ(host, std::vector<unsigned char>(n, 7)) << "a refused copy wrote to the host buffer";
  EXPECT_OK(vnpu::free(live));
}

TEST_F(UseAfterFree, CopiesAndMemsetsRefuseFreedPinnedMemory) {
  constexpr std::size_t n = 512;
  auto* freed = static_cast<unsigned char*>(dev_.malloc_host(n).value());
  void* d = dev_.malloc(n).value();
  std::vector<unsigned char> host(n, 7);
  ASSERT_OK(free_host(freed));
  expect_refused("memcpy H2D", [&] { return vnpu::memcpy(d, n, freed + 8, 64, CopyKind::kHostToDevice); });
  expect_refused("memcpy D2H", [&] { return vnpu::memcpy(freed, n, d, 64, CopyKind::kDeviceToHost); });
  expect_refused("memcpy H2H", [&] { return vnpu::memcpy(host.data(), n, freed, 64); });
  expect_refused("memset", [&] { return vnpu::memset(freed, n, 0, 64); });
  expect_refused("memcpy_async", [&] { return s_.memcpy_async(d, n, freed, 64); });
  EXPECT_OK(s_.synchronize());
  EXPECT_EQ(host, std::vector<unsigned char>(n, 7));
  EXPECT_OK(vnpu::free(d));
}

}  // namespace
}  // namespace vnpu
