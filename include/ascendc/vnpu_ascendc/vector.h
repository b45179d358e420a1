// vnpu_ascendc/vector.h — the vector unit: its mask register and repeat parameters, and the
// vector instructions (vnpu_ascendc/vector_*.h).
//
// An instruction processes `repeatTime` repeats of 256 bytes (8 DataBlocks of 32 bytes:
// 128 elements of a 16-bit type, 64 of a 32-bit one). In the normal mask mode, the mask
// enables lanes of every repeat — bit mode (uint64_t mask[2]) or the first `mask` lanes
// (uint64_t mask); in counter mode it is a total element count. The count form
// Op(dst, src..., count) computes the first `count` elements. Lanes that are not enabled
// keep their destination values.
#pragma once

#include <cstdint>

#include "vnpu_ascendc/tensor.h"

namespace vnpu::ascendc {

/// The element types of vector operands.
enum class VecType : std::uint8_t { kI8, kU8, kI16, kU16, kF16, kBF16, kI32, kU32, kF32, kI64, kU64 };

template <typename T>
struct VecTypeOf;  // not defined: T is not an element type of the vector unit
template <> struct VecTypeOf<std::int8_t> { static constexpr VecType value = VecType::kI8; };
template <> struct VecTypeOf<std::uint8_t> { static constexpr VecType value = VecType::kU8; };
template <> struct VecTypeOf<std::int16_t> { static constexpr VecType value = VecType::kI16; };
template <> struct VecTypeOf<std::uint16_t> { static constexpr VecType value = VecType::kU16; };
template <> struct VecTypeOf<half> { static constexpr VecType value = VecType::kF16; };
template <> struct VecTypeOf<bfloat16_t> { static constexpr VecType value = VecType::kBF16; };
template <> struct VecTypeOf<std::int32_t> { static constexpr VecType value = VecType::kI32; };
template <> struct VecTypeOf<std::uint32_t> { static constexpr VecType value = VecType::kU32; };
template <> struct VecTypeOf<float> { static constexpr VecType value = VecType::kF32; };
template <> struct VecTypeOf<std::int64_t> { static constexpr VecType value = VecType::kI64; };
template <> struct VecTypeOf<std::uint64_t> { static constexpr VecType value = VecType::kU64; };
/// The VecType of T (a compile error for a type the vector unit has no instructions for).
template <typename T>
constexpr VecType vec_type = VecTypeOf<T>::value;

/// The lanes of one repeat an instruction computes: bit i of bits[i / 64] enables lane i.
struct RepeatMask {
  std::uint64_t bits[2] = {0, 0};
  /// The first n lanes (n <= 128).
  static constexpr RepeatMask first(std::uint64_t n) {
    RepeatMask m;
    m.bits[0] = n >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << n) - 1);
    m.bits[1] = n <= 64 ? 0 : (n >= 128 ? ~std::uint64_t{0} : ((std::uint64_t{1} << (n - 64)) - 1));
    return m;
  }
  bool test(std::uint32_t lane) const { return (bits[lane >> 6] >> (lane & 63)) & 1u; }
  /// Whether all of the first `lanes` lanes are enabled.
  bool all(std::uint32_t lanes) const {
    const RepeatMask f = first(lanes);
    return (bits[0] & f.bits[0]) == f.bits[0] && (bits[1] & f.bits[1]) == f.bits[1];
  }
};

/// Elements of T in one 256-byte repeat (128 of a 16-bit type, 64 of a 32-bit one).
template <typename T>
constexpr std::uint32_t lanes_per_repeat() {
  return AscendC::ONE_REPEAT_BYTE_SIZE / sizeof(T);
}
/// Elements of T in one 32-byte DataBlock.
template <typename T>
constexpr std::uint32_t lanes_per_block() {
  return AscendC::ONE_BLK_SIZE / sizeof(T);
}

/// What an instruction in the mask/repeat form computes: `repeats` repeats, each with the
/// lanes of `mask`, except the last, which has those of `last` (they differ in counter
/// mode only, where the mask register holds a total element count).
struct RepeatPlan {
  std::uint32_t repeats = 0;
  RepeatMask mask;
  RepeatMask last;
};

/// Writes the mask register as an instruction with isSetMask = true does: the bit form.
template <typename T>
void set_mask_bits(const std::uint64_t mask[]) {
  BlockState& b = block();
  b.mask[0] = mask[0];
  b.mask[1] = mask[1];
}
/// ... and the continuous form (the first `mask` lanes; a total count in counter mode).
template <typename T>
void set_mask_count(std::uint64_t mask) {
  BlockState& b = block();
  if (b.counter_mode) {
    b.mask[0] = mask;
    b.mask[1] = 0;
    return;
  }
  const RepeatMask m = RepeatMask::first(mask > lanes_per_repeat<T>() ? lanes_per_repeat<T>() : mask);
  b.mask[0] = m.bits[0];
  b.mask[1] = m.bits[1];
}

/// Fails the kernel unless 0 <= repeat_time <= max_repeats (the chip's repeatTime range).
inline void check_repeat_time(std::int64_t repeat_time, const char* what,
                              std::int64_t max_repeats = AscendC::MAX_REPEAT_TIMES) {
  if (repeat_time < 0 || repeat_time > max_repeats)
    fail("%s: repeatTime %lld is outside [0, %lld]", what, static_cast<long long>(repeat_time),
         static_cast<long long>(max_repeats));
}

/// The plan of an instruction of `repeat_time` repeats over elements of T (the wider of its
/// types, for conversions), from the mask register and mode. `what` names the instruction
/// for messages. A normal-mode mask that enables no lane fails the kernel (the chip
/// requires one), as does a repeat count beyond `max_repeats`.
template <typename T>
RepeatPlan plan_repeats(std::int64_t repeat_time, const char* what, std::int64_t max_repeats = AscendC::MAX_REPEAT_TIMES) {
  const BlockState& b = block();
  constexpr std::uint32_t lanes = lanes_per_repeat<T>();
  RepeatPlan p;
  if (b.counter_mode) {
    const std::uint64_t total = b.mask[0];
    p.repeats = static_cast<std::uint32_t>((total + lanes - 1) / lanes);
    if (total / lanes > 0xffffffffu) fail("%s: a counter-mode count of %llu elements", what, static_cast<unsigned long long>(total));
    p.mask = RepeatMask::first(lanes);
    p.last = RepeatMask::first(total - std::uint64_t{p.repeats == 0 ? 0 : p.repeats - 1} * lanes);
    return p;
  }
  check_repeat_time(repeat_time, what, max_repeats);
  p.repeats = static_cast<std::uint32_t>(repeat_time);
  p.mask.bits[0] = b.mask[0];
  p.mask.bits[1] = lanes > 64 ? b.mask[1] : 0;
  if constexpr (lanes < 64) p.mask.bits[0] &= (std::uint64_t{1} << lanes) - 1;
  if (p.repeats != 0 && p.mask.bits[0] == 0 && p.mask.bits[1] == 0)
    fail("%s: the mask enables no element (for %u-byte elements, set bits of mask[0]%s)", what,
         static_cast<unsigned>(sizeof(T)), lanes > 64 ? " or mask[1]" : "");
  p.last = p.mask;
  return p;
}

}  // namespace vnpu::ascendc

namespace AscendC {

/// Strides of a two-source instruction: between the DataBlocks of a repeat (BlkStride) and
/// between repeats (RepStride), in 32-byte blocks.
struct BinaryRepeatParams {
  BinaryRepeatParams() = default;
  BinaryRepeatParams(std::uint8_t dstBlkStrideIn, std::uint8_t src0BlkStrideIn, std::uint8_t src1BlkStrideIn,
                     std::uint8_t dstRepStrideIn, std::uint8_t src0RepStrideIn, std::uint8_t src1RepStrideIn)
      : dstBlkStride(dstBlkStrideIn),
        src0BlkStride(src0BlkStrideIn),
        src1BlkStride(src1BlkStrideIn),
        dstRepStride(dstRepStrideIn),
        src0RepStride(src0RepStrideIn),
        src1RepStride(src1RepStrideIn) {}
  std::uint32_t blockNumber = DEFAULT_BLK_NUM;
  std::uint8_t dstBlkStride = DEFAULT_BLK_STRIDE;
  std::uint8_t src0BlkStride = DEFAULT_BLK_STRIDE;
  std::uint8_t src1BlkStride = DEFAULT_BLK_STRIDE;
  std::uint8_t dstRepStride = DEFAULT_REPEAT_STRIDE;
  std::uint8_t src0RepStride = DEFAULT_REPEAT_STRIDE;
  std::uint8_t src1RepStride = DEFAULT_REPEAT_STRIDE;
  bool repeatStrideMode = false;
  bool strideSizeMode = false;
};

/// Strides of a one-source instruction, in 32-byte blocks.
struct UnaryRepeatParams {
  UnaryRepeatParams() = default;
  UnaryRepeatParams(std::uint16_t dstBlkStrideIn, std::uint16_t srcBlkStrideIn, std::uint8_t dstRepStrideIn,
                    std::uint8_t srcRepStrideIn)
      : dstBlkStride(dstBlkStrideIn),
        srcBlkStride(srcBlkStrideIn),
        dstRepStride(dstRepStrideIn),
        srcRepStride(srcRepStrideIn) {}
  UnaryRepeatParams(std::uint16_t dstBlkStrideIn, std::uint16_t srcBlkStrideIn, std::uint8_t dstRepStrideIn,
                    std::uint8_t srcRepStrideIn, bool halfBlockIn)
      : dstBlkStride(dstBlkStrideIn),
        srcBlkStride(srcBlkStrideIn),
        dstRepStride(dstRepStrideIn),
        srcRepStride(srcRepStrideIn),
        halfBlock(halfBlockIn) {}
  std::uint32_t blockNumber = DEFAULT_BLK_NUM;
  std::uint16_t dstBlkStride = DEFAULT_BLK_STRIDE;
  std::uint16_t srcBlkStride = DEFAULT_BLK_STRIDE;
  std::uint8_t dstRepStride = DEFAULT_REPEAT_STRIDE;
  std::uint8_t srcRepStride = DEFAULT_REPEAT_STRIDE;
  bool repeatStrideMode = false;
  bool strideSizeMode = false;
  bool halfBlock = false;
};

/// Sets the mask register: bit mode (maskHigh covers lanes 64..127 of 16-bit repeats) in
/// the normal mode; in the counter mode maskHigh is 0 and maskLow a total element count.
template <typename T, MaskMode mode = MaskMode::NORMAL>
void SetVectorMask(const std::uint64_t maskHigh, const std::uint64_t maskLow) {
  const std::uint64_t m[2] = {maskLow, maskHigh};
  vnpu::ascendc::set_mask_bits<T>(m);
}
/// Sets the mask register to the first `len` lanes of every repeat (normal mode) or to a
/// total of `len` elements (counter mode).
template <typename T, MaskMode mode = MaskMode::NORMAL>
void SetVectorMask(std::int32_t len) {
  vnpu::ascendc::set_mask_count<T>(len <= 0 ? 0 : static_cast<std::uint64_t>(len));
}
inline void SetMaskCount() { vnpu::ascendc::block().counter_mode = true; }
inline void SetMaskNorm() { vnpu::ascendc::block().counter_mode = false; }
/// Every lane enabled again.
inline void ResetMask() {
  vnpu::ascendc::BlockState& b = vnpu::ascendc::block();
  b.mask[0] = b.mask[1] = FULL_MASK;
}

}  // namespace AscendC
