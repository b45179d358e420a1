// Launching Ascend C kernels: ICPU_RUN_KF and run_kernel, block identity, all blocks
// resident up to the SoC's vector-core count, failures reported with kernel and block.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <vector>

#include "kernel_operator.h"
#include "tikicpulib.h"
#include "tiling/platform/platform_ascendc.h"

using namespace AscendC;

namespace {

std::atomic<int> g_calls{0};
std::atomic<std::uint64_t> g_seen{0};

extern "C" __global__ __aicore__ void record_blocks(GM_ADDR out) {
  g_calls.fetch_add(1);
  g_seen.fetch_or(std::uint64_t{1} << GetBlockIdx());
  GlobalTensor<std::int32_t> o;
  o.SetGlobalBuffer(reinterpret_cast<__gm__ std::int32_t*>(out) + GetBlockIdx() * 8, 8);
  o.SetValue(0, static_cast<std::int32_t>(GetBlockIdx()));
  o.SetValue(1, static_cast<std::int32_t>(GetBlockNum()));
  o.SetValue(2, static_cast<std::int32_t>(GetSubBlockIdx()));
  o.SetValue(3, static_cast<std::int32_t>(GetTaskRatio()));
}

TEST(AscendcLaunch, EveryBlockRunsOnceWithItsIndex) {
  for (std::uint32_t dim : {1u, 2u, 7u, 48u}) {
    g_calls = 0;
    g_seen = 0;
    auto* out = static_cast<std::uint8_t*>(GmAlloc(dim * 8 * sizeof(std::int32_t)));
    ASSERT_NE(out, nullptr);
    ICPU_RUN_KF(record_blocks, dim, out);
    EXPECT_EQ(g_calls.load(), static_cast<int>(dim));
    EXPECT_EQ(g_seen.load(), dim == 64 ? ~0ull : ((std::uint64_t{1} << dim) - 1));
    const auto* o = reinterpret_cast<const std::int32_t*>(out);
    for (std::uint32_t b = 0; b < dim; ++b) {
      EXPECT_EQ(o[b * 8 + 0], static_cast<std::int32_t>(b));
      EXPECT_EQ(o[b * 8 + 1], static_cast<std::int32_t>(dim));
      EXPECT_EQ(o[b * 8 + 2], 0);
      EXPECT_EQ(o[b * 8 + 3], 1);
    }
    GmFree(out);
  }
}

TEST(AscendcLaunch, GmAllocIsZeroedAndAligned) {
  auto* p = static_cast<unsigned char*>(GmAlloc(1000));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 32, 0u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(p[i], 0) << i;
  GmFree(p);
  GmFree(nullptr);
}

// y = 2x + block index, through the UB: GM -> VECIN queue -> scalar loop -> VECOUT -> GM.
constexpr std::uint32_t kTile = 256;
extern "C" __global__ __aicore__ void scale_copy(GM_ADDR x, GM_ADDR y) {
  GlobalTensor<float> xg, yg;
  xg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x) + GetBlockIdx() * kTile, kTile);
  yg.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(y) + GetBlockIdx() * kTile, kTile);
  TPipe pipe;
  TQue<QuePosition::VECIN, 2> in;
  TQue<QuePosition::VECOUT, 2> out;
  pipe.InitBuffer(in, 2, kTile * sizeof(float));
  pipe.InitBuffer(out, 2, kTile * sizeof(float));
  LocalTensor<float> a = in.AllocTensor<float>();
  DataCopy(a, xg, kTile);
  in.EnQue(a);
  LocalTensor<float> b = in.DeQue<float>();
  LocalTensor<float> c = out.AllocTensor<float>();
  for (std::uint32_t i = 0; i < kTile; ++i) c.SetValue(i, 2.0f * b.GetValue(i) + static_cast<float>(GetBlockIdx()));
  out.EnQue(c);
  in.FreeTensor(b);
  LocalTensor<float> d = out.DeQue<float>();
  DataCopy(yg, d, kTile);
  out.FreeTensor(d);
}

TEST(AscendcLaunch, DataFlowsThroughTheUnifiedBuffer) {
  constexpr std::uint32_t blocks = 8;
  auto* x = static_cast<float*>(GmAlloc(blocks * kTile * sizeof(float)));
  auto* y = static_cast<float*>(GmAlloc(blocks * kTile * sizeof(float)));
  for (std::uint32_t i = 0; i < blocks * kTile; ++i) x[i] = static_cast<float>(i) * 0.5f;
  ICPU_RUN_KF(scale_copy, blocks, reinterpret_cast<GM_ADDR>(x), reinterpret_cast<GM_ADDR>(y));
  for (std::uint32_t i = 0; i < blocks * kTile; ++i)
    ASSERT_EQ(y[i], 2.0f * x[i] + static_cast<float>(i / kTile)) << i;
  GmFree(x);
  GmFree(y);
}

// SyncAll across every block of the chip: each block writes its slot, meets the others, then
// reads all slots. Run with the SoC's 48 vector cores on any machine.
extern "C" __global__ __aicore__ void sync_all_sum(GM_ADDR slots, GM_ADDR sums, std::int32_t rounds) {
  GlobalTensor<std::int32_t> s, out;
  s.SetGlobalBuffer(reinterpret_cast<__gm__ std::int32_t*>(slots), GetBlockNum() * 8);
  out.SetGlobalBuffer(reinterpret_cast<__gm__ std::int32_t*>(sums), GetBlockNum());
  std::int32_t total = 0;
  for (std::int32_t r = 0; r < rounds; ++r) {
    s.SetValue(GetBlockIdx() * 8, static_cast<std::int32_t>(GetBlockIdx()) + r);
    SyncAll();
    for (std::int64_t b = 0; b < GetBlockNum(); ++b) total += s.GetValue(b * 8);
    SyncAll();
  }
  out.SetValue(GetBlockIdx(), total);
}

TEST(AscendcLaunch, SyncAllMeetsEveryBlockUpToTheVectorCoreCount) {
  const std::uint32_t dim = platform_ascendc::PlatformAscendCManager::GetInstance()->GetCoreNumAiv();
  ASSERT_GE(dim, 8u);
  const std::int32_t rounds = 5;
  auto* slots = static_cast<std::uint8_t*>(GmAlloc(dim * 8 * sizeof(std::int32_t)));
  auto* sums = static_cast<std::int32_t*>(GmAlloc(dim * sizeof(std::int32_t)));
  ICPU_RUN_KF(sync_all_sum, dim, slots, reinterpret_cast<GM_ADDR>(sums), rounds);
  std::int32_t expect = 0;
  for (std::int32_t r = 0; r < rounds; ++r)
    for (std::uint32_t b = 0; b < dim; ++b) expect += static_cast<std::int32_t>(b) + r;
  for (std::uint32_t b = 0; b < dim; ++b) EXPECT_EQ(sums[b], expect) << b;
  GmFree(slots);
  GmFree(sums);
}

TEST(AscendcLaunch, SyncAllBeyondTheVectorCoreCountFailsClearly) {
  const std::uint32_t dim = platform_ascendc::PlatformAscendCManager::GetInstance()->GetCoreNumAiv() + 1;
  auto* slots = static_cast<std::uint8_t*>(GmAlloc(dim * 8 * sizeof(std::int32_t)));
  auto* sums = static_cast<std::uint8_t*>(GmAlloc(dim * sizeof(std::int32_t)));
  const vnpu::Status st = vnpu::ascendc::run_kernel("sync_all_sum", dim, [=] { sync_all_sum(slots, sums, 1); });
  EXPECT_EQ(st, vnpu::Status::kTaskFailed);
  const std::string msg = vnpu::ascendc::last_error_message();
  EXPECT_NE(msg.find("SyncAll"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::to_string(dim)), std::string::npos) << msg;
  GmFree(slots);
  GmFree(sums);
}

extern "C" __global__ __aicore__ void ub_overflow(GM_ADDR) {
  TPipe pipe;
  TQue<QuePosition::VECIN, 1> in;
  TBuf<QuePosition::VECCALC> tmp;
  pipe.InitBuffer(in, 1, 128 * 1024);
  pipe.InitBuffer(tmp, 96 * 1024);  // 224 KiB in all: past the 192 KiB of the 910B class
}

TEST(AscendcLaunch, InitBufferBeyondTheUnifiedBufferFailsWithKernelBlockAndSizes) {
  const vnpu::Status st = vnpu::ascendc::run_kernel("ub_overflow", 3, [] { ub_overflow(nullptr); });
  EXPECT_EQ(st, vnpu::Status::kTaskFailed);
  const std::string msg = vnpu::ascendc::last_error_message();
  EXPECT_NE(msg.find("ub_overflow"), std::string::npos) << msg;
  EXPECT_NE(msg.find("block"), std::string::npos) << msg;
  std::uint64_t ub = 0;
  platform_ascendc::PlatformAscendCManager::GetInstance()->GetCoreMemSize(platform_ascendc::CoreMemType::UB, ub);
  EXPECT_EQ(ub, 192u * 1024u);
  EXPECT_NE(msg.find(std::to_string(ub)), std::string::npos) << msg;
}

extern "C" __global__ __aicore__ void gm_overrun(GM_ADDR x) {
  GlobalTensor<float> g;
  g.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x), 64);
  TPipe pipe;
  TBuf<QuePosition::VECCALC> buf;
  pipe.InitBuffer(buf, 1024);
  LocalTensor<float> t = buf.Get<float>();
  DataCopy(t, g, 128);  // twice the extent
}

TEST(AscendcLaunch, DataCopyPastTheGlobalExtentFailsInsteadOfReading) {
  auto* x = static_cast<std::uint8_t*>(GmAlloc(4096));
  const vnpu::Status st = vnpu::ascendc::run_kernel("gm_overrun", 1, [=] { gm_overrun(x); });
  EXPECT_EQ(st, vnpu::Status::kTaskFailed);
  const std::string msg = vnpu::ascendc::last_error_message();
  EXPECT_NE(msg.find("gm_overrun"), std::string::npos) << msg;
  EXPECT_NE(msg.find("DataCopy"), std::string::npos) << msg;
  GmFree(x);
}

extern "C" __global__ __aicore__ void local_overrun(GM_ADDR) {
  TPipe pipe;
  TBuf<QuePosition::VECCALC> buf;
  pipe.InitBuffer(buf, 256);
  LocalTensor<float> t = buf.Get<float>();
  t.SetValue(64, 1.0f);  // one past the 64 floats of the buffer
}

TEST(AscendcLaunch, LocalTensorAccessPastItsBufferFails) {
  const vnpu::Status st = vnpu::ascendc::run_kernel("local_overrun", 2, [] { local_overrun(nullptr); });
  EXPECT_EQ(st, vnpu::Status::kTaskFailed);
  const std::string msg = vnpu::ascendc::last_error_message();
  EXPECT_NE(msg.find("SetValue"), std::string::npos) << msg;
  EXPECT_NE(msg.find("local_overrun"), std::string::npos) << msg;
}

extern "C" __global__ __aicore__ void deque_empty(GM_ADDR) {
  TPipe pipe;
  TQue<QuePosition::VECIN, 2> in;
  pipe.InitBuffer(in, 2, 256);
  LocalTensor<half> t = in.DeQue<half>();
  (void)t;
}

TEST(AscendcLaunch, DeQueOfAnEmptyQueueFailsInsteadOfHanging) {
  const vnpu::Status st = vnpu::ascendc::run_kernel("deque_empty", 1, [] { deque_empty(nullptr); });
  EXPECT_EQ(st, vnpu::Status::kTaskFailed);
  EXPECT_NE(std::string(vnpu::ascendc::last_error_message()).find("DeQue"), std::string::npos);
}

TEST(AscendcLaunch, ZeroBlocksIsAnInvalidArgument) {
  EXPECT_EQ(vnpu::ascendc::run_kernel("none", 0, [] {}), vnpu::Status::kInvalidArgument);
}

TEST(AscendcLaunch, TheKernelApiOutsideAKernelFailsWithAReason) {
  try {
    (void)GetBlockIdx();
    FAIL() << "GetBlockIdx outside a kernel returned";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("outside an Ascend C kernel"), std::string::npos) << e.what();
  }
}

TEST(AscendcLaunchDeath, IcpuRunKfPrintsTheFailureAndExits) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // the runtime's threads do not survive fork()
  EXPECT_EXIT(ICPU_RUN_KF(local_overrun, 1, nullptr), ::testing::ExitedWithCode(1),
              "ICPU_RUN_KF\\(local_overrun, 1\\) failed.*SetValue");
}

}  // namespace
