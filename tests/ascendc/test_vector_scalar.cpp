// Vector-scalar instructions (Adds, Muls, Maxs, Mins, LeakyRelu) and Axpy against float64 /
// exact integer references, for each 910B-class element type, in every form and on every
// SIMD target.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "vector_support.hpp"

using namespace AscendC;

namespace {

// The API calls of one vector-scalar instruction with scalar `v`, in the shape's form.
#define VT_SCALAR_CALL(Name, v)                                                                               \
  [sv = v](const vt::Shape& s, auto dst, auto src, auto) {                                                    \
    using T = typename decltype(dst)::PrimType;                                                               \
    const UnaryRepeatParams p = vt::unary_params(s);                                                          \
    const T scalar = sv;                                                                                      \
    vt::issue<T>(                                                                                             \
        s, [&](std::int32_t n) { Name(dst, src, scalar, n); },                                                \
        [&](const std::uint64_t* bits, std::uint64_t len, auto set) {                                         \
          if (bits != nullptr) Name<T, decltype(set)::value>(dst, src, scalar, bits, s.repeat, p);            \
          else Name<T, decltype(set)::value>(dst, src, scalar, len, s.repeat, p);                             \
        });                                                                                                   \
  }

// f(src, scalar) in float64 (exact integers), rounded to T.
template <typename T, class F>
vt::Case<T> with_scalar(T scalar, F f) {
  vt::Case<T> c;
  c.sources = 1;
  c.ref = [scalar, f](T, T a, T) { return vt::round_to<T>(f(vt::value_of(a), vt::value_of(scalar))); };
  return c;
}

double nan_max(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (a > b ? a : b); }
double nan_min(double a, double b) { return std::isnan(a) || std::isnan(b) ? NAN : (a < b ? a : b); }

TEST(AscendcVectorScalar, Adds) {
  auto f = [](double a, double b) { return a + b; };
  vt::check_all_forms(with_scalar(half(1.5f), f), VT_SCALAR_CALL(Adds, half(1.5f)), 101);
  vt::check_all_forms(with_scalar(-3.25f, f), VT_SCALAR_CALL(Adds, -3.25f), 102);
  vt::check_all_forms(with_scalar(std::int16_t{1234}, f), VT_SCALAR_CALL(Adds, std::int16_t{1234}), 103);
  vt::check_all_forms(with_scalar(std::int32_t{-77777}, f), VT_SCALAR_CALL(Adds, std::int32_t{-77777}), 104);
}

TEST(AscendcVectorScalar, Muls) {
  auto f = [](double a, double b) { return a * b; };
  vt::check_all_forms(with_scalar(half(-0.75f), f), VT_SCALAR_CALL(Muls, half(-0.75f)), 111);
  vt::check_all_forms(with_scalar(2.5f, f), VT_SCALAR_CALL(Muls, 2.5f), 112);
  vt::check_all_forms(with_scalar(std::int16_t{-3}, f), VT_SCALAR_CALL(Muls, std::int16_t{-3}), 113);
  // int32 products overflow double's 53 bits: the reference wraps in 64-bit integers.
  vt::Case<std::int32_t> c;
  c.sources = 1;
  c.ref = [](std::int32_t, std::int32_t a, std::int32_t) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::int64_t>(a) * 40503));
  };
  vt::check_all_forms(c, VT_SCALAR_CALL(Muls, std::int32_t{40503}), 114);
}

TEST(AscendcVectorScalar, MaxsMins) {
  vt::check_all_forms(with_scalar(half(10.0f), nan_max), VT_SCALAR_CALL(Maxs, half(10.0f)), 121);
  vt::check_all_forms(with_scalar(-5.0f, nan_max), VT_SCALAR_CALL(Maxs, -5.0f), 122);
  vt::check_all_forms(with_scalar(std::int16_t{0}, nan_max), VT_SCALAR_CALL(Maxs, std::int16_t{0}), 123);
  vt::check_all_forms(with_scalar(std::int32_t{1000}, nan_max), VT_SCALAR_CALL(Maxs, std::int32_t{1000}), 124);
  vt::check_all_forms(with_scalar(half(10.0f), nan_min), VT_SCALAR_CALL(Mins, half(10.0f)), 125);
  vt::check_all_forms(with_scalar(-5.0f, nan_min), VT_SCALAR_CALL(Mins, -5.0f), 126);
  vt::check_all_forms(with_scalar(std::int16_t{0}, nan_min), VT_SCALAR_CALL(Mins, std::int16_t{0}), 127);
  vt::check_all_forms(with_scalar(std::int32_t{1000}, nan_min), VT_SCALAR_CALL(Mins, std::int32_t{1000}), 128);
}

TEST(AscendcVectorScalar, LeakyRelu) {
  auto f = [](double a, double s) { return a > 0 ? a : a * s; };
  vt::check_all_forms(with_scalar(half(0.125f), f), VT_SCALAR_CALL(LeakyRelu, half(0.125f)), 131);
  vt::check_all_forms(with_scalar(0.01f, f), VT_SCALAR_CALL(LeakyRelu, 0.01f), 132);
}

// The API calls of Axpy with scalar `v` (the source's type).
#define VT_AXPY_CALL(v)                                                                                       \
  [](const vt::Shape& s, auto dst, auto src, auto) {                                                          \
    using T = typename decltype(dst)::PrimType;                                                               \
    using U = typename decltype(src)::PrimType;                                                               \
    using Wide = std::conditional_t<(sizeof(T) > sizeof(U)), T, U>;                                           \
    const UnaryRepeatParams p = vt::unary_params(s);                                                          \
    const U scalar = v;                                                                                       \
    vt::issue<Wide>(                                                                                          \
        s, [&](std::int32_t n) { Axpy(dst, src, scalar, n); },                                                \
        [&](const std::uint64_t* bits, std::uint64_t len, auto set) {                                         \
          if (bits != nullptr) Axpy<T, U, decltype(set)::value>(dst, src, scalar, bits, s.repeat, p);         \
          else Axpy<T, U, decltype(set)::value>(dst, src, scalar, len, s.repeat, p);                          \
        });                                                                                                   \
  }

// dst + src * scalar in float64, rounded to the destination type. Sources are multiples of
// 1/16, so the products the chip rounds are exact and one rounding (of the sum) remains:
// float results match exactly; half ones are rounded from float once more (1 ulp).
template <typename D, typename S>
vt::Case<D, S, D> axpy_case(S scalar) {
  vt::Case<D, S, D> c;
  c.sources = 1;
  c.ulps = std::is_same_v<D, half> ? 1 : 0;
  c.ref = [scalar](D old, S a, D) {
    return vt::round_to<D>(vt::value_of(old) + vt::value_of(a) * vt::value_of(scalar));
  };
  c.gen0 = [](std::size_t n, std::uint32_t seed) {
    std::vector<S> v = vt::random_values<S>(n, seed, 50.0);
    for (S& x : v) x = vt::round_to<S>(std::floor(vt::value_of(x) * 16.0) / 16.0);
    return v;
  };
  return c;
}

TEST(AscendcVectorScalar, Axpy) {
  vt::check_all_forms(axpy_case<float, float>(2.5f), VT_AXPY_CALL(2.5f), 141);
  vt::check_all_forms(axpy_case<half, half>(half(1.5f)), VT_AXPY_CALL(half(1.5f)), 142);
  vt::check_all_forms(axpy_case<float, half>(half(-0.5f)), VT_AXPY_CALL(half(-0.5f)), 143);
}

// The mixed form reads 4 DataBlocks of half a repeat for the 8 of float it writes: with
// srcBlkStride 2 the source blocks are 0, 2, 4, 6.
TEST(AscendcVectorScalar, AxpyMixedReadsFourSourceBlocksARepeat) {
  std::vector<half> src(256);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = half(static_cast<float>(i));
  std::vector<vt::Bytes> bufs = {vt::to_bytes(std::vector<float>(128, 1.0f)), vt::to_bytes(src)};
  ASSERT_EQ(vt::run_ub(bufs,
                       [](std::vector<vt::ByteTensor>& t) {
                         Axpy<float, half, true>(t[0].ReinterpretCast<float>(), t[1].ReinterpretCast<half>(), half(2.0f),
                                                 std::uint64_t{64}, 2, UnaryRepeatParams(1, 2, 8, 8));
                       }),
            vnpu::Status::kSuccess)
      << vnpu::ascendc::last_error_message();
  for (std::uint32_t r = 0; r < 2; ++r)
    for (std::uint32_t e = 0; e < 64; ++e) {
      const std::uint32_t s = r * 128 + (e / 16) * 32 + e % 16;  // repeat r at 8 blocks, block k at 2k
      ASSERT_EQ(vt::load<float>(bufs[0], (r * 64 + e) * 4u), 1.0f + 2.0f * static_cast<float>(s)) << r << " " << e;
    }
}

}  // namespace
