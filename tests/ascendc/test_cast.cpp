// Cast: every pair and rounding mode of the 910B class against a reference that rounds by
// searching the destination format's neighbours of the exact value (long double), the
// documented examples, the SIMD half <-> float runs on every instruction set, the
// mask/repeat form with its strides, and the pairs and modes the class does not have.
#include <gtest/gtest.h>

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "vec_test_util.hpp"

using namespace AscendC;

namespace {

// ---- the reference --------------------------------------------------------------------------

// A binary floating-point format of `ebits` exponent and `mbits` fraction bits.
struct Fmt {
  int ebits, mbits;
  std::uint32_t sign() const { return 1u << (ebits + mbits); }
  std::uint32_t max_finite() const { return ((1u << ebits) - 2) << mbits | ((1u << mbits) - 1); }
  long double decode(std::uint32_t b) const {
    const std::uint32_t mag = b & (sign() - 1), e = mag >> mbits, m = mag & ((1u << mbits) - 1);
    const int bias = (1 << (ebits - 1)) - 1;
    if (e == (1u << ebits) - 1) {  // inf, NaN
      const long double special = m == 0 ? INFINITY : NAN;
      return (b & sign()) != 0 ? -special : special;
    }
    const long double v = e == 0 ? std::ldexp(static_cast<long double>(m), 1 - bias - mbits)
                                 : std::ldexp(static_cast<long double>(m | (1u << mbits)), static_cast<int>(e) - bias - mbits);
    return (b & sign()) != 0 ? -v : v;
  }
  // Finite values in order: key -max .. +max (both zeros are key 0).
  long double at(long long key) const {
    return key < 0 ? -decode(static_cast<std::uint32_t>(-key)) : decode(static_cast<std::uint32_t>(key));
  }
  std::uint32_t bits(long long key, bool negative_zero) const {
    if (key == 0) return negative_zero ? sign() : 0;
    return key < 0 ? static_cast<std::uint32_t>(-key) | sign() : static_cast<std::uint32_t>(key);
  }
};
constexpr Fmt kHalf{5, 10}, kBf16{8, 7}, kFloat{8, 23};

// v rounded into format f by mode m: the neighbours lo <= v <= hi in f, chosen by the mode;
// beyond the largest finite value, that value; inf and NaN as they are.
std::uint32_t ref_round(const Fmt& f, long double v, RoundMode m) {
  if (std::isnan(v)) return f.sign() - 1;  // any NaN (compared as NaN)
  const long long max = f.max_finite();
  if (std::isinf(v)) return f.bits(v > 0 ? max + 1 : -(max + 1), false);  // the inf pattern
  if (v > f.at(max)) return f.bits(max, false);
  if (v < f.at(-max)) return f.bits(-max, false);
  long long lo = -max, hi = max;  // the largest key with at(key) <= v
  while (lo < hi) {
    const long long mid = lo + (hi - lo + 1) / 2;
    if (f.at(mid) <= v) lo = mid;
    else hi = mid - 1;
  }
  long long k = lo;
  if (f.at(lo) != v) {
    const long long up = lo + 1;
    const long double dl = v - f.at(lo), du = f.at(up) - v;
    const bool lo_smaller_mag = std::fabs(f.at(lo)) < std::fabs(f.at(up));
    const long long small = lo_smaller_mag ? lo : up, large = lo_smaller_mag ? up : lo;
    switch (m) {
      case RoundMode::CAST_FLOOR: k = lo; break;
      case RoundMode::CAST_CEIL: k = up; break;
      case RoundMode::CAST_TRUNC: k = small; break;
      case RoundMode::CAST_ROUND: k = dl < du ? lo : (du < dl ? up : large); break;
      case RoundMode::CAST_ODD: k = (std::llabs(lo) & 1) != 0 ? lo : up; break;
      default: k = dl < du ? lo : (du < dl ? up : ((std::llabs(lo) & 1) == 0 ? lo : up)); break;
    }
  }
  return f.bits(k, std::signbit(v));
}

long double ref_integral(long double v, RoundMode m) {
  switch (m) {
    case RoundMode::CAST_FLOOR: return std::floor(v);
    case RoundMode::CAST_CEIL: return std::ceil(v);
    case RoundMode::CAST_ROUND: return std::round(v);
    case RoundMode::CAST_TRUNC: return std::trunc(v);
    default: return std::nearbyint(v);  // the default rounding mode: to nearest even
  }
}

template <typename I>
I ref_integer(long double v, RoundMode m) {
  if (std::isnan(v)) return 0;
  const long double r = ref_integral(v, m);
  if (r <= static_cast<long double>(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
  if (r >= static_cast<long double>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return static_cast<I>(r);
}

template <typename S>
long double value_of(S s) {
  if constexpr (std::is_same<S, half>::value) return kHalf.decode(s.bits());
  else if constexpr (std::is_same<S, bfloat16_t>::value) return kBf16.decode(s.bits());
  else return static_cast<long double>(s);
}

// float -> float rounds to an integral value; every other pair to the destination type.
template <typename D, typename S>
std::uint64_t ref_bits(S s, RoundMode m) {
  const long double v = value_of(s);
  if constexpr (std::is_same<D, float>::value && std::is_same<S, float>::value)
    return ref_round(kFloat, std::isfinite(v) ? ref_integral(v, m) : v, m);
  else if constexpr (std::is_same<D, half>::value) return ref_round(kHalf, v, m);
  else if constexpr (std::is_same<D, bfloat16_t>::value) return ref_round(kBf16, v, m);
  else if constexpr (std::is_same<D, float>::value) return ref_round(kFloat, v, m);
  else return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<D>>(ref_integer<D>(v, m)));
}

template <typename D>
std::uint64_t got_bits(D d) {
  if constexpr (std::is_same<D, half>::value || std::is_same<D, bfloat16_t>::value) return d.bits();
  else if constexpr (std::is_same<D, float>::value) return vectest::bits(d);
  else return static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<D>>(d));
}

template <typename D>
bool is_nan_bits(std::uint64_t b) {
  if constexpr (std::is_same<D, half>::value) return (b & 0x7FFF) > 0x7C00;
  else if constexpr (std::is_same<D, bfloat16_t>::value) return (b & 0x7FFF) > 0x7F80;
  else if constexpr (std::is_same<D, float>::value) return (b & 0x7FFFFFFF) > 0x7F800000;
  else return false;
}

// ---- running Cast ---------------------------------------------------------------------------

template <typename D, typename S>
std::vector<D> cast_count(const std::vector<S>& x, RoundMode m) {
  std::vector<D> out;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<S> src = ub.alloc_from(x);
    LocalTensor<D> dst = ub.alloc<D>(static_cast<std::uint32_t>(x.size()));
    Cast(dst, src, m, static_cast<std::uint32_t>(x.size()));
    out = vectest::read(dst, static_cast<std::uint32_t>(x.size()));
  });
  EXPECT_EQ(msg, "");
  return out;
}

template <typename D, typename S>
void check_pair(const std::vector<S>& inputs, std::initializer_list<RoundMode> modes) {
  constexpr std::size_t kChunk = 4096;
  for (RoundMode m : modes) {
    SCOPED_TRACE("mode " + std::to_string(static_cast<int>(m)));
    for (std::size_t c = 0; c < inputs.size(); c += kChunk) {
      const std::vector<S> x(inputs.begin() + c, inputs.begin() + std::min(inputs.size(), c + kChunk));
      const std::vector<D> got = cast_count<D>(x, m);
      ASSERT_EQ(got.size(), x.size());
      int shown = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        const std::uint64_t want = ref_bits<D>(x[i], m), g = got_bits(got[i]);
        if (g == want || (is_nan_bits<D>(want) && is_nan_bits<D>(g))) continue;
        ADD_FAILURE() << "input " << static_cast<double>(value_of(x[i])) << ": got bits 0x" << std::hex << g
                      << ", want 0x" << want;
        if (++shown == 5) return;
      }
    }
  }
}

constexpr std::initializer_list<RoundMode> kR5 = {RoundMode::CAST_RINT, RoundMode::CAST_FLOOR, RoundMode::CAST_CEIL,
                                                  RoundMode::CAST_ROUND, RoundMode::CAST_TRUNC};

std::vector<float> float_inputs() {
  std::vector<float> v = {0.0f, -0.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 127.5f, -128.5f, 255.5f, 256.0f,
                          32767.5f, -32768.5f, 65504.0f, 65505.0f, 65519.99f, 65520.0f, 65536.0f, -65520.0f,
                          0x1p22f + 0.5f, 0x1p31f, -0x1p31f, 0x1p31f - 128.0f, 0x1p63f, -0x1p63f, 0x1p64f,
                          6e-8f, 3e-8f, 2.98e-8f, 1e-7f, 6.1e-5f, 0x1p-14f, 0x1p-24f, 0x1.8p-25f,
                          3.3895313e38f, std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                          std::numeric_limits<float>::denorm_min(), INFINITY, -INFINITY, NAN,
                          0.5f + 0x1p-12f, 0.5f + 0x1p-9f + 0x1p-11f};
  const std::vector<float> r = vectest::random_values<float>(6000, 77, -30, 40);
  v.insert(v.end(), r.begin(), r.end());
  for (int i = -1000; i <= 1000; ++i) v.push_back(static_cast<float>(i) * 0.25f);
  return v;
}

template <typename S>
std::vector<S> all_16bit() {
  std::vector<S> v(65536);
  for (std::uint32_t i = 0; i < 65536; ++i) v[i] = S::from_bits(static_cast<std::uint16_t>(i));
  return v;
}

template <typename I>
std::vector<I> int_inputs(unsigned seed) {
  std::vector<I> v = {0, 1, -1, 2, 3, std::numeric_limits<I>::max(), std::numeric_limits<I>::min(),
                      static_cast<I>(std::numeric_limits<I>::max() - 1), static_cast<I>(std::numeric_limits<I>::min() + 1)};
  std::mt19937_64 rng(seed);
  for (int k = 0; k < 4000; ++k) {
    const int bits = static_cast<int>(rng() % (8 * sizeof(I)));
    v.push_back(static_cast<I>(static_cast<std::int64_t>(rng() >> (64 - bits - 1)) * ((rng() & 1) != 0 ? -1 : 1)));
  }
  return v;
}

TEST(AscendcCast, FloatSourcesInEveryModeOfTheClass) {
  const std::vector<float> f = float_inputs();
  check_pair<float>(f, kR5);
  check_pair<half>(f, {RoundMode::CAST_NONE, RoundMode::CAST_RINT, RoundMode::CAST_FLOOR, RoundMode::CAST_CEIL,
                       RoundMode::CAST_ROUND, RoundMode::CAST_TRUNC, RoundMode::CAST_ODD});
  check_pair<bfloat16_t>(f, kR5);
  check_pair<std::int32_t>(f, kR5);
  check_pair<std::int16_t>(f, kR5);
  check_pair<std::int64_t>(f, kR5);
}

TEST(AscendcCast, HalfAndBf16SourcesEveryValue) {
  const std::vector<half> h = all_16bit<half>();
  check_pair<float>(h, {RoundMode::CAST_NONE});
  check_pair<std::int32_t>(h, kR5);
  check_pair<std::int16_t>(h, kR5);
  check_pair<std::int8_t>(h, {RoundMode::CAST_NONE, RoundMode::CAST_RINT, RoundMode::CAST_FLOOR,
                              RoundMode::CAST_CEIL, RoundMode::CAST_ROUND, RoundMode::CAST_TRUNC});
  check_pair<std::uint8_t>(h, {RoundMode::CAST_NONE, RoundMode::CAST_RINT, RoundMode::CAST_TRUNC});
  const std::vector<bfloat16_t> b = all_16bit<bfloat16_t>();
  check_pair<float>(b, {RoundMode::CAST_NONE});
  check_pair<std::int32_t>(b, kR5);
}

TEST(AscendcCast, IntegerSources) {
  std::vector<std::int8_t> i8;
  std::vector<std::uint8_t> u8;
  for (int i = 0; i < 256; ++i) {
    i8.push_back(static_cast<std::int8_t>(i - 128));
    u8.push_back(static_cast<std::uint8_t>(i));
  }
  check_pair<half>(i8, {RoundMode::CAST_NONE});
  check_pair<half>(u8, {RoundMode::CAST_NONE});
  std::vector<std::int16_t> i16(65536);
  for (int i = 0; i < 65536; ++i) i16[i] = static_cast<std::int16_t>(i - 32768);
  check_pair<half>(i16, {RoundMode::CAST_NONE, RoundMode::CAST_RINT, RoundMode::CAST_FLOOR, RoundMode::CAST_CEIL,
                         RoundMode::CAST_ROUND, RoundMode::CAST_TRUNC});
  check_pair<float>(i16, {RoundMode::CAST_NONE});
  const std::vector<std::int32_t> i32 = int_inputs<std::int32_t>(5);
  check_pair<float>(i32, {RoundMode::CAST_NONE, RoundMode::CAST_RINT, RoundMode::CAST_FLOOR, RoundMode::CAST_CEIL,
                          RoundMode::CAST_ROUND, RoundMode::CAST_TRUNC});
  check_pair<std::int16_t>(i32, {RoundMode::CAST_NONE});
  check_pair<std::int64_t>(i32, {RoundMode::CAST_NONE});
  const std::vector<std::int64_t> i64 = int_inputs<std::int64_t>(6);
  check_pair<std::int32_t>(i64, {RoundMode::CAST_NONE});
  check_pair<float>(i64, kR5);
}

TEST(AscendcCast, DocumentedExamples) {
  using RM = RoundMode;
  const RM modes[] = {RM::CAST_RINT, RM::CAST_FLOOR, RM::CAST_CEIL, RM::CAST_ROUND, RM::CAST_TRUNC};
  const auto each = [&](auto dst_tag, auto x, std::vector<double> want) {
    using D = decltype(dst_tag);
    for (int k = 0; k < 5; ++k) {
      const D got = cast_count<D>(std::vector<decltype(x)>{x}, modes[k])[0];
      EXPECT_EQ(static_cast<double>(got), want[k]) << "mode " << static_cast<int>(modes[k]);
    }
  };
  each(float{}, 0.5f, {0, 0, 1, 1, 0});
  each(half{}, 0.5f + 0x1p-12f, {0.5, 0.5, 0.5 + 0x1p-11, 0.5 + 0x1p-11, 0.5});
  EXPECT_EQ(static_cast<double>(cast_count<half>(std::vector<float>{0.5f + 0x1p-12f}, RM::CAST_ODD)[0]), 0.5 + 0x1p-11);
  each(std::int32_t{}, 0x1p22f + 0.5f, {0x1p22, 0x1p22, 0x1p22 + 1, 0x1p22 + 1, 0x1p22});
  each(std::int64_t{}, 0x1p22f + 0.5f, {0x1p22, 0x1p22, 0x1p22 + 1, 0x1p22 + 1, 0x1p22});
  each(std::int16_t{}, 0x1p22f + 0.5f, {32767, 32767, 32767, 32767, 32767});  // saturates
  each(bfloat16_t{}, 0.5f + 0x1p-9f + 0x1p-11f, {0.5 + 0x1p-8, 0.5, 0.5 + 0x1p-8, 0.5 + 0x1p-8, 0.5});
  each(std::int32_t{}, half(-1.5f), {-2, -2, -1, -2, -1});
  each(std::int16_t{}, half(127.5f), {128, 127, 128, 128, 127});
  each(std::int8_t{}, half(127.5f), {127, 127, 127, 127, 127});  // 128 saturates
  each(std::uint8_t{}, half(1.75f), {2, 1, 2, 2, 1});
  each(std::int32_t{}, bfloat16_t(64.5f), {64, 64, 65, 65, 64});
  each(half{}, static_cast<std::int16_t>(4098), {4096, 4096, 4100, 4100, 4096});
  each(float{}, std::int32_t{(1 << 25) + 3}, {0x1p25 + 4, 0x1p25, 0x1p25 + 4, 0x1p25 + 4, 0x1p25});
  EXPECT_EQ(static_cast<double>(cast_count<float>(std::vector<half>{half(1.5f - 0x1p-10f)}, RM::CAST_NONE)[0]),
            1.5 - 0x1p-10);
  EXPECT_EQ(cast_count<std::int16_t>(std::vector<std::int32_t>{2147483647}, RM::CAST_NONE)[0], 32767);
  EXPECT_EQ(cast_count<std::int32_t>(std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::max()}, RM::CAST_NONE)[0],
            2147483647);
}

TEST(AscendcCast, HalfFloatRunsAreTheSameOnEveryInstructionSet) {
  std::vector<half> h(16383);  // a quarter of the halves, of every sign and exponent; a tail
  for (std::uint32_t i = 0; i < h.size(); ++i) h[i] = half::from_bits(static_cast<std::uint16_t>(4 * i + i % 4));
  std::vector<float> f = float_inputs();
  for (std::uint32_t nan : {0x7FFFFFFFu, 0xFF800001u, 0x7FC00001u, 0xFFC02000u})
    f.insert(f.begin() + 3, vectest::from_bits32(nan));  // NaN payloads: one quiet NaN out
  f.resize(16381);
  std::vector<std::uint32_t> to_float_bits, to_half_bits;
  vectest::for_each_isa([&](const std::string& isa) {
    check_pair<float>(h, {RoundMode::CAST_NONE});
    check_pair<half>(f, {RoundMode::CAST_RINT, RoundMode::CAST_NONE});
    std::vector<std::uint32_t> a, b;
    for (float v : cast_count<float>(h, RoundMode::CAST_NONE)) a.push_back(vectest::bits(v));
    for (half v : cast_count<half>(f, RoundMode::CAST_RINT)) b.push_back(v.bits());
    if (to_float_bits.empty()) {
      to_float_bits = a;
      to_half_bits = b;
    }
    EXPECT_TRUE(a == to_float_bits) << isa;  // bit for bit, NaNs included
    EXPECT_TRUE(b == to_half_bits) << isa;
  });
}

TEST(AscendcCast, MaskFormTakesTheWiderTypesRepeatsAndEachOperandsStrides) {
  // half -> int32_t: 64 lanes a repeat; src (half) repeats 4 blocks apart, dst 8 (contiguous),
  // and the second test with gaps: src blocks 2 apart, dst repeats 10 blocks apart.
  std::vector<half> x(1024);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = half(static_cast<float>(i) + 0.5f);
  struct Case {
    UnaryRepeatParams p;
    std::uint64_t lanes;
  };
  for (const Case& c : {Case{UnaryRepeatParams(1, 1, 8, 4), 64}, Case{UnaryRepeatParams(1, 2, 10, 9), 37}}) {
    std::vector<std::int32_t> got;
    const std::string msg = vectest::run([&](vectest::Ub& ub) {
      LocalTensor<half> src = ub.alloc_from(x);
      LocalTensor<std::int32_t> dst = ub.alloc<std::int32_t>(1024);
      std::memset(dst.GetPhyAddr(), 0xFF, 1024 * 4);
      Cast(dst, src, RoundMode::CAST_FLOOR, c.lanes, 3, c.p);
      got = vectest::read(dst, 1024);
    });
    ASSERT_EQ(msg, "");
    std::vector<std::int32_t> want(1024, -1);
    for (std::size_t r = 0; r < 3; ++r)
      for (std::size_t j = 0; j < c.lanes; ++j) {
        const std::size_t s = r * c.p.srcRepStride * 16 + (j / 16) * c.p.srcBlkStride * 16 + j % 16;
        const std::size_t d = r * c.p.dstRepStride * 8 + (j / 8) * c.p.dstBlkStride * 8 + j % 8;
        want[d] = static_cast<std::int32_t>(std::floor(static_cast<float>(x[s])));
      }
    EXPECT_EQ(got, want);
  }
  // Bit mask, float -> half: only mask[0] counts (64 lanes of the wider type).
  std::vector<float> y(64, 3.0f);
  std::vector<half> h;
  const std::string msg = vectest::run([&](vectest::Ub& ub) {
    LocalTensor<float> src = ub.alloc_from(y);
    LocalTensor<half> dst = ub.alloc<half>(64);
    std::memset(static_cast<void*>(dst.GetPhyAddr()), 0, 128);
    const std::uint64_t mask[2] = {0x5ull, ~0ull};
    Cast(dst, src, RoundMode::CAST_RINT, mask, 1, UnaryRepeatParams(1, 1, 4, 8));
    h = vectest::read(dst, 64);
  });
  ASSERT_EQ(msg, "");
  for (int i = 0; i < 64; ++i) EXPECT_EQ(static_cast<float>(h[i]), i == 0 || i == 2 ? 3.0f : 0.0f) << i;
}

TEST(AscendcCast, WhatTheClassDoesNotHaveFailsWithTheList) {
  using vectest::expect_failure;
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<half> src = ub.alloc<half>(16);
        LocalTensor<bfloat16_t> dst = ub.alloc<bfloat16_t>(16);
        Cast(dst, src, RoundMode::CAST_RINT, 16);
      },
      {"Cast half -> bfloat16_t is not supported on the 910B class", "half->float", "int64_t->float"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(16);
        LocalTensor<std::int32_t> dst = ub.alloc<std::int32_t>(16);
        Cast(dst, src, RoundMode::CAST_NONE, 16);
      },
      {"Cast float -> int32_t", "CAST_NONE is not supported", "CAST_RINT, CAST_FLOOR, CAST_CEIL, CAST_ROUND, CAST_TRUNC"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<std::int32_t> src = ub.alloc<std::int32_t>(16);
        LocalTensor<half> dst = ub.alloc<half>(16);
        Cast(dst, src, RoundMode::CAST_NONE, 16);
      },
      {"int32_t -> half", "SetDeqScale"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<half> src = ub.alloc<half>(128);
        LocalTensor<float> dst = ub.alloc<float>(64);
        Cast(dst, src, RoundMode::CAST_NONE, 128);  // 512 bytes into a 256-byte buffer
      },
      {"Cast", "dst", "512 bytes", "(256 bytes)"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<half> src = ub.alloc<half>(256);
        LocalTensor<std::int32_t> dst = ub.alloc<std::int32_t>(128);
        Cast(dst, src, RoundMode::CAST_RINT, 64, 3, UnaryRepeatParams(1, 1, 8, 4));  // 3 * 64 results
      },
      {"Cast", "dst", "dstRepStride"});
  expect_failure(
      [](vectest::Ub& ub) {
        LocalTensor<float> src = ub.alloc<float>(64);
        LocalTensor<half> dst = ub.alloc<half>(128);
        Cast(dst[8], src, RoundMode::CAST_RINT, 16);
      },
      {"Cast", "dst", "not 32-byte aligned"});
}

}  // namespace
