// SIMD kernels of Cast for runs of half <-> float, compiled once per Highway target and
// picked at run time. Both give the bits of the one-element conversions in vec_cast.cpp:
// half -> float is exact (a NaN made quiet); float -> half rounds to nearest even, a
// finite value beyond ±65504 saturating there (clamping first rounds the same: 65504 is
// a half), inf and NaN staying inf and (quiet) NaN.
#include <algorithm>
#include <bit>
#include <cmath>

#include "ascendc/vec_cast_kernels.hpp"
#include "platform/isa.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ascendc/vec_cast_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace vnpu::ascendc::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
namespace {

#include "ops/simd/convert-inl.hpp"

float SaturateHalf(float x) { return std::isfinite(x) ? std::clamp(x, -65504.0f, 65504.0f) : x; }

}  // namespace

// A NaN comes out quiet (its payload kept), as F16C makes it: the same bits everywhere.
void CastF16ToF32(const std::uint16_t* HWY_RESTRICT src, float* HWY_RESTRICT dst, std::uint64_t n) {
  std::uint64_t i = 0;
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
  const hn::ScalableTag<float> d;
  const hn::RebindToUnsigned<decltype(d)> du;
  constexpr std::size_t kN = hn::MaxLanes(d);
  for (; i + kN <= n; i += kN) {
    const auto v = HalfValueV(d, src + i);
    const auto quiet = hn::BitCast(d, hn::Or(hn::BitCast(du, v), hn::Set(du, 0x00400000u)));
    hn::StoreU(hn::IfThenElse(hn::IsNaN(v), quiet, v), d, dst + i);
  }
#endif
  for (; i < n; ++i) {
    const float v = HalfValue(src[i]);
    dst[i] = v != v ? std::bit_cast<float>(std::bit_cast<std::uint32_t>(v) | 0x00400000u) : v;
  }
}

void CastF32ToF16Rint(const float* HWY_RESTRICT src, std::uint16_t* HWY_RESTRICT dst, std::uint64_t n) {
  std::uint64_t i = 0;
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
  const hn::ScalableTag<float> d;
  const hn::Rebind<std::uint16_t, decltype(d)> d16;
  constexpr std::size_t kN = hn::MaxLanes(d);
  const auto lo = hn::Set(d, -65504.0f), hi = hn::Set(d, 65504.0f);
  for (; i + kN <= n; i += kN) {
    const auto x = hn::LoadU(d, src + i);
    const auto sat = hn::IfThenElse(hn::IsFinite(x), hn::Min(hn::Max(x, lo), hi), x);
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
    // F16C rounds to nearest even; a NaN becomes the quiet NaN HalfBits gives (its sign
    // kept, its payload not).
    const hn::RebindToUnsigned<decltype(d)> du;
    const auto quiet = hn::BitCast(d, hn::Or(hn::And(hn::BitCast(du, x), hn::Set(du, 0x80000000u)),
                                             hn::Set(du, 0x7FC00000u)));
    const auto h = hn::DemoteTo(hn::Rebind<hwy::float16_t, decltype(d)>(), hn::IfThenElse(hn::IsNaN(x), quiet, sat));
    hn::StoreU(hn::BitCast(d16, h), d16, dst + i);
#else
    hn::StoreU(HalfBitsV(d, sat), d16, dst + i);
#endif
  }
#endif
  for (; i < n; ++i) dst[i] = HalfBits(SaturateHalf(src[i]));
}

}  // namespace vnpu::ascendc::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vnpu::ascendc {

HWY_EXPORT(CastF16ToF32);
HWY_EXPORT(CastF32ToF16Rint);

void cast_f16_to_f32(const std::uint16_t* src, float* dst, std::uint64_t n) {
  vnpu::detail::apply_isa_env();
  HWY_DYNAMIC_DISPATCH(CastF16ToF32)(src, dst, n);
}

void cast_f32_to_f16_rint(const float* src, std::uint16_t* dst, std::uint64_t n) {
  vnpu::detail::apply_isa_env();
  HWY_DYNAMIC_DISPATCH(CastF32ToF16Rint)(src, dst, n);
}

}  // namespace vnpu::ascendc
#endif
