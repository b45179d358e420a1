// DataCopy (count and strided forms, GM<->UB and UB->UB), DataCopyPad with its padding
// rules, and the atomic modes of UB-to-GM copies, against what the documentation states.
#include <cstring>
#include <string>
#include <vector>

#include "ascendc_support.hpp"

using namespace AscendC;
using ascendc_test::expect_failure;
using ascendc_test::Gm;
using ascendc_test::run;

namespace {

TEST(AscendcDataCopy, CountFormRoundTripsThroughTheUb) {
  for (std::uint32_t n : {16u, 32u, 4096u, 48u * 1024u}) {  // halves: whole 32-byte blocks
    Gm<half> x(n), y(n);
    for (std::uint32_t i = 0; i < n; ++i) x[i] = half(static_cast<float>(i % 2048) - 1024.0f);
    ASSERT_EQ(run("copy", 1, [&] {
                GlobalTensor<half> xg, yg;
                xg.SetGlobalBuffer(x.get(), n);
                yg.SetGlobalBuffer(y.get(), n);
                TPipe pipe;
                TBuf<> a, b;
                pipe.InitBuffer(a, n * 2);
                pipe.InitBuffer(b, n * 2);
                LocalTensor<half> ta = a.Get<half>(), tb = b.Get<half>();
                DataCopy(ta, xg, n);
                DataCopy(tb, ta, n);  // UB -> UB
                DataCopy(yg, tb, n);
              }),
              vnpu::Status::kSuccess);
    EXPECT_EQ(std::memcmp(x.get(), y.get(), n * sizeof(half)), 0) << n;
  }
}

TEST(AscendcDataCopy, StridedBurstsSkipTheGaps) {
  // 4 bursts of 2 blocks (16 floats), GM gaps of 1 block, UB gaps of 3 blocks; back out
  // packed (UB gap 3 -> GM gap 0).
  Gm<float> x(4 * 24), y(4 * 16);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  ASSERT_EQ(run("strided", 1, [&] {
              GlobalTensor<float> xg, yg;
              xg.SetGlobalBuffer(x.get(), x.size());
              yg.SetGlobalBuffer(y.get(), y.size());
              TPipe pipe;
              TBuf<> a;
              pipe.InitBuffer(a, 4 * 5 * 32);
              LocalTensor<float> t = a.Get<float>();
              DataCopy(t, xg, DataCopyParams(4, 2, 1, 3));
              DataCopy(yg, t, DataCopyParams(4, 2, 3, 0));
            }),
            vnpu::Status::kSuccess);
  for (std::size_t b = 0; b < 4; ++b)
    for (std::size_t e = 0; e < 16; ++e) ASSERT_EQ(y[b * 16 + e], static_cast<float>(b * 24 + e)) << b << "," << e;
}

TEST(AscendcDataCopy, ALengthOffTheBlockIsCopiedAsTheChipDoes) {
  Gm<float> x(16), y(16);
  for (int i = 0; i < 16; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(i + 1);
  ASSERT_EQ(run("short", 1, [&] {
              GlobalTensor<float> xg, yg;
              xg.SetGlobalBuffer(x.get(), 16);
              yg.SetGlobalBuffer(y.get(), 16);
              TPipe pipe;
              TBuf<> a;
              pipe.InitBuffer(a, 64);
              LocalTensor<float> t = a.Get<float>();
              DataCopy(t, xg, 16);
              DataCopy(yg, t, 11);  // 44 bytes: the chip moves one 32-byte block
            }),
            vnpu::Status::kSuccess);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(y[static_cast<std::size_t>(i)], static_cast<float>(i + 1)) << i;
  for (int i = 8; i < 16; ++i) EXPECT_EQ(y[static_cast<std::size_t>(i)], 0.0f) << i;
}

TEST(AscendcDataCopy, PadInFillsTheSlotAsDocumented) {
  Gm<half> x(64);
  for (int i = 0; i < 64; ++i) x[static_cast<std::size_t>(i)] = half(static_cast<float>(i + 1));
  std::vector<float> got(64, -1.0f), got2(64, -1.0f);
  ASSERT_EQ(run("pad", 1, [&] {
              GlobalTensor<half> xg;
              xg.SetGlobalBuffer(x.get(), 64);
              TPipe pipe;
              TBuf<> a;
              pipe.InitBuffer(a, 256);
              LocalTensor<half> t = a.Get<half>();
              // 2 bursts of 5 halves (10 bytes), GM gap 2 halves, 2 left + 1 right padding of 7:
              // each burst lands in a 32-byte slot: [7 7 d d d d d 7 | 7 ...]
              DataCopyPad(t, xg, DataCopyExtParams(2, 10, 4, 0, 0), DataCopyPadExtParams<half>(true, 2, 1, half(7.0f)));
              for (int i = 0; i < 32; ++i) got[static_cast<std::size_t>(i)] = float(t.GetValue(static_cast<std::uint32_t>(i)));
              // No padding: the slot's filler repeats the burst's first element.
              DataCopyPad(t, xg, DataCopyExtParams(1, 6, 0, 0, 0), DataCopyPadExtParams<half>(false, 0, 0, half(0.0f)));
              for (int i = 0; i < 16; ++i) got2[static_cast<std::size_t>(i)] = float(t.GetValue(static_cast<std::uint32_t>(i)));
            }),
            vnpu::Status::kSuccess);
  const float want0[16] = {7, 7, 1, 2, 3, 4, 5, 7, 7, 7, 7, 7, 7, 7, 7, 7};
  const float want1[16] = {7, 7, 8, 9, 10, 11, 12, 7, 7, 7, 7, 7, 7, 7, 7, 7};
  for (int i = 0; i < 16; ++i) {
    EXPECT_EQ(got[static_cast<std::size_t>(i)], want0[i]) << i;
    EXPECT_EQ(got[static_cast<std::size_t>(16 + i)], want1[i]) << i;
  }
  const float want2[16] = {1, 2, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  for (int i = 0; i < 16; ++i) EXPECT_EQ(got2[static_cast<std::size_t>(i)], want2[i]) << i;
}

TEST(AscendcDataCopy, PadOutWritesExactlyTheBytes) {
  Gm<float> y(32);
  for (int i = 0; i < 32; ++i) y[static_cast<std::size_t>(i)] = -1.0f;
  ASSERT_EQ(run("pad_out", 1, [&] {
              GlobalTensor<float> yg;
              yg.SetGlobalBuffer(y.get(), 32);
              TPipe pipe;
              TBuf<> a;
              pipe.InitBuffer(a, 128);
              LocalTensor<float> t = a.Get<float>();
              for (std::uint32_t i = 0; i < 32; ++i) t.SetValue(i, static_cast<float>(i));
              // 3 bursts of 3 floats: UB slots of 32 bytes (8 floats), GM gap of 4 bytes.
              DataCopyPad(yg, t, DataCopyExtParams(3, 12, 0, 4, 0));
            }),
            vnpu::Status::kSuccess);
  const float want[12] = {0, 1, 2, -1, 8, 9, 10, -1, 16, 17, 18, -1};
  for (int i = 0; i < 12; ++i) EXPECT_EQ(y[static_cast<std::size_t>(i)], want[i]) << i;
  for (int i = 12; i < 32; ++i) EXPECT_EQ(y[static_cast<std::size_t>(i)], -1.0f) << i;
}

TEST(AscendcDataCopy, AtomicAddAccumulatesEveryBlocksCopy) {
  constexpr std::uint32_t kBlocks = 24, kN = 256;
  Gm<float> acc(kN);
  Gm<std::int32_t> iacc(kN);
  Gm<float> mx(kN);
  for (std::uint32_t i = 0; i < kN; ++i) mx[i] = -1e30f;
  ASSERT_EQ(run("atomic", kBlocks, [&] {
              GlobalTensor<float> ag, mg;
              GlobalTensor<std::int32_t> ig;
              ag.SetGlobalBuffer(acc.get(), kN);
              mg.SetGlobalBuffer(mx.get(), kN);
              ig.SetGlobalBuffer(iacc.get(), kN);
              TPipe pipe;
              TBuf<> a, b;
              pipe.InitBuffer(a, kN * 4);
              pipe.InitBuffer(b, kN * 4);
              LocalTensor<float> t = a.Get<float>();
              LocalTensor<std::int32_t> u = b.Get<std::int32_t>();
              const auto me = static_cast<std::int32_t>(GetBlockIdx());
              for (std::uint32_t i = 0; i < kN; ++i) {
                t.SetValue(i, static_cast<float>(me + 1) * 0.5f);
                u.SetValue(i, me * 1000 + static_cast<std::int32_t>(i));
              }
              SetAtomicAdd<float>();
              DataCopy(ag, t, kN);
              SetAtomicType<std::int32_t>();
              DataCopy(ig, u, kN);
              SetAtomicMax<float>();
              DataCopy(mg, t, kN);
              SetAtomicNone();
            }),
            vnpu::Status::kSuccess);
  const float sum = 0.5f * kBlocks * (kBlocks + 1) / 2;  // exact in float
  for (std::uint32_t i = 0; i < kN; ++i) {
    ASSERT_EQ(acc[i], sum) << i;
    ASSERT_EQ(iacc[i], 1000 * static_cast<std::int32_t>(kBlocks * (kBlocks - 1) / 2) +
                           static_cast<std::int32_t>(kBlocks * i))
        << i;
    ASSERT_EQ(mx[i], 0.5f * kBlocks) << i;
  }
}

TEST(AscendcDataCopy, OutOfRangeAndMisalignedCopiesFail) {
  Gm<float> x(64);
  expect_failure(1, [&] {  // past the UB buffer
    ascendc_test::Staged<float> s(x.get(), 64, 128);
    GlobalTensor<float>& xg = s.global;
    LocalTensor<float> t = s.local();
    DataCopy(t, xg, 64);
  }, {"DataCopy GM->UB", "destination", "LocalTensor's buffer"});
  expect_failure(1, [&] {  // past the allocation, with no extent given
    GlobalTensor<float> xg;
    xg.SetGlobalBuffer(x.get());
    TPipe pipe;
    TBuf<> a;
    pipe.InitBuffer(a, 1024);
    LocalTensor<float> t = a.Get<float>();
    DataCopy(t, xg[32], 64);
  }, {"DataCopy GM->UB", "allocation"});
  expect_failure(1, [&] {  // a UB operand 4 bytes past a block boundary
    ascendc_test::Staged<float> s(x.get(), 64, 1024);
    GlobalTensor<float>& xg = s.global;
    LocalTensor<float> t = s.local();
    DataCopy(t[1], xg, 8);
  }, {"32-byte aligned"});
  expect_failure(1, [&] {  // strided bursts whose last one runs past the extent
    ascendc_test::Staged<float> s(x.get(), 64, 4096);
    GlobalTensor<float>& xg = s.global;
    LocalTensor<float> t = s.local();
    DataCopy(t, xg, DataCopyParams(5, 1, 1, 0));  // reaches float 72
  }, {"source", "SetGlobalBuffer"});
  expect_failure(1, [&] {
    ascendc_test::Staged<half> s(reinterpret_cast<half*>(x.get()), 128, 1024);
    GlobalTensor<half>& xg = s.global;
    LocalTensor<half> t = s.local();
    DataCopyPad(t, xg, DataCopyExtParams(1, 8, 0, 0, 0), DataCopyPadExtParams<half>(true, 17, 0, half(0.0f)));
  }, {"padding", "32 bytes"});
}

TEST(AscendcDataCopy, AFreedGlobalBufferIsReportedAsUseAfterFree) {
  auto* x = static_cast<float*>(GmAlloc(256));
  GmFree(x);
  expect_failure(1, [&] {
    ascendc_test::Staged<float> s(x, 64, 256);
    GlobalTensor<float>& xg = s.global;
    LocalTensor<float> t = s.local();
    DataCopy(t, xg, 64);
  }, {"freed"});
}

}  // namespace
