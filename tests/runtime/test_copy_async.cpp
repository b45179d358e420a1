// Asynchronous copies and memsets: every direction, source-consumption rules for pageable
// and pinned memory, zero-copy access to pinned memory from kernels, submission checks.
#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

std::vector<unsigned char> pattern(std::size_t n, unsigned seed) {
  std::vector<unsigned char> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<unsigned char>((i * 7 + seed * 13 + (i >> 9)) & 0xff);
  return v;
}

class CopyAsync : public ::testing::Test {
 protected:
  void SetUp() override {
    dev_ = test::make_device(2, 1).value();
    s_ = dev_.create_stream().value();
  }
  Device dev_;
  Stream s_;
};

TEST_F(CopyAsync, AllDirections) {
  constexpr std::size_t n = 100003;
  std::vector<unsigned char> src = pattern(n, 1), back(n, 0), hh(n, 0);
  void* d1 = dev_.malloc(n).value();
  void* d2 = dev_.malloc(n).value();
  void* h = dev_.malloc_host(n).value();
  EXPECT_OK(s_.memcpy_async(d1, n, src.data(), n, CopyKind::kHostToDevice));
  EXPECT_OK(s_.memcpy_async(d2, n, d1, n, CopyKind::kDeviceToDevice));
  EXPECT_OK(s_.memcpy_async(h, n, d2, n, CopyKind::kDeviceToHost));
  EXPECT_OK(s_.memcpy_async(back.data(), n, h, n, CopyKind::kHostToHost));
  EXPECT_OK(s_.memcpy_async(hh.data(), n, src.data(), n, CopyKind::kHostToHost));
  EXPECT_OK(s_.synchronize());
  EXPECT_EQ(back, src);
  EXPECT_EQ(hh, src);
  EXPECT_OK(vnpu::free(d1));
  EXPECT_OK(vnpu::free(d2));
  EXPECT_OK(free_host(h));
}

TEST_F(CopyAsync, DefaultKindAndPinnedDirections) {
  constexpr std::size_t n = 4099;
  std::vector<unsigned char> src = pattern(n, 2), back(n, 0);
  void* d = dev_.malloc(n).value();
  void* h = dev_.malloc_host(n).value();
  void* h2 = dev_.malloc_host(n).value();
  std::memcpy(h, src.data(), n);
  EXPECT_OK(s_.memcpy_async(d, n, h, n));              // pinned -> device
  EXPECT_OK(s_.memcpy_async(h2, n, d, n));             // device -> pinned
  EXPECT_OK(s_.memcpy_async(back.data(), n, h2, n));   // pinned -> pageable
  EXPECT_OK(s_.synchronize());
  EXPECT_EQ(back, src);
  EXPECT_OK(vnpu::free(d));
  EXPECT_OK(free_host(h));
  EXPECT_OK(free_host(h2));
}

TEST_F(CopyAsync, MemsetAsyncDeviceAndPinned) {
  constexpr std::size_t n = 5000;
  auto* d = static_cast<unsigned char*>(dev_.malloc(n).value());
  auto* h = static_cast<unsigned char*>(dev_.malloc_host(n).value());
  std::vector<unsigned char> back(n, 0);
  EXPECT_OK(s_.memset_async(d, n, 0x22, n));
  EXPECT_OK(s_.memset_async(d + 100, n - 100, 0x133, 50));
  EXPECT_OK(s_.memcpy_async(back.data(), n, d, n, CopyKind::kDeviceToHost));
  EXPECT_OK(s_.memset_async(h, n, 0x7f, n));
  EXPECT_OK(s_.synchronize());
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(back[i], (i >= 100 && i < 150) ? 0x33 : 0x22) << i;
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(h[i], 0x7f) << i;
  EXPECT_OK(vnpu::free(d));
  EXPECT_OK(free_host(h));
}

TEST_F(CopyAsync, PageableSourceIsConsumedBeforeReturn) {
  // The stream is blocked behind a kernel, so the copy cannot have run yet when
  // memcpy_async returns; overwriting the source must not change what arrives.
  const std::size_t n = (test::kThreadSanitizer ? 4u : 16u) << 20;
  std::vector<unsigned char> src = pattern(n, 3);
  const std::vector<unsigned char> original = src;
  void* d = dev_.malloc(n).value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s_, started, release));
  ASSERT_OK(s_.memcpy_async(d, n, src.data(), n, CopyKind::kHostToDevice));
  std::fill(src.begin(), src.end(), 0xcd);
  src.clear();
  src.shrink_to_fit();  // the memory itself is gone
  EXPECT_FALSE(release.is_set());
  release.set();
  std::vector<unsigned char> back(n, 0);
  EXPECT_OK(s_.memcpy_async(back.data(), n, d, n, CopyKind::kDeviceToHost));
  EXPECT_OK(s_.synchronize());
  EXPECT_TRUE(back == original) << "pageable source was read after memcpy_async returned";
  EXPECT_OK(vnpu::free(d));
}

TEST_F(CopyAsync, PageableHostToHostSourceIsConsumedBeforeReturn) {
  constexpr std::size_t n = 1 << 20;
  std::vector<unsigned char> src = pattern(n, 4), dst(n, 0);
  const std::vector<unsigned char> original = src;
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s_, started, release));
  ASSERT_OK(s_.memcpy_async(dst.data(), n, src.data(), n, CopyKind::kHostToHost));
  std::fill(src.begin(), src.end(), 0);
  release.set();
  EXPECT_OK(s_.synchronize());
  EXPECT_TRUE(dst == original);
}

TEST_F(CopyAsync, PinnedSourceIsReadWhenTheCopyRuns) {
  constexpr std::size_t n = 1 << 20;
  auto* h = static_cast<unsigned char*>(dev_.malloc_host(n).value());
  void* d = dev_.malloc(n).value();
  std::memset(h, 0x01, n);
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s_, started, release));
  ASSERT_OK(s_.memcpy_async(d, n, h, n, CopyKind::kHostToDevice));
  ASSERT_TRUE(started.wait());
  std::memset(h, 0x02, n);  // the copy has not run: the stream is blocked
  release.set();
  std::vector<unsigned char> back(n, 0);
  EXPECT_OK(s_.memcpy_async(back.data(), n, d, n, CopyKind::kDeviceToHost));
  EXPECT_OK(s_.synchronize());
  EXPECT_TRUE(back == std::vector<unsigned char>(n, 0x02)) << "pinned source must be read when the copy runs";
  EXPECT_OK(vnpu::free(d));
  EXPECT_OK(free_host(h));
}

TEST_F(CopyAsync, PageableDestinationIsWrittenWhenTheCopyRuns) {
  constexpr std::size_t n = 64 * 1024;
  auto* d = static_cast<unsigned char*>(dev_.malloc(n).value());
  std::vector<unsigned char> dst(n, 0);
  EXPECT_OK(vnpu::memset(d, n, 0x44, n));
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(s_, started, release));
  ASSERT_OK(s_.memcpy_async(dst.data(), n, d, n, CopyKind::kDeviceToHost));
  ASSERT_TRUE(started.wait());
  EXPECT_EQ(s_.query(), Status::kNotReady);
  release.set();
  EXPECT_OK(s_.synchronize());
  EXPECT_TRUE(dst == std::vector<unsigned char>(n, 0x44));
  EXPECT_OK(vnpu::free(d));
}

TEST_F(CopyAsync, KernelsReadAndWritePinnedMemoryDirectly) {
  constexpr std::size_t n = 4096;
  auto* in = static_cast<float*>(dev_.malloc_host(n * sizeof(float)).value());
  auto* out = static_cast<float*>(dev_.malloc_host(n * sizeof(float)).value());
  for (std::size_t i = 0; i < n; ++i) in[i] = static_cast<float>(i);
  constexpr std::uint32_t blocks = 8;
  EXPECT_OK(s_.launch("zero_copy", blocks, [in, out](const KernelContext& k) {
    std::size_t chunk = n / k.block_dim();
    for (std::size_t i = k.block_idx() * chunk; i < (k.block_idx() + 1) * chunk; ++i) out[i] = in[i] * 2.0f + 1.0f;
  }));
  EXPECT_OK(s_.synchronize());
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], static_cast<float>(i) * 2.0f + 1.0f) << i;
  EXPECT_OK(free_host(in));
  EXPECT_OK(free_host(out));
}

TEST_F(CopyAsync, CopiesAndKernelsInterleaveInOrder) {
  constexpr std::size_t n = 1024;
  auto* d = static_cast<int*>(dev_.malloc(n * sizeof(int)).value());
  std::vector<int> host(n), back(n, 0);
  for (std::size_t i = 0; i < n; ++i) host[i] = static_cast<int>(i);
  EXPECT_OK(s_.memcpy_async(d, n * 4, host.data(), n * 4, CopyKind::kHostToDevice));
  for (int round = 0; round < 10; ++round) {
    EXPECT_OK(s_.launch("inc", 4, [d](const KernelContext& k) {
      for (std::size_t i = k.block_idx(); i < n; i += k.block_dim()) d[i] += 1;
    }));
    EXPECT_OK(s_.memcpy_async(back.data(), n * 4, d, n * 4, CopyKind::kDeviceToHost));
  }
  EXPECT_OK(s_.memset_async(d, n * 4, 0, 4));
  EXPECT_OK(s_.launch("check", 1, [d](const KernelContext&) { d[1] *= 2; }));
  EXPECT_OK(s_.synchronize());
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(back[i], static_cast<int>(i) + 10) << i;
  EXPECT_EQ(d[0], 0);
  EXPECT_EQ(d[1], 22);
  EXPECT_OK(vnpu::free(d));
}

TEST_F(CopyAsync, SubmissionChecksRejectWithoutQueueing) {
  std::vector<unsigned char> host(256, 1);
  auto* d = static_cast<unsigned char*>(dev_.malloc(256).value());
  void* h = dev_.malloc_host(256).value();
  std::uint64_t before = s_.submitted();
  EXPECT_EQ(s_.memcpy_async(d, 100, host.data(), 101, CopyKind::kHostToDevice), Status::kOutOfRange);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_EQ(s_.memcpy_async(d + 200, 1000, host.data(), 100, CopyKind::kHostToDevice), Status::kOutOfRange);
  EXPECT_EQ(s_.memcpy_async(d, 256, host.data(), 8, CopyKind::kDeviceToHost), Status::kInvalidCopyKind);
  EXPECT_EQ(s_.memcpy_async(host.data(), 256, d, 8, CopyKind::kHostToDevice), Status::kInvalidCopyKind);
  EXPECT_EQ(s_.memcpy_async(d, 256, h, 8, CopyKind::kDeviceToDevice), Status::kInvalidCopyKind);
  EXPECT_EQ(s_.memcpy_async(d, 256, host.data(), 8, static_cast<CopyKind>(42)), Status::kInvalidArgument);
  EXPECT_EQ(s_.memcpy_async(nullptr, 256, host.data(), 8, CopyKind::kHostToHost), Status::kInvalidArgument);
  EXPECT_EQ(s_.memcpy_async(d, 256, nullptr, 8, CopyKind::kHostToDevice), Status::kInvalidArgument);
  EXPECT_EQ(s_.memset_async(d, 10, 0, 11), Status::kOutOfRange);
  EXPECT_EQ(s_.memset_async(d + 250, 100, 0, 7), Status::kOutOfRange);
  EXPECT_EQ(s_.memset_async(host.data(), 256, 0, 8), Status::kInvalidPointer);
  EXPECT_EQ(s_.memset_async(nullptr, 256, 0, 8), Status::kInvalidArgument);
  EXPECT_EQ(s_.submitted(), before);
  EXPECT_OK(s_.synchronize());
  EXPECT_EQ(host, std::vector<unsigned char>(256, 1));
  EXPECT_OK(vnpu::free(d));
  EXPECT_OK(free_host(h));
}

TEST_F(CopyAsync, ZeroBytesSucceedEvenWithNull) {
  EXPECT_OK(s_.memcpy_async(nullptr, 0, nullptr, 0, CopyKind::kHostToDevice));
  EXPECT_OK(s_.memcpy_async(nullptr, 0, nullptr, 0));
  EXPECT_OK(s_.memset_async(nullptr, 0, 0, 0));
  EXPECT_OK(s_.synchronize());
}

TEST_F(CopyAsync, EmptyStreamHandle) {
  Stream empty;
  std::vector<unsigned char> a(8), b(8);
  EXPECT_EQ(empty.memcpy_async(b.data(), 8, a.data(), 8, CopyKind::kHostToHost), Status::kInvalidHandle);
  EXPECT_EQ(empty.memset_async(b.data(), 8, 0, 8), Status::kInvalidHandle);
}

// A copy whose source and destination overlap behaves as memmove, also when it is large
// enough to be split across copy engines (2 MiB and more with 2+ engines), in both
// directions and for shifts shorter than, equal to and longer than a part.
TEST_F(CopyAsync, OverlappingCopiesSplitAcrossEnginesKeepMemmoveSemantics) {
  Device dev = test::make_device(1, 2).value();
  Stream s = dev.create_stream().value();
  constexpr std::size_t kBuffer = std::size_t{12} << 20;
  // Random bytes: pattern() repeats every 1 MiB, which would hide a part reading bytes
  // another part wrote a multiple of 1 MiB away.
  std::vector<unsigned char> initial(kBuffer);
  std::mt19937 random(11);
  for (unsigned char& b : initial) b = static_cast<unsigned char>(random() >> 24);
  for (bool pinned : {false, true}) {
    auto* buf = static_cast<unsigned char*>(pinned ? dev.malloc_host(kBuffer).value() : dev.malloc(kBuffer).value());
    for (std::size_t count : {std::size_t{2} << 20, (std::size_t{5} << 20) + 77}) {
      for (std::size_t shift : {std::size_t{64}, std::size_t{4099}, std::size_t{1} << 20, (std::size_t{3} << 20) + 5}) {
        for (bool forward : {true, false}) {
          // forward: the destination lies above the source (the copy must read each byte
          // before a later part of it overwrites that byte), else below.
          const std::size_t src = forward ? 1000 : 1000 + shift;
          const std::size_t dst = forward ? 1000 + shift : 1000;
          std::vector<unsigned char> want = initial;
          std::memmove(want.data() + dst, want.data() + src, count);
          std::memcpy(buf, initial.data(), kBuffer);
          ASSERT_OK(s.memcpy_async(buf + dst, kBuffer - dst, buf + src, count));
          ASSERT_OK(s.synchronize());
          EXPECT_EQ(std::memcmp(buf, want.data(), kBuffer), 0)
              << (pinned ? "pinned" : "device") << ", " << count << " bytes, shifted " << (forward ? "up" : "down")
              << " by " << shift;
        }
      }
    }
    EXPECT_OK(pinned ? free_host(buf) : vnpu::free(buf));
  }
}

TEST_F(CopyAsync, CopiesOverlapABlockedComputeCore) {
  // A copy on another stream runs on the copy engine while the compute core is busy.
  Device dev = test::make_device(1, 1).value();
  Stream compute = dev.create_stream().value();
  Stream copy = dev.create_stream().value();
  constexpr std::size_t n = 1 << 16;
  std::vector<unsigned char> src = pattern(n, 5), back(n, 0);
  void* d = dev.malloc(n).value();
  test::Flag started, release;
  test::ScopedRelease guard(release);
  ASSERT_OK(test::launch_blocker(compute, started, release));
  ASSERT_TRUE(started.wait());
  EXPECT_OK(copy.memcpy_async(d, n, src.data(), n, CopyKind::kHostToDevice));
  EXPECT_OK(copy.memcpy_async(back.data(), n, d, n, CopyKind::kDeviceToHost));
  EXPECT_OK(copy.synchronize(test::kLongWait));
  EXPECT_FALSE(release.is_set());
  EXPECT_EQ(compute.query(), Status::kNotReady);
  release.set();
  EXPECT_OK(compute.synchronize());
  EXPECT_EQ(back, src);
  EXPECT_OK(vnpu::free(d));
}

}  // namespace
}  // namespace vnpu
