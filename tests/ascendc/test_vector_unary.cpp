// One-source instructions (Exp, Ln, Abs, Sqrt, Rsqrt, Reciprocal, Relu, Not) against float64
// / exact references, for each 910B-class element type, in every form and on every SIMD
// target; their special values; and the half conversions on every target.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "vector_support.hpp"

using namespace AscendC;

namespace {

// The API calls of one instruction, in the shape's form.
#define VT_UNARY_CALL(Name)                                                                                   \
  [](const vt::Shape& s, auto dst, auto src, auto) {                                                          \
    using T = typename decltype(dst)::PrimType;                                                               \
    const UnaryRepeatParams p = vt::unary_params(s);                                                          \
    vt::issue<T>(                                                                                             \
        s, [&](std::int32_t n) { Name(dst, src, n); },                                                        \
        [&](const std::uint64_t* bits, std::uint64_t len, auto set) {                                         \
          if (bits != nullptr) Name<T, decltype(set)::value>(dst, src, bits, s.repeat, p);                    \
          else Name<T, decltype(set)::value>(dst, src, len, s.repeat, p);                                     \
        });                                                                                                   \
  }

// f(src) in float64 (exact integers), rounded to T; sources uniform in [lo, hi].
template <typename T, class F>
vt::Case<T> unary(F f, double lo, double hi, std::int64_t ulps = 0) {
  vt::Case<T> c;
  c.sources = 1;
  c.ulps = ulps;
  c.ref = [f](T, T a, T) { return vt::round_to<T>(f(vt::value_of(a))); };
  if constexpr (vt::is_float<T>()) {
    c.gen0 = [lo, hi](std::size_t n, std::uint32_t seed) {
      std::vector<T> v = vt::random_values<T>(n, seed, 1.0);
      for (T& x : v) x = vt::round_to<T>(lo + (vt::value_of(x) + 1.0) / 2.0 * (hi - lo));
      return v;
    };
  }
  return c;
}

TEST(AscendcVectorUnary, Exp) {
  auto f = [](double x) { return std::exp(x); };
  vt::check_all_forms(unary<half>(f, -9.0, 10.0, 1), VT_UNARY_CALL(Exp), 201);
  vt::check_all_forms(unary<float>(f, -80.0, 80.0, 1), VT_UNARY_CALL(Exp), 202);
}

TEST(AscendcVectorUnary, Ln) {
  auto f = [](double x) { return std::log(x); };
  vt::check_all_forms(unary<half>(f, 1e-3, 6e4, 1), VT_UNARY_CALL(Ln), 211);
  vt::check_all_forms(unary<float>(f, 1e-30, 1e30, 1), VT_UNARY_CALL(Ln), 212);
}

TEST(AscendcVectorUnary, Abs) {
  auto f = [](double x) { return std::fabs(x); };
  vt::check_all_forms(unary<half>(f, -1000.0, 1000.0), VT_UNARY_CALL(Abs), 221);
  vt::check_all_forms(unary<float>(f, -1e20, 1e20), VT_UNARY_CALL(Abs), 222);
}

TEST(AscendcVectorUnary, SqrtRsqrtReciprocal) {
  auto sq = [](double x) { return std::sqrt(x); };
  auto rsq = [](double x) { return 1.0 / std::sqrt(x); };
  auto rec = [](double x) { return 1.0 / x; };
  vt::check_all_forms(unary<half>(sq, 0.0, 6e4), VT_UNARY_CALL(Sqrt), 231);
  vt::check_all_forms(unary<float>(sq, 0.0, 1e30), VT_UNARY_CALL(Sqrt), 232);
  vt::check_all_forms(unary<half>(rsq, 1e-3, 6e4, 1), VT_UNARY_CALL(Rsqrt), 233);
  vt::check_all_forms(unary<float>(rsq, 1e-30, 1e30, 1), VT_UNARY_CALL(Rsqrt), 234);
  vt::check_all_forms(unary<half>(rec, 0.02, 1000.0), VT_UNARY_CALL(Reciprocal), 235);
  vt::check_all_forms(unary<float>(rec, -1e30, 1e30), VT_UNARY_CALL(Reciprocal), 236);
}

TEST(AscendcVectorUnary, Relu) {
  auto f = [](double x) { return x > 0 ? x : 0.0; };
  vt::check_all_forms(unary<half>(f, -100.0, 100.0), VT_UNARY_CALL(Relu), 241);
  vt::check_all_forms(unary<float>(f, -100.0, 100.0), VT_UNARY_CALL(Relu), 242);
  vt::check_all_forms(unary<std::int32_t>(f, 0, 0), VT_UNARY_CALL(Relu), 243);
}

TEST(AscendcVectorUnary, Not) {
  vt::Case<std::int16_t> i;
  i.sources = 1;
  i.ref = [](std::int16_t, std::int16_t a, std::int16_t) { return static_cast<std::int16_t>(~a); };
  vt::Case<std::uint16_t> u;
  u.sources = 1;
  u.ref = [](std::uint16_t, std::uint16_t a, std::uint16_t) { return static_cast<std::uint16_t>(~a); };
  vt::check_all_forms(i, VT_UNARY_CALL(Not), 251);
  vt::check_all_forms(u, VT_UNARY_CALL(Not), 252);
}

TEST(AscendcVectorUnary, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> x = {-inf, inf, nan, 0.0f, -0.0f, -1.0f, 1e-40f, 100.0f};
  std::vector<vt::Bytes> bufs(8, vt::Bytes(32));
  bufs[0] = vt::to_bytes(x);
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<float> s = t[0].ReinterpretCast<float>();
                         Exp(t[1].ReinterpretCast<float>(), s, 8);
                         Ln(t[2].ReinterpretCast<float>(), s, 8);
                         Sqrt(t[3].ReinterpretCast<float>(), s, 8);
                         Reciprocal(t[4].ReinterpretCast<float>(), s, 8);
                         Relu(t[5].ReinterpretCast<float>(), s, 8);
                         Abs(t[6].ReinterpretCast<float>(), s, 8);
                         Rsqrt(t[7].ReinterpretCast<float>(), s, 8);
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  auto at = [&](int b, int i) { return vt::load<float>(bufs[static_cast<std::size_t>(b)], i * 4u); };
  EXPECT_EQ(at(1, 0), 0.0f);  // exp(-inf)
  EXPECT_EQ(at(1, 1), inf);
  EXPECT_TRUE(std::isnan(at(1, 2)));
  EXPECT_EQ(at(1, 3), 1.0f);
  EXPECT_EQ(at(1, 7), inf);  // exp(100) overflows
  EXPECT_EQ(at(2, 3), -inf);  // ln(0)
  EXPECT_TRUE(std::isnan(at(2, 5)));  // ln(-1)
  EXPECT_NEAR(at(2, 6), std::log(1e-40), 1e-4);  // a subnormal input is not flushed
  EXPECT_TRUE(std::isnan(at(3, 5)));  // sqrt(-1)
  EXPECT_EQ(at(3, 4), -0.0f);
  EXPECT_EQ(at(4, 3), inf);  // 1 / 0
  EXPECT_EQ(at(4, 4), -inf);
  EXPECT_TRUE(std::isnan(at(5, 2)));  // Relu(NaN) stays NaN
  EXPECT_EQ(at(5, 0), 0.0f);
  EXPECT_FALSE(std::signbit(at(5, 4)));  // Relu(-0) = +0
  EXPECT_FALSE(std::signbit(at(6, 4)));  // |-0| = +0
  EXPECT_EQ(at(6, 0), inf);
  EXPECT_EQ(at(7, 3), inf);  // 1 / sqrt(0)
}

// Every half value through Muls by 1 on every target: the exact widening and the rounding
// back give the value itself (NaN stays NaN).
TEST(AscendcVectorUnary, HalfConversionsAreExactOnEveryTarget) {
  vt::for_each_isa([&](const std::string& isa) {
    for (std::uint32_t first : {0u, 32768u}) {  // two runs: the UB holds half the values twice
      std::vector<std::uint16_t> in(32768);
      for (std::uint32_t i = 0; i < in.size(); ++i) in[i] = static_cast<std::uint16_t>(first + i);
      std::vector<vt::Bytes> bufs = {vt::to_bytes(in), vt::Bytes(in.size() * 2)};
      ASSERT_EQ(vt::run_ub(bufs,
                           [](std::vector<vt::ByteTensor>& t) {
                             Muls(t[1].ReinterpretCast<half>(), t[0].ReinterpretCast<half>(), half(1.0f), 32768);
                           }),
                vnpu::Status::kSuccess)
          << vnpu::ascendc::last_error_message();
      for (std::uint32_t i = 0; i < in.size(); ++i) {
        const auto got = vt::load<std::uint16_t>(bufs[1], i * 2u);
        const std::uint32_t v = in[i];
        const bool nan = (v & 0x7C00u) == 0x7C00u && (v & 0x3FFu) != 0;
        if (nan) ASSERT_TRUE((got & 0x7C00u) == 0x7C00u && (got & 0x3FFu) != 0) << isa << " " << v;
        else ASSERT_EQ(got, v) << isa << " " << v;
      }
    }
  });
}

// The config template parameters of the newer releases are accepted in every form.
TEST(AscendcVectorUnary, ConfigParametersCompile) {
  static constexpr ExpConfig kExp = {ExpAlgo::PRECISION_1ULP_FTZ_FALSE};
  static constexpr SqrtConfig kSqrt = {SqrtAlgo::FAST_INVERSE};
  static constexpr RsqrtConfig kRsqrt = {RsqrtAlgo::FAST_INVERSE};
  static constexpr LnConfig kLn = {LnAlgo::PRECISION_1ULP_FTZ_TRUE};
  static constexpr ReciprocalConfig kRec = {ReciprocalAlgo::PRECISION_1ULP_FTZ_FALSE};
  std::vector<vt::Bytes> bufs = {vt::to_bytes(std::vector<float>(64, 4.0f)), vt::Bytes(256)};
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<float> s = t[0].ReinterpretCast<float>(), d = t[1].ReinterpretCast<float>();
                         Exp<float, kExp>(d, s, 8);
                         Ln<float, true, kLn>(d[8], s[8], std::uint64_t{8}, 1, UnaryRepeatParams{});
                         Sqrt<float, kSqrt>(d[16], s[16], 8);
                         const std::uint64_t bits[2] = {0xFF, 0};
                         Rsqrt<float, true, kRsqrt>(d[24], s[24], bits, 1, UnaryRepeatParams{});
                         Reciprocal<float, kRec>(d[32], s[32], 8);
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  EXPECT_NEAR(vt::load<float>(bufs[1], 0), std::exp(4.0f), 1e-3);
  EXPECT_NEAR(vt::load<float>(bufs[1], 8 * 4), std::log(4.0f), 1e-6);
  EXPECT_EQ(vt::load<float>(bufs[1], 16 * 4), 2.0f);
  EXPECT_EQ(vt::load<float>(bufs[1], 24 * 4), 0.5f);
  EXPECT_EQ(vt::load<float>(bufs[1], 32 * 4), 0.25f);
}

}  // namespace
