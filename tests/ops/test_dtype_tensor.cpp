// Element types (vnpu/dtype.hpp): names, sizes, and the f16/bf16 conversions — exhaustive
// round trips, round-to-nearest-even against independent references, NaN, infinities,
// subnormals. Tensor descriptors (vnpu/tensor.hpp): strides, element counts, contiguity,
// and invalid descriptors.
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "vnpu/dtype.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu {
namespace {

constexpr DType kAllTypes[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kI32, DType::kI64, DType::kBool, DType::kF64};

TEST(DType, NamesSizesAndParsing) {
  const std::size_t sizes[] = {4, 2, 2, 4, 8, 1, 8};
  const char* names[] = {"f32", "f16", "bf16", "i32", "i64", "bool", "f64"};
  for (std::size_t i = 0; i < 7; ++i) {
    const DType t = kAllTypes[i];
    EXPECT_EQ(dtype_size(t), sizes[i]);
    EXPECT_STREQ(dtype_name(t), names[i]);
    ASSERT_TRUE(parse_dtype(names[i]).has_value());
    EXPECT_EQ(*parse_dtype(names[i]), t);
    EXPECT_TRUE(is_valid(t));
    EXPECT_EQ(is_floating(t), i < 3 || t == DType::kF64);
  }
  EXPECT_FALSE(parse_dtype("f8").has_value());
  EXPECT_FALSE(parse_dtype("F32").has_value());
  EXPECT_FALSE(parse_dtype("").has_value());
  EXPECT_FALSE(is_valid(static_cast<DType>(7)));
  EXPECT_STREQ(dtype_name(static_cast<DType>(200)), "?");
  EXPECT_EQ(dtype_size(static_cast<DType>(200)), 0u);
}

bool f16_is_nan(std::uint16_t h) { return (h & 0x7C00u) == 0x7C00u && (h & 0x3FFu) != 0; }

TEST(DType, F16RoundTripsEveryValue) {
  for (std::uint32_t h = 0; h <= 0xFFFF; ++h) {
    const auto b = static_cast<std::uint16_t>(h);
    const float f = f16_to_f32(b);
    if (f16_is_nan(b)) {
      ASSERT_TRUE(std::isnan(f)) << std::hex << h;
      const std::uint16_t back = f32_to_f16(f);
      EXPECT_TRUE(f16_is_nan(back)) << std::hex << h;
      EXPECT_EQ(back & 0x8000u, b & 0x8000u) << "sign of NaN " << std::hex << h;
      continue;
    }
    ASSERT_EQ(f32_to_f16(f), b) << std::hex << h << " -> " << f;
  }
}

// The value of f16 bits, computed independently of dtype.hpp.
double f16_value(std::uint16_t h) {
  const int sign = (h & 0x8000u) ? -1 : 1;
  const int exp = (h >> 10) & 0x1F;
  const int man = h & 0x3FF;
  if (exp == 0x1F) return man ? std::numeric_limits<double>::quiet_NaN() : sign * std::numeric_limits<double>::infinity();
  if (exp == 0) return sign * std::ldexp(man, -24);
  return sign * std::ldexp(1024 + man, exp - 25);
}

TEST(DType, F16ToF32IsExact) {
  for (std::uint32_t h = 0; h <= 0xFFFF; ++h) {
    const auto b = static_cast<std::uint16_t>(h);
    const double want = f16_value(b);
    const float got = f16_to_f32(b);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got));
    } else {
      ASSERT_EQ(static_cast<double>(got), want) << std::hex << h;
      ASSERT_EQ(std::signbit(got), std::signbit(want)) << std::hex << h;
    }
  }
}

// Nearest f16 (ties to even) of a finite float, by search over the f16 values: an
// independent reference for f32_to_f16.
std::uint16_t f16_nearest(float f) {
  const double x = f;
  const std::uint16_t sign = std::signbit(f) ? 0x8000 : 0;
  const double a = std::fabs(x);
  if (a >= 65520.0) return static_cast<std::uint16_t>(sign | 0x7C00);  // 65504 + half an ulp rounds up
  // Positive f16 values are monotonic in their bits: binary search the largest <= a.
  std::uint16_t lo = 0, hi = 0x7BFF;
  while (lo < hi) {
    const auto mid = static_cast<std::uint16_t>((lo + hi + 1) / 2);
    if (f16_value(mid) <= a) {
      lo = mid;
    } else {
      hi = static_cast<std::uint16_t>(mid - 1);
    }
  }
  const double below = f16_value(lo);
  if (below == a || lo == 0x7BFF) return static_cast<std::uint16_t>(sign | lo);
  const double above = f16_value(static_cast<std::uint16_t>(lo + 1));
  const double dl = a - below, du = above - a;
  std::uint16_t r = lo;
  if (du < dl || (du == dl && (lo & 1u))) r = static_cast<std::uint16_t>(lo + 1);
  return static_cast<std::uint16_t>(sign | r);
}

TEST(DType, F32ToF16RoundsToNearestEven) {
  // A sweep of f32 bit patterns across every exponent, plus the halfway points.
  std::vector<float> xs;
  for (std::uint32_t bits = 0; bits < 0x7F800000u; bits += 0x1357u) xs.push_back(std::bit_cast<float>(bits));
  for (std::uint32_t h = 0; h < 0x7C00; h += 7) {
    const double v = f16_value(static_cast<std::uint16_t>(h)), w = f16_value(static_cast<std::uint16_t>(h + 1));
    xs.push_back(static_cast<float>((v + w) / 2));  // halfway (exact in f32)
    xs.push_back(std::nextafter(static_cast<float>((v + w) / 2), 0.0f));
    xs.push_back(std::nextafter(static_cast<float>((v + w) / 2), 1e9f));
  }
  for (float x : {65504.0f, 65519.99f, 65520.0f, 1e10f, 5.9604645e-8f, 2.9802322e-8f, 4.4703484e-8f, 2.9802326e-8f,
                  6.1035156e-5f, 6.1035152e-5f, 1.0f, 1.00048828125f, 1.000732421875f})
    xs.push_back(x);
  int bad = 0;
  for (float x : xs) {
    for (float s : {x, -x}) {
      const std::uint16_t got = f32_to_f16(s), want = f16_nearest(s);
      if (got != want && ++bad <= 10)
        ADD_FAILURE() << "f32_to_f16(" << s << " = 0x" << std::hex << std::bit_cast<std::uint32_t>(s) << ") = 0x" << got
                      << ", expected 0x" << want;
    }
  }
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(f32_to_f16(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(f32_to_f16(-std::numeric_limits<float>::infinity()), 0xFC00);
  EXPECT_TRUE(f16_is_nan(f32_to_f16(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(f16_is_nan(f32_to_f16(std::bit_cast<float>(0x7F800001u))));  // signaling NaN stays NaN
  EXPECT_EQ(f32_to_f16(-0.0f), 0x8000);
}

// Nearest bf16 (ties to even) of a finite float, computed in double.
std::uint16_t bf16_nearest(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t lo = x & 0xFFFF0000u;
  const std::uint32_t hi = lo + 0x10000u;  // next bf16 away from zero (may be inf)
  const double a = std::fabs(static_cast<double>(f));
  const double dl = a - std::fabs(static_cast<double>(std::bit_cast<float>(lo)));
  // Past the largest bf16 the next value up is 2^128 (which rounds to inf).
  const double hv = (hi & 0x7FFFFFFFu) == 0x7F800000u ? std::ldexp(1.0, 128) : std::fabs(static_cast<double>(std::bit_cast<float>(hi)));
  const double du = hv - a;
  const bool up = du < dl || (du == dl && ((lo >> 16) & 1u));
  return static_cast<std::uint16_t>((up ? hi : lo) >> 16);
}

TEST(DType, F32ToBF16RoundsToNearestEven) {
  int bad = 0;
  for (std::uint32_t bits = 0; bits < 0x7F800000u; bits += 0x0F0Fu) {
    for (std::uint32_t sbits : {bits, bits | 0x80000000u}) {
      for (std::uint32_t b : {sbits, (sbits & 0xFFFF0000u) | 0x8000u, (sbits & 0xFFFF0000u) | 0x18000u}) {
        const float f = std::bit_cast<float>(b);
        if (!std::isfinite(f)) continue;
        const std::uint16_t got = f32_to_bf16(f), want = bf16_nearest(f);
        if (got != want && ++bad <= 10)
          ADD_FAILURE() << "f32_to_bf16(0x" << std::hex << b << ") = 0x" << got << ", expected 0x" << want;
      }
    }
  }
  EXPECT_EQ(bad, 0);
  // Round trips and specials.
  for (std::uint32_t h = 0; h <= 0xFFFF; ++h) {
    const auto b = static_cast<std::uint16_t>(h);
    const float f = bf16_to_f32(b);
    ASSERT_EQ(std::bit_cast<std::uint32_t>(f), h << 16);
    if (!std::isnan(f)) {
      ASSERT_EQ(f32_to_bf16(f), b) << std::hex << h;
    }
  }
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7F80) << "max f32 rounds up to inf";
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::bit_cast<float>(0x7F800001u))))) << "a NaN must not become inf";
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::bit_cast<float>(0xFF800001u)))));
  EXPECT_EQ(f32_to_bf16(1.00390625f), 0x3F80) << "1 + 2^-8 is a tie: to even (1.0)";
  EXPECT_EQ(f32_to_bf16(1.01171875f), 0x3F82) << "1 + 3*2^-8 is a tie: to even (1 + 2^-6)";
}

// Tensor ---------------------------------------------------------------------------------

TEST(Tensor, ContiguousDescriptor) {
  float buf[1] = {0};
  const Tensor t(buf, DType::kF32, {4, 5, 6});
  ASSERT_TRUE(t.valid()) << t.invalid_reason();
  EXPECT_STREQ(t.invalid_reason(), "");
  EXPECT_EQ(t.data(), buf);
  EXPECT_EQ(t.dtype(), DType::kF32);
  EXPECT_EQ(t.rank(), 3);
  EXPECT_EQ(t.dim(0), 4);
  EXPECT_EQ(t.dim(2), 6);
  EXPECT_EQ(t.stride(0), 30);
  EXPECT_EQ(t.stride(1), 6);
  EXPECT_EQ(t.stride(2), 1);
  EXPECT_EQ(t.numel(), 120);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(std::vector<std::int64_t>(t.shape().begin(), t.shape().end()), (std::vector<std::int64_t>{4, 5, 6}));
  EXPECT_EQ(std::vector<std::int64_t>(t.strides().begin(), t.strides().end()), (std::vector<std::int64_t>{30, 6, 1}));
  const float* cbuf = buf;
  const Tensor c(cbuf, DType::kF32, {2});
  EXPECT_EQ(c.data(), buf);
}

TEST(Tensor, ElementCounts) {
  float buf[1] = {0};
  EXPECT_EQ(Tensor(buf, DType::kF32, std::span<const std::int64_t>{}).numel(), 1);
  EXPECT_EQ(Tensor(buf, DType::kF32, std::span<const std::int64_t>{}).rank(), 0);
  EXPECT_EQ(Tensor(buf, DType::kF32, {3, 0, 5}).numel(), 0);
  EXPECT_TRUE(Tensor(buf, DType::kF32, {3, 0, 5}).valid());
  // 64-bit counts.
  EXPECT_EQ(Tensor(buf, DType::kF32, {1 << 20, 1 << 20, 4}).numel(), std::int64_t{1} << 42);
}

TEST(Tensor, StridedViewsAndContiguity) {
  float buf[1] = {0};
  const Tensor tr(buf, DType::kF32, {5, 4}, {1, 5});
  EXPECT_TRUE(tr.valid());
  EXPECT_FALSE(tr.is_contiguous());
  EXPECT_EQ(tr.stride(1), 5);
  EXPECT_FALSE(Tensor(buf, DType::kF32, {4}, {2}).is_contiguous());
  EXPECT_FALSE(Tensor(buf, DType::kF32, {4}, {-1}).is_contiguous());
  EXPECT_FALSE(Tensor(buf, DType::kF32, {4, 3}, {0, 1}).is_contiguous());
  EXPECT_TRUE(Tensor(buf, DType::kF32, {4, 3}, {3, 1}).is_contiguous());
  // Size-1 dims are ignored whatever their stride.
  EXPECT_TRUE(Tensor(buf, DType::kF32, {4, 1, 3}, {3, 77, 1}).is_contiguous());
  EXPECT_TRUE(Tensor(buf, DType::kF32, {1, 3}, {-5, 1}).is_contiguous());
  EXPECT_TRUE(Tensor(buf, DType::kF32, {3, 1}, {1, 0}).is_contiguous());
  const Tensor neg(buf, DType::kF32, {3, 2}, {-2, 1});
  EXPECT_TRUE(neg.valid());
  EXPECT_EQ(neg.stride(0), -2);
}

TEST(Tensor, InvalidDescriptors) {
  float buf[1] = {0};
  const std::vector<std::int64_t> r8(8, 2), r9(9, 1);
  EXPECT_TRUE(Tensor(buf, DType::kF32, r8).valid());
  const Tensor t9(buf, DType::kF32, r9);
  EXPECT_FALSE(t9.valid());
  EXPECT_GT(std::strlen(t9.invalid_reason()), 0u);
  const Tensor neg(buf, DType::kF32, {2, -1});
  EXPECT_FALSE(neg.valid());
  EXPECT_GT(std::strlen(neg.invalid_reason()), 0u);
  const std::vector<std::int64_t> s2 = {2, 3}, st3 = {3, 1, 1};
  const Tensor mism(buf, DType::kF32, s2, st3);
  EXPECT_FALSE(mism.valid());
  EXPECT_GT(std::strlen(mism.invalid_reason()), 0u);
  const std::vector<std::int64_t> st9(9, 1);
  EXPECT_FALSE(Tensor(buf, DType::kF32, r9, st9).valid());
}

TEST(Tensor, CountsAndByteSizesMustFitIn64Bits) {
  // As in NumPy, the product of the nonzero dims times the element size must fit in int64,
  // zero-size dims or not: then every product of dims (an output's count) fits too.
  float buf[1] = {0};
  constexpr std::int64_t k62 = std::int64_t{1} << 62;
  EXPECT_TRUE(Tensor(buf, DType::kBool, {k62, 0}).valid());
  EXPECT_TRUE(Tensor(buf, DType::kF16, {k62 / 2, 0}).valid());
  for (DType t : {DType::kF16, DType::kF32, DType::kI64}) {
    const Tensor dense(buf, t, {k62, 0});
    EXPECT_FALSE(dense.valid()) << dtype_name(t);
    EXPECT_NE(std::string(dense.invalid_reason()).find("byte"), std::string::npos) << dense.invalid_reason();
  }
  EXPECT_FALSE(Tensor(buf, DType::kF32, {std::int64_t{1} << 61, 1}).valid());
  EXPECT_TRUE(Tensor(buf, DType::kF32, {(std::int64_t{1} << 61) - 1, 1}).valid());
  // Strided views: the same for the shape, past a zero-size dim too...
  const std::vector<std::int64_t> wide = {0, k62, 4}, wide_strides = {1, 1, 1};
  const Tensor empty_view(buf, DType::kBool, wide, wide_strides);
  EXPECT_FALSE(empty_view.valid());
  EXPECT_NE(std::string(empty_view.invalid_reason()).find("element count"), std::string::npos)
      << empty_view.invalid_reason();
  // ...and the bytes the strides reach.
  EXPECT_FALSE(Tensor(buf, DType::kF32, {3}, {k62}).valid());
  EXPECT_FALSE(Tensor(buf, DType::kBool, {2}, {std::numeric_limits<std::int64_t>::min()}).valid());
  EXPECT_FALSE(Tensor(buf, DType::kF32, {2, 2}, {k62 / 4, -(k62 / 4)}).valid());
  EXPECT_TRUE(Tensor(buf, DType::kF32, {2, 2}, {k62 / 16, -(k62 / 16)}).valid());
  EXPECT_TRUE(Tensor(buf, DType::kF32, {1, 3}, {std::numeric_limits<std::int64_t>::min(), 1}).valid())
      << "a size-1 dim's stride is never used";
  EXPECT_TRUE(Tensor(buf, DType::kF32, {0, 3}, {k62, k62}).valid()) << "an empty view reaches nothing";
}

}  // namespace
}  // namespace vnpu
