// Two-source instructions (Add, Sub, Mul, Div, Max, Min, And, Or) against float64 / exact
// integer references, for each 910B-class element type, in every form (count at the block
// and repeat edges, bit and continuous masks, external masks, both counter modes, strided
// operands, 255 repeats), on every SIMD target; and the operator forms.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "vector_support.hpp"

using namespace AscendC;

namespace {

// The API calls of one instruction, in the shape's form.
#define VT_BINARY_CALL(Name)                                                                                   \
  [](const vt::Shape& s, auto dst, auto src0, auto src1) {                                                     \
    using T = typename decltype(dst)::PrimType;                                                                \
    const BinaryRepeatParams p = vt::binary_params(s);                                                         \
    vt::issue<T>(                                                                                              \
        s, [&](std::int32_t n) { Name(dst, src0, src1, n); },                                                  \
        [&](const std::uint64_t* bits, std::uint64_t len, auto set) {                                          \
          if (bits != nullptr) Name<T, decltype(set)::value>(dst, src0, src1, bits, s.repeat, p);              \
          else Name<T, decltype(set)::value>(dst, src0, src1, len, s.repeat, p);                               \
        });                                                                                                    \
  }

// x (op) y in float64, rounded to T (integers: exact, wrapped to T's width).
template <typename T, class F>
vt::Case<T> exact(F f) {
  vt::Case<T> c;
  c.ref = [f](T, T a, T b) { return vt::round_to<T>(f(vt::value_of(a), vt::value_of(b))); };
  return c;
}

double nan_max(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (a > b ? a : b); }
double nan_min(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (a < b ? a : b); }

TEST(AscendcVectorBinary, Add) {
  auto f = [](double a, double b) { return a + b; };
  vt::check_all_forms(exact<half>(f), VT_BINARY_CALL(Add), 11);
  vt::check_all_forms(exact<float>(f), VT_BINARY_CALL(Add), 12);
  vt::check_all_forms(exact<std::int16_t>(f), VT_BINARY_CALL(Add), 13);
  vt::check_all_forms(exact<std::int32_t>(f), VT_BINARY_CALL(Add), 14);
}

TEST(AscendcVectorBinary, Sub) {
  auto f = [](double a, double b) { return a - b; };
  vt::check_all_forms(exact<half>(f), VT_BINARY_CALL(Sub), 21);
  vt::check_all_forms(exact<float>(f), VT_BINARY_CALL(Sub), 22);
  vt::check_all_forms(exact<std::int16_t>(f), VT_BINARY_CALL(Sub), 23);
  vt::check_all_forms(exact<std::int32_t>(f), VT_BINARY_CALL(Sub), 24);
}

TEST(AscendcVectorBinary, Mul) {
  auto f = [](double a, double b) { return a * b; };
  vt::check_all_forms(exact<half>(f), VT_BINARY_CALL(Mul), 31);
  vt::check_all_forms(exact<float>(f), VT_BINARY_CALL(Mul), 32);
  vt::check_all_forms(exact<std::int16_t>(f), VT_BINARY_CALL(Mul), 33);
  // int32 products overflow double's 53 bits: the reference wraps in 64-bit integers.
  vt::Case<std::int32_t> c;
  c.ref = [](std::int32_t, std::int32_t a, std::int32_t b) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::int64_t>(a) * b));
  };
  vt::check_all_forms(c, VT_BINARY_CALL(Mul), 34);
}

TEST(AscendcVectorBinary, Div) {
  auto f = [](double a, double b) { return a / b; };
  vt::check_all_forms(exact<half>(f), VT_BINARY_CALL(Div), 41);
  vt::check_all_forms(exact<float>(f), VT_BINARY_CALL(Div), 42);
}

TEST(AscendcVectorBinary, MaxMin) {
  vt::check_all_forms(exact<half>(nan_max), VT_BINARY_CALL(Max), 51);
  vt::check_all_forms(exact<float>(nan_max), VT_BINARY_CALL(Max), 52);
  vt::check_all_forms(exact<std::int16_t>(nan_max), VT_BINARY_CALL(Max), 53);
  vt::check_all_forms(exact<std::int32_t>(nan_max), VT_BINARY_CALL(Max), 54);
  vt::check_all_forms(exact<half>(nan_min), VT_BINARY_CALL(Min), 55);
  vt::check_all_forms(exact<float>(nan_min), VT_BINARY_CALL(Min), 56);
  vt::check_all_forms(exact<std::int16_t>(nan_min), VT_BINARY_CALL(Min), 57);
  vt::check_all_forms(exact<std::int32_t>(nan_min), VT_BINARY_CALL(Min), 58);
}

TEST(AscendcVectorBinary, AndOr) {
  auto band = [](auto, auto a, auto b) { return static_cast<decltype(a)>(a & b); };
  auto bor = [](auto, auto a, auto b) { return static_cast<decltype(a)>(a | b); };
  vt::Case<std::int16_t> ai;
  ai.ref = band;
  vt::Case<std::uint16_t> au;
  au.ref = band;
  vt::Case<std::int16_t> oi;
  oi.ref = bor;
  vt::Case<std::uint16_t> ou;
  ou.ref = bor;
  vt::check_all_forms(ai, VT_BINARY_CALL(And), 61);
  vt::check_all_forms(au, VT_BINARY_CALL(And), 62);
  vt::check_all_forms(oi, VT_BINARY_CALL(Or), 63);
  vt::check_all_forms(ou, VT_BINARY_CALL(Or), 64);
}

// The special values: NaN wins Max and Min, IEEE division by zero, integers wrap.
TEST(AscendcVectorBinary, SpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> a = {nan, 1.0f, -0.0f, 1.0f, -1.0f, 0.0f, inf, 3.0f};
  const std::vector<float> b = {1.0f, nan, 0.0f, 0.0f, 0.0f, 0.0f, inf, -inf};
  std::vector<vt::Bytes> bufs = {vt::Bytes(32), vt::to_bytes(a), vt::to_bytes(b), vt::Bytes(32), vt::Bytes(32)};
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<float> x = t[1].ReinterpretCast<float>(), y = t[2].ReinterpretCast<float>();
                         Max(t[0].ReinterpretCast<float>(), x, y, 8);
                         Min(t[3].ReinterpretCast<float>(), x, y, 8);
                         Div(t[4].ReinterpretCast<float>(), x, y, 8);
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  auto at = [&](int buf, int i) { return vt::load<float>(bufs[static_cast<std::size_t>(buf)], i * 4u); };
  EXPECT_TRUE(std::isnan(at(0, 0)) && std::isnan(at(0, 1)) && std::isnan(at(3, 0)) && std::isnan(at(3, 1)));
  EXPECT_EQ(at(0, 7), 3.0f);
  EXPECT_EQ(at(3, 7), -inf);
  EXPECT_EQ(at(4, 3), inf);
  EXPECT_EQ(at(4, 4), -inf);
  EXPECT_TRUE(std::isnan(at(4, 5)));  // 0 / 0
  EXPECT_TRUE(std::isnan(at(4, 6)));  // inf / inf

  const std::vector<std::int16_t> i = {32767, -32768, 300, -1};
  const std::vector<std::int16_t> j = {1, -1, 300, 1};
  std::vector<vt::Bytes> ib = {vt::Bytes(32), vt::to_bytes(i), vt::to_bytes(j), vt::Bytes(32)};
  ib[1].resize(32);
  ib[2].resize(32);
  ASSERT_EQ(vt::run_ub(ib,
                       [](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<std::int16_t> x = t[1].ReinterpretCast<std::int16_t>(),
                                                   y = t[2].ReinterpretCast<std::int16_t>();
                         Add(t[0].ReinterpretCast<std::int16_t>(), x, y, 4);
                         Mul(t[3].ReinterpretCast<std::int16_t>(), x, y, 4);
                       }),
            vnpu::Status::kSuccess);
  EXPECT_EQ(vt::load<std::int16_t>(ib[0], 0), -32768);  // 32767 + 1 wraps
  EXPECT_EQ(vt::load<std::int16_t>(ib[0], 2), 32767);   // -32768 - 1 wraps
  EXPECT_EQ(vt::load<std::int16_t>(ib[3], 4), static_cast<std::int16_t>(90000 - 65536 * 1));  // 300 * 300 mod 2^16
}

// And / Or on 32-bit elements in the count form: the chip works on 16-bit halves, count
// in 16-bit lanes (so 2n for n elements), and so do the operator forms over the whole tensor.
TEST(AscendcVectorBinary, AndOr32BitCountFormsWorkOnHalves) {
  const auto a = vt::random_values<std::int32_t>(64, 7);
  const auto b = vt::random_values<std::int32_t>(64, 8);
  std::vector<vt::Bytes> bufs = {vt::Bytes(256), vt::to_bytes(a), vt::to_bytes(b), vt::Bytes(256)};
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<std::int32_t> x = t[1].ReinterpretCast<std::int32_t>(),
                                                   y = t[2].ReinterpretCast<std::int32_t>();
                         And(t[0].ReinterpretCast<std::int32_t>(), x, y, 2 * 50);  // 50 elements
                         LocalTensor<std::int32_t> o = t[3].ReinterpretCast<std::int32_t>();
                         o = x | y;
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (int k = 0; k < 64; ++k) {
    EXPECT_EQ(vt::load<std::int32_t>(bufs[0], k * 4u), k < 50 ? (a[static_cast<std::size_t>(k)] & b[static_cast<std::size_t>(k)]) : 0) << k;
    EXPECT_EQ(vt::load<std::int32_t>(bufs[3], k * 4u), a[static_cast<std::size_t>(k)] | b[static_cast<std::size_t>(k)]) << k;
  }
}

// dst = a + b and the other operators compute the whole of dst.
TEST(AscendcVectorBinary, OperatorFormsComputeTheWholeDestination) {
  constexpr int n = 200;  // not a whole number of repeats
  const auto a = vt::random_values<float>(n, 3);
  const auto b = vt::random_values<float>(n, 4, 50.0);
  std::vector<vt::Bytes> bufs(6, vt::Bytes(n * 4));
  bufs[0] = vt::to_bytes(a);
  bufs[1] = vt::to_bytes(b);
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<float> x = t[0].ReinterpretCast<float>(), y = t[1].ReinterpretCast<float>();
                         LocalTensor<float> s = t[2].ReinterpretCast<float>(), d = t[3].ReinterpretCast<float>();
                         LocalTensor<float> m = t[4].ReinterpretCast<float>(), q = t[5].ReinterpretCast<float>();
                         s = x + y;
                         d = x - y;
                         m = x * y;
                         q = x / y;
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (int i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    ASSERT_EQ(vt::load<float>(bufs[2], k * 4), a[k] + b[k]) << i;
    ASSERT_EQ(vt::load<float>(bufs[3], k * 4), a[k] - b[k]) << i;
    ASSERT_EQ(vt::load<float>(bufs[4], k * 4), a[k] * b[k]) << i;
    ASSERT_EQ(vt::load<float>(bufs[5], k * 4), a[k] / b[k]) << i;
  }
}

// Div's config template parameter (newer releases) is accepted in every form.
TEST(AscendcVectorBinary, DivConfigCompiles) {
  static constexpr DivConfig kPrecise = {DivAlgo::PRECISION_0ULP_FTZ_FALSE};
  std::vector<vt::Bytes> bufs = {vt::Bytes(256), vt::to_bytes(std::vector<float>(64, 3.0f)),
                                 vt::to_bytes(std::vector<float>(64, 2.0f))};
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         LocalTensor<float> d = t[0].ReinterpretCast<float>();
                         LocalTensor<float> x = t[1].ReinterpretCast<float>(), y = t[2].ReinterpretCast<float>();
                         Div<float, kPrecise>(d, x, y, 32);
                         Div<float, true, kPrecise>(d[32], x[32], y[32], 32, 1, BinaryRepeatParams{});
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (int i = 0; i < 64; ++i) EXPECT_EQ(vt::load<float>(bufs[0], i * 4u), 1.5f) << i;
}

}  // namespace
