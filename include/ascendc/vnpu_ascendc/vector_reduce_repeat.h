// vnpu_ascendc/vector_reduce_repeat.h — reductions with one result per repeat, per
// DataBlock or per pair of elements: WholeReduceSum/Max/Min, BlockReduceSum/Max/Min,
// PairReduceSum, and their newer names ReduceRepeat, ReduceDataBlock and ReducePairElem
// (which take the mask before repeatTime). half and float on the 910B class.
//
// Every form takes `repeatTime` (0 .. 255) repeats of 256 bytes; inside a repeat the 8
// DataBlocks lie srcBlkStride blocks apart, repeats srcRepStride blocks apart (both in 32-
// byte blocks, >= 0). The mask is per repeat (isSetMask = true writes the argument to the
// mask register first; false uses the register, MASK_PLACEHOLDER as argument); in counter
// mode (SetMaskCount) it is a total element count and repeatTime is ignored.
// Sums use the pairwise tree and the half saturation of vector_reduce.h; maxima and minima
// the first extreme (a NaN over every number). Disabled lanes take no part; an output
// whose lanes are all disabled (a DataBlock, a pair) keeps its destination value.
#pragma once

#include <cstdint>

#include "vnpu_ascendc/vector_reduce.h"

namespace AscendC {

/// The reductions of ReduceRepeat, ReduceDataBlock and ReducePairElem.
enum class ReduceType : std::uint8_t { SUM = 0, MAX, MIN };

}  // namespace AscendC

namespace vnpu::ascendc {

enum class ReduceShape : std::uint8_t {
  kRepeat,     ///< one result per repeat (WholeReduce*)
  kDataBlock,  ///< one per DataBlock, 8 per repeat (BlockReduce*)
  kPair,       ///< one per pair of lanes (PairReduceSum)
};

/// A reduction inside repeats: what, where, with which strides. dst_rep_stride counts the
/// shape's unit: result slots (WholeReduce*: 2*sizeof(T) for value and index, sizeof(T)
/// for the value, 4 bytes for the index), 8 results (BlockReduce*), 128 bytes (pairs).
struct ReducePart {
  const char* api;
  ReduceOp op;
  ReduceShape shape;
  VecType type;
  RepeatPlan plan;
  std::int64_t dst_rep_stride;
  std::int64_t src_blk_stride;
  std::int64_t src_rep_stride;
  AscendC::ReduceOrder order;
};
VNPU_ASCENDC_API void reduce_part(const ReducePart& r, const Operand& dst, const Operand& src);

template <typename T, bool isSetMask, typename Mask>
void reduce_part_of(const char* api, ReduceOp op, ReduceShape shape, const AscendC::LocalTensor<T>& dst,
                    const AscendC::LocalTensor<T>& src, Mask mask, std::int64_t repeat_time, std::int64_t dst_rep_stride,
                    std::int64_t src_blk_stride, std::int64_t src_rep_stride,
                    AscendC::ReduceOrder order = AscendC::ReduceOrder::ORDER_VALUE_INDEX) {
  const Operand d = operand(dst, api), s = operand(src, api);
  const RepeatPlan plan = plan_with_mask<T, isSetMask>(mask, repeat_time, api);
  reduce_part(ReducePart{api, op, shape, vec_type<T>, plan, dst_rep_stride, src_blk_stride, src_rep_stride, order},
              d, s);
}

constexpr ReduceOp reduce_op(AscendC::ReduceType t) {
  return t == AscendC::ReduceType::SUM ? ReduceOp::kSum : (t == AscendC::ReduceType::MAX ? ReduceOp::kMax : ReduceOp::kMin);
}
constexpr const char* reduce_repeat_name(AscendC::ReduceType t) {
  return t == AscendC::ReduceType::SUM ? "ReduceRepeat<SUM>"
                                       : (t == AscendC::ReduceType::MAX ? "ReduceRepeat<MAX>" : "ReduceRepeat<MIN>");
}
constexpr const char* reduce_data_block_name(AscendC::ReduceType t) {
  return t == AscendC::ReduceType::SUM ? "ReduceDataBlock<SUM>"
                                       : (t == AscendC::ReduceType::MAX ? "ReduceDataBlock<MAX>" : "ReduceDataBlock<MIN>");
}

}  // namespace vnpu::ascendc

namespace AscendC {

// `mask`: uint64_t mask[] (bit form) or int32_t (continuous form), as for every vector
// instruction; MASK_PLACEHOLDER(_LIST) with isSetMask = false.

// ---- one result per repeat ------------------------------------------------------------------
/// WholeReduceSum: dst[r * dstRepStride] = the sum of repeat r (dstRepStride in elements).
/// dst 2/4-byte aligned, src 32-byte aligned.
template <typename T, bool isSetMask = true, typename M>
void WholeReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src, const M mask, const std::int32_t repeatTime,
                    const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride) {
  vnpu::ascendc::reduce_part_of<T, isSetMask>("WholeReduceSum", vnpu::ascendc::ReduceOp::kSum,
                                              vnpu::ascendc::ReduceShape::kRepeat, dst, src, mask, repeatTime,
                                              dstRepStride, srcBlkStride, srcRepStride);
}
/// WholeReduceMax: per repeat, the largest element and its lane (0 .. 127 / 63), written
/// by `order`: [value, index] (ORDER_VALUE_INDEX), [index, value], the value alone, or the
/// index alone (then a uint32_t, also for half). The index is integer bits in a T slot.
/// dstRepStride counts result slots (see ReducePart). dst 4/8-byte aligned (half/float).
template <typename T, bool isSetMask = true, typename M>
void WholeReduceMax(const LocalTensor<T>& dst, const LocalTensor<T>& src, const M mask, const std::int32_t repeatTime,
                    const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride,
                    ReduceOrder order = ReduceOrder::ORDER_VALUE_INDEX) {
  vnpu::ascendc::reduce_part_of<T, isSetMask>("WholeReduceMax", vnpu::ascendc::ReduceOp::kMax,
                                              vnpu::ascendc::ReduceShape::kRepeat, dst, src, mask, repeatTime,
                                              dstRepStride, srcBlkStride, srcRepStride, order);
}
/// WholeReduceMin: as WholeReduceMax, for the smallest element.
template <typename T, bool isSetMask = true, typename M>
void WholeReduceMin(const LocalTensor<T>& dst, const LocalTensor<T>& src, const M mask, const std::int32_t repeatTime,
                    const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride,
                    ReduceOrder order = ReduceOrder::ORDER_VALUE_INDEX) {
  vnpu::ascendc::reduce_part_of<T, isSetMask>("WholeReduceMin", vnpu::ascendc::ReduceOp::kMin,
                                              vnpu::ascendc::ReduceShape::kRepeat, dst, src, mask, repeatTime,
                                              dstRepStride, srcBlkStride, srcRepStride, order);
}
/// ReduceRepeat<SUM|MAX|MIN>: WholeReduceSum/Max/Min under their newer name (T the dst
/// type, U the src type: the same type on the 910B class); `order` counts for MAX/MIN.
template <ReduceType reduceType, typename T, typename U, bool isSetMask = true, typename M>
void ReduceRepeat(const LocalTensor<T>& dst, const LocalTensor<U>& src, const M mask, const std::int32_t repeatTime,
                  const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride,
                  ReduceOrder order = ReduceOrder::ORDER_VALUE_INDEX) {
  static_assert(std::is_same<T, U>::value, "ReduceRepeat: dst and src have one type on the 910B class");
  vnpu::ascendc::reduce_part_of<T, isSetMask>(vnpu::ascendc::reduce_repeat_name(reduceType),
                                              vnpu::ascendc::reduce_op(reduceType), vnpu::ascendc::ReduceShape::kRepeat,
                                              dst, src, mask, repeatTime, dstRepStride, srcBlkStride, srcRepStride,
                                              order);
}

// ---- one result per DataBlock ---------------------------------------------------------------
/// BlockReduceSum: the sum of each DataBlock (16 halves / 8 floats, pairwise tree), 8
/// results per repeat at dst + r * dstRepStride * 8. dst 16/32-byte aligned (half/float).
/// Note the order of the parameters: repeatTime before mask.
template <typename T, bool isSetMask = true, typename M>
void BlockReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src, const std::int32_t repeatTime, const M mask,
                    const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride) {
  vnpu::ascendc::reduce_part_of<T, isSetMask>("BlockReduceSum", vnpu::ascendc::ReduceOp::kSum,
                                              vnpu::ascendc::ReduceShape::kDataBlock, dst, src, mask, repeatTime,
                                              dstRepStride, srcBlkStride, srcRepStride);
}
/// BlockReduceMax: the largest element of each DataBlock (values only).
template <typename T, bool isSetMask = true, typename M>
void BlockReduceMax(const LocalTensor<T>& dst, const LocalTensor<T>& src, const std::int32_t repeatTime, const M mask,
                    const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride) {
  vnpu::ascendc::reduce_part_of<T, isSetMask>("BlockReduceMax", vnpu::ascendc::ReduceOp::kMax,
                                              vnpu::ascendc::ReduceShape::kDataBlock, dst, src, mask, repeatTime,
                                              dstRepStride, srcBlkStride, srcRepStride);
}
/// BlockReduceMin: the smallest element of each DataBlock (values only).
template <typename T, bool isSetMask = true, typename M>
void BlockReduceMin(const LocalTensor<T>& dst, const LocalTensor<T>& src, const std::int32_t repeatTime, const M mask,
                    const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride) {
  vnpu::ascendc::reduce_part_of<T, isSetMask>("BlockReduceMin", vnpu::ascendc::ReduceOp::kMin,
                                              vnpu::ascendc::ReduceShape::kDataBlock, dst, src, mask, repeatTime,
                                              dstRepStride, srcBlkStride, srcRepStride);
}
/// ReduceDataBlock<SUM|MAX|MIN>: BlockReduceSum/Max/Min under their newer name, mask
/// before repeatTime.
template <ReduceType reduceType, typename T, typename U, bool isSetMask = true, typename M>
void ReduceDataBlock(const LocalTensor<T>& dst, const LocalTensor<U>& src, const M mask, const std::int32_t repeatTime,
                     const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride) {
  static_assert(std::is_same<T, U>::value, "ReduceDataBlock: dst and src have one type on the 910B class");
  vnpu::ascendc::reduce_part_of<T, isSetMask>(vnpu::ascendc::reduce_data_block_name(reduceType),
                                              vnpu::ascendc::reduce_op(reduceType),
                                              vnpu::ascendc::ReduceShape::kDataBlock, dst, src, mask, repeatTime,
                                              dstRepStride, srcBlkStride, srcRepStride);
}

// ---- one result per pair --------------------------------------------------------------------
/// PairReduceSum: result k of a repeat = lane 2k + lane 2k+1 (64 halves / 32 floats per
/// repeat) at dst + r * dstRepStride * 128 bytes. dst 32-byte aligned. repeatTime before
/// mask.
template <typename T, bool isSetMask = true, typename M>
void PairReduceSum(const LocalTensor<T>& dst, const LocalTensor<T>& src, const std::int32_t repeatTime, const M mask,
                   const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride) {
  vnpu::ascendc::reduce_part_of<T, isSetMask>("PairReduceSum", vnpu::ascendc::ReduceOp::kSum,
                                              vnpu::ascendc::ReduceShape::kPair, dst, src, mask, repeatTime,
                                              dstRepStride, srcBlkStride, srcRepStride);
}
/// ReducePairElem<SUM>: PairReduceSum under its newer name, mask before repeatTime.
template <ReduceType reduceType, typename T, typename U, bool isSetMask = true, typename M>
void ReducePairElem(const LocalTensor<T>& dst, const LocalTensor<U>& src, const M mask, const std::int32_t repeatTime,
                    const std::int32_t dstRepStride, const std::int32_t srcBlkStride, const std::int32_t srcRepStride) {
  static_assert(reduceType == ReduceType::SUM, "ReducePairElem: only ReduceType::SUM");
  static_assert(std::is_same<T, U>::value, "ReducePairElem: dst and src have one type on the 910B class");
  vnpu::ascendc::reduce_part_of<T, isSetMask>("ReducePairElem<SUM>", vnpu::ascendc::ReduceOp::kSum,
                                              vnpu::ascendc::ReduceShape::kPair, dst, src, mask, repeatTime,
                                              dstRepStride, srcBlkStride, srcRepStride);
}

}  // namespace AscendC
