// SIMD kernels of the reductions, compiled once per Highway target (foreach_target) and
// picked at run time: the pairwise-tree sums of repeats, and the first extreme of a run.
//
// Repeat sums map the tree onto vector lanes. One step, PairSum(lo, hi), adds the even and
// the odd lanes of the concatenation [lo, hi]: the pair sums of 2N consecutive values, in
// order, as N lanes. A group of N repeats (N = lanes of a vector) is L / N vectors per
// repeat (L = 64 f32 or 128 f16 lanes), L vectors in all; a binary tree of PairSums over
// them, log2(L) levels deep, first reduces each repeat to one vector of partial sums (the
// first levels of its tree), then merges neighbouring repeats' vectors, whose segments stay
// aligned, until one vector holds the N repeats' sums in order. Every value is a node of
// each repeat's own pairwise tree, so the bits do not depend on N: every target, and the
// scalar code, computes the same.
#include "ascendc/vec_reduce_kernels.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "ascendc/vec_numeric.hpp"
#include "platform/isa.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ascendc/vec_reduce_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace vnpu::ascendc::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

#include "ops/simd/convert-inl.hpp"

constexpr std::uint16_t kHalfNegZero = 0x8000;

// Repeat r's lanes as L contiguous values, disabled lanes -0 (x + -0 == x for every x, so
// they take no part in a sum).
template <typename Bits>
void Stage(const LaneWalk& w, std::uint32_t r, Bits* lanes) {
  const RepeatMask& m = w.lanes_of(r);
  const Bits neg_zero = static_cast<Bits>(sizeof(Bits) == 2 ? kHalfNegZero : 0x80000000u);
  for (std::uint32_t j = 0; j < w.lanes; ++j) {
    if (m.test(j)) std::memcpy(&lanes[j], w.at(r, j), sizeof(Bits));
    else lanes[j] = neg_zero;
  }
}

#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE

using DF = hn::ScalableTag<float>;

// A half sum held as f32, rounded to half precision (to nearest even) and saturated:
// the vector form of num::add_half's last steps. |s| >= 2^-14 rounds its significand to
// 11 bits in the integer domain; smaller values round to a multiple of 2^-24, the ulp of
// 0.5f. A finite result beyond ±65504 (only a sum of finite halves gets there) saturates;
// inf stays, and a NaN (quiet, as every sum makes it) keeps its quiet bit.
HWY_INLINE hn::Vec<DF> HalfRound(DF d, hn::Vec<DF> s) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
  // F16C: the conversions round to nearest even (the default MXCSR mode), an overflow
  // becoming inf. s is a sum of halves: never an f32 subnormal, which DAZ would flush.
  const hn::Rebind<hwy::float16_t, DF> df16;
  const auto r = hn::PromoteTo(d, hn::DemoteTo(df16, s));
  const auto clamped = hn::Min(hn::Max(r, hn::Set(d, -num::kHalfMax)), hn::Set(d, num::kHalfMax));
  return hn::IfThenElse(hn::IsFinite(s), clamped, r);
#else
  const hn::RebindToUnsigned<DF> du;
  const auto u = hn::BitCast(du, s);
  const auto sign = hn::And(u, hn::Set(du, 0x80000000u));
  const auto au = hn::Xor(u, sign);
  const auto a = hn::BitCast(d, au);
  const auto odd = hn::And(hn::ShiftRight<13>(au), hn::Set(du, 1u));
  const auto normal = hn::And(hn::Add(hn::Add(au, hn::Set(du, 0xFFFu)), odd), hn::Set(du, ~0x1FFFu));
  const auto sub = hn::BitCast(du, hn::Sub(hn::Add(a, hn::Set(d, 0.5f)), hn::Set(d, 0.5f)));
  const auto tiny = hn::RebindMask(du, hn::Lt(a, hn::Set(d, 0x1p-14f)));
  const auto r = hn::BitCast(d, hn::Or(hn::IfThenElse(tiny, sub, normal), sign));
  const auto clamped = hn::Min(hn::Max(r, hn::Set(d, -num::kHalfMax)), hn::Set(d, num::kHalfMax));
  return hn::IfThenElse(hn::IsFinite(r), clamped, r);
#endif
}

template <bool kHalf>
HWY_INLINE hn::Vec<DF> PairSum(DF d, hn::Vec<DF> lo, hn::Vec<DF> hi) {
  const auto s = hn::Add(hn::ConcatEven(d, hi, lo), hn::ConcatOdd(d, hi, lo));
  if constexpr (kHalf) return HalfRound(d, s);
  return s;
}

// The leaves of a group's tree: repeat g's lanes at ptr[g] (null for a repeat past the
// end of the range: all -0).
template <bool kHalf>
struct Leaves {
  static constexpr std::size_t kN = hn::MaxLanes(DF());
  static constexpr std::size_t kPerRepeat = (kHalf ? 128 : 64) / kN;
  const void* ptr[kN];

  HWY_INLINE hn::Vec<DF> Get(DF d, std::size_t i) const {
    const void* p = ptr[i / kPerRepeat];
    if (p == nullptr) return hn::Set(d, -0.0f);
    const std::size_t lane = (i % kPerRepeat) * kN;
    if constexpr (kHalf) return HalfValueV(d, static_cast<const std::uint16_t*>(p) + lane);
    else return hn::LoadU(d, static_cast<const float*>(p) + lane);
  }
};

template <int kLevel, bool kHalf>
HWY_INLINE hn::Vec<DF> Tree(DF d, const Leaves<kHalf>& leaves, std::size_t first) {
  if constexpr (kLevel == 0) {
    return leaves.Get(d, first);
  } else {
    const auto lo = Tree<kLevel - 1, kHalf>(d, leaves, first);
    const auto hi = Tree<kLevel - 1, kHalf>(d, leaves, first + (std::size_t{1} << (kLevel - 1)));
    return PairSum<kHalf>(d, lo, hi);
  }
}

template <bool kHalf>
void RepeatSumsT(const LaneWalk& w, std::uint32_t r0, std::uint32_t r1, float* out) {
  using Bits = std::conditional_t<kHalf, std::uint16_t, std::uint32_t>;
  constexpr int kLevels = kHalf ? 7 : 6;  // log2 of the lanes of a repeat
  constexpr std::size_t kN = Leaves<kHalf>::kN;
  static_assert(kN >= 2 && kN <= 64 && (kN & (kN - 1)) == 0, "the tree needs 2 .. 64 lanes, a power of two");
  const DF d;
  alignas(64) Bits stage[kN][kHalf ? 128 : 64];
  alignas(64) float sums[kN];
  for (std::uint32_t r = r0; r < r1; r += kN) {
    const std::uint32_t g_end = static_cast<std::uint32_t>(std::min<std::uint64_t>(kN, r1 - r));
    Leaves<kHalf> leaves;
    for (std::size_t g = 0; g < kN; ++g) {
      if (g >= g_end) {
        leaves.ptr[g] = nullptr;
      } else if (w.plain(r + static_cast<std::uint32_t>(g))) {
        leaves.ptr[g] = w.at(r + g, 0);
      } else {
        Stage(w, r + static_cast<std::uint32_t>(g), stage[g]);
        leaves.ptr[g] = stage[g];
      }
    }
    const auto v = Tree<kLevels, kHalf>(d, leaves, 0);
    if (g_end == kN) {
      hn::StoreU(v, d, out + (r - r0));
    } else {
      hn::Store(v, d, sums);
      std::copy_n(sums, g_end, out + (r - r0));
    }
  }
}

// The extreme of n values: one pass for the maximum (minimum) and whether a NaN occurs;
// a second pass finds the first element equal to it (or the first NaN) when the index is
// wanted, or the bits are ambiguous (±0, NaN payloads).
template <bool kHalf>
Extreme ExtremeT(const void* src, std::uint64_t n, bool is_max, bool want_index) {
  using Bits = std::conditional_t<kHalf, std::uint16_t, std::uint32_t>;
  const DF d;
  constexpr std::size_t kN = hn::MaxLanes(DF());
  const auto* p = static_cast<const Bits*>(src);
  const auto load = [&](const Bits* q) {
    if constexpr (kHalf) return HalfValueV(d, q);
    else return hn::LoadU(d, reinterpret_cast<const float*>(q));
  };
  const float neutral = is_max ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  auto acc = hn::Set(d, neutral);
  auto nan = hn::Zero(d);
  std::uint64_t i = 0;
  for (; i + kN <= n; i += kN) {
    const auto v = load(p + i);
    acc = is_max ? hn::Max(acc, v) : hn::Min(acc, v);
    nan = hn::Or(nan, hn::VecFromMask(d, hn::IsNaN(v)));
  }
  alignas(64) Bits tail[kN];
  const Bits neutral_bits =
      kHalf ? static_cast<Bits>(is_max ? 0xFC00u : 0x7C00u) : static_cast<Bits>(std::bit_cast<std::uint32_t>(neutral));
  if (i < n) {
    std::fill_n(tail, kN, neutral_bits);
    std::memcpy(tail, p + i, (n - i) * sizeof(Bits));
    const auto v = load(tail);
    acc = is_max ? hn::Max(acc, v) : hn::Min(acc, v);
    nan = hn::Or(nan, hn::VecFromMask(d, hn::IsNaN(v)));
  }
  const bool any_nan = !hn::AllFalse(d, hn::MaskFromVec(nan));
  const float m = hn::GetLane(is_max ? hn::MaxOfLanes(d, acc) : hn::MinOfLanes(d, acc));
  Extreme e;
  if (!want_index && !any_nan && m != 0.0f) {
    e.bits = kHalf ? vnpu::f32_to_f16(m) : std::bit_cast<std::uint32_t>(m);  // exact: m is an element
    return e;
  }
  const auto target = hn::Set(d, m);
  const auto hit = [&](hn::Vec<DF> v) { return any_nan ? hn::IsNaN(v) : hn::Eq(v, target); };
  std::uint64_t at = n;
  for (i = 0; i + kN <= n; i += kN) {
    const intptr_t k = hn::FindFirstTrue(d, hit(load(p + i)));
    if (k >= 0) {
      at = i + static_cast<std::uint64_t>(k);
      break;
    }
  }
  if (at == n && i < n) at = i + static_cast<std::uint64_t>(hn::FindFirstTrue(d, hit(load(tail))));
  e.bits = p[at];
  e.index = at;
  return e;
}

#else  // one lane at a time (the scalar target, and scalable vectors): the definitions

template <bool kHalf>
void RepeatSumsT(const LaneWalk& w, std::uint32_t r0, std::uint32_t r1, float* out) {
  using Bits = std::conditional_t<kHalf, std::uint16_t, std::uint32_t>;
  Bits bits[128];
  float lanes[128];
  for (std::uint32_t r = r0; r < r1; ++r) {
    Stage(w, r, bits);
    for (std::uint32_t j = 0; j < w.lanes; ++j)
      lanes[j] = kHalf ? vnpu::f16_to_f32(static_cast<std::uint16_t>(bits[j])) : std::bit_cast<float>(
                                                                                   static_cast<std::uint32_t>(bits[j]));
    out[r - r0] = num::tree_sum<kHalf>(lanes, w.lanes);
  }
}

template <bool kHalf>
Extreme ExtremeT(const void* src, std::uint64_t n, bool is_max, bool /* want_index */) {
  using Bits = std::conditional_t<kHalf, std::uint16_t, std::uint32_t>;
  const auto* p = static_cast<const Bits*>(src);
  const auto value = [&](std::uint64_t i) {
    if constexpr (kHalf) return vnpu::f16_to_f32(p[i]);
    else return std::bit_cast<float>(p[i]);
  };
  std::uint64_t best = 0;
  for (std::uint64_t i = 1; i < n; ++i)
    if (num::beats(value(i), value(best), is_max)) best = i;
  return Extreme{p[best], best};
}

#endif

}  // namespace

void RepeatSums(const LaneWalk& w, bool half, std::uint32_t r0, std::uint32_t r1, float* out) {
  if (half) RepeatSumsT<true>(w, r0, r1, out);
  else RepeatSumsT<false>(w, r0, r1, out);
}

Extreme ExtremeCount(const void* src, bool half, std::uint64_t n, bool is_max, bool want_index) {
  return half ? ExtremeT<true>(src, n, is_max, want_index) : ExtremeT<false>(src, n, is_max, want_index);
}

}  // namespace vnpu::ascendc::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vnpu::ascendc {

HWY_EXPORT(RepeatSums);
HWY_EXPORT(ExtremeCount);

void repeat_sums(const LaneWalk& w, bool half, std::uint32_t r0, std::uint32_t r1, float* out) {
  vnpu::detail::apply_isa_env();
  HWY_DYNAMIC_DISPATCH(RepeatSums)(w, half, r0, r1, out);
}

Extreme extreme_count(const void* src, bool half, std::uint64_t n, bool is_max, bool want_index) {
  vnpu::detail::apply_isa_env();
  return HWY_DYNAMIC_DISPATCH(ExtremeCount)(src, half, n, is_max, want_index);
}

}  // namespace vnpu::ascendc
#endif
