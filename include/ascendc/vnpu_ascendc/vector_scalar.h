// vnpu_ascendc/vector_scalar.h — element-wise instructions with a scalar operand: Adds,
// Muls, Maxs, Mins, LeakyRelu (dst = src (op) scalar), and Axpy (dst = dst + src * scalar).
//
// Forms (T: the element type of dst and src; the scalar is a T):
//   Op<T, isSetMask>(dst, src, scalar, count)                            elements [0, count)
//   Op<T, isSetMask>(dst, src, scalar, mask[], repeatTime, params)       mask bit i: lane i
//   Op<T, isSetMask>(dst, src, scalar, mask, repeatTime, params)         the first `mask` lanes
// params: UnaryRepeatParams (strides of dst and src in 32-byte blocks). The mask, counter
// mode and isSetMask work as for the two-source instructions (vector_binary.h); with
// isSetMask = false the count form issues one repeat under the mask the kernel set.
#pragma once

#include <cstdint>
#include <type_traits>

#include "vnpu_ascendc/vector_engine.h"

namespace vnpu::ascendc {

template <VecOp kOp, typename T>
VecInstr scalar_instr(const char* name, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src,
                      const T& scalar, const AscendC::UnaryRepeatParams& p) {
  VecInstr in = checked_instr<kOp, T>(name);
  set_operands(in, p, dst, src);
  in.scalar = scalar_bits(scalar);
  return in;
}

// Axpy: dst (T) = dst + src (U) * scalar (U); a repeat holds 256 bytes of the wider type.
template <typename T, typename U>
VecInstr axpy_instr(const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<U>& src, const U& scalar,
                    const AscendC::UnaryRepeatParams& p) {
  static_assert(std::is_same_v<T, U> ? a2_accepts(VecOp::kAxpy, vec_type<T>)
                                     : std::is_same_v<T, float> && std::is_same_v<U, half>,
                "Axpy takes (src, scalar, dst) = (half, half, half), (float, float, float) or (half, half, float)");
  VecInstr in = instr<T>("Axpy", VecOp::kAxpy);
  in.src_type = vec_type<U>;
  set_operands(in, p, dst, src);
  in.src1 = in.dst;  // the accumulator
  in.scalar = scalar_bits(scalar);
  return in;
}

}  // namespace vnpu::ascendc

// The three forms of one instruction.
#define VNPU_ASCENDC_SCALAR(Name, kOp)                                                                             \
  template <typename T, bool isSetMask = true>                                                                     \
  void Name(const LocalTensor<T>& dst, const LocalTensor<T>& src, const T& scalarValue, const std::int32_t& count) { \
    ::vnpu::ascendc::run_count<T, isSetMask>(                                                                      \
        ::vnpu::ascendc::scalar_instr<::vnpu::ascendc::VecOp::kOp>(#Name, dst, src, scalarValue, UnaryRepeatParams{}), \
        count);                                                                                                    \
  }                                                                                                                \
  template <typename T, bool isSetMask = true>                                                                     \
  void Name(const LocalTensor<T>& dst, const LocalTensor<T>& src, const T& scalarValue, const std::uint64_t mask[], \
            const std::int64_t repeatTime, const UnaryRepeatParams& repeatParams) {                                \
    ::vnpu::ascendc::run_mask<T, isSetMask>(                                                                       \
        ::vnpu::ascendc::scalar_instr<::vnpu::ascendc::VecOp::kOp>(#Name, dst, src, scalarValue, repeatParams),    \
        mask, repeatTime);                                                                                         \
  }                                                                                                                \
  template <typename T, bool isSetMask = true>                                                                     \
  void Name(const LocalTensor<T>& dst, const LocalTensor<T>& src, const T& scalarValue, const std::uint64_t mask,  \
            const std::int64_t repeatTime, const UnaryRepeatParams& repeatParams) {                                \
    ::vnpu::ascendc::run_mask<T, isSetMask>(                                                                       \
        ::vnpu::ascendc::scalar_instr<::vnpu::ascendc::VecOp::kOp>(#Name, dst, src, scalarValue, repeatParams),    \
        mask, repeatTime);                                                                                         \
  }

namespace AscendC {

/// dst = src + scalar. half, int16_t, int32_t, float (integers wrap).
VNPU_ASCENDC_SCALAR(Adds, kAdds)
/// dst = src * scalar. half, int16_t, int32_t, float (integers: the low bits).
VNPU_ASCENDC_SCALAR(Muls, kMuls)
/// dst = max(src, scalar), NaN if either is NaN. half, int16_t, int32_t, float.
VNPU_ASCENDC_SCALAR(Maxs, kMaxs)
/// dst = min(src, scalar), NaN if either is NaN. half, int16_t, int32_t, float.
VNPU_ASCENDC_SCALAR(Mins, kMins)
/// dst = src > 0 ? src : src * scalar. half, float.
VNPU_ASCENDC_SCALAR(LeakyRelu, kLeakyRelu)

/// dst = dst + src * scalar, the product rounded, then the sum (no fused multiply-add);
/// half results rounded once. (src, scalar, dst): (half, half, half) with 128 lanes a
/// repeat, (float, float, float) and (half, half, float) with 64 — the mixed form reads
/// 4 DataBlocks of src a repeat (its default srcRepStride is 4). dst and src must not
/// overlap in the mixed form.
template <typename T, typename U>
void Axpy(const LocalTensor<T>& dst, const LocalTensor<U>& src, const U& scalarValue, const std::int32_t& count) {
  using Wide = std::conditional_t<(sizeof(T) > sizeof(U)), T, U>;
  ::vnpu::ascendc::run_count<Wide>(::vnpu::ascendc::axpy_instr(dst, src, scalarValue, UnaryRepeatParams{}), count);
}
template <typename T, typename U, bool isSetMask = true>
void Axpy(const LocalTensor<T>& dst, const LocalTensor<U>& src, const U& scalarValue, const std::uint64_t mask[],
          const std::int64_t repeatTime, const UnaryRepeatParams& repeatParams) {
  using Wide = std::conditional_t<(sizeof(T) > sizeof(U)), T, U>;
  ::vnpu::ascendc::run_mask<Wide, isSetMask>(::vnpu::ascendc::axpy_instr(dst, src, scalarValue, repeatParams), mask,
                                             repeatTime);
}
template <typename T, typename U, bool isSetMask = true>
void Axpy(const LocalTensor<T>& dst, const LocalTensor<U>& src, const U& scalarValue, const std::uint64_t mask,
          const std::int64_t repeatTime, const UnaryRepeatParams& repeatParams) {
  using Wide = std::conditional_t<(sizeof(T) > sizeof(U)), T, U>;
  ::vnpu::ascendc::run_mask<Wide, isSetMask>(::vnpu::ascendc::axpy_instr(dst, src, scalarValue, repeatParams), mask,
                                             repeatTime);
}

}  // namespace AscendC

#undef VNPU_ASCENDC_SCALAR
