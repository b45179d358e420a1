// vnpu_ascendc/vector_gather.h — GatherMask: keeps the elements of src0 a bit pattern
// selects and writes them one after the other from dst[0].
//
// T: half, bfloat16_t, int16_t, uint16_t, float, int32_t, uint32_t on the 910B class.
// The pattern is one of the built-in ones (src1Pattern 1 .. 7, the same for every
// repeat) or a tensor of U bits (uint16_t for 16-bit T, uint32_t for 32-bit T), bit i of
// a repeat selecting its element i, consumed continuously inside a repeat; the pattern
// of repeat r starts r * src1RepeatStride 32-byte blocks into the tensor.
//
// reduceMode false (normal): repeatTimes repeats of 256 bytes (`mask` is ignored).
// reduceMode true (counter, the 910B class's first configuration): repeatTimes repeats of
// `mask` elements each (1 .. 2^32 - 1); a repeat's elements run on across DataBlocks
// src0BlockStride blocks apart. Repeat r starts r * src0RepeatStride blocks into src0.
// rsvdCnt receives the number of elements kept. The instruction leaves the mask mode
// normal (set counter mode again afterwards if it was on). dst, src0 and the pattern are
// 32-byte aligned; only the selected elements of src0 are read.
#pragma once

#include <cstdint>

#include "vnpu_ascendc/vector_operand.h"

namespace AscendC {

/// Reserved mode of GatherMask (VERSION_V2 is the 910B class's default).
enum class GatherMaskMode : std::uint8_t { VERSION_V1 = 0, VERSION_V2 = 1 };
constexpr GatherMaskMode defaultGatherMaskMode = GatherMaskMode::VERSION_V2;
constexpr GatherMaskMode defaultGahterMaskMode = defaultGatherMaskMode;  // the API's own spelling, kept

/// Strides of GatherMask, in 32-byte blocks (start to start), and its repeat count.
struct GatherMaskParams {
  GatherMaskParams() = default;
  GatherMaskParams(std::uint8_t src0BlockStrideIn, std::uint16_t repeatTimesIn, std::uint16_t src0RepeatStrideIn,
                   std::uint8_t src1RepeatStrideIn)
      : src0BlockStride(src0BlockStrideIn),
        repeatTimes(repeatTimesIn),
        src0RepeatStride(src0RepeatStrideIn),
        src1RepeatStride(src1RepeatStrideIn) {}
  std::uint8_t src0BlockStride = DEFAULT_BLK_STRIDE;
  std::uint16_t repeatTimes = 0;
  std::uint16_t src0RepeatStride = DEFAULT_REPEAT_STRIDE;
  std::uint8_t src1RepeatStride = DEFAULT_REPEAT_STRIDE;
};

}  // namespace AscendC

namespace vnpu::ascendc {

struct Gather {
  VecType type;
  std::uint32_t pattern_bits;  ///< bits per element of the pattern tensor (0: built-in)
  std::uint8_t builtin;        ///< built-in pattern 1 .. 7
  bool reduce_mode;
  std::uint32_t mask;
  AscendC::GatherMaskParams params;
};
/// Checks and runs GatherMask; returns the number of elements kept.
VNPU_ASCENDC_API std::uint64_t gather_mask(const Gather& g, const Operand& dst, const Operand& src0,
                                           const Operand* pattern);

}  // namespace vnpu::ascendc

namespace AscendC {

/// GatherMask with a pattern tensor (U: uint16_t for 16-bit T, uint32_t for 32-bit T).
template <typename T, typename U, GatherMaskMode mode = defaultGatherMaskMode>
void GatherMask(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<U>& src1Pattern,
                const bool reduceMode, const std::uint32_t mask, const GatherMaskParams& gatherMaskParams,
                std::uint64_t& rsvdCnt) {
  static_assert(std::is_same<U, std::uint16_t>::value || std::is_same<U, std::uint32_t>::value ||
                    std::is_same<U, std::uint8_t>::value,
                "GatherMask: the pattern tensor holds uint8_t, uint16_t or uint32_t");
  const vnpu::ascendc::Operand d = vnpu::ascendc::operand(dst, "GatherMask");
  const vnpu::ascendc::Operand s = vnpu::ascendc::operand(src0, "GatherMask");
  const vnpu::ascendc::Operand p = vnpu::ascendc::operand(src1Pattern, "GatherMask");
  rsvdCnt = vnpu::ascendc::gather_mask(
      {vnpu::ascendc::vec_type<T>, 8 * sizeof(U), 0, reduceMode, mask, gatherMaskParams}, d, s, &p);
}

/// GatherMask with a built-in pattern: 1 even elements, 2 odd ones, 3 .. 6 the first ..
/// fourth of every four, 7 all.
template <typename T, GatherMaskMode mode = defaultGatherMaskMode>
void GatherMask(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const std::uint8_t src1Pattern,
                const bool reduceMode, const std::uint32_t mask, const GatherMaskParams& gatherMaskParams,
                std::uint64_t& rsvdCnt) {
  const vnpu::ascendc::Operand d = vnpu::ascendc::operand(dst, "GatherMask");
  const vnpu::ascendc::Operand s = vnpu::ascendc::operand(src0, "GatherMask");
  rsvdCnt = vnpu::ascendc::gather_mask(
      {vnpu::ascendc::vec_type<T>, 0, src1Pattern, reduceMode, mask, gatherMaskParams}, d, s, nullptr);
}

}  // namespace AscendC
