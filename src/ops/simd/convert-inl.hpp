// f16 and bf16 <-> f32 conversions of the operators (and of the Ascend C vector
// instructions), one value at a time and on Highway vectors, per SIMD target.
//
// Written without branches, so that loops calling the scalar forms vectorize; each
// vector form performs its scalar twin's operations, so the scalar and vector forms give
// the same bits on every target. Contracts (tests/ops/test_simd_numerics.cpp checks them
// over every f16 and bf16 bit pattern and over f32 values covering every rounding case):
//
// - HalfValue, HalfValueV: f16 -> f32, exact for every input (f32 holds every f16 value):
//   normals rebias the exponent, subnormals become the normal f32 of the same value,
//   +-0 and +-inf keep their sign, and a NaN keeps its sign and payload (the 10
//   mantissa bits become the top 10 of the f32 mantissa: a quiet NaN stays quiet, a
//   signalling one stays signalling). Bit-identical to vnpu::f16_to_f32 (vnpu/dtype.hpp),
//   with one exception: HalfValueV loading from memory on x86 targets from AVX2 up uses
//   the F16C instruction, which also sets the quiet bit of a signalling NaN (0x7C01 gives
//   0x7FC02000, not 0x7F802000); payload and sign are kept there too. Arithmetic on the
//   value quiets it anyway; only an f32 copy of a signalling f16 NaN shows the difference.
// - BrainValue, BrainValueV: bf16 -> f32, exact: the 16 bits become the top half of the
//   f32 (NaN payloads kept). Bit-identical to vnpu::bf16_to_f32.
// - HalfBits, HalfBitsV: f32 -> f16, rounded to nearest, ties to even, for every finite
//   input: results below 2^-14 in magnitude are f16 subnormals (rounded to the 2^-24
//   step, down to +-0), magnitudes from 65520 (the midpoint of 65504 and 2^16) up
//   overflow to +-inf, +-inf stays +-inf, and every NaN becomes the quiet NaN 0x7E00 with
//   the input's sign (the payload is not kept). Bit-identical to vnpu::f32_to_f16.
// - BrainBits, BrainBitsV: f32 -> bf16, rounded to nearest, ties to even (finite
//   magnitudes from 0x1.FFp127, the midpoint of the largest bf16 and 2^128, up round to
//   +-inf, as IEEE rounding does); a NaN keeps its sign and
//   its top 7 payload bits and is made quiet (bit 0x40 set), so it stays a NaN.
//   Bit-identical to vnpu::f32_to_bf16.
// None depends on the floating-point environment beyond the default rounding mode
// (nearest even) and subnormals being kept (no flush-to-zero), as everywhere in vnpu.
//
// Included once per SIMD target inside the includer's HWY_NAMESPACE namespace (with `hn`
// naming hwy::HWY_NAMESPACE) by the operators' kernels (norm, softmax, reduce) and the
// Ascend C layer's (src/ascendc/vec_*); the guard below admits it once per target pass.

#if defined(VNPU_OPS_SIMD_CONVERT_INL_) == defined(HWY_TARGET_TOGGLE)
#ifdef VNPU_OPS_SIMD_CONVERT_INL_
#undef VNPU_OPS_SIMD_CONVERT_INL_
#else
#define VNPU_OPS_SIMD_CONVERT_INL_
#endif

// f16 bits -> f32, exact. Normal halves rebias the exponent; subnormal ones (exponent 0)
// are (1.m · 2^-14) - 2^-14 = m · 2^-24, computed exactly in f32; exponent 31 is inf/NaN.
HWY_INLINE float HalfValue(std::uint32_t h) {
  const std::uint32_t em = (h & 0x7FFFu) << 13;
  const std::uint32_t e = h & 0x7C00u;
  const float sub = std::bit_cast<float>(em + 0x38800000u) - 0x1p-14f;
  // Selections as masks: a conditional expression here defeats GCC's vectorizer.
  const std::uint32_t is_sub = 0u - static_cast<std::uint32_t>(e == 0);
  const std::uint32_t is_special = 0u - static_cast<std::uint32_t>(e == 0x7C00u);
  const std::uint32_t big = (is_special & (em | 0x7F800000u)) | (~is_special & (em + 0x38000000u));
  const std::uint32_t mag = (is_sub & std::bit_cast<std::uint32_t>(sub)) | (~is_sub & big);
  return std::bit_cast<float>(mag | ((h & 0x8000u) << 16));
}

// bf16 bits -> f32, exact: the bits are the top half of the f32.
HWY_INLINE float BrainValue(std::uint32_t h) { return std::bit_cast<float>(h << 16); }

// f32 -> f16 bits, round to nearest even, bit-identical to vnpu::f32_to_f16, without
// branches (so that loops calling it vectorize). Results below 2^-14 are f16 subnormals:
// adding 0.5f (whose ulp is 2^-24, the subnormal step) rounds |x| to that step, and the
// low bits of the sum are the f16 encoding.
HWY_INLINE std::uint16_t HalfBits(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t ax = x & 0x7FFFFFFFu;
  const std::uint32_t normal = (ax + 0xFFFu + ((ax >> 13) & 1u) - 0x38000000u) >> 13;
  const std::uint32_t sub = std::bit_cast<std::uint32_t>(std::bit_cast<float>(ax) + 0.5f) - 0x3F000000u;
  // Selections as masks: conditional expressions here defeat GCC's vectorizer.
  const std::uint32_t is_sub = 0u - static_cast<std::uint32_t>(ax < 0x38800000u);
  const std::uint32_t is_inf = 0u - static_cast<std::uint32_t>(ax >= 0x477FF000u);
  const std::uint32_t is_nan = 0u - static_cast<std::uint32_t>(ax > 0x7F800000u);
  std::uint32_t r = (is_sub & sub) | (~is_sub & normal);
  r = (is_inf & (0x7C00u | (is_nan & 0x200u))) | (~is_inf & r);
  return static_cast<std::uint16_t>(r | ((x >> 16) & 0x8000u));
}

// f32 -> bf16 bits, round to nearest even; NaN stays a quiet NaN (as vnpu::f32_to_bf16).
HWY_INLINE std::uint16_t BrainBits(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t rounded = (x + 0x7FFFu + ((x >> 16) & 1u)) >> 16;
  return static_cast<std::uint16_t>((x & 0x7FFFFFFFu) > 0x7F800000u ? ((x >> 16) | 0x40u) : rounded);
}

// f16 bits in u32 lanes -> f32: HalfValue in vector form (the same integer steps and the
// same one float subtraction, so the same values, NaN payloads included).
template <class D>
HWY_INLINE hn::Vec<D> HalfValueV(D d, hn::Vec<hn::RebindToUnsigned<D>> h) {
  const hn::RebindToUnsigned<D> du;
  const auto em = hn::ShiftLeft<13>(hn::And(h, hn::Set(du, 0x7FFFu)));
  const auto e = hn::And(h, hn::Set(du, 0x7C00u));
  const auto sub = hn::BitCast(du, hn::Sub(hn::BitCast(d, hn::Add(em, hn::Set(du, 0x38800000u))), hn::Set(d, 0x1p-14f)));
  const auto big = hn::IfThenElse(hn::Eq(e, hn::Set(du, 0x7C00u)), hn::Or(em, hn::Set(du, 0x7F800000u)),
                                  hn::Add(em, hn::Set(du, 0x38000000u)));
  const auto mag = hn::IfThenElse(hn::Eq(e, hn::Zero(du)), sub, big);
  return hn::BitCast(d, hn::Or(mag, hn::ShiftLeft<16>(hn::And(h, hn::Set(du, 0x8000u)))));
}

// Lanes(d) f16 values at p as f32 lanes: the same values, through the F16C conversion
// where the target has it (which quiets signalling NaNs, see the contract above).
template <class D>
HWY_INLINE hn::Vec<D> HalfValueV(D d, const std::uint16_t* HWY_RESTRICT p) {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
  const hn::Rebind<hwy::float16_t, D> df16;
  return hn::PromoteTo(d, hn::LoadU(df16, reinterpret_cast<const hwy::float16_t*>(p)));
#else
  const hn::RebindToUnsigned<D> du;
  return HalfValueV(d, hn::PromoteTo(du, hn::LoadU(hn::Rebind<std::uint16_t, D>(), p)));
#endif
}

// bf16 bits in u32 lanes -> f32: BrainValue in vector form.
template <class D>
HWY_INLINE hn::Vec<D> BrainValueV(D d, hn::Vec<hn::RebindToUnsigned<D>> h) {
  return hn::BitCast(d, hn::ShiftLeft<16>(h));
}

// Lanes(d) bf16 values at p as f32 lanes.
template <class D>
HWY_INLINE hn::Vec<D> BrainValueV(D d, const std::uint16_t* HWY_RESTRICT p) {
  const hn::RebindToUnsigned<D> du;
  return BrainValueV(d, hn::PromoteTo(du, hn::LoadU(hn::Rebind<std::uint16_t, D>(), p)));
}

// f32 lanes -> f16 / bf16 bits as u16 lanes: HalfBits / BrainBits in vector form (the
// same integer steps and the same one float addition, or for f16 on x86 from AVX2 up the
// F16C conversion, so the same bits). Lanes hold
// |x| <= 0x7FFFFFFF, so signed comparisons order them as unsigned ones would.
template <class D>
HWY_INLINE auto HalfBitsV(D d, hn::Vec<D> v) {
  const hn::RebindToUnsigned<D> du;
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
  // The F16C conversion (rounding to nearest even by its immediate, whatever MXCSR says)
  // gives HalfBits' bits for every input but NaN, whose payload it keeps: a NaN is first
  // made the quiet NaN of its sign, which converts to 0x7E00 with that sign. Two
  // instructions where the integer steps below take a dozen.
  const auto sign = hn::And(hn::BitCast(du, v), hn::Set(du, 0x80000000u));
  const auto quiet = hn::BitCast(d, hn::Or(sign, hn::Set(du, 0x7FC00000u)));
  const hn::Rebind<hwy::float16_t, D> df16;
  return hn::BitCast(hn::Rebind<std::uint16_t, D>(), hn::DemoteTo(df16, hn::IfThenElse(hn::IsNaN(v), quiet, v)));
#else
  const hn::RebindToSigned<D> di;
  const auto x = hn::BitCast(du, v);
  const auto ax = hn::And(x, hn::Set(du, 0x7FFFFFFFu));
  const auto odd = hn::And(hn::ShiftRight<13>(ax), hn::Set(du, 1u));
  const auto normal = hn::ShiftRight<13>(hn::Sub(hn::Add(hn::Add(ax, hn::Set(du, 0xFFFu)), odd), hn::Set(du, 0x38000000u)));
  const auto sub = hn::Sub(hn::BitCast(du, hn::Add(hn::BitCast(d, ax), hn::Set(d, 0.5f))), hn::Set(du, 0x3F000000u));
  const auto axi = hn::BitCast(di, ax);
  const auto is_sub = hn::RebindMask(du, hn::Lt(axi, hn::Set(di, 0x38800000)));
  const auto is_inf = hn::RebindMask(du, hn::Gt(axi, hn::Set(di, 0x477FEFFF)));
  const auto is_nan = hn::RebindMask(du, hn::Gt(axi, hn::Set(di, 0x7F800000)));
  auto r = hn::IfThenElse(is_sub, sub, normal);
  r = hn::IfThenElse(is_inf, hn::IfThenElse(is_nan, hn::Set(du, 0x7E00u), hn::Set(du, 0x7C00u)), r);
  r = hn::Or(r, hn::And(hn::ShiftRight<16>(x), hn::Set(du, 0x8000u)));
  return hn::DemoteTo(hn::Rebind<std::uint16_t, D>(), hn::BitCast(di, r));
#endif
}

template <class D>
HWY_INLINE auto BrainBitsV(D /* d */, hn::Vec<D> v) {
  const hn::RebindToUnsigned<D> du;
  const hn::RebindToSigned<D> di;
  const auto x = hn::BitCast(du, v);
  const auto hi = hn::ShiftRight<16>(x);
  const auto rounded = hn::ShiftRight<16>(hn::Add(hn::Add(x, hn::Set(du, 0x7FFFu)), hn::And(hi, hn::Set(du, 1u))));
  const auto is_nan = hn::RebindMask(du, hn::Gt(hn::BitCast(di, hn::And(x, hn::Set(du, 0x7FFFFFFFu))), hn::Set(di, 0x7F800000)));
  const auto r = hn::IfThenElse(is_nan, hn::Or(hi, hn::Set(du, 0x40u)), rounded);
  return hn::DemoteTo(hn::Rebind<std::uint16_t, D>(), hn::BitCast(di, r));
}

#endif  // VNPU_OPS_SIMD_CONVERT_INL_
