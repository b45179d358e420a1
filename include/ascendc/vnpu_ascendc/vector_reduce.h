// vnpu_ascendc/vector_reduce.h — ReduceSum, ReduceMax, ReduceMin: one result from all the
// elements an instruction covers (half and float on the 910B class).
//
// Order of operations (results are bit-identical to this definition on every CPU):
// - Inside a repeat (128 halves or 64 floats), a pairwise tree: (e0+e1), (e2+e3), ..., then
//   pairs of those, and so on; lanes the mask disables take no part.
// - half: every sum is rounded to half (to nearest even); a sum of finite values beyond
//   ±65504 saturates to ±65504 ([60000, 60000, -30000, 100] gives 35604); inf and NaN
//   propagate. float: IEEE single precision.
// - ReduceSum, count form: the repeats' sums are added one after the other, in repeat
//   order. Mask/repeat form: they are combined by a second pairwise tree.
// - ReduceMax / ReduceMin: the first extreme element (lowest index) wins; a NaN wins over
//   every number (the first NaN); -0 and +0 are equal. The index is stored as the bits of
//   an integer in a T slot (uint16_t for half, at most 65535; uint32_t for float).
//
// Count forms leave the mask register all ones and the mask mode normal. The mask/repeat
// forms take the mask as an argument, always per repeat, and leave the register and mode
// as they were. Operands: src and sharedTmpBuffer 32-byte aligned; dst 2/4-byte aligned
// (ReduceSum) or 4/8-byte aligned (ReduceMax/Min), for half/float.
#pragma once

#include <cstdint>

#include "vnpu_ascendc/vector_operand.h"

namespace vnpu::ascendc {

enum class ReduceOp : std::uint8_t { kSum, kMax, kMin };

/// A whole-tensor reduction (ReduceSum/Max/Min): `count` elements from src (count form),
/// or `repeat_time` repeats `src_rep_stride` blocks apart with the lanes of `mask`.
struct ReduceAll {
  const char* api;
  ReduceOp op;
  VecType type;
  bool counted;             ///< count form
  std::int64_t count;       ///< count form: elements
  RepeatMask mask;          ///< mask/repeat form: lanes of every repeat
  std::int64_t repeat_time;
  std::int64_t src_rep_stride;
  bool cal_index;
};
/// Checks and runs a whole-tensor reduction (dst, src, sharedTmpBuffer as operands).
VNPU_ASCENDC_API void reduce_all(const ReduceAll& r, const Operand& dst, const Operand& src, const Operand* work);

/// The least sharedTmpBuffer (elements) ReduceMax/ReduceMin accept on the 910B class, for
/// `first_repeats` repeats in the first round (the mask form's repeatTime; count /
/// elements per repeat, at least 1, for the count form): the first round's value/index
/// pairs, plus with calIndex those of the later rounds (at most three rounds counted),
/// each round rounded up to a 32-byte block. ReduceSum accepts any size.
VNPU_ASCENDC_API std::uint64_t reduce_max_min_work_elems(VecType t, std::int64_t first_repeats, bool cal_index);

template <typename T>
void reduce_all_count(const char* api, ReduceOp op, const AscendC::LocalTensor<T>& dst,
                      const AscendC::LocalTensor<T>& src, const AscendC::LocalTensor<T>& work, std::int64_t count,
                      bool cal_index) {
  const Operand d = operand(dst, api), s = operand(src, api);
  ReduceAll r{api, op, vec_type<T>, true, count, RepeatMask{}, 0, 0, cal_index};
  if (op == ReduceOp::kSum) {
    reduce_all(r, d, s, nullptr);  // ReduceSum accepts any sharedTmpBuffer, and vnpu needs none
  } else {
    const Operand w = operand(work, api);
    reduce_all(r, d, s, &w);
  }
  end_count_form();
}

template <typename T>
void reduce_all_repeats(const char* api, ReduceOp op, const AscendC::LocalTensor<T>& dst,
                        const AscendC::LocalTensor<T>& src, const AscendC::LocalTensor<T>& work, const RepeatMask& mask,
                        std::int64_t repeat_time, std::int64_t src_rep_stride, bool cal_index) {
  const Operand d = operand(dst, api), s = operand(src, api);
  ReduceAll r{api, op, vec_type<T>, false, 0, mask, repeat_time, src_rep_stride, cal_index};
  if (op == ReduceOp::kSum) {
    reduce_all(r, d, s, nullptr);
  } else {
    const Operand w = operand(work, api);
    reduce_all(r, d, s, &w);
  }
}

}  // namespace vnpu::ascendc

namespace AscendC {

// `mask` of the mask/repeat forms: uint64_t mask[] (bit form: mask[0], and mask[1] for
// half; not both 0) or int32_t (continuous form: the first `mask` lanes, 1 .. 128 / 64).

/// ReduceSum: dst[0] = the sum of src (see the order above). T: half, float.
/// Count form: the first `count` elements (count >= 0; 0 writes nothing).
/// Mask/repeat form: `repeatTime` repeats (0 .. INT32_MAX), repeat r starting
/// r * srcRepStride 32-byte blocks into src, with the lanes of `mask`.
/// sharedTmpBuffer: any size (the 910B class's ReduceSum leaves it unchanged).
template <typename T, bool isSetMask = true>
void ReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer,
               const std::int32_t count) {
  vnpu::ascendc::reduce_all_count("ReduceSum", vnpu::ascendc::ReduceOp::kSum, dst, src, sharedTmpBuffer, count, false);
}
template <typename T, typename M>
void ReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer,
               const M mask, const std::int32_t repeatTime, const std::int32_t srcRepStride) {
  vnpu::ascendc::reduce_all_repeats("ReduceSum", vnpu::ascendc::ReduceOp::kSum, dst, src, sharedTmpBuffer,
                                    vnpu::ascendc::mask_lanes<T>(mask), repeatTime, srcRepStride, false);
}

/// ReduceMax: dst[0] = the largest element, and with calIndex dst[1] = its index (the
/// first among equals; in the mask form, repeat * elements per repeat + lane). T: half,
/// float. The forms and their parameters are ReduceSum's. sharedTmpBuffer must hold
/// vnpu::ascendc::reduce_max_min_work_elems() elements (its contents after the call are
/// unspecified on the chip; vnpu leaves them unchanged).
template <typename T>
void ReduceMax(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer,
               const std::int32_t count, bool calIndex = 0) {
  vnpu::ascendc::reduce_all_count("ReduceMax", vnpu::ascendc::ReduceOp::kMax, dst, src, sharedTmpBuffer, count,
                                  calIndex);
}
template <typename T, typename M>
void ReduceMax(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer,
               const M mask, const std::int32_t repeatTime, const std::int32_t srcRepStride, bool calIndex = 0) {
  vnpu::ascendc::reduce_all_repeats("ReduceMax", vnpu::ascendc::ReduceOp::kMax, dst, src, sharedTmpBuffer,
                                    vnpu::ascendc::mask_lanes<T>(mask), repeatTime, srcRepStride, calIndex);
}

/// ReduceMin: as ReduceMax, for the smallest element.
template <typename T>
void ReduceMin(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer,
               const std::int32_t count, bool calIndex = 0) {
  vnpu::ascendc::reduce_all_count("ReduceMin", vnpu::ascendc::ReduceOp::kMin, dst, src, sharedTmpBuffer, count,
                                  calIndex);
}
template <typename T, typename M>
void ReduceMin(const LocalTensor<T>& dst, const LocalTensor<T>& src, const LocalTensor<T>& sharedTmpBuffer,
               const M mask, const std::int32_t repeatTime, const std::int32_t srcRepStride, bool calIndex = 0) {
  vnpu::ascendc::reduce_all_repeats("ReduceMin", vnpu::ascendc::ReduceOp::kMin, dst, src, sharedTmpBuffer,
                                    vnpu::ascendc::mask_lanes<T>(mask), repeatTime, srcRepStride, calIndex);
}

}  // namespace AscendC
