// Tiling (by value, through GM with GET_TILING_DATA, tiling keys) and debugging (printf,
// DumpTensor, assertions, Trap), as kernels use them.
#include <cstring>
#include <string>

#include "ascendc_support.hpp"

using namespace AscendC;
using ascendc_test::expect_failure;
using ascendc_test::Gm;
using ascendc_test::run;

namespace {

struct ScaleTiling {
  std::uint32_t length;
  float factor;
  std::int16_t shift;
  std::uint64_t big;
};

// The host-side class of the same layout, as a tiling function fills it.
BEGIN_TILING_DATA_DEF(ScaleTilingData)
TILING_DATA_FIELD_DEF(std::uint32_t, length);
TILING_DATA_FIELD_DEF(float, factor);
TILING_DATA_FIELD_DEF(std::int16_t, shift);
TILING_DATA_FIELD_DEF(std::uint64_t, big);
END_TILING_DATA_DEF;

extern "C" __global__ __aicore__ void read_tiling(GM_ADDR out, GM_ADDR tiling) {
  REGISTER_TILING_DEFAULT(ScaleTiling);
  GET_TILING_DATA(t, tiling);
  GlobalTensor<float> o;
  o.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(out), 4);
  o.SetValue(0, static_cast<float>(t.length));
  o.SetValue(1, t.factor);
  o.SetValue(2, static_cast<float>(t.shift));
  o.SetValue(3, static_cast<float>(t.big >> 40));
  GET_TILING_DATA_MEMBER(ScaleTiling, factor, f, tiling);
  if (f != t.factor) Trap();
  if (TILING_KEY_IS(7)) o.SetValue(0, -1.0f);
}

TEST(AscendcTiling, TheHostClassAndTheKernelStructShareTheLayout) {
  ScaleTilingData host;
  host.set_length(1234);
  host.set_factor(0.25f);
  host.set_shift(-3);
  host.set_big(std::uint64_t{5} << 40);
  EXPECT_EQ(host.GetDataSize(), sizeof(ScaleTiling));
  Gm<std::uint8_t> tiling(64);
  host.SaveToBuffer(tiling.get(), 64);
  Gm<float> out(4);
  ICPU_RUN_KF(read_tiling, 1, out.addr(), tiling.addr());
  EXPECT_EQ(out[0], 1234.0f);
  EXPECT_EQ(out[1], 0.25f);
  EXPECT_EQ(out[2], -3.0f);
  EXPECT_EQ(out[3], 5.0f);
  ICPU_SET_TILING_KEY(7);
  ICPU_RUN_KF(read_tiling, 1, out.addr(), tiling.addr());
  EXPECT_EQ(out[0], -1.0f);
  ICPU_SET_TILING_KEY(1);
}

extern "C" __global__ __aicore__ void by_value(GM_ADDR out, ScaleTiling t) {
  GlobalTensor<float> o;
  o.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(out), 1);
  o.SetValue(0, static_cast<float>(t.length) * t.factor);
}

TEST(AscendcTiling, AStructPassedByValueReachesEveryBlock) {
  Gm<float> out(1);
  ICPU_RUN_KF(by_value, 3, out.addr(), ScaleTiling{100, 1.5f, 0, 0});
  EXPECT_EQ(out[0], 150.0f);
}

TEST(AscendcTiling, PointerArgumentsOfAnyTypeReachGmAddrParameters) {
  // As samples call it: float* for x, a host struct's address for the tiling pointer.
  Gm<float> out(4);
  const ScaleTiling host{7, 2.0f, 1, std::uint64_t{9} << 40};
  ICPU_RUN_KF(read_tiling, 2, out.get(), &host);
  EXPECT_EQ(out[0], 7.0f);
  EXPECT_EQ(out[3], 9.0f);
}

TEST(AscendcDebug, PrintfAndDumpTensorWriteWholeRecords) {
  testing::internal::CaptureStdout();
  ASSERT_EQ(run("print", 1, [] {
              AscendC::printf("block %lld of %lld: %f %d\n", static_cast<long long>(GetBlockIdx()),
                              static_cast<long long>(GetBlockNum()), half(1.5f), 42);
              PRINTF("plain\n");
              TPipe pipe;
              TBuf<> b;
              pipe.InitBuffer(b, 64);
              LocalTensor<std::int32_t> t = b.Get<std::int32_t>();
              for (std::uint32_t i = 0; i < 4; ++i) t.SetValue(i, static_cast<std::int32_t>(i) - 1);
              DumpTensor(t, 9, 4);
            }),
            vnpu::Status::kSuccess);
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("block 0 of 1: 1.500000 42\n"), std::string::npos) << out;
  EXPECT_NE(out.find("plain\n"), std::string::npos) << out;
  EXPECT_NE(out.find("desc=9"), std::string::npos) << out;
  EXPECT_NE(out.find("[-1, 0, 1, 2]"), std::string::npos) << out;
}

TEST(AscendcDebug, AFailedAssertionFailsTheKernelWithItsMessage) {
  testing::internal::CaptureStdout();
  expect_failure(2, [] {
    const std::int64_t idx = GetBlockIdx();
    ascendc_assert(idx < 1, "block %lld is too far", static_cast<long long>(idx));
  }, {"assertion failed", "idx < 1", "block 1 is too far", "block 1 of 2"});
  expect_failure(1, [] { ASSERT(GetBlockNum() == 2); }, {"GetBlockNum() == 2"});
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("[ASSERT]"), std::string::npos) << out;
  expect_failure(1, [] { Trap(); }, {"Trap"});
}

TEST(AscendcDebug, ACppExceptionInAKernelFailsItToo) {
  expect_failure(1, [] { throw std::runtime_error("from the kernel"); }, {"from the kernel"});
}

}  // namespace
