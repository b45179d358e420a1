// Synchronisation: flags and barriers inside a block (checked), SyncAll in both forms and
// the IBSet/IBWait handshake across blocks, and how misuse fails instead of hanging.
#include <string>
#include <vector>

#include "ascendc_support.hpp"

using namespace AscendC;
using ascendc_test::expect_failure;
using ascendc_test::Gm;
using ascendc_test::run;

namespace {

// What IBSet, IBWait and the workspace form of SyncAll take: a GM workspace and UB scratch.
struct Workspace {
  Workspace(std::int32_t* gm, std::uint32_t elems) {
    global.SetGlobalBuffer(gm, elems);
    pipe.InitBuffer(ub, 32 * 64);
  }
  LocalTensor<std::int32_t> local() { return ub.Get<std::int32_t>(); }
  GlobalTensor<std::int32_t> global;
  TPipe pipe;
  TBuf<> ub;
};

TEST(AscendcSync, FlagsPairAndBarriersPass) {
  ASSERT_EQ(run("flags", 2, [] {
              SetFlag<HardEvent::MTE2_V>(0);
              SetFlag<HardEvent::MTE2_V>(1);
              WaitFlag<HardEvent::MTE2_V>(1);
              WaitFlag<HardEvent::MTE2_V>(0);
              PipeBarrier<PIPE_V>();
              PipeBarrier<PIPE_ALL>();
              TQueSync<PIPE_V, PIPE_MTE3> sync;
              sync.SetFlag(2);
              sync.WaitFlag(2);
            }),
            vnpu::Status::kSuccess);
}

TEST(AscendcSync, AWaitFlagWithNoSetFlagFails) {
  expect_failure(1, [] { WaitFlag<HardEvent::V_MTE3>(0); }, {"WaitFlag", "no SetFlag"});
  expect_failure(1, [] { SetFlag<HardEvent::V_MTE3>(8); }, {"SetFlag", "event id 8"});
  expect_failure(1, [] { PipeBarrier<PIPE_S>(); }, {"PIPE_S"});
}

// SyncAll through a GM workspace: every block writes, meets, reads everyone's value; twice,
// with no zeroing in between. 40 blocks: most of them fibers on a small machine.
TEST(AscendcSync, SyncAllThroughAWorkspaceMeetsEveryBlockRepeatedly) {
  constexpr std::uint32_t kBlocks = 40;
  Gm<std::int32_t> ws(kBlocks * 8), values(kBlocks), sums(kBlocks * 2);
  ASSERT_EQ(run("sync_gm", kBlocks, [&] {
              Workspace w(ws.get(), kBlocks * 8);
              GlobalTensor<std::int32_t> v, s;
              v.SetGlobalBuffer(values.get(), kBlocks);
              s.SetGlobalBuffer(sums.get(), kBlocks * 2);
              const auto me = static_cast<std::uint32_t>(GetBlockIdx());
              for (int round = 0; round < 2; ++round) {
                v.SetValue(me, static_cast<std::int32_t>(me) * (round + 1));
                SyncAll(w.global, w.local());
                std::int32_t total = 0;
                for (std::uint32_t b = 0; b < kBlocks; ++b) total += v.GetValue(b);
                s.SetValue(me * 2 + static_cast<std::uint32_t>(round), total);
                SyncAll(w.global, w.local());
              }
            }),
            vnpu::Status::kSuccess);
  const std::int32_t base = kBlocks * (kBlocks - 1) / 2;
  for (std::uint32_t b = 0; b < kBlocks; ++b) {
    EXPECT_EQ(sums[b * 2], base) << b;
    EXPECT_EQ(sums[b * 2 + 1], 2 * base) << b;
  }
}

// A chain: block b waits for block b-1's flag, adds to a running value, then sets its own.
TEST(AscendcSync, IbSetAndIbWaitOrderBlocksInAChain) {
  constexpr std::uint32_t kBlocks = 16;
  Gm<std::int32_t> ws(kBlocks * 8), order(kBlocks + 1);
  ASSERT_EQ(run("chain", kBlocks, [&] {
              Workspace w(ws.get(), kBlocks * 8);
              GlobalTensor<std::int32_t> o;
              o.SetGlobalBuffer(order.get(), kBlocks + 1);
              const auto me = static_cast<std::int32_t>(GetBlockIdx());
              if (me > 0) IBWait(w.global, w.local(), me - 1, 0);
              const std::int32_t pos = o.GetValue(kBlocks);
              o.SetValue(static_cast<std::uint32_t>(me), pos);
              o.SetValue(kBlocks, pos + 1);
              if (me + 1 < static_cast<std::int32_t>(kBlocks)) IBSet(w.global, w.local(), me, 0);
            }),
            vnpu::Status::kSuccess);
  for (std::uint32_t b = 0; b < kBlocks; ++b) EXPECT_EQ(order[b], static_cast<std::int32_t>(b)) << b;
}

TEST(AscendcSync, AnIbWaitNobodyAnswersFailsInsteadOfHanging) {
  Gm<std::int32_t> ws(4 * 8);
  // Block 0 waits for block 1, which returns without IBSet.
  expect_failure(4, [&] {
    Workspace w(ws.get(), 4 * 8);
    if (GetBlockIdx() == 0) IBWait(w.global, w.local(), 1, 0);
  }, {"IBWait", "every other block"});
  // Every block waits for the next one: a deadlock.
  Gm<std::int32_t> ws2(4 * 8);
  expect_failure(4, [&] {
    Workspace w(ws2.get(), 4 * 8);
    IBWait(w.global, w.local(), static_cast<std::int32_t>((GetBlockIdx() + 1) % 4), 0);
  }, {"IBWait", "deadlock"});
  // The block waited for fails.
  Gm<std::int32_t> ws3(4 * 8);
  expect_failure(4, [&] {
    Workspace w(ws3.get(), 4 * 8);
    if (GetBlockIdx() == 2) Trap();
    IBWait(w.global, w.local(), 2, 0);
  }, {"Trap"});
  expect_failure(2, [&] {
    Workspace w(ws.get(), 2 * 8);
    IBWait(w.global, w.local(), 5, 0);
  }, {"IBWait", "blockIdx 5"});
}

TEST(AscendcSync, ASyncAllOneBlockNeverReachesFails) {
  expect_failure(8, [] {
    if (GetBlockIdx() == 3) return;
    SyncAll();
  }, {"SyncAll"});
}

TEST(AscendcSync, FillSetsGlobalMemoryBeforeTheKernelUsesIt) {
  Gm<float> x(100);
  ASSERT_EQ(run("fill", 1, [&] {
              GlobalTensor<float> g;
              g.SetGlobalBuffer(x.get(), 100);
              InitGlobalMemory(g, 100, 2.5f);
              DataCacheCleanAndInvalid<float, CacheLine::ENTIRE_DATA_CACHE>(g);
            }),
            vnpu::Status::kSuccess);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(x[static_cast<std::size_t>(i)], 2.5f);
  expect_failure(1, [&] {
    GlobalTensor<float> g;
    g.SetGlobalBuffer(x.get(), 100);
    Fill(g, 101, 1.0f);
  }, {"Fill", "outside"});
}

TEST(AscendcSync, SystemAndUserWorkspaces) {
  Gm<std::uint8_t> ws(1024);
  ASSERT_EQ(run("workspace", 1, [&] {
              SetSysWorkspace(ws.addr());
              EXPECT_EQ(GetSysWorkSpacePtr(), ws.addr());
              EXPECT_EQ(GetUserWorkspace(ws.addr()), ws.addr());
            }),
            vnpu::Status::kSuccess);
}

}  // namespace
