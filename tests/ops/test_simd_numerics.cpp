// Contracts of the operators' SIMD numerics (src/ops/simd/), on every ISA this CPU runs:
// - f16 / bf16 -> f32 (HalfValue, BrainValue and their vector forms) on every 16-bit
//   pattern, against a decoder written here and vnpu/dtype.hpp's;
// - f32 -> f16 / bf16 (HalfBits, BrainBits, vector forms) on every rounding boundary
//   (each representable value, the midpoints between neighbours and the floats next to
//   them) and random patterns, against a round-to-nearest-even written here: ties to
//   even, overflow to inf, NaN stays NaN;
// - ExpNegV against exp_neg_f32, bit for bit; exp_f32, exp_f64 and log_f32 within their
//   ulp bounds, and their special values;
// - the two fold orders of fold-inl.hpp (halves, quartered pairs), scalar and vector,
//   against the orders written out here, on data where the order changes the bits;
// - softmax's plain twins (softmax_plain-inl.hpp) against its vector bodies on the same
//   rows, through probe_softmax.
// Built without contraction into fused multiply-adds, as the kernels are.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ops/simd/exp.hpp"
#include "ops/simd/log.hpp"
#include "ops/softmax_probe.hpp"
#include "vnpu/dtype.hpp"
#include "vnpu/platform.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ops/test_simd_numerics.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

// ---- references, written independently of src/ops/simd ----------------------------------
#ifndef VNPU_TEST_SIMD_NUMERICS_REFS_
#define VNPU_TEST_SIMD_NUMERICS_REFS_
namespace vnpu::ops::detail::simd_test {

// The value of an IEEE binary16 or bfloat16 pattern with `man` mantissa bits and exponent
// bias `bias`, as f32 bits: sign, then 0 / subnormal / normal / inf / NaN (payload moved
// to the top of the f32 mantissa).
inline std::uint32_t DecodeRef(std::uint16_t h, int man, int bias) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h >> 15) << 31;
  const int emax = (1 << (15 - man)) - 1;
  const int e = (h >> man) & emax;
  const std::uint32_t m = h & ((1u << man) - 1u);
  if (e == emax) return sign | 0x7F800000u | (m << (23 - man));
  const double v = e == 0 ? std::ldexp(static_cast<double>(m), 1 - bias - man)
                          : std::ldexp(static_cast<double>(m + (1u << man)), e - bias - man);
  return sign | std::bit_cast<std::uint32_t>(static_cast<float>(v));  // exact
}

// f32 -> a format with `man` mantissa bits, exponent bias `bias`, rounded to nearest with
// ties to even (std::nearbyint in the default rounding mode); overflow gives inf, NaN the
// quiet NaN with the input's sign and `nan_bits` (or, if keep_payload, the input's top
// payload bits with the quiet bit set).
inline std::uint16_t EncodeRef(float f, int man, int bias, bool keep_payload) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const int emax = (1 << (15 - man)) - 1;
  const auto inf = static_cast<std::uint16_t>(emax << man);
  if (std::isnan(f)) {
    if (keep_payload) return static_cast<std::uint16_t>((x >> 16) | (1u << (man - 1)));
    return static_cast<std::uint16_t>(sign | inf | (1u << (man - 1)));
  }
  const double a = std::fabs(static_cast<double>(f));
  if (std::isinf(a)) return static_cast<std::uint16_t>(sign | inf);
  if (a == 0.0) return sign;
  const int emin = 1 - bias;
  const int e = std::max(std::ilogb(a), emin);
  const double r = std::nearbyint(std::ldexp(a, man - e));  // the significand at quantum 2^(e - man)
  // ((e - emin) << man) + r: a normal significand r in [2^man, 2^(man+1)] carries into the
  // exponent field; at e == emin, r < 2^man is the subnormal encoding.
  const auto bits = static_cast<std::int64_t>(e - emin) * (std::int64_t{1} << man) + static_cast<std::int64_t>(r);
  if (bits >= inf) return static_cast<std::uint16_t>(sign | inf);
  return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(bits));
}

inline std::uint32_t F16ToF32Ref(std::uint16_t h) { return DecodeRef(h, 10, 15); }
inline std::uint32_t BF16ToF32Ref(std::uint16_t h) { return DecodeRef(h, 7, 127); }
inline std::uint16_t F32ToF16Ref(float f) { return EncodeRef(f, 10, 15, false); }
inline std::uint16_t F32ToBF16Ref(float f) { return EncodeRef(f, 7, 127, true); }

// Every rounding boundary of a 16-bit format (decode: its decoder to f32 bits): each
// value, the midpoints between neighbours, the floats next to both, and specials.
template <class Decode>
std::vector<float> BoundaryInputs(Decode decode, std::uint16_t max_finite) {
  std::vector<float> v;
  auto around = [&v](float f) {
    v.push_back(f);
    v.push_back(std::nextafter(f, std::numeric_limits<float>::infinity()));
    v.push_back(std::nextafter(f, -std::numeric_limits<float>::infinity()));
  };
  for (std::uint32_t h = 0; h <= max_finite; ++h) {
    const float lo = std::bit_cast<float>(decode(static_cast<std::uint16_t>(h)));
    const double hi = h == max_finite ? 2.0 * lo - static_cast<double>(std::bit_cast<float>(decode(static_cast<std::uint16_t>(h - 1))))
                                      : static_cast<double>(std::bit_cast<float>(decode(static_cast<std::uint16_t>(h + 1))));
    around(lo);
    around(static_cast<float>((static_cast<double>(lo) + hi) / 2.0));  // exact in f32
  }
  const std::size_t n = v.size();
  for (std::size_t i = 0; i < n; ++i) v.push_back(-v[i]);
  for (float f : {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                  std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                  std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::min()})
    v.push_back(f);
  for (std::uint32_t bits : {0x7FC00000u, 0xFFC00000u, 0x7F800001u, 0xFF812345u, 0x7FFFFFFFu, 0x7FA0FFFFu})
    v.push_back(std::bit_cast<float>(bits));
  std::mt19937 rng(12345);
  for (int i = 0; i < (1 << 20); ++i) v.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(rng())));
  while (v.size() % 16 != 0) v.push_back(0.0f);  // whole vectors
  return v;
}

// The halves order of fold-inl.hpp written out: a[i] += a[i + w], w = L/2, ..., 1.
inline float HalvesRef(std::vector<float> a) {
  for (std::size_t w = a.size() / 2; w >= 1; w /= 2)
    for (std::size_t i = 0; i < w; ++i) a[i] = a[i] + a[i + w];
  return a[0];
}

// The quartered-pairs order written out: 64 -> 16 as (a[l] + a[16+l]) + (a[32+l] + a[48+l]),
// then adjacent pairs.
inline float PairsRef(const std::vector<float>& acc) {
  std::vector<float> a(16);
  for (std::size_t l = 0; l < 16; ++l) a[l] = (acc[l] + acc[16 + l]) + (acc[32 + l] + acc[48 + l]);
  for (std::size_t w = 16; w > 1; w /= 2)
    for (std::size_t i = 0; i < w / 2; ++i) a[i] = a[2 * i] + a[2 * i + 1];
  return a[0];
}

// Lane values whose sum depends on the order of the additions: magnitudes spread over
// 2^-20 .. 2^20, random signs.
inline std::vector<float> SpreadLanes(std::mt19937& rng, std::size_t n) {
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  std::uniform_int_distribution<int> ex(-20, 20), sg(0, 1);
  std::vector<float> v(n);
  for (float& x : v) x = std::ldexp(mant(rng), ex(rng)) * (sg(rng) != 0 ? -1.0f : 1.0f);
  return v;
}

inline std::string Hex(std::uint32_t bits) {
  std::ostringstream s;
  s << "0x" << std::hex << bits;
  return s.str();
}

}  // namespace vnpu::ops::detail::simd_test
#endif  // VNPU_TEST_SIMD_NUMERICS_REFS_

// ---- per-target checks: "" when the target meets the contract, else the first failure --
HWY_BEFORE_NAMESPACE();
namespace vnpu::ops::detail::simd_test::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#include "ops/simd/convert-inl.hpp"
#include "ops/simd/exp-inl.hpp"
#include "ops/simd/fold-inl.hpp"

using D = hn::CappedTag<float, 16>;

// Every f16 and bf16 pattern through HalfValue, BrainValue and their vector forms.
std::string CheckWiden() {
  const D d;
  const hn::Rebind<std::uint16_t, D> d16;
  const hn::RebindToUnsigned<D> du;
  constexpr std::size_t N = hn::MaxLanes(D());
  alignas(64) std::uint16_t h[N];
  alignas(64) float out[4][N];
  for (std::uint32_t base = 0; base < 0x10000u; base += N) {
    for (std::size_t i = 0; i < N; ++i) h[i] = static_cast<std::uint16_t>(base + i);
    hn::Store(HalfValueV(d, h), d, out[0]);
    hn::Store(HalfValueV(d, hn::PromoteTo(du, hn::Load(d16, h))), d, out[1]);
    hn::Store(BrainValueV(d, h), d, out[2]);
    hn::Store(BrainValueV(d, hn::PromoteTo(du, hn::Load(d16, h))), d, out[3]);
    for (std::size_t i = 0; i < N; ++i) {
      const std::uint32_t f16 = F16ToF32Ref(h[i]), bf16 = BF16ToF32Ref(h[i]);
      // The documented exception: F16C (HalfValueV from memory, x86 from AVX2 up) quiets
      // signalling NaNs; everything else the same bits.
      std::uint32_t f16_mem = f16;
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
      if ((f16 & 0x7FFFFFFFu) > 0x7F800000u) f16_mem |= 0x00400000u;
#endif
      const std::uint32_t got[] = {std::bit_cast<std::uint32_t>(HalfValue(h[i])),
                                   std::bit_cast<std::uint32_t>(f16_to_f32(h[i])),
                                   std::bit_cast<std::uint32_t>(out[0][i]),
                                   std::bit_cast<std::uint32_t>(out[1][i]),
                                   std::bit_cast<std::uint32_t>(BrainValue(h[i])),
                                   std::bit_cast<std::uint32_t>(bf16_to_f32(h[i])),
                                   std::bit_cast<std::uint32_t>(out[2][i]),
                                   std::bit_cast<std::uint32_t>(out[3][i])};
      for (int k = 0; k < 8; ++k) {
        const std::uint32_t want = k == 2 ? f16_mem : k < 4 ? f16 : bf16;
        if (got[k] != want)
          return "pattern " + Hex(h[i]) + " form " + std::to_string(k) + ": " + Hex(got[k]) + ", want " + Hex(want);
      }
    }
  }
  return "";
}

// f32 -> f16 (kBF16 false) or bf16 through the scalar and vector forms.
template <bool kBF16>
std::string CheckNarrow(const std::vector<float>& in) {
  const D d;
  const hn::Rebind<std::uint16_t, D> d16;
  constexpr std::size_t N = hn::MaxLanes(D());
  alignas(64) std::uint16_t v[N];
  for (std::size_t base = 0; base < in.size(); base += N) {
    const auto x = hn::LoadU(d, in.data() + base);
    hn::Store(kBF16 ? BrainBitsV(d, x) : HalfBitsV(d, x), d16, v);
    for (std::size_t i = 0; i < N; ++i) {
      const float f = in[base + i];
      const std::uint16_t want = kBF16 ? F32ToBF16Ref(f) : F32ToF16Ref(f);
      const std::uint16_t got[] = {kBF16 ? BrainBits(f) : HalfBits(f), kBF16 ? f32_to_bf16(f) : f32_to_f16(f), v[i]};
      for (int k = 0; k < 3; ++k)
        if (got[k] != want)
          return Hex(std::bit_cast<std::uint32_t>(f)) + " form " + std::to_string(k) + ": " + Hex(got[k]) +
                 ", want " + Hex(want);
    }
  }
  return "";
}
std::string CheckNarrowF16(const std::vector<float>& in) { return CheckNarrow<false>(in); }
std::string CheckNarrowBF16(const std::vector<float>& in) { return CheckNarrow<true>(in); }

// ExpNegV against exp_neg_f32 on every 61st float of [-inf, 0] (and the special ones).
std::string CheckExpNeg() {
#if HWY_HAVE_SCALABLE
  return "";  // ExpNegV is for fixed-width vectors
#else
  const D d;
  constexpr std::size_t N = hn::MaxLanes(D());
  alignas(64) float x[N], y[N];
  std::size_t k = 0;
  auto flush = [&]() -> std::string {
    hn::Store(ExpNegV(d, hn::Load(d, x)), d, y);
    for (std::size_t i = 0; i < k; ++i)
      if (std::bit_cast<std::uint32_t>(y[i]) != std::bit_cast<std::uint32_t>(exp_neg_f32(x[i])))
        return "x = " + Hex(std::bit_cast<std::uint32_t>(x[i])) + ": " + Hex(std::bit_cast<std::uint32_t>(y[i])) +
               ", want " + Hex(std::bit_cast<std::uint32_t>(exp_neg_f32(x[i])));
    k = 0;
    return "";
  };
  auto add = [&](float f) -> std::string {
    x[k++] = f;
    return k == N ? flush() : std::string();
  };
  for (float f : {0.0f, -0.0f, -std::numeric_limits<float>::infinity(), kExpNegLo, std::nextafter(kExpNegLo, 0.0f),
                  std::nextafter(kExpNegLo, -1.0f)}) {
    const std::string e = add(f);
    if (!e.empty()) return e;
  }
  for (std::uint32_t bits = 0x80000000u; bits <= 0xFF800000u - 61; bits += 61) {
    const std::string e = add(std::bit_cast<float>(bits));
    if (!e.empty()) return e;
  }
  for (std::size_t i = k; i < N; ++i) x[i] = 0.0f;
  return flush();
#endif
}

// Both fold orders, scalar and vector, against the orders written out above.
std::string CheckFolds() {
#if HWY_HAVE_SCALABLE
  return "";  // the vector folds are for fixed-width vectors
#else
  const D d;
  constexpr std::size_t N = hn::MaxLanes(D());
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    const std::vector<float> a64 = SpreadLanes(rng, 64);
    std::vector<float> a32(a64.begin(), a64.begin() + 32);
    const float halves = HalvesRef(a64), pairs = PairsRef(a64);
    std::vector<float> t64 = a64, t32 = a32;
    hn::Vec<D> v[64 / N];
    for (std::size_t j = 0; j < 64 / N; ++j) v[j] = hn::LoadU(d, a64.data() + j * N);
    const float got_halves_v = FoldHalvesV<static_cast<int>(64 / N)>(d, v, [](auto p, auto q) { return hn::Add(p, q); });
    const float got[] = {FoldHalvesAdd<64>(t64.data()), got_halves_v, FoldHalvesAdd<32>(t32.data()),
                         FoldPairsAdd<64>(a64.data()),
                         FoldPairs<64>(a64.data(), [](float p, float q) { return p + q; })};
    const float want[] = {halves, halves, HalvesRef(a32), pairs, pairs};
    for (int k = 0; k < 5; ++k)
      if (std::bit_cast<std::uint32_t>(got[k]) != std::bit_cast<std::uint32_t>(want[k]))
        return "trial " + std::to_string(trial) + " fold " + std::to_string(k) + ": " +
               Hex(std::bit_cast<std::uint32_t>(got[k])) + ", want " + Hex(std::bit_cast<std::uint32_t>(want[k]));
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
    const hn::CappedTag<float, 8> d8;
    constexpr std::size_t N8 = hn::MaxLanes(d8);
    hn::Vec<decltype(d8)> w[64 / N8];
    for (std::size_t j = 0; j < 64 / N8; ++j) w[j] = hn::LoadU(d8, a64.data() + j * N8);
    const float got_pairs_v = FoldPairsAddV(d8, w);
    if (std::bit_cast<std::uint32_t>(got_pairs_v) != std::bit_cast<std::uint32_t>(pairs))
      return "trial " + std::to_string(trial) + " FoldPairsAddV: " + Hex(std::bit_cast<std::uint32_t>(got_pairs_v)) +
             ", want " + Hex(std::bit_cast<std::uint32_t>(pairs));
#endif
  }
  return "";
#endif
}

}  // namespace vnpu::ops::detail::simd_test::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vnpu::ops::detail::simd_test {
namespace {

HWY_EXPORT(CheckWiden);
HWY_EXPORT(CheckNarrowF16);
HWY_EXPORT(CheckNarrowBF16);
HWY_EXPORT(CheckExpNeg);
HWY_EXPORT(CheckFolds);

// Runs check() under every ISA this CPU runs (vnpu::set_isa also picks the target of the
// dispatch tables here); the failures, prefixed by their ISA.
template <class Check>
std::string OnEveryIsa(Check check) {
  std::string failures;
  for (const std::string& isa : available_isas()) {
    EXPECT_EQ(set_isa(isa), Status::kSuccess) << isa;
    const std::string f = check();
    if (!f.empty()) failures += isa + ": " + f + "\n";
  }
  EXPECT_EQ(set_isa("native"), Status::kSuccess);
  return failures;
}

TEST(SimdNumerics, EveryF16AndBF16PatternWidensExactly) {
  EXPECT_EQ(OnEveryIsa([] { return HWY_DYNAMIC_DISPATCH(CheckWiden)(); }), "");
}

TEST(SimdNumerics, F32ToF16RoundsToNearestEven) {
  const std::vector<float> in = BoundaryInputs(F16ToF32Ref, 0x7BFF);
  EXPECT_EQ(OnEveryIsa([&] { return HWY_DYNAMIC_DISPATCH(CheckNarrowF16)(in); }), "");
}

TEST(SimdNumerics, F32ToBF16RoundsToNearestEven) {
  const std::vector<float> in = BoundaryInputs(BF16ToF32Ref, 0x7F7F);
  EXPECT_EQ(OnEveryIsa([&] { return HWY_DYNAMIC_DISPATCH(CheckNarrowBF16)(in); }), "");
}

// The references themselves on hand-picked cases (so that a wrong reference cannot agree
// with a wrong kernel unnoticed).
TEST(SimdNumerics, ReferenceConversionsOnKnownValues) {
  EXPECT_EQ(F32ToF16Ref(1.0f), 0x3C00);
  EXPECT_EQ(F32ToF16Ref(65504.0f), 0x7BFF);
  EXPECT_EQ(F32ToF16Ref(65519.996f), 0x7BFF);             // below the midpoint to 2^16
  EXPECT_EQ(F32ToF16Ref(65520.0f), 0x7C00);               // the midpoint: ties to even = inf
  EXPECT_EQ(F32ToF16Ref(1.0f + 0x1p-11f), 0x3C00);        // tie: to the even 1.0
  EXPECT_EQ(F32ToF16Ref(1.0f + 3 * 0x1p-11f), 0x3C02);    // tie: to the even 1 + 2^-9
  EXPECT_EQ(F32ToF16Ref(0x1p-24f), 0x0001);               // the smallest subnormal
  EXPECT_EQ(F32ToF16Ref(0x1p-25f), 0x0000);               // tie to even: 0
  EXPECT_EQ(F32ToF16Ref(-0x1.8p-25f), 0x8001);            // above the tie
  EXPECT_EQ(F32ToF16Ref(std::bit_cast<float>(0xFF812345u)), 0xFE00);  // NaN: quiet, sign kept
  EXPECT_EQ(F32ToBF16Ref(1.0f + 0x1p-8f), 0x3F80);        // tie: to the even 1.0
  EXPECT_EQ(F32ToBF16Ref(1.0f + 3 * 0x1p-8f), 0x3F82);
  EXPECT_EQ(F32ToBF16Ref(std::numeric_limits<float>::max()), 0x7F80);  // rounds up to inf
  EXPECT_EQ(F32ToBF16Ref(std::bit_cast<float>(0x7F800001u)), 0x7FC0);  // signalling NaN made quiet
  EXPECT_EQ(F16ToF32Ref(0x0001), std::bit_cast<std::uint32_t>(0x1p-24f));
  EXPECT_EQ(F16ToF32Ref(0xFC00), std::bit_cast<std::uint32_t>(-std::numeric_limits<float>::infinity()));
  EXPECT_EQ(F16ToF32Ref(0x7C01), 0x7F802000u);  // signalling NaN, payload kept
}

TEST(SimdNumerics, VectorExpNegIsExpNegF32BitForBit) {
  EXPECT_EQ(OnEveryIsa([] { return HWY_DYNAMIC_DISPATCH(CheckExpNeg)(); }), "");
}

TEST(SimdNumerics, FoldsKeepTheirDocumentedOrder) {
  EXPECT_EQ(OnEveryIsa([] { return HWY_DYNAMIC_DISPATCH(CheckFolds)(); }), "");
  // The data do tell the orders apart: the two orders, and a plain left-to-right sum,
  // differ on some of them (else the test above could not see an order change).
  std::mt19937 rng(7);
  int halves_vs_pairs = 0, halves_vs_linear = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const std::vector<float> a = SpreadLanes(rng, 64);
    float linear = 0.0f;
    for (float x : a) linear += x;
    halves_vs_pairs += HalvesRef(a) != PairsRef(a) ? 1 : 0;
    halves_vs_linear += HalvesRef(a) != linear ? 1 : 0;
  }
  EXPECT_GT(halves_vs_pairs, 20);
  EXPECT_GT(halves_vs_linear, 20);
}

// ---- the scalar exp and log against long double -----------------------------------------

// |got - want| in ulp of want (as a float or double: T), want computed in long double.
template <class T>
double UlpError(T got, long double want) {
  const T w = static_cast<T>(want);
  const long double ulp = std::nextafter(std::fabs(w), std::numeric_limits<T>::infinity()) - std::fabs(w);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

TEST(SimdNumerics, ExpAndLogWithinTheirDocumentedBounds) {
  double exp32 = 0.0, exp64 = 0.0, log32 = 0.0;
  // exp_f32 on every 97th float with a normal result, both signs.
  for (std::uint32_t bits = 0; bits < 0x42B10000u; bits += 97)
    for (float x : {std::bit_cast<float>(bits), -std::bit_cast<float>(bits)})
      if (x >= -87.3365479f && x <= 88.3762626f) exp32 = std::max(exp32, UlpError(exp_f32(x), std::exp(static_cast<long double>(x))));
  // log_f32 on every 97th positive float, subnormals included.
  for (std::uint32_t bits = 1; bits < 0x7F800000u; bits += 97) {
    const float x = std::bit_cast<float>(bits);
    log32 = std::max(log32, UlpError(log_f32(x), std::log(static_cast<long double>(x))));
  }
  // exp_f64 on 2^20 random arguments with a normal result.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> arg(-708.39, 709.78);
  for (int i = 0; i < (1 << 20); ++i) {
    const double x = arg(rng);
    exp64 = std::max(exp64, UlpError(exp_f64(x), std::exp(static_cast<long double>(x))));
  }
  EXPECT_LE(exp32, 1.0);
  EXPECT_LE(log32, 1.0);
  EXPECT_LE(exp64, 2.0);
  // The special values of the contracts.
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(exp_f32(-inf), 0.0f);
  EXPECT_EQ(exp_f32(-87.34f), 0.0f);
  EXPECT_EQ(exp_f32(88.38f), inf);
  EXPECT_EQ(std::bit_cast<std::uint32_t>(exp_f32(std::bit_cast<float>(0x7FC01234u))), 0x7FC01234u);
  EXPECT_EQ(exp_f64(-800.0), 0.0);
  EXPECT_EQ(exp_f64(710.0), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(exp_f64(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(log_f32(0.0f), -inf);
  EXPECT_EQ(log_f32(-0.0f), -inf);
  EXPECT_EQ(log_f32(inf), inf);
  EXPECT_TRUE(std::isnan(log_f32(-1.0f)));
  EXPECT_TRUE(std::isnan(log_f32(-inf)));
  EXPECT_EQ(std::bit_cast<std::uint32_t>(log_f32(std::bit_cast<float>(0x7FC01234u))), 0x7FC01234u);
  EXPECT_TRUE(std::isnan(log_f32(nan)));
}

// ---- softmax's plain twins against its vector bodies --------------------------------------

bool SameBits(const std::vector<float>& a, const std::vector<float>& b, std::string* where) {
  if (a.size() != b.size()) {
    *where = "size";
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i])) {
      *where = "element " + std::to_string(i) + ": " + Hex(std::bit_cast<std::uint32_t>(a[i])) + " vs " +
               Hex(std::bit_cast<std::uint32_t>(b[i]));
      return false;
    }
  return true;
}

// The same value: equal, or both NaN (the maxima's NaN payloads may differ).
bool SameValue(float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }

TEST(SimdNumerics, SoftmaxPlainTwinsMatchTheVectorBodies) {
  std::mt19937 rng(99);
  std::normal_distribution<float> normal(0.0f, 6.0f);
  int compared = 0;
  for (const std::string& isa : available_isas()) {
    ASSERT_EQ(set_isa(isa), Status::kSuccess) << isa;
    for (std::int64_t w : {1, 5, 16, 37}) {
      for (std::int64_t rows : {1, 3, 13, 40}) {
        const std::int64_t n = w * rows;
        std::vector<float> x(static_cast<std::size_t>(n));
        for (float& v : x) v = normal(rng);
        if (n > 4) x[3] = -std::numeric_limits<float>::infinity();  // exp(-inf) = 0
        if (n > 9) x[9] = x[2];                                     // ties
        SoftmaxProbe plain, vec;
        ASSERT_TRUE(probe_softmax(true, x.data(), n, 0.37f, 1.25f, w, &plain));
        if (!probe_softmax(false, x.data(), n, 0.37f, 1.25f, w, &vec)) continue;  // no vector bodies
        ++compared;
        const std::string at = isa + ", " + std::to_string(rows) + " x " + std::to_string(w) + ": ";
        EXPECT_TRUE(SameValue(plain.max, vec.max)) << at << plain.max << " vs " << vec.max;
        EXPECT_TRUE(SameValue(plain.max_plain, vec.max_plain)) << at;
        EXPECT_EQ(std::bit_cast<std::uint32_t>(plain.sum), std::bit_cast<std::uint32_t>(vec.sum)) << at << "ExpSum";
        EXPECT_EQ(std::bit_cast<std::uint32_t>(plain.sum_below), std::bit_cast<std::uint32_t>(vec.sum_below))
            << at << "ExpSum below max";
        std::string where;
        using Floats = std::vector<float> SoftmaxProbe::*;
        const std::pair<const char*, Floats> arrays[] = {
            {"exps", &SoftmaxProbe::exps},          {"scaled", &SoftmaxProbe::scaled},
            {"exp_scaled", &SoftmaxProbe::exp_scaled}, {"shifted", &SoftmaxProbe::shifted},
            {"from_f16", &SoftmaxProbe::from_f16},  {"from_bf16", &SoftmaxProbe::from_bf16},
            {"col_max", &SoftmaxProbe::col_max},    {"col_sum", &SoftmaxProbe::col_sum},
            {"col_exps", &SoftmaxProbe::col_exps},  {"col_scaled", &SoftmaxProbe::col_scaled},
            {"col_exp_scaled", &SoftmaxProbe::col_exp_scaled}, {"col_shifted", &SoftmaxProbe::col_shifted}};
        for (const auto& [name, member] : arrays)
          EXPECT_TRUE(SameBits(plain.*member, vec.*member, &where)) << at << name << " " << where;
        EXPECT_EQ(plain.f16, vec.f16) << at;
        EXPECT_EQ(plain.bf16, vec.bf16) << at;
      }
    }
    // A NaN shows in both maxima.
    std::vector<float> x(100, 1.0f);
    x[70] = std::numeric_limits<float>::quiet_NaN();
    SoftmaxProbe plain, vec;
    ASSERT_TRUE(probe_softmax(true, x.data(), 100, 1.0f, 1.0f, 10, &plain));
    if (probe_softmax(false, x.data(), 100, 1.0f, 1.0f, 10, &vec)) {
      EXPECT_TRUE(std::isnan(plain.max));
      EXPECT_TRUE(std::isnan(vec.max)) << isa;
    }
  }
  ASSERT_EQ(set_isa("native"), Status::kSuccess);
#if HWY_ARCH_X86
  EXPECT_GT(compared, 0) << "x86 has vector bodies: the twins must have been compared";
#endif
}

}  // namespace
}  // namespace vnpu::ops::detail::simd_test
#endif  // HWY_ONCE
