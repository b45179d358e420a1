// vnpu::comm::fold — the reduction arithmetic of every collective — against a scalar
// reference of its specification (comm_reference.hpp): every type and operator, counts
// around the fold's internal blocks, `out` aliasing the first or a middle part, NaN in
// max/min, f16/bf16 folded in binary32 and rounded once, integer wrap-around, one part.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <tuple>
#include <vector>

#include "comm/fold.hpp"
#include "comm_reference.hpp"

namespace {

using namespace vnpu::comm_test;
using vnpu::comm::fold;
using vnpu::comm::Op;
using vnpu::comm::Type;

Type type_of(T t) { return static_cast<Type>(static_cast<int>(t)); }
Op op_of(O o) { return static_cast<Op>(static_cast<int>(o)); }

constexpr int kRanks[] = {1, 2, 3, 5, 8};
// Around the fold's blocks of 1024 elements, and odd.
constexpr std::uint64_t kCounts[] = {0, 1, 7, 1023, 1024, 1025, 2500};
constexpr unsigned char kGuard = 0xA5;
constexpr std::size_t kGuardBytes = 64;

std::uint64_t salt_of(T t, O o, int n, std::uint64_t count) {
  return mix(static_cast<std::uint64_t>(t) * 131 + static_cast<std::uint64_t>(o) * 7 + static_cast<std::uint64_t>(n) +
             (count << 20));
}

struct Parts {
  std::vector<std::vector<unsigned char>> data;
  std::vector<const void*> ptrs;
  Parts(T t, O o, int n, std::uint64_t salt, std::uint64_t count) {
    for (int r = 0; r < n; ++r) {
      auto v = fill(t, static_cast<int>(o), r, salt, 0, count);
      v.resize(v.size() + kGuardBytes, kGuard);  // guard after each part
      data.push_back(std::move(v));
    }
    for (auto& v : data) ptrs.push_back(v.data());
  }
};

class FoldEvery : public ::testing::TestWithParam<std::tuple<int, int>> {
 protected:
  T t() const { return static_cast<T>(std::get<0>(GetParam())); }
  O o() const { return static_cast<O>(std::get<1>(GetParam())); }
};

TEST_P(FoldEvery, MatchesTheScalarReferenceOutOfPlace) {
  for (int n : kRanks)
    for (std::uint64_t count : kCounts) {
      const std::uint64_t salt = salt_of(t(), o(), n, count);
      Parts parts(t(), o(), n, salt, count);
      const auto before = parts.data;
      const std::size_t bytes = count * size_of(t());
      std::vector<unsigned char> out(bytes + kGuardBytes, kGuard);
      fold(type_of(t()), op_of(o()), out.data(), parts.ptrs.data(), n, count);
      SCOPED_TRACE(testing::Message() << name_of(t()) << " " << name_of(o()) << " n=" << n << " count=" << count);
      EXPECT_EQ(check_fold(out.data(), t(), o(), n, salt, 0, count), "");
      for (std::size_t k = bytes; k < out.size(); ++k) ASSERT_EQ(out[k], kGuard) << "fold wrote past out at byte " << k;
      EXPECT_EQ(parts.data, before) << "fold changed a part it does not write";
    }
}

TEST_P(FoldEvery, OutMayBeTheFirstPart) {
  for (int n : kRanks)
    for (std::uint64_t count : {std::uint64_t{1}, std::uint64_t{1023}, std::uint64_t{2500}}) {
      const std::uint64_t salt = salt_of(t(), o(), n, count);
      Parts parts(t(), o(), n, salt, count);
      fold(type_of(t()), op_of(o()), parts.data[0].data(), parts.ptrs.data(), n, count);
      SCOPED_TRACE(testing::Message() << name_of(t()) << " " << name_of(o()) << " n=" << n << " count=" << count);
      EXPECT_EQ(check_fold(parts.data[0].data(), t(), o(), n, salt, 0, count), "");
      for (std::size_t k = count * size_of(t()); k < parts.data[0].size(); ++k) ASSERT_EQ(parts.data[0][k], kGuard);
    }
}

TEST_P(FoldEvery, OutMayBeAMiddlePart) {
  for (int n : {3, 5, 8})
    for (std::uint64_t count : {std::uint64_t{1}, std::uint64_t{1025}, std::uint64_t{2500}}) {
      const std::uint64_t salt = salt_of(t(), o(), n, count);
      Parts parts(t(), o(), n, salt, count);
      const int mid = n / 2;
      fold(type_of(t()), op_of(o()), parts.data[static_cast<std::size_t>(mid)].data(), parts.ptrs.data(), n, count);
      SCOPED_TRACE(testing::Message() << name_of(t()) << " " << name_of(o()) << " n=" << n << " count=" << count
                                      << " out=part " << mid);
      EXPECT_EQ(check_fold(parts.data[static_cast<std::size_t>(mid)].data(), t(), o(), n, salt, 0, count), "");
    }
}

// An element's bits do not depend on where a range is cut (the collectives fold pieces).
TEST_P(FoldEvery, SameBitsWhereverTheRangeIsCut) {
  const int n = 5;
  const std::uint64_t count = 3000;
  const std::size_t es = size_of(t());
  const std::uint64_t salt = salt_of(t(), o(), n, count);
  Parts parts(t(), o(), n, salt, count);
  std::vector<unsigned char> whole(count * es);
  fold(type_of(t()), op_of(o()), whole.data(), parts.ptrs.data(), n, count);
  for (std::uint64_t cut : {std::uint64_t{1}, std::uint64_t{333}, std::uint64_t{1024}, std::uint64_t{2999}}) {
    std::vector<unsigned char> pieces(count * es);
    std::vector<const void*> tail;
    for (const void* p : parts.ptrs) tail.push_back(static_cast<const unsigned char*>(p) + cut * es);
    fold(type_of(t()), op_of(o()), pieces.data(), parts.ptrs.data(), n, cut);
    fold(type_of(t()), op_of(o()), pieces.data() + cut * es, tail.data(), n, count - cut);
    EXPECT_EQ(pieces, whole) << name_of(t()) << " " << name_of(o()) << ", cut at " << cut;
  }
}

std::string fold_name(const testing::TestParamInfo<std::tuple<int, int>>& info) {
  return std::string(name_of(static_cast<T>(std::get<0>(info.param)))) + "_" +
         name_of(static_cast<O>(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(TypesOps, FoldEvery, testing::Combine(testing::Range(0, kTypes), testing::Range(0, kOps)),
                         fold_name);

// ---- hand-made cases ----

template <class S>
std::vector<S> fold_of(Type type, Op op, const std::vector<std::vector<S>>& parts) {
  std::vector<const void*> ptrs;
  for (const auto& p : parts) ptrs.push_back(p.data());
  std::vector<S> out(parts[0].size());
  fold(type, op, out.data(), ptrs.data(), static_cast<int>(parts.size()), out.size());
  return out;
}

TEST(Fold, FoldsLeftInRankOrder) {
  // (1 + 2^-24) + 2^-24 rounds to 1 twice; the other order would give 1 + 2^-23.
  const float e = 0x1p-24f;
  EXPECT_EQ(fold_of<float>(Type::kF32, Op::kSum, {{1.0f}, {e}, {e}})[0], 1.0f);
  EXPECT_EQ(fold_of<float>(Type::kF32, Op::kSum, {{e}, {e}, {1.0f}})[0], 1.0f + 0x1p-23f);
  const double d = 0x1p-53;
  EXPECT_EQ(fold_of<double>(Type::kF64, Op::kSum, {{1.0}, {d}, {d}})[0], 1.0);
  EXPECT_EQ(fold_of<double>(Type::kF64, Op::kSum, {{d}, {d}, {1.0}})[0], 1.0 + 0x1p-52);
  // Products too: (big * big) overflows before * small could bring it back.
  const float big = 0x1p100f, small = 0x1p-100f;
  EXPECT_EQ(fold_of<float>(Type::kF32, Op::kProd, {{big}, {big}, {small}})[0], std::numeric_limits<float>::infinity());
  EXPECT_EQ(fold_of<float>(Type::kF32, Op::kProd, {{big}, {small}, {big}})[0], 0x1p100f);
}

TEST(Fold, HalfAndBfloatFoldInBinary32AndRoundOnce) {
  // f16: 1 + 2^-11 + 2^-11 is 1 + 2^-10 in binary32 (0x3c01); rounding each step to f16
  // would give 1 (ties to even) twice.
  EXPECT_EQ(fold_of<std::uint16_t>(Type::kF16, Op::kSum, {{0x3c00}, {0x1000}, {0x1000}})[0], 0x3c01);
  // bf16: 1 + 2^-8 + 2^-8 = 1 + 2^-7 (0x3f81); rounding each step gives 1.
  EXPECT_EQ(fold_of<std::uint16_t>(Type::kBF16, Op::kSum, {{0x3f80}, {0x3b80}, {0x3b80}})[0], 0x3f81);
  // Products: 1.5 * 1.5 * (2/3 rounded) — fold in binary32 once.
  {
    const std::uint16_t a = to_f16(1.5f), b = to_f16(0.6667f);
    const float want = 1.5f * 1.5f * from_f16(b);
    EXPECT_EQ(fold_of<std::uint16_t>(Type::kF16, Op::kProd, {{a}, {a}, {b}})[0], to_f16(want));
  }
  // Binary32, not wider: 1 + 2^-11 + 2^-24 stays 1 + 2^-11 in binary32 (a tie, to even), whose
  // rounding to f16 is a tie again, to 1; a binary64 accumulator would give 1 + 2^-10.
  EXPECT_EQ(fold_of<std::uint16_t>(Type::kF16, Op::kSum, {{0x3c00}, {0x1000}, {0x0001}})[0], 0x3c00);
  // The same for bf16: 1 + 2^-8 + 2^-24.
  EXPECT_EQ(fold_of<std::uint16_t>(Type::kBF16, Op::kSum, {{0x3f80}, {0x3b80}, {0x3380}})[0], 0x3f80);
  // Overflow of the f16 range happens at the final rounding only: 40000 + 40000 - 40000.
  const std::uint16_t big = to_f16(40000.0f), minus = to_f16(-40000.0f);
  EXPECT_EQ(fold_of<std::uint16_t>(Type::kF16, Op::kSum, {{big}, {big}, {minus}})[0], big);
}

TEST(Fold, MaxAndMinPropagateNaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (Op op : {Op::kMax, Op::kMin})
    for (int where = 0; where < 4; ++where) {
      std::vector<std::vector<float>> p = {{1.0f, -inf}, {inf, 2.0f}, {-3.0f, 5.0f}, {0.5f, inf}};
      p[static_cast<std::size_t>(where)][0] = nan;
      p[static_cast<std::size_t>(3 - where)][1] = nan;
      const auto out = fold_of<float>(Type::kF32, op, p);
      EXPECT_TRUE(std::isnan(out[0]) && std::isnan(out[1]))
          << (op == Op::kMax ? "max" : "min") << " with NaN at rank " << where << ": " << out[0] << ", " << out[1];
    }
  // NaN first, then values that compare greater or smaller than anything.
  EXPECT_TRUE(std::isnan(fold_of<double>(Type::kF64, Op::kMax, {{std::nan("")}, {1e308}, {HUGE_VAL}})[0]));
  EXPECT_TRUE(std::isnan(fold_of<double>(Type::kF64, Op::kMin, {{std::nan("")}, {-1e308}, {-HUGE_VAL}})[0]));
  // f16 and bf16: a NaN at the last rank.
  EXPECT_TRUE(nan_bits(T::kF16, fold_of<std::uint16_t>(Type::kF16, Op::kMax, {{0x3c00}, {0x7bff}, {0x7e00}})[0]));
  EXPECT_TRUE(nan_bits(T::kF16, fold_of<std::uint16_t>(Type::kF16, Op::kMin, {{0x7e01}, {0xfbff}, {0x3c00}})[0]));
  EXPECT_TRUE(nan_bits(T::kBF16, fold_of<std::uint16_t>(Type::kBF16, Op::kMax, {{0x7fc0}, {0x7f7f}})[0]));
  EXPECT_TRUE(nan_bits(T::kBF16, fold_of<std::uint16_t>(Type::kBF16, Op::kMin, {{0xff7f}, {0xffc1}})[0]));
  // Without NaN, infinities are ordinary values.
  EXPECT_EQ(fold_of<float>(Type::kF32, Op::kMax, {{-inf}, {-1.0f}, {-inf}})[0], -1.0f);
  EXPECT_EQ(fold_of<float>(Type::kF32, Op::kMin, {{inf}, {-inf}, {2.0f}})[0], -inf);
}

TEST(Fold, IntegersWrapAround) {
  EXPECT_EQ(fold_of<std::int8_t>(Type::kI8, Op::kSum, {{100}, {100}})[0], static_cast<std::int8_t>(-56));
  EXPECT_EQ(fold_of<std::int8_t>(Type::kI8, Op::kProd, {{-128}, {-1}})[0], static_cast<std::int8_t>(-128));
  EXPECT_EQ(fold_of<std::uint8_t>(Type::kU8, Op::kSum, {{200}, {100}})[0], 44);
  EXPECT_EQ(fold_of<std::uint8_t>(Type::kU8, Op::kProd, {{16}, {16}, {3}})[0], 0);
  EXPECT_EQ(fold_of<std::int16_t>(Type::kI16, Op::kSum, {{32767}, {1}})[0], -32768);
  EXPECT_EQ(fold_of<std::uint16_t>(Type::kU16, Op::kProd, {{256}, {257}})[0], 256);
  EXPECT_EQ(fold_of<std::int32_t>(Type::kI32, Op::kSum, {{std::numeric_limits<std::int32_t>::max()}, {1}})[0],
            std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(fold_of<std::int32_t>(Type::kI32, Op::kProd, {{65536}, {65536}, {7}})[0], 0);
  EXPECT_EQ(fold_of<std::uint32_t>(Type::kU32, Op::kSum, {{0xffffffffu}, {2}})[0], 1u);
  EXPECT_EQ(fold_of<std::int64_t>(Type::kI64, Op::kSum, {{std::numeric_limits<std::int64_t>::min()}, {-1}})[0],
            std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(fold_of<std::int64_t>(Type::kI64, Op::kProd, {{std::int64_t{1} << 62}, {4}, {3}})[0], 0);
  EXPECT_EQ(fold_of<std::uint64_t>(Type::kU64, Op::kSum, {{~0ull}, {~0ull}})[0], ~0ull - 1);
  EXPECT_EQ(fold_of<std::uint64_t>(Type::kU64, Op::kProd, {{0x8000000000000001ull}, {3}})[0], 0x8000000000000003ull);
}

TEST(Fold, SignedMaxAndMinCompareSigned) {
  EXPECT_EQ(fold_of<std::int8_t>(Type::kI8, Op::kMax, {{-1}, {1}, {-128}})[0], 1);
  EXPECT_EQ(fold_of<std::int8_t>(Type::kI8, Op::kMin, {{-1}, {1}, {127}})[0], -1);
  EXPECT_EQ(fold_of<std::int16_t>(Type::kI16, Op::kMin, {{5}, {-32768}})[0], -32768);
  EXPECT_EQ(fold_of<std::int32_t>(Type::kI32, Op::kMax, {{-7}, {-3}, {-100}})[0], -3);
  EXPECT_EQ(fold_of<std::int64_t>(Type::kI64, Op::kMin, {{0}, {-1}})[0], -1);
  EXPECT_EQ(fold_of<std::uint8_t>(Type::kU8, Op::kMax, {{255}, {1}})[0], 255);
  EXPECT_EQ(fold_of<std::uint32_t>(Type::kU32, Op::kMin, {{0x80000000u}, {1}})[0], 1u);
  EXPECT_EQ(fold_of<std::uint64_t>(Type::kU64, Op::kMax, {{1}, {~0ull}})[0], ~0ull);
}

TEST(Fold, OnePartIsACopy) {
  for (int ti = 0; ti < kTypes; ++ti)
    for (int oi = 0; oi < kOps; ++oi) {
      const T t = static_cast<T>(ti);
      const std::uint64_t count = 1500;
      auto in = fill(t, kRaw, 0, 77, 0, count);  // NaN payloads too: copied, not computed
      const void* parts[1] = {in.data()};
      std::vector<unsigned char> out(in.size(), 0);
      fold(type_of(t), op_of(static_cast<O>(oi)), out.data(), parts, 1, count);
      EXPECT_EQ(out, in) << name_of(t) << " " << name_of(static_cast<O>(oi));
      const auto before = in;
      fold(type_of(t), op_of(static_cast<O>(oi)), in.data(), parts, 1, count);  // in place: unchanged
      EXPECT_EQ(in, before) << name_of(t);
    }
}

}  // namespace
