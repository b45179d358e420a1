// vnpu_ascendc/vector_cast.h — Cast: element type conversion with a rounding mode.
//
// Cast<T, U>(dst, src, roundMode, ...) converts U (src) to T (dst). The pairs and modes of
// the 910B class (R5 = RINT, FLOOR, CEIL, ROUND, TRUNC; NONE = RINT where the conversion
// can lose precision, exact otherwise):
//   half     -> float NONE; int32_t, int16_t R5; int8_t, uint8_t R5 + NONE
//   float    -> float R5 (to an integral float); half R5 + ODD + NONE; bfloat16_t,
//               int32_t, int16_t, int64_t R5
//   bfloat16_t -> float NONE; int32_t R5
//   int8_t, uint8_t -> half NONE        int16_t -> half R5 + NONE; float NONE
//   int32_t  -> float R5 + NONE; int16_t, int64_t NONE
//   int64_t  -> int32_t NONE; float R5
// Anything else fails the kernel with this list (int4b_t and the deq form int32_t -> half
// with SetDeqScale are not provided by vnpu). Rounding: RINT to nearest even, FLOOR toward
// -inf, CEIL toward +inf, ROUND to nearest with ties away from zero, TRUNC toward zero,
// ODD truncation that sets the last kept bit when a discarded bit is set.
// Narrowing is saturating: an integer result beyond the type's range is its minimum or
// maximum, and NaN gives 0 (uint8_t: negative values give 0); a float result beyond the
// largest finite value of half / bfloat16_t is that value (with its sign), while inf and
// NaN stay inf and NaN.
//
// Count form: the first `count` elements. Mask/repeat form: repeatTime (0 .. 255) repeats
// of the wider type's 256 bytes (half -> int32_t: 64 elements, dstRepStride 8 and
// srcRepStride 4 for contiguous data); each operand's repeat is its own 32-byte
// DataBlocks, blkStride apart, repeats repStride blocks apart (UnaryRepeatParams).
// dst and src are 32-byte aligned.
#pragma once

#include <cstdint>

#include "vnpu_ascendc/vector_operand.h"

namespace vnpu::ascendc {

struct CastOp {
  VecType dst_type;
  VecType src_type;
  AscendC::RoundMode mode;
};
/// Count form: checks and converts `count` contiguous elements.
VNPU_ASCENDC_API void cast_count(const CastOp& c, const Operand& dst, const Operand& src, std::uint64_t count);
/// Mask/repeat form: checks and converts the lanes of `plan` (of the wider type).
VNPU_ASCENDC_API void cast_repeats(const CastOp& c, const Operand& dst, const Operand& src, const RepeatPlan& plan,
                                   const AscendC::UnaryRepeatParams& params);

template <typename T, typename U>
using wider_t = typename std::conditional<(sizeof(T) >= sizeof(U)), T, U>::type;

}  // namespace vnpu::ascendc

namespace AscendC {

/// Cast, count form: dst[i] = src[i] converted, i < count.
template <typename T, typename U>
void Cast(const LocalTensor<T>& dst, const LocalTensor<U>& src, const RoundMode& roundMode, const std::uint32_t count) {
  const vnpu::ascendc::Operand d = vnpu::ascendc::operand(dst, "Cast");
  const vnpu::ascendc::Operand s = vnpu::ascendc::operand(src, "Cast");
  vnpu::ascendc::cast_count({vnpu::ascendc::vec_type<T>, vnpu::ascendc::vec_type<U>, roundMode}, d, s, count);
  vnpu::ascendc::end_count_form();
}

/// Cast, mask/repeat form: `mask` is uint64_t mask[] (bit form, per repeat of the wider
/// type) or uint64_t (the first `mask` lanes of every repeat; in counter mode a total).
template <typename T, typename U, bool isSetMask = true, typename M>
void Cast(const LocalTensor<T>& dst, const LocalTensor<U>& src, const RoundMode& roundMode, const M mask,
          const std::uint8_t repeatTime, const UnaryRepeatParams& repeatParams) {
  const vnpu::ascendc::Operand d = vnpu::ascendc::operand(dst, "Cast");
  const vnpu::ascendc::Operand s = vnpu::ascendc::operand(src, "Cast");
  using W = vnpu::ascendc::wider_t<T, U>;
  const vnpu::ascendc::RepeatPlan plan = vnpu::ascendc::plan_with_mask<W, isSetMask>(mask, repeatTime, "Cast");
  vnpu::ascendc::cast_repeats({vnpu::ascendc::vec_type<T>, vnpu::ascendc::vec_type<U>, roundMode}, d, s, plan,
                              repeatParams);
}

}  // namespace AscendC
