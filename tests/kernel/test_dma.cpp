// DMA queue between device memory and scratch: copy_in / copy_in_2d / copy_out move the
// right bytes, wait() completes a transfer and every older one, at most kDepth transfers
// are in flight (issuing more completes the oldest), pending() counts what is still in
// flight, every block starts with an empty queue, and the header's double-buffered loop
// computes the right thing.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "kernel/kernel_support.hpp"

namespace vnpu {
namespace {

using test::kernel_device;

/// Problems seen inside a kernel, reported by the test body afterwards.
struct Problems {
  std::vector<std::string> list;
  void expect(bool cond, const std::string& what) {
    if (!cond) list.push_back(what);
  }
};

void report(const Problems& p) {
  for (const std::string& s : p.list) ADD_FAILURE() << s;
}

/// Device buffer of `n` bytes holding the pattern byte(i) = (i * 131 + seed) mod 251.
unsigned char* device_pattern(const Device& dev, std::size_t n, unsigned seed = 0) {
  std::vector<unsigned char> host(n);
  for (std::size_t i = 0; i < n; ++i) host[i] = static_cast<unsigned char>((i * 131 + seed) % 251);
  auto* d = static_cast<unsigned char*>(dev.malloc(n).value());
  check(vnpu::memcpy(d, n, host.data(), n, CopyKind::kHostToDevice));
  return d;
}

unsigned char pattern(std::size_t i, unsigned seed = 0) { return static_cast<unsigned char>((i * 131 + seed) % 251); }

class DmaSizes : public ::testing::TestWithParam<std::size_t> {};

TEST_P(DmaSizes, CopyInAndCopyOutMoveTheBytes) {
  const std::size_t n = GetParam();
  Device dev = kernel_device(2, std::size_t{256} << 10);
  Stream s = dev.create_stream().value();
  // One spare byte on each side: the source starts misaligned, the destination's guard
  // bytes must survive.
  unsigned char* src = device_pattern(dev, n + 1);
  auto* dst = static_cast<unsigned char*>(dev.malloc(n + 2).value());
  ASSERT_OK(vnpu::memset(dst, n + 2, 0xEE, n + 2));
  auto pr = std::make_shared<Problems>();
  ASSERT_OK(s.launch("copy_in_out", 1, [=](const KernelContext& k) {
    DmaQueue& q = k.dma();
    auto* buf = static_cast<unsigned char*>(k.scratch().allocate(n + 64));
    std::memset(buf, 0, n + 64);
    DmaTicket t = q.copy_in(buf, src + 1, n);
    q.wait(t);
    pr->expect(q.pending() == 0, "pending() after wait");
    bool ok = true;
    for (std::size_t i = 0; i < n; ++i) ok = ok && buf[i] == pattern(i + 1);
    pr->expect(ok, "scratch holds the source after wait()");
    pr->expect(buf[n] == 0, "copy_in wrote past its size");
    DmaTicket o = q.copy_out(dst + 1, buf, n);
    pr->expect(o.id > t.id, "tickets increase");
    q.wait(o);
    pr->expect(q.pending() == 0, "pending() after copy_out + wait");
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  report(*pr);
  std::vector<unsigned char> back(n + 2);
  ASSERT_OK(vnpu::memcpy(back.data(), n + 2, dst, n + 2, CopyKind::kDeviceToHost));
  EXPECT_EQ(back[0], 0xEE);
  EXPECT_EQ(back[n + 1], 0xEE);
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < n; ++i) wrong += back[i + 1] != pattern(i + 1);
  EXPECT_EQ(wrong, 0u);
  EXPECT_OK(vnpu::free(src));
  EXPECT_OK(vnpu::free(dst));
}

INSTANTIATE_TEST_SUITE_P(Bytes, DmaSizes,
                         ::testing::Values(std::size_t{1}, std::size_t{3}, std::size_t{63}, std::size_t{64},
                                           std::size_t{65}, std::size_t{4096}, std::size_t{100003},
                                           std::size_t{200} << 10));

TEST(Dma, CopyOutIsCompleteOnReturn) {
  Device dev = kernel_device(1);
  Stream s = dev.create_stream().value();
  auto* dst = static_cast<std::uint32_t*>(dev.malloc(1024 * 4).value());
  auto pr = std::make_shared<Problems>();
  ASSERT_OK(s.launch("copy_out", 1, [=](const KernelContext& k) {
    auto* buf = k.scratch().allocate<std::uint32_t>(1024);
    for (std::uint32_t i = 0; i < 1024; ++i) buf[i] = i * 3u + 1u;
    DmaTicket t = k.dma().copy_out(dst, buf, 1024 * 4);
    bool ok = true;
    for (std::uint32_t i = 0; i < 1024; ++i) ok = ok && dst[i] == i * 3u + 1u;
    pr->expect(ok, "device memory holds the data when copy_out returns");
    pr->expect(k.dma().pending() == 0, "a completed copy_out is not pending");
    k.dma().wait(t);  // accepted, returns at once
    k.dma().wait_all();
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  report(*pr);
  EXPECT_OK(vnpu::free(dst));
}

TEST(Dma, CopyIn2dGathersRows) {
  Device dev = kernel_device(1, std::size_t{128} << 10);
  Stream s = dev.create_stream().value();
  constexpr std::size_t kRows = 50, kCols = 37;  // a [50, 37] float matrix
  std::vector<float> host(kRows * kCols);
  for (std::size_t i = 0; i < host.size(); ++i) host[i] = static_cast<float>(i);
  auto* m = static_cast<float*>(dev.malloc(host.size() * 4).value());
  ASSERT_OK(vnpu::memcpy(m, host.size() * 4, host.data(), host.size() * 4, CopyKind::kHostToDevice));
  auto pr = std::make_shared<Problems>();
  ASSERT_OK(s.launch("gather", 1, [=](const KernelContext& k) {
    DmaQueue& q = k.dma();
    // Columns 7..11 of every row: 50 rows of 5 floats, 37 floats apart.
    float* cols = k.scratch().allocate<float>(kRows * 5 + 1);
    cols[kRows * 5] = -1.0f;
    q.wait(q.copy_in_2d(cols, m + 7, kRows, 5 * sizeof(float), kCols * sizeof(float)));
    bool ok = true;
    for (std::size_t r = 0; r < kRows; ++r)
      for (std::size_t c = 0; c < 5; ++c) ok = ok && cols[r * 5 + c] == static_cast<float>(r * kCols + 7 + c);
    pr->expect(ok, "columns 7..11 gathered row after row");
    pr->expect(cols[kRows * 5] == -1.0f, "copy_in_2d wrote past rows * row_bytes");
    // Pitch equal to the row size: one contiguous block.
    float* whole = k.scratch().allocate<float>(kRows * kCols);
    q.wait(q.copy_in_2d(whole, m, kRows, kCols * sizeof(float), kCols * sizeof(float)));
    ok = true;
    for (std::size_t i = 0; i < kRows * kCols; ++i) ok = ok && whole[i] == static_cast<float>(i);
    pr->expect(ok, "pitch == row_bytes copies the whole matrix");
    // One row; every third row of 2 floats, byte-misaligned rows of 3 bytes.
    float* one = k.scratch().allocate<float>(kCols);
    q.wait(q.copy_in_2d(one, m + 10 * kCols, 1, kCols * sizeof(float), 12345));
    ok = true;
    for (std::size_t c = 0; c < kCols; ++c) ok = ok && one[c] == static_cast<float>(10 * kCols + c);
    pr->expect(ok, "a single row");
    float* third = k.scratch().allocate<float>(2 * 17);
    q.wait(q.copy_in_2d(third, m + 1, 17, 2 * sizeof(float), 3 * kCols * sizeof(float)));
    ok = true;
    for (std::size_t r = 0; r < 17; ++r)
      for (std::size_t c = 0; c < 2; ++c) ok = ok && third[r * 2 + c] == static_cast<float>(3 * r * kCols + 1 + c);
    pr->expect(ok, "every third row");
    auto* bytes = static_cast<unsigned char*>(k.scratch().allocate(3 * kRows));
    const auto* mb = reinterpret_cast<const unsigned char*>(m);
    q.wait(q.copy_in_2d(bytes, mb + 5, kRows, 3, kCols * sizeof(float)));
    ok = true;
    for (std::size_t r = 0; r < kRows; ++r)
      for (std::size_t c = 0; c < 3; ++c) ok = ok && bytes[r * 3 + c] == mb[5 + r * kCols * 4 + c];
    pr->expect(ok, "byte-sized, misaligned rows");
    pr->expect(q.pending() == 0, "nothing pending");
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  report(*pr);
  EXPECT_OK(vnpu::free(m));
}

TEST(Dma, MoreThanDepthTransfersInFlight) {
  Device dev = kernel_device(1, std::size_t{256} << 10);
  Stream s = dev.create_stream().value();
  constexpr int kTransfers = 3 * DmaQueue::kDepth + 1;
  constexpr std::size_t kSlice = 4096;
  unsigned char* src = device_pattern(dev, kTransfers * kSlice, 7);
  auto pr = std::make_shared<Problems>();
  ASSERT_OK(s.launch("deep", 1, [=](const KernelContext& k) {
    DmaQueue& q = k.dma();
    pr->expect(q.pending() == 0, "empty queue at block start");
    std::vector<unsigned char*> buf(kTransfers);
    std::vector<DmaTicket> t(kTransfers);
    for (int i = 0; i < kTransfers; ++i) {
      buf[i] = static_cast<unsigned char*>(k.scratch().allocate(kSlice));
      std::memset(buf[i], 0, kSlice);
    }
    auto slice_ok = [&](int i) {
      for (std::size_t j = 0; j < kSlice; ++j)
        if (buf[i][j] != pattern(i * kSlice + j, 7)) return false;
      return true;
    };
    for (int i = 0; i < kTransfers; ++i) {
      t[i] = q.copy_in(buf[i], src + i * kSlice, kSlice);
      if (i > 0) pr->expect(t[i].id > t[i - 1].id, "tickets increase");
      const int in_flight = std::min(i + 1, DmaQueue::kDepth);
      pr->expect(q.pending() == in_flight, "pending() after issue " + std::to_string(i) + " is " +
                                               std::to_string(q.pending()) + ", expected " + std::to_string(in_flight));
      // Issuing past the depth completed the oldest transfers.
      for (int j = 0; j + DmaQueue::kDepth <= i; ++j)
        pr->expect(slice_ok(j), "transfer " + std::to_string(j) + " complete after issue " + std::to_string(i));
    }
    // Waiting on a transfer that already completed returns at once.
    q.wait(t[0]);
    pr->expect(q.pending() == DmaQueue::kDepth, "wait on a completed ticket changes nothing");
    // Waiting on one in flight completes it and every older one.
    const int mid = kTransfers - 2;
    q.wait(t[mid]);
    pr->expect(q.pending() == kTransfers - 1 - mid, "wait(t) completes t and older ones");
    for (int j = 0; j <= mid; ++j) pr->expect(slice_ok(j), "transfer " + std::to_string(j) + " after wait");
    q.wait_all();
    pr->expect(q.pending() == 0, "pending() after wait_all");
    for (int j = 0; j < kTransfers; ++j) pr->expect(slice_ok(j), "transfer " + std::to_string(j) + " after wait_all");
    q.wait(t[kTransfers - 1]);  // completed: returns at once
    q.wait_all();
  }));
  ASSERT_OK(test::bounded_sync(s)) << last_error_message();
  report(*pr);
  EXPECT_OK(vnpu::free(src));
}

TEST(Dma, WaitCompletesOlderTransfersOnly) {
  Device dev = kernel_device(1);
  Stream s = dev.create_stream().value();
  unsigned char* src = device_pattern(dev, 3 * 1000, 3);
  auto pr = std::make_shared<Problems>();
  ASSERT_OK(s.launch("wait_order", 1, [=](const KernelContext& k) {
    DmaQueue& q = k.dma();
    auto* b = static_cast<unsigned char*>(k.scratch().allocate(3 * 1000));
    DmaTicket t0 = q.copy_in(b, src, 1000);
    DmaTicket t1 = q.copy_in(b + 1000, src + 1000, 1000);
    DmaTicket t2 = q.copy_in(b + 2000, src + 2000, 1000);
    pr->expect(q.pending() == 3, "three in flight, got " + std::to_string(q.pending()));
    q.wait(t1);
    pr->expect(q.pending() == 1, "wait(t1) leaves only t2, got " + std::to_string(q.pending()));
    bool ok = true;
    for (std::size_t i = 0; i < 2000; ++i) ok = ok && b[i] == pattern(i, 3);
    pr->expect(ok, "t0 and t1 complete after wait(t1)");
    q.wait(t0);
    pr->expect(q.pending() == 1, "wait on an older, completed ticket");
    q.wait(t2);
    pr->expect(q.pending() == 0, "wait(t2)");
    ok = true;
    for (std::size_t i = 0; i < 3000; ++i) ok = ok && b[i] == pattern(i, 3);
    pr->expect(ok, "all three complete");
    q.wait(t1);
    q.wait(t2);
    pr->expect(q.pending() == 0, "repeated waits");
  }));
  ASSERT_OK(test::bounded_sync(s)) << last_error_message();
  report(*pr);
  EXPECT_OK(vnpu::free(src));
}

TEST(Dma, EveryBlockStartsWithAnEmptyQueue) {
  // Blocks leave transfers in flight when they return; the queue the next block sees
  // (same core: one core runs them all) is empty.
  Device dev = kernel_device(1);
  Stream s = dev.create_stream().value();
  unsigned char* src = device_pattern(dev, 4096);
  auto dirty = std::make_shared<std::atomic<int>>(0);
  for (int launch = 0; launch < 2; ++launch) {
    ASSERT_OK(s.launch("leaves_pending", 20, [=](const KernelContext& k) {
      if (k.dma().pending() != 0) dirty->fetch_add(1);
      auto* b = static_cast<unsigned char*>(k.scratch().allocate(4096));
      for (std::uint32_t i = 0; i <= k.block_idx() % 6; ++i) (void)k.dma().copy_in(b, src, 4096);
    }));
  }
  ASSERT_OK(test::bounded_sync(s)) << last_error_message();
  EXPECT_EQ(dirty->load(), 0);
  EXPECT_OK(vnpu::free(src));
}

TEST(Dma, CopyInFromPinnedHostMemory) {
  Device dev = kernel_device(1);
  Stream s = dev.create_stream().value();
  constexpr std::size_t kN = 10000;
  auto* pinned = static_cast<unsigned char*>(dev.malloc_host(kN).value());
  for (std::size_t i = 0; i < kN; ++i) pinned[i] = pattern(i, 9);
  auto pr = std::make_shared<Problems>();
  ASSERT_OK(s.launch("pinned_in", 1, [=](const KernelContext& k) {
    auto* b = static_cast<unsigned char*>(k.scratch().allocate(kN));
    k.dma().wait(k.dma().copy_in(b, pinned, kN));
    bool ok = true;
    for (std::size_t i = 0; i < kN; ++i) ok = ok && b[i] == pattern(i, 9);
    pr->expect(ok, "pinned source copied");
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  report(*pr);
  EXPECT_OK(vnpu::free_host(pinned));
}

// The double-buffered loop of kernel.hpp: every block sums its share of a long vector tile
// by tile, loading tile i+1 while it adds tile i. Integer-valued floats keep sums exact.
class DoubleBuffer : public ::testing::TestWithParam<int> {};

TEST_P(DoubleBuffer, LoopOfTheHeaderComputesTheSum) {
  const int buffers = GetParam();  // 2: the header's loop; up to kDepth: deeper pipelines
  Device dev = kernel_device(2, std::size_t{64} << 10);
  Stream s = dev.create_stream().value();
  constexpr std::size_t kTile = 1000;  // floats per tile
  constexpr std::size_t kTilesPerBlock = 37;
  constexpr std::uint32_t kBlocks = 6;
  const std::size_t total = kTile * kTilesPerBlock * kBlocks;
  std::vector<float> host(total);
  for (std::size_t i = 0; i < total; ++i) host[i] = static_cast<float>(i % 1000);
  auto* x = static_cast<float*>(dev.malloc(total * 4).value());
  ASSERT_OK(vnpu::memcpy(x, total * 4, host.data(), total * 4, CopyKind::kHostToDevice));
  auto* sums = static_cast<double*>(dev.malloc(kBlocks * sizeof(double)).value());
  auto* tiles_out = static_cast<float*>(dev.malloc(total * 4).value());
  ASSERT_OK(s.launch("double_buffer", kBlocks, [=](const KernelContext& k) {
    DmaQueue& q = k.dma();
    const float* src = x + k.block_idx() * kTile * kTilesPerBlock;
    float* out = tiles_out + k.block_idx() * kTile * kTilesPerBlock;
    std::vector<float*> buf(static_cast<std::size_t>(buffers));
    for (float*& b : buf) b = k.scratch().allocate<float>(kTile);
    std::vector<DmaTicket> t(static_cast<std::size_t>(buffers));
    // Keep up to `buffers` tiles loaded or loading: tile i + buffers - 1 goes into the
    // buffer tile i - 1 used, which is free again.
    const int tiles = static_cast<int>(kTilesPerBlock);
    int issued = 0;
    double sum = 0;
    for (int i = 0; i < tiles; ++i) {
      for (; issued < tiles && issued <= i + buffers - 1; ++issued) {
        const auto nb = static_cast<std::size_t>(issued % buffers);
        t[nb] = q.copy_in(buf[nb], src + issued * kTile, kTile * 4);
      }
      const auto cur = static_cast<std::size_t>(i % buffers);
      q.wait(t[cur]);
      for (std::size_t j = 0; j < kTile; ++j) {
        sum += buf[cur][j];
        buf[cur][j] *= 2.0f;
      }
      (void)q.copy_out(out + i * kTile, buf[cur], kTile * 4);
    }
    q.wait_all();
    sums[k.block_idx()] = sum;
  }));
  ASSERT_OK(s.synchronize()) << last_error_message();
  const double per_block = kTilesPerBlock * (999.0 * 1000.0 / 2.0);
  std::vector<double> got(kBlocks);
  ASSERT_OK(vnpu::memcpy(got.data(), kBlocks * 8, sums, kBlocks * 8, CopyKind::kDeviceToHost));
  for (std::uint32_t b = 0; b < kBlocks; ++b) EXPECT_EQ(got[b], per_block) << "block " << b;
  std::vector<float> doubled(total);
  ASSERT_OK(vnpu::memcpy(doubled.data(), total * 4, tiles_out, total * 4, CopyKind::kDeviceToHost));
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < total; ++i) wrong += doubled[i] != 2.0f * host[i];
  EXPECT_EQ(wrong, 0u);
  EXPECT_OK(vnpu::free(x));
  EXPECT_OK(vnpu::free(sums));
  EXPECT_OK(vnpu::free(tiles_out));
}

INSTANTIATE_TEST_SUITE_P(Buffers, DoubleBuffer, ::testing::Values(1, 2, 3, DmaQueue::kDepth));

}  // namespace
}  // namespace vnpu
