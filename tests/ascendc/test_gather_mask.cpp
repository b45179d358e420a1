// GatherMask: built-in and user patterns, normal and counter (reduceMode) repeats, strides,
// rsvdCnt, the documented examples, and its limits.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "vec_test_util.hpp"

using namespace AscendC;

namespace {

// The elements a pattern keeps: repeat r's element e lies at r * rep + (e / per_block) *
// blk * per_block + e % per_block (elements), kept when sel(r, e).
template <typename T>
std::vector<T> model_gather(const std::vector<T>& x, std::size_t repeats, std::size_t per_repeat, std::size_t blk,
                            std::size_t rep, const std::function<bool(std::size_t, std::size_t)>& sel) {
  const std::size_t per_block = 32 / sizeof(T);
  std::vector<T> out;
  for (std::size_t r = 0; r < repeats; ++r)
    for (std::size_t e = 0; e < per_repeat; ++e)
      if (sel(r, e)) out.push_back(x[r * rep * per_block + (e / per_block) * blk * per_block + e % per_block]);
  return out;
}

bool builtin(std::uint8_t p, std::size_t e) {
  switch (p) {
    case 1: return e % 2 == 0;
    case 2: return e % 2 == 1;
    case 7: return true;
    default: return e % 4 == static_cast<std::size_t>(p - 3);
  }
}

template <typename T>
std::vector<T> iota_values(std::size_t n) {
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<T>(static_cast<float>(i % 2000));
  return v;
}

template <typename T>
void check_builtin_patterns() {
  const std::size_t L = 256 / sizeof(T);
  const std::vector<T> x = iota_values<T>(3 * 16 * 32 / sizeof(T) + 256);
  for (std::uint8_t p = 1; p <= 7; ++p) {
    SCOPED_TRACE("pattern " + std::to_string(p));
    // 3 repeats 16 blocks apart, the DataBlocks of a repeat 2 apart.
    const auto want = model_gather<T>(x, 3, L, 2, 16, [&](std::size_t, std::size_t e) { return builtin(p, e); });
    std::vector<T> got;
    std::uint64_t kept = 0;
    const std::string msg = vectest::run([&](vectest::Ub& ub) {
      LocalTensor<T> src = ub.alloc_from(x), dst = ub.alloc<T>(static_cast<std::uint32_t>(3 * L));
      GatherMask(dst, src, p, false, 0, {2, 3, 16, 0}, kept);
      got = vectest::read(dst, static_cast<std::uint32_t>(kept));
    });
    ASSERT_EQ(msg, "");
    EXPECT_EQ(kept, want.size());
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(vectest::bits(got[i]), vectest::bits(want[i])) << i;
  }
}

TEST(AscendcGatherMask, BuiltInPatternsKeepTheirElementsOfEveryRepeat) {
  check_builtin_patterns<half>();
  check_builtin_patterns<float>();
}

template <typename T, typename U>
void check_user_pattern(std::uint8_t pattern_stride) {
  const std::size_t L = 256 / sizeof(T);
  const std::vector<T> x = iota_values<T>(4 * L);
  std::vector<U> pattern(64);
  std::mt19937 rng(17);
  for (U& w : pattern) w = rng() % 3 == 0 ? U{0} : static_cast<U>(rng());  // zero words too
  const auto bit = [&](std::size_t r, std::size_t e) {
    const std::size_t b = r * pattern_stride * 256 + e;  // 32-byte blocks of 256 bits
    return ((pattern[b / (8 * sizeof(U))] >> (b % (8 * sizeof(U)))) & 1u) != 0;
  };
  const auto want = model_gather<T>(x, 4, L, 1, 8, bit);
  std::vector<T> got;
  std::uint64_t kept = 0;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<T> src = ub.alloc_from(x), dst = ub.alloc<T>(static_cast<std::uint32_t>(4 * L));
    LocalTensor<U> pat = ub.alloc_from(pattern);
    GatherMask(dst, src, pat, false, 0, {1, 4, 8, pattern_stride}, kept);
    got = vectest::read(dst, static_cast<std::uint32_t>(kept));
  });
  ASSERT_EQ(msg, "");
  ASSERT_EQ(kept, want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(vectest::bits(got[i]), vectest::bits(want[i])) << i;
}

TEST(AscendcGatherMask, UserPatternsConsumeOneBitPerElement) {
  check_user_pattern<half, std::uint16_t>(1);
  check_user_pattern<half, std::uint16_t>(0);
  check_user_pattern<float, std::uint32_t>(2);
  check_user_pattern<std::int16_t, std::uint16_t>(1);
  check_user_pattern<std::uint32_t, std::uint32_t>(1);
}

TEST(AscendcGatherMask, DocumentedExamples) {
  // Counter mode, configuration 1: 2 repeats of 70 uint32_t, the second from element 32,
  // the same pattern for both (src1RepeatStride 0).
  std::vector<std::uint32_t> x(256), pattern(8);
  for (std::uint32_t i = 0; i < 256; ++i) x[i] = i;
  pattern = {0xF0F0F0F0u, 0x12345678u, 0x3Fu, 0, 0, 0, 0, 0};
  const auto want = model_gather<std::uint32_t>(x, 2, 70, 1, 4, [&](std::size_t, std::size_t e) {
    return ((pattern[e / 32] >> (e % 32)) & 1u) != 0;
  });
  std::vector<std::uint32_t> got;
  std::uint64_t kept = 0;
  bool counter_after = true;
  std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<std::uint32_t> src = ub.alloc_from(x), dst = ub.alloc<std::uint32_t>(256);
    LocalTensor<std::uint32_t> pat = ub.alloc_from(pattern);
    SetMaskCount();
    GatherMask(dst, src, pat, true, 70, {1, 2, 4, 0}, kept);
    counter_after = vnpu::ascendc::block().counter_mode;
    got = vectest::read(dst, static_cast<std::uint32_t>(kept));
  });
  ASSERT_EQ(msg, "");
  EXPECT_FALSE(counter_after);  // the instruction leaves the normal mode
  EXPECT_EQ(got, want);
  EXPECT_EQ(kept, 2u * (4 * 4 + 13 + 6));  // the bits of 70 pattern elements, twice
  // Built-in pattern 2 on 128 uint16_t, one repeat: the odd elements.
  std::vector<std::uint16_t> y(128);
  for (std::uint16_t i = 0; i < 128; ++i) y[i] = i;
  std::vector<std::uint16_t> odd;
  msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<std::uint16_t> src = ub.alloc_from(y), dst = ub.alloc<std::uint16_t>(128);
    GatherMask(dst, src, static_cast<std::uint8_t>(2), false, 0, {1, 1, 0, 0}, kept);
    odd = vectest::read(dst, static_cast<std::uint32_t>(kept));
  });
  ASSERT_EQ(msg, "");
  ASSERT_EQ(odd.size(), 64u);
  for (std::uint16_t i = 0; i < 64; ++i) EXPECT_EQ(odd[i], 2 * i + 1);
}

TEST(AscendcGatherMask, LimitsFailWithTheirReason) {
  using vectest::expect_failure;
  std::uint64_t kept = 0;
  expect_failure(
      [&](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(64);
        GatherMask(dst, src, static_cast<std::uint8_t>(8), false, 0, {1, 1, 8, 8}, kept);
      },
      {"GatherMask", "1 .. 7", "not 8"});
  expect_failure(
      [&](vectest::Ub& ub) {
        LocalTensor<half> src = ub.alloc<half>(128), dst = ub.alloc<half>(128);
        LocalTensor<std::uint32_t> pat = ub.alloc<std::uint32_t>(8);
        GatherMask(dst, src, pat, false, 0, {1, 1, 8, 8}, kept);
      },
      {"GatherMask", "holds uint16_t", "not uint32_t"});
  expect_failure(
      [&](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(64);
        GatherMask(dst, src, static_cast<std::uint8_t>(7), true, 0, {1, 1, 8, 8}, kept);
      },
      {"GatherMask", "reduceMode true", "not 0"});
  expect_failure(
      [&](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(128), dst = ub.alloc<float>(40);
        GatherMask(dst, src, static_cast<std::uint8_t>(7), false, 0, {1, 2, 8, 8}, kept);  // 128 kept
      },
      {"GatherMask", "dst", "kept element 40 (element 40 of repeat 0)", "past the end of its buffer (160 bytes)"});
  expect_failure(
      [&](vectest::Ub& ub) {  // 2^32 - 1 elements a repeat, all on the first block: dst fills first
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(64);
        GatherMask(dst, src, static_cast<std::uint8_t>(7), true, 0xFFFFFFFFu, {0, 1000, 0, 0}, kept);
      },
      {"GatherMask", "dst", "kept element 64"});
  expect_failure(
      [&](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64), dst = ub.alloc<float>(256);
        GatherMask(dst, src, static_cast<std::uint8_t>(1), true, 100, {1, 1, 8, 8}, kept);
      },
      {"GatherMask", "src0", "element 64 of repeat 0"});
  expect_failure(
      [&](vectest::Ub& ub) {
        LocalTensor<std::int8_t> src = ub.alloc<std::int8_t>(256), dst = ub.alloc<std::int8_t>(256);
        GatherMask(dst, src, static_cast<std::uint8_t>(1), false, 0, {1, 1, 8, 8}, kept);
      },
      {"GatherMask", "int8_t is not supported"});
}

}  // namespace
