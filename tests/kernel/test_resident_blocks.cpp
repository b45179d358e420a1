// Cooperative launches with more blocks than compute cores: every block is resident (the
// cores run them as fibers that switch at barriers), so sync_all and sync_group work for
// any block count — 8, 24, 40, 48 as the chips have — on 1, 2 or 3 cores. Each block has
// its own scratch arena and DMA queue, current_kernel_context() follows the block being
// run, and a failing block still breaks the barriers instead of hanging the launch.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "kernel/kernel_support.hpp"

namespace vnpu {
namespace {

using test::bounded_sync;
using test::cooperative;
using test::kernel_device;

struct Rounds {
  explicit Rounds(std::uint32_t blocks) : slot{std::vector<std::int64_t>(blocks), std::vector<std::int64_t>(blocks)} {}
  std::vector<std::int64_t> slot[2];
  std::atomic<int> mismatches{0};
  std::atomic<int> completed{0};
  std::atomic<int> wrong_context{0};
  std::atomic<int> scratch_lost{0};
};

class ResidentBlocks : public ::testing::TestWithParam<std::tuple<int, std::uint32_t>> {};

TEST_P(ResidentBlocks, SyncAllOrdersEveryRound) {
  const auto [cores, blocks] = GetParam();
  Device dev = kernel_device(cores, std::size_t{32} << 10);
  Stream s = dev.create_stream().value();
  const int rounds = test::scaled(200, 20);
  auto st = std::make_shared<Rounds>(blocks);
  ASSERT_OK(s.launch("resident_rounds", blocks, cooperative(), [st, rounds](const KernelContext& k) {
    const std::uint32_t b = k.block_idx(), n = k.block_dim();
    // Per-block scratch that must survive the other blocks running on this core.
    auto* mine = k.scratch().allocate<std::uint32_t>(1024);
    for (std::uint32_t i = 0; i < 1024; ++i) mine[i] = b * 7919 + i;
    for (int r = 0; r < rounds; ++r) {
      std::vector<std::int64_t>& buf = st->slot[r % 2];
      buf[b] = std::int64_t{r} * 100000 + b;
      k.sync_all();
      if (current_kernel_context() != &k) st->wrong_context.fetch_add(1);
      for (std::uint32_t j = 0; j < n; ++j)
        if (buf[j] != std::int64_t{r} * 100000 + j) st->mismatches.fetch_add(1, std::memory_order_relaxed);
    }
    for (std::uint32_t i = 0; i < 1024; ++i)
      if (mine[i] != b * 7919 + i) {
        st->scratch_lost.fetch_add(1);
        break;
      }
    st->completed.fetch_add(1);
  }));
  ASSERT_OK(bounded_sync(s, std::chrono::seconds(60))) << last_error_message();
  EXPECT_EQ(st->mismatches.load(), 0);
  EXPECT_EQ(st->wrong_context.load(), 0);
  EXPECT_EQ(st->scratch_lost.load(), 0);
  EXPECT_EQ(st->completed.load(), static_cast<int>(blocks));
}

INSTANTIATE_TEST_SUITE_P(CoresAndBlocks, ResidentBlocks,
                         ::testing::Combine(::testing::Values(1, 2, 3),
                                            ::testing::Values(2u, 5u, 8u, 24u, 48u)));

TEST(ResidentBlocksGroups, SyncGroupWithMoreBlocksThanCores) {
  Device dev = kernel_device(2);
  Stream s = dev.create_stream().value();
  constexpr std::uint32_t kBlocks = 40, kGroup = 8;
  auto sums = std::make_shared<std::vector<std::atomic<int>>>(kBlocks / kGroup);
  auto bad = std::make_shared<std::atomic<int>>(0);
  auto values = std::make_shared<std::vector<int>>(kBlocks, 0);
  ASSERT_OK(s.launch("groups", kBlocks, cooperative(kGroup), [sums, bad, values](const KernelContext& k) {
    for (int r = 1; r <= 20; ++r) {
      (*values)[k.block_idx()] = r * 1000 + static_cast<int>(k.block_idx());
      k.sync_group();
      const std::uint32_t first = k.group_idx() * kGroup;
      for (std::uint32_t j = first; j < first + k.group_dim(); ++j)
        if ((*values)[j] != r * 1000 + static_cast<int>(j)) bad->fetch_add(1);
      k.sync_group();
    }
    k.sync_all();
    (*sums)[k.group_idx()].fetch_add(1);
  }));
  ASSERT_OK(bounded_sync(s, std::chrono::seconds(60))) << last_error_message();
  EXPECT_EQ(bad->load(), 0);
  for (auto& g : *sums) EXPECT_EQ(g.load(), static_cast<int>(kGroup));
}

TEST(ResidentBlocksFailure, AFailingBlockBreaksTheBarrierInsteadOfHanging) {
  for (int cores : {1, 2}) {
    Device dev = kernel_device(cores);
    Stream s = dev.create_stream().value();
    auto threw = std::make_shared<std::atomic<int>>(0);
    ASSERT_OK(s.launch("one_fails", 24, cooperative(), [threw](const KernelContext& k) {
      if (k.block_idx() == 17) throw std::runtime_error("block 17 gives up");
      try {
        k.sync_all();
      } catch (const Error&) {
        threw->fetch_add(1);
        throw;
      }
    }));
    EXPECT_EQ(bounded_sync(s, std::chrono::seconds(60)), Status::kTaskFailed) << cores << " cores";
    EXPECT_NE(std::string(last_error_message()).find("block 17 gives up"), std::string::npos) << last_error_message();
    EXPECT_EQ(threw->load(), 23);
    // A block returning without the barrier others wait at also ends the launch.
    ASSERT_OK(s.launch("one_returns", 9, cooperative(), [](const KernelContext& k) {
      if (k.block_idx() == 3) return;
      k.sync_all();
    }));
    EXPECT_EQ(bounded_sync(s, std::chrono::seconds(60)), Status::kTaskFailed);
    // The stream stays usable.
    ASSERT_OK(s.launch("after", 30, cooperative(), [](const KernelContext& k) { k.sync_all(); }));
    EXPECT_OK(bounded_sync(s, std::chrono::seconds(60)));
  }
}

TEST(ResidentBlocksDma, EachBlockHasItsOwnQueue) {
  Device dev = kernel_device(2, std::size_t{16} << 10);
  Stream s = dev.create_stream().value();
  constexpr std::uint32_t kBlocks = 12;
  constexpr std::size_t kN = 2048;
  auto src = std::make_shared<std::vector<float>>(kBlocks * kN);
  for (std::size_t i = 0; i < src->size(); ++i) (*src)[i] = static_cast<float>(i);
  auto dst = std::make_shared<std::vector<float>>(kBlocks * kN, 0.0f);
  ASSERT_OK(s.launch("dma_across_barrier", kBlocks, cooperative(), [src, dst](const KernelContext& k) {
    float* buf = k.scratch().allocate<float>(kN);
    const DmaTicket t = k.dma().copy_in(buf, src->data() + k.block_idx() * kN, kN * sizeof(float));
    k.sync_all();  // other blocks on this core run while the transfer is pending
    k.dma().wait(t);
    for (std::size_t i = 0; i < kN; ++i) buf[i] *= 2.0f;
    k.dma().wait(k.dma().copy_out(dst->data() + k.block_idx() * kN, buf, kN * sizeof(float)));
  }));
  ASSERT_OK(bounded_sync(s, std::chrono::seconds(60))) << last_error_message();
  for (std::size_t i = 0; i < dst->size(); ++i) ASSERT_EQ((*dst)[i], 2.0f * static_cast<float>(i)) << i;
}

}  // namespace
}  // namespace vnpu
