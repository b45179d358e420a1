// ReduceSum: the documented order bit for bit against the model (every instruction set of
// the CPU), the float64 sum within a bound, the documented examples, and its limits.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "reduce_model.hpp"
#include "vec_test_util.hpp"

using namespace AscendC;

namespace {

// Lengths around the block (16 / 8 elements) and repeat (128 / 64) edges, several repeats,
// more than 255 repeats, and a 64 KiB tile.
template <typename T>
std::vector<std::uint32_t> lengths() {
  const std::uint32_t b = 32 / sizeof(T), r = 256 / sizeof(T);
  return {1, b - 1, b, b + 1, r - 1, r, r + 1, 2 * r + 3, 7 * r, 300 * r + 5, 65536 / sizeof(T)};
}

template <typename T>
float sum_count(const std::vector<T>& x, std::uint32_t count) {
  T out{};
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<T> src = ub.alloc_from(x), dst = ub.alloc<T>(16), work = ub.alloc<T>(16);
    ReduceSum(dst, src, work, static_cast<std::int32_t>(count));
    out = dst.GetValue(0);
  });
  EXPECT_EQ(msg, "");
  return static_cast<float>(out);
}

template <typename T>
void check_count_form(unsigned seed, int lo, int hi) {
  for (std::uint32_t n : lengths<T>()) {
    SCOPED_TRACE("n = " + std::to_string(n));
    const std::vector<T> x = vectest::random_values<T>(n, seed + n, lo, hi);
    const float want = model::reduce_sum_count(x);
    vectest::for_each_isa([&](const std::string&) {
      const float got = sum_count(x, n);
      EXPECT_EQ(vectest::bits(got), vectest::bits(want)) << got << " vs " << want;
    });
    double exact = 0, mag = 0;
    model::exact_sum(x, &exact, &mag);
    // Every addition rounds once: the tree is at most 7 deep, then one per repeat.
    const double eps = std::is_same<T, half>::value ? 0x1p-11 : 0x1p-24;
    const double repeats = std::ceil(n / (256.0 / sizeof(T)));
    EXPECT_LE(std::fabs(want - exact), (repeats + 8) * eps * mag) << exact;
  }
}

TEST(AscendcReduceSum, CountFormFollowsTheDocumentedOrderBitForBit) {
  check_count_form<float>(1, -8, 8);
  check_count_form<half>(2, -8, 2);  // sums stay well inside half's range
}

TEST(AscendcReduceSum, HalfSumsSaturateAsDocumented) {
  // The documented example: 60000 + 60000 saturates to 65504, -30000 + 100 = -29900, and
  // 65504 - 29900 = 35604 in real numbers. With every sum a half (the documented rule),
  // -29900 is -29904 (halves are 16 apart there), 65504 - 29904 = 35600 lies halfway
  // between the halves 35584 and 35616, and rounds to the even one: the stored result.
  const std::vector<half> x = {half(60000.0f), half(60000.0f), half(-30000.0f), half(100.0f)};
  EXPECT_EQ(sum_count(x, 4), 35584.0f);
  EXPECT_EQ(model::add_half(model::add_half(60000.0f, 60000.0f), model::add_half(-30000.0f, 100.0f)), 35584.0f);
  // Past one repeat the repeat sums are added in order, saturating too.
  std::vector<half> y(256, half(0.0f));
  y[0] = half(60000.0f);
  y[128] = half(60000.0f);
  y[129] = half(-1000.0f);
  EXPECT_EQ(sum_count(y, 256), 65504.0f);  // 60000 + 59000 saturates
  // inf is no overflow: it stays.
  y[5] = half(INFINITY);
  EXPECT_EQ(sum_count(y, 256), INFINITY);
}

TEST(AscendcReduceSum, DocumentedExamples) {
  // 8320 halves of 1: count form, and mask 128 over 65 repeats (work buffer of 80).
  const std::vector<half> ones(8320, half(1.0f));
  EXPECT_EQ(sum_count(ones, 8320), 8320.0f);
  EXPECT_EQ(sum_count(ones, 288), 288.0f);
  half a{}, b{};
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<half> src = ub.alloc_from(ones), dst = ub.alloc<half>(16), work = ub.alloc<half>(80);
    ReduceSum(dst, src, work, 128, 65, 8);
    a = dst.GetValue(0);
    const std::uint64_t mask[2] = {~0ull, ~0ull};
    ReduceSum(dst, src, work, mask, 65, 8);
    b = dst.GetValue(0);
  });
  EXPECT_EQ(msg, "");
  EXPECT_EQ(static_cast<float>(a), 8320.0f);
  EXPECT_EQ(static_cast<float>(b), 8320.0f);
}

template <typename T>
void check_mask_form(unsigned seed) {
  constexpr std::uint32_t L = 256 / sizeof(T);
  struct Case {
    std::uint32_t repeats, rep_stride;
    std::uint64_t m0, m1;
    std::int32_t count;  // continuous mask, or 0 for the bit mask
  };
  const Case cases[] = {
      {1, 8, 0, 0, static_cast<std::int32_t>(L)}, {3, 8, 0, 0, 5},          {300, 8, 0, 0, static_cast<std::int32_t>(L)},
      {9, 16, 0, 0, 17},                           {4, 0, 0, 0, 1000},       {5, 8, 0x8000000000000001ull, 0x5ull, 0},
      {257, 3, 0xF0F0F0F0F0F0F0F0ull, ~0ull, 0},   {2, 1, 0x1ull, 0x0ull, 0}};
  for (const Case& c : cases) {
    SCOPED_TRACE("repeats " + std::to_string(c.repeats) + ", srcRepStride " + std::to_string(c.rep_stride) +
                 ", mask " + std::to_string(c.count));
    const std::size_t n = std::size_t{c.repeats - 1} * c.rep_stride * (32 / sizeof(T)) + L;
    const std::vector<T> x = vectest::random_values<T>(n, seed + c.repeats, -6, 3);
    const auto bit = [&](std::size_t j) {
      if (c.count > 0) return j < static_cast<std::size_t>(c.count);
      const std::uint64_t w = j < 64 ? c.m0 : (L > 64 ? c.m1 : 0);
      return ((w >> (j % 64)) & 1u) != 0;
    };
    const float want = model::reduce_sum_repeats(x, c.repeats, c.rep_stride, bit);
    vectest::for_each_isa([&](const std::string&) {
      T out{};
      const std::string msg = vectest::run([&](vectest::Ub& ub) {
        LocalTensor<T> src = ub.alloc_from(x), dst = ub.alloc<T>(16), work = ub.alloc<T>(16);
        if (c.count > 0) {
          ReduceSum(dst, src, work, c.count, static_cast<std::int32_t>(c.repeats), static_cast<std::int32_t>(c.rep_stride));
        } else {
          const std::uint64_t mask[2] = {c.m0, c.m1};
          ReduceSum(dst, src, work, mask, static_cast<std::int32_t>(c.repeats), static_cast<std::int32_t>(c.rep_stride));
        }
        out = dst.GetValue(0);
      });
      ASSERT_EQ(msg, "");
      EXPECT_EQ(vectest::bits(static_cast<T>(out)), vectest::bits(static_cast<T>(want)));
    });
  }
}

TEST(AscendcReduceSum, MaskFormCombinesTheRepeatsByASecondTree) {
  check_mask_form<float>(10);
  check_mask_form<half>(20);
}

TEST(AscendcReduceSum, MaskFormDiffersFromTheCountFormWhereTheOrderShows) {
  // Repeat sums 2^24, 1, 1, 2: in order each 1 is lost, in the tree they meet the 2.
  std::vector<float> x(256, 0.0f);
  x[0] = 0x1p24f;
  x[64] = 1.0f;
  x[128] = 1.0f;
  x[192] = 2.0f;
  float seq = 0, tree = 0;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<float> src = ub.alloc_from(x), dst = ub.alloc<float>(8), work = ub.alloc<float>(8);
    ReduceSum(dst, src, work, 256);
    seq = dst.GetValue(0);
    ReduceSum(dst, src, work, 64, 4, 8);
    tree = dst.GetValue(0);
  });
  ASSERT_EQ(msg, "");
  EXPECT_EQ(seq, 0x1p24f + 2.0f);   // ((2^24 + 1) + 1) + 2, each + 1 rounding back to 2^24
  EXPECT_EQ(tree, 0x1p24f + 4.0f);  // (2^24 + 1) + (1 + 2) = 2^24 + 3, a tie rounding to even
}

TEST(AscendcReduceSum, CountFormsLeaveTheMaskFullAndNormal) {
  const std::vector<float> x(100, 1.0f);
  bool counter = true;
  std::uint64_t mask0 = 0;
  float got = 0;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<float> src = ub.alloc_from(x), dst = ub.alloc<float>(8), work = ub.alloc<float>(8);
    SetMaskCount();
    SetVectorMask<float, MaskMode::COUNTER>(0, 7);
    ReduceSum(dst, src, work, 100);
    got = dst.GetValue(0);
    counter = vnpu::ascendc::block().counter_mode;
    mask0 = vnpu::ascendc::block().mask[0];
  });
  ASSERT_EQ(msg, "");
  EXPECT_EQ(got, 100.0f);
  EXPECT_FALSE(counter);
  EXPECT_EQ(mask0, FULL_MASK);
}

TEST(AscendcReduceSum, ZeroElementsWriteNothing) {
  float got = 0;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(8), work = ub.alloc<float>(8);
    dst.SetValue(0, 42.0f);
    ReduceSum(dst, src, work, 0);
    ReduceSum(dst, src, work, 64, 0, 8);
    got = dst.GetValue(0);
  });
  ASSERT_EQ(msg, "");
  EXPECT_EQ(got, 42.0f);
}

TEST(AscendcReduceSum, LimitsFailWithTheirReason) {
  using vectest::expect_failure;
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(8), work = ub.alloc<float>(8);
        ReduceSum(dst, src, work, 65);  // one past the source buffer
      },
      {"ReduceSum", "src", "past the end of its buffer", "256 bytes"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(256), dst = ub.alloc<float>(8), work = ub.alloc<float>(8);
        ReduceSum(dst, src, work, 64, 4, 9);  // the 4th repeat starts at element 216
      },
      {"ReduceSum", "src", "srcRepStride", "1120 bytes"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<half> src = ub.alloc<half>(256), dst = ub.alloc<half>(16), work = ub.alloc<half>(16);
        ReduceSum(dst, src[8], work, 16);  // 16 bytes into a block
      },
      {"ReduceSum", "src", "not 32-byte aligned"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(8), work = ub.alloc<float>(8);
        const std::uint64_t mask[2] = {0, ~0ull};  // mask[1] does not count for float
        ReduceSum(dst, src, work, mask, 1, 8);
      },
      {"ReduceSum", "the mask enables no element"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(8), work = ub.alloc<float>(8);
        ReduceSum(dst, src, work, -1);
      },
      {"ReduceSum", "count is -1"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<std::int32_t> src = ub.alloc<std::int32_t>(64), dst = ub.alloc<std::int32_t>(8);
        ReduceSum(dst, src, dst, 64);
      },
      {"ReduceSum", "int32_t is not supported", "half, float"});
}

}  // namespace
