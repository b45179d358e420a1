// vnpu_ascendc/vector_duplicate.h — Duplicate: a scalar written to every enabled element.
//
// Forms (T: the element type of dst; the scalar is a T):
//   Duplicate(dst, scalar, count)                                                elements [0, count)
//   Duplicate<T, isSetMask>(dst, scalar, mask[], repeatTime, dstBlockStride, dstRepeatStride)
//   Duplicate<T, isSetMask>(dst, scalar, mask, repeatTime, dstBlockStride, dstRepeatStride)
// Strides in 32-byte blocks; the mask, counter mode and isSetMask work as for the other
// vector instructions (vector_binary.h). The chip leaves dstBlockStride = 0 undefined; vnpu
// writes every block to the same place. Types on the 910B (A2) class: int16_t, uint16_t,
// half, bfloat16_t, int32_t, uint32_t, float.
#pragma once

#include <cstdint>

#include "vnpu_ascendc/vector_engine.h"

namespace vnpu::ascendc {

template <typename T>
VecInstr duplicate_instr(const AscendC::LocalTensor<T>& dst, const T& scalar, std::uint32_t blk, std::uint32_t rep) {
  VecInstr in = checked_instr<VecOp::kDuplicate, T>("Duplicate");
  in.dst = operand(dst, blk, rep);
  in.scalar = scalar_bits(scalar);
  return in;
}

}  // namespace vnpu::ascendc

namespace AscendC {

/// dst[i] = scalarValue for i in [0, count).
template <typename T>
void Duplicate(const LocalTensor<T>& dst, const T& scalarValue, const std::int32_t& count) {
  ::vnpu::ascendc::run_count<T>(::vnpu::ascendc::duplicate_instr(dst, scalarValue, 1, 8), count);
}
/// dst = scalarValue on the lanes of the bit mask, repeatTime repeats.
template <typename T, bool isSetMask = true>
void Duplicate(const LocalTensor<T>& dst, const T& scalarValue, const std::uint64_t mask[], const std::int64_t repeatTime,
               const std::uint16_t dstBlockStride, const std::uint8_t dstRepeatStride) {
  ::vnpu::ascendc::run_mask<T, isSetMask>(
      ::vnpu::ascendc::duplicate_instr(dst, scalarValue, dstBlockStride, dstRepeatStride), mask, repeatTime);
}
/// dst = scalarValue on the first `mask` lanes of each repeat, repeatTime repeats.
template <typename T, bool isSetMask = true>
void Duplicate(const LocalTensor<T>& dst, const T& scalarValue, const std::uint64_t mask, const std::int64_t repeatTime,
               const std::uint16_t dstBlockStride, const std::uint8_t dstRepeatStride) {
  ::vnpu::ascendc::run_mask<T, isSetMask>(
      ::vnpu::ascendc::duplicate_instr(dst, scalarValue, dstBlockStride, dstRepeatStride), mask, repeatTime);
}

}  // namespace AscendC
