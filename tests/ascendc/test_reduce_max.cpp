// ReduceMax and ReduceMin: the first extreme and its index in both forms (every SIMD
// instruction set), ties, NaN and signed zeros, the index in a T slot, and the minimum
// sharedTmpBuffer of the documented examples.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "reduce_model.hpp"
#include "vec_test_util.hpp"

using namespace AscendC;

namespace {

struct Got {
  std::uint32_t value_bits = 0;
  std::uint32_t index = 0;
};

// ReduceMax (is_max) or ReduceMin over the first n elements of x, with the index.
template <typename T>
Got extreme_count(const std::vector<T>& x, std::uint32_t n, bool is_max) {
  Got g;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<T> src = ub.alloc_from(x), dst = ub.alloc<T>(16);
    LocalTensor<T> work = ub.alloc<T>(static_cast<std::uint32_t>(
        vnpu::ascendc::reduce_max_min_work_elems(vnpu::ascendc::vec_type<T>, n / (256 / sizeof(T)), true)));
    if (is_max) ReduceMax(dst, src, work, static_cast<std::int32_t>(n), true);
    else ReduceMin(dst, src, work, static_cast<std::int32_t>(n), true);
    std::memcpy(&g.value_bits, dst.GetPhyAddr(), sizeof(T));
    std::memcpy(&g.index, dst.GetPhyAddr() + 1, sizeof(T));  // integer bits in a T slot
  });
  EXPECT_EQ(msg, "");
  return g;
}

template <typename T>
std::uint32_t bits_of(T v) {
  std::uint32_t b = 0;
  std::memcpy(&b, &v, sizeof(T));
  return b;
}

template <typename T>
void check_count_form(unsigned seed) {
  const std::uint32_t L = 256 / sizeof(T), B = 32 / sizeof(T);
  for (std::uint32_t n : {1u, B - 1, B + 1, L - 1, L, L + 1, 5 * L + 7, 300 * L}) {
    std::vector<T> x = vectest::random_values<T>(n, seed + n, -4, 4);
    // Ties: the extreme three times, the first one at a random place.
    if (n > 8) x[n / 3] = x[n / 2] = x[n - 1] = static_cast<T>(1000.0f);
    for (bool is_max : {true, false}) {
      SCOPED_TRACE("n = " + std::to_string(n) + (is_max ? " max" : " min"));
      model::Extreme want;
      for (std::uint32_t i = 0; i < n; ++i) model::consider(want, static_cast<float>(x[i]), i, is_max);
      vectest::for_each_isa([&](const std::string&) {
        const Got g = extreme_count(x, n, is_max);
        EXPECT_EQ(g.value_bits, bits_of(static_cast<T>(want.value)));
        EXPECT_EQ(g.index, want.index);
      });
    }
  }
}

TEST(AscendcReduceMax, CountFormFindsTheFirstExtremeOnEveryInstructionSet) {
  check_count_form<float>(3);
  check_count_form<half>(4);
}

TEST(AscendcReduceMax, NaNWinsAndSignedZerosKeepTheFirst) {
  std::vector<float> x(200, -1.0f);
  x[7] = -0.0f;
  x[9] = 0.0f;
  vectest::for_each_isa([&](const std::string&) {
    Got g = extreme_count(x, 200, true);
    EXPECT_EQ(g.value_bits, 0x80000000u);  // -0 came first
    EXPECT_EQ(g.index, 7u);
    x[150] = NAN;
    x[170] = NAN;
    g = extreme_count(x, 200, false);
    EXPECT_TRUE(std::isnan(vectest::from_bits32(g.value_bits)));
    EXPECT_EQ(g.index, 150u);
    x[150] = x[170] = -1.0f;
  });
  // Without calIndex the value alone, -0 still the first zero.
  std::vector<half> h(300, half(-2.0f));
  h[100] = half(-0.0f);
  h[101] = half(0.0f);
  half v{};
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<half> src = ub.alloc_from(h), dst = ub.alloc<half>(16), work = ub.alloc<half>(32);
    dst.SetValue(1, half(7.0f));
    ReduceMax(dst, src, work, 300);
    v = dst.GetValue(0);
    EXPECT_EQ(static_cast<float>(dst.GetValue(1)), 7.0f);  // no index written
  });
  ASSERT_EQ(msg, "");
  EXPECT_EQ(v.bits(), 0x8000);
}

TEST(AscendcReduceMax, MaskFormIndexesRepeatTimesLanesPlusLane) {
  // float, 4 repeats 16 blocks apart (gaps between them), lanes 0 .. 31 enabled.
  std::vector<float> x(4 * 128, 0.0f);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 97);
  x[2 * 128 + 40] = 500.0f;   // lane 40: disabled
  x[3 * 128 + 5] = 300.0f;    // repeat 3, lane 5
  x[1 * 128 + 100] = 900.0f;  // in a gap
  float value = 0, min_value = 0;
  std::uint32_t index = 0, min_index = 0;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<float> src = ub.alloc_from(x), dst = ub.alloc<float>(8), work = ub.alloc<float>(16);
    ReduceMax(dst, src, work, 32, 4, 16, true);
    value = dst.GetValue(0);
    std::memcpy(&index, dst.GetPhyAddr() + 1, 4);
    const std::uint64_t mask[2] = {0xFFFFFFFEull, 0};  // lanes 1 .. 31
    ReduceMin(dst, src, work, mask, 4, 16, true);
    min_value = dst.GetValue(0);
    std::memcpy(&min_index, dst.GetPhyAddr() + 1, 4);
  });
  ASSERT_EQ(msg, "");
  EXPECT_EQ(value, 300.0f);
  EXPECT_EQ(index, 3u * 64u + 5u);
  EXPECT_EQ(min_value, 0.0f);  // x[0] is lane 0, disabled; x[388] = 0 is repeat 3, lane 4
  EXPECT_EQ(min_index, 3u * 64u + 4u);
}

TEST(AscendcReduceMax, WorkBufferSizesOfTheDocumentedExamples) {
  using vnpu::ascendc::reduce_max_min_work_elems;
  using vnpu::ascendc::VecType;
  EXPECT_EQ(reduce_max_min_work_elems(VecType::kF16, 65, true), 176u);
  EXPECT_EQ(reduce_max_min_work_elems(VecType::kF16, 255, true), 544u);
  EXPECT_EQ(reduce_max_min_work_elems(VecType::kF16, 65408 / 128, true), 1056u);
  EXPECT_EQ(reduce_max_min_work_elems(VecType::kF16, 4, true), 32u);
  EXPECT_EQ(reduce_max_min_work_elems(VecType::kF16, 65408 / 128, false), 1024u);
  EXPECT_EQ(reduce_max_min_work_elems(VecType::kF32, 130, true), 288u);
  // The documented full example: 8320 halves, mask 128, 65 repeats, index 114 of 0.9985.
  std::vector<half> x(8320, half(0.5f));
  x[114] = half(0.9985f);
  half value{};
  std::uint16_t index = 0;
  const std::string ok = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<half> src = ub.alloc_from(x), dst = ub.alloc<half>(16), work = ub.alloc<half>(176);
    ReduceMax(dst, src, work, 128, 65, 8, true);
    value = dst.GetValue(0);
    std::memcpy(&index, dst.GetPhyAddr() + 1, 2);
  });
  ASSERT_EQ(ok, "");
  EXPECT_EQ(value.bits(), half(0.9985f).bits());
  EXPECT_EQ(index, 114);
  vectest::expect_failure(
      [&](vectest::Ub& ub) {
        LocalTensor<half> src = ub.alloc_from(x), dst = ub.alloc<half>(16), work = ub.alloc<half>(160);
        ReduceMax(dst, src, work, 128, 65, 8, true);  // 160 < 176
      },
      {"ReduceMax", "sharedTmpBuffer holds 160 elements", "at least 176"});
}

TEST(AscendcReduceMax, LimitsFailWithTheirReason) {
  // A half index past 65535 does not fit its slot.
  std::vector<half> x(70000, half(0.0f));
  x[69999] = half(1.0f);
  vectest::expect_failure(
      [&](vectest::Ub& ub) {
        LocalTensor<half> src = ub.alloc_from(x), dst = ub.alloc<half>(16), work = ub.alloc<half>(1200);
        ReduceMax(dst, src, work, 70000, true);
      },
      {"ReduceMax", "index 69999", "65535"});
  vectest::expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(8), work = ub.alloc<float>(8);
        ReduceMin(dst[1], src, work, 64, true);  // value and index need 8-byte alignment
      },
      {"ReduceMin", "dst", "not 8-byte aligned"});
  vectest::expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(8), work = ub.alloc<float>(8);
        ReduceMin(dst, src, work, 64, -1, 8);
      },
      {"ReduceMin", "repeatTime is -1"});
}

}  // namespace
