// Compare and Select kernels of the vector instructions, compiled once per SIMD target
// (Highway's foreach_target) and chosen at run time.
//
// Compare writes one bit per element, element i at bit i % 8 of byte i / 8 (the chip's
// little-endian packing); half operands are compared as their exact float values, so NaN
// compares false except under NE. Select picks element bits: bit i set takes src0[i], clear
// takes src1[i] (or the scalar) — a copy of the bits, whatever the element type.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "ascendc/vec_kernels.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ascendc/vec_cmpsel.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace vnpu::ascendc::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

namespace {

#include "ascendc/vec_io-inl.hpp"

// The mask of lanes i .. i + Lanes(d) - 1 from packed bits; i is a multiple of Lanes(d)
// (and of 8 when Lanes(d) >= 8).
template <class D>
HWY_INLINE hn::Mask<D> MaskFromBits(D d, const std::uint8_t* bits, std::size_t i) {
  if (hn::Lanes(d) >= 8) return hn::LoadMaskBits(d, bits + i / 8);
  const std::uint8_t b[8] = {static_cast<std::uint8_t>(bits[i / 8] >> (i % 8))};
  return hn::LoadMaskBits(d, b);
}

// Stores the bits of lanes i .. i + Lanes(d) - 1, as MaskFromBits reads them. Below 8
// lanes a byte fills over several calls, the first (i % 8 == 0) clearing it.
template <class D>
HWY_INLINE void StoreBits(D d, hn::Mask<D> m, std::uint8_t* bits, std::size_t i) {
  if (hn::Lanes(d) >= 8) {
    hn::StoreMaskBits(d, m, bits + i / 8);
    return;
  }
  std::uint8_t b[8] = {};
  hn::StoreMaskBits(d, m, b);
  const unsigned shift = i % 8;
  bits[i / 8] = static_cast<std::uint8_t>(shift == 0 ? b[0] : (bits[i / 8] | (b[0] << shift)));
}

struct CmpLt {
  template <class V>
  static HWY_INLINE auto Vec(V a, V b) { return hn::Lt(a, b); }
  template <class T>
  static HWY_INLINE bool One(T a, T b) { return a < b; }
};
struct CmpGt {
  template <class V>
  static HWY_INLINE auto Vec(V a, V b) { return hn::Gt(a, b); }
  template <class T>
  static HWY_INLINE bool One(T a, T b) { return a > b; }
};
struct CmpEq {
  template <class V>
  static HWY_INLINE auto Vec(V a, V b) { return hn::Eq(a, b); }
  template <class T>
  static HWY_INLINE bool One(T a, T b) { return a == b; }
};
struct CmpLe {
  template <class V>
  static HWY_INLINE auto Vec(V a, V b) { return hn::Le(a, b); }
  template <class T>
  static HWY_INLINE bool One(T a, T b) { return a <= b; }
};
struct CmpGe {
  template <class V>
  static HWY_INLINE auto Vec(V a, V b) { return hn::Ge(a, b); }
  template <class T>
  static HWY_INLINE bool One(T a, T b) { return a >= b; }
};
struct CmpNe {
  template <class V>
  static HWY_INLINE auto Vec(V a, V b) { return hn::Not(hn::Eq(a, b)); }  // true for NaN (IEEE), unlike hn::Ne
  template <class T>
  static HWY_INLINE bool One(T a, T b) { return a != b; }
};

// dst bits = src0 (cmp) src1, or src0 (cmp) scalar when kScalar. r.n is a multiple of 8.
template <class Cmp, class S, bool kScalar>
HWY_NOINLINE void Compare(const VecRun& r) {
  using Io = IoOf<S>;
  const typename Io::D d;
  const std::size_t lanes = hn::Lanes(d);
  auto* out = static_cast<std::uint8_t*>(r.dst);
  const auto s = Io::Scalar(r.scalar);
  const auto sv = hn::Set(d, s);
  std::size_t i = 0;
  for (; i + lanes <= r.n; i += lanes) {
    const auto a = Io::Load(d, r.src0, i);
    if constexpr (kScalar) StoreBits(d, Cmp::Vec(a, sv), out, i);
    else StoreBits(d, Cmp::Vec(a, Io::Load(d, r.src1, i)), out, i);
  }
  for (; i < r.n; i += 8) {
    unsigned byte = 0;
    for (std::size_t k = 0; k < 8; ++k) {
      const bool bit = Cmp::One(Io::Get(r.src0, i + k), kScalar ? s : Io::Get(r.src1, i + k));
      byte |= static_cast<unsigned>(bit) << k;
    }
    out[i / 8] = static_cast<std::uint8_t>(byte);
  }
}

// dst = bit ? src0 : src1 (or the scalar), on the elements' bits (U: unsigned, same width).
template <class U, bool kScalar>
HWY_NOINLINE void Select(const VecRun& r) {
  const hn::ScalableTag<U> d;
  const std::size_t lanes = hn::Lanes(d);
  const auto* a = static_cast<const U*>(r.src0);
  const auto* b = static_cast<const U*>(r.src1);
  auto* dst = static_cast<U*>(r.dst);
  const auto s = static_cast<U>(r.scalar);
  const auto sv = hn::Set(d, s);
  std::size_t i = 0;
  for (; i + lanes <= r.n; i += lanes) {
    const auto m = MaskFromBits(d, r.sel, i);
    if constexpr (kScalar) hn::StoreU(hn::IfThenElse(m, hn::LoadU(d, a + i), sv), d, dst + i);
    else hn::StoreU(hn::IfThenElse(m, hn::LoadU(d, a + i), hn::LoadU(d, b + i)), d, dst + i);
  }
  for (; i < r.n; ++i) {
    const bool bit = (r.sel[i / 8] >> (i % 8)) & 1u;
    dst[i] = bit ? a[i] : (kScalar ? s : b[i]);
  }
}

template <class S, bool kScalar>
VecKernel PickCompare(std::uint8_t mode) {
  switch (static_cast<AscendC::CMPMODE>(mode)) {
    case AscendC::CMPMODE::LT: return &Compare<CmpLt, S, kScalar>;
    case AscendC::CMPMODE::GT: return &Compare<CmpGt, S, kScalar>;
    case AscendC::CMPMODE::EQ: return &Compare<CmpEq, S, kScalar>;
    case AscendC::CMPMODE::LE: return &Compare<CmpLe, S, kScalar>;
    case AscendC::CMPMODE::GE: return &Compare<CmpGe, S, kScalar>;
    case AscendC::CMPMODE::NE: return &Compare<CmpNe, S, kScalar>;
  }
  return nullptr;
}

template <bool kScalar>
VecKernel PickCompareType(VecType t, std::uint8_t mode) {
  if (t == VecType::kF32) return PickCompare<float, kScalar>(mode);
  if (t == VecType::kF16) return PickCompare<F16, kScalar>(mode);
  // int32_t: EQ only, as on the chip.
  if (t == VecType::kI32 && mode == static_cast<std::uint8_t>(AscendC::CMPMODE::EQ)) return &Compare<CmpEq, std::int32_t, kScalar>;
  return nullptr;
}

template <bool kScalar>
VecKernel PickSelect(VecType t) {
  switch (t) {
    case VecType::kF16: case VecType::kI16: case VecType::kU16: case VecType::kBF16: return &Select<std::uint16_t, kScalar>;
    case VecType::kF32: case VecType::kI32: case VecType::kU32: return &Select<std::uint32_t, kScalar>;
    default: return nullptr;
  }
}

}  // namespace

VecKernel GetCmpSelKernel(VecOp op, VecType t, std::uint8_t mode) {
  switch (op) {
    case VecOp::kCompare: return PickCompareType<false>(t, mode);
    case VecOp::kCompareScalar: return PickCompareType<true>(t, mode);
    case VecOp::kSelect: return PickSelect<false>(t);
    case VecOp::kSelectScalar: return PickSelect<true>(t);
    default: return nullptr;
  }
}

}  // namespace vnpu::ascendc::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vnpu::ascendc {

HWY_EXPORT(GetCmpSelKernel);

VecKernel cmpsel_kernel(VecOp op, VecType type, std::uint8_t mode) {
  return HWY_DYNAMIC_DISPATCH(GetCmpSelKernel)(op, type, mode);
}

}  // namespace vnpu::ascendc
#endif
