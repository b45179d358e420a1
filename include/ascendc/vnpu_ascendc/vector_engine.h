// vnpu_ascendc/vector_engine.h — how the vector instructions reach vnpu's kernels.
//
// Each API (Add, Exps, Compare, ...) is a small template that checks its element types at
// compile time, describes the instruction — operation, element types, operands with the
// buffers they lie in and their strides, scalar — and hands it to libascendcl, which
// checks every operand against the chip's rules before touching memory (32-byte aligned
// start, every element the plan reaches inside the operand's buffer) and runs it:
//   vec_count    the count form Op(dst, src..., count): the first `count` elements,
//                contiguous, on the SIMD kernels of the CPU (Highway dispatch);
//   vec_repeats  the mask/repeat form: `plan.repeats` repeats of 256 bytes, each with the
//                lanes of the mask (see RepeatPlan), operands addressed through their
//                block and repeat strides. Contiguous operands under a full mask take the
//                SIMD path as one run; anything else runs repeat by repeat, in order.
// Lanes a mask leaves out keep their destination values.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "vnpu_ascendc/vector.h"

// An accuracy-algorithm choice of the newer API releases: enum class <Op>Algo with the
// given enumerators (INTRINSIC first), struct <Op>Config { algo }, and its default value.
#define VNPU_ASCENDC_ALGO_CONFIG(Op, DEFAULT_NAME, ...)   \
  enum class Op##Algo { __VA_ARGS__ };                     \
  struct Op##Config {                                      \
    Op##Algo algo = Op##Algo::INTRINSIC;                   \
  };                                                       \
  inline constexpr Op##Config DEFAULT_NAME = {Op##Algo::INTRINSIC};

namespace vnpu::ascendc {

/// The element-wise instructions.
enum class VecOp : std::uint8_t {
  // dst = src0 (op) src1
  kAdd, kSub, kMul, kDiv, kMax, kMin, kAnd, kOr,
  // dst = src0 (op) scalar
  kAdds, kMuls, kMaxs, kMins, kLeakyRelu,
  // dst = f(src0)
  kExp, kLn, kAbs, kSqrt, kRsqrt, kReciprocal, kRelu, kNot,
  // dst = src1 + src0 * scalar, src1 being dst itself
  kAxpy,
  // dst = scalar
  kDuplicate,
  // dst bit i = src0[i] (cmp) src1[i] / scalar; `mode` is the CMPMODE
  kCompare, kCompareScalar,
  // dst = selection bit i ? src0 : src1 / scalar; `mode` says how repeats use the bits
  kSelect, kSelectScalar,
};

/// The element types each instruction takes on the 910B (A2) class, from the API reference.
constexpr bool a2_accepts(VecOp op, VecType t) {
  const bool f16_f32 = t == VecType::kF16 || t == VecType::kF32;
  switch (op) {
    case VecOp::kAdd: case VecOp::kSub: case VecOp::kMul: case VecOp::kMax: case VecOp::kMin:
    case VecOp::kAdds: case VecOp::kMuls: case VecOp::kMaxs: case VecOp::kMins:
      return f16_f32 || t == VecType::kI16 || t == VecType::kI32;
    case VecOp::kAnd: case VecOp::kOr: case VecOp::kNot:
      return t == VecType::kI16 || t == VecType::kU16;
    case VecOp::kRelu:
      return f16_f32 || t == VecType::kI32;
    case VecOp::kDuplicate:
      return f16_f32 || t == VecType::kBF16 || t == VecType::kI16 || t == VecType::kU16 || t == VecType::kI32 ||
             t == VecType::kU32;
    case VecOp::kCompare: case VecOp::kCompareScalar:
      return f16_f32 || t == VecType::kI32;
    default:  // Div, LeakyRelu, the unary math, Axpy, Select
      return f16_f32;
  }
}

/// How Select's repeats read the selection bits (SELMODE 0, and 1 and 2).
enum SelBits : std::uint8_t {
  kSelSameBits = 0,  ///< every repeat uses bits 0 .. lanes-1
  kSelConsumed = 1,  ///< repeat r uses bits r*lanes .. (r+1)*lanes-1
};

/// One operand: its element 0, the buffer it lies in, and its strides in 32-byte blocks
/// (between the DataBlocks of a repeat, and between repeats).
struct VecOperand {
  void* addr = nullptr;
  const unsigned char* lo = nullptr;
  const unsigned char* hi = nullptr;
  std::uint32_t blk = 1;
  std::uint32_t rep = 8;
};

/// One instruction. `type` is the element type of dst (of the sources for Compare);
/// `src_type` that of src0, which differs only for Axpy's half -> float form.
struct VecInstr {
  const char* name = "";
  VecOp op = VecOp::kAdd;
  VecType type = VecType::kF32;
  VecType src_type = VecType::kF32;
  std::uint8_t mode = 0;
  VecOperand dst, src0, src1, sel;
  std::uint64_t scalar = 0;  ///< the scalar's bits, in src_type
};

/// Runs the count form over elements [0, count) of every operand.
VNPU_ASCENDC_API void vec_count(const VecInstr& in, std::uint64_t count);
/// Runs the mask/repeat form.
VNPU_ASCENDC_API void vec_repeats(const VecInstr& in, const RepeatPlan& plan);
/// Compare into the CMPMASK register: one repeat, the lanes of `mask` (others 0).
VNPU_ASCENDC_API void vec_compare_register(const VecInstr& in, const RepeatMask& mask);

// ---- building instructions -------------------------------------------------------------

template <typename T>
VecOperand operand(const AscendC::LocalTensor<T>& t, std::uint32_t blk = 1, std::uint32_t rep = 8) {
  VecOperand o;
  o.addr = const_cast<std::remove_const_t<T>*>(t.GetPhyAddr());
  o.lo = t.buffer_begin();
  o.hi = t.buffer_end();
  o.blk = blk;
  o.rep = rep;
  return o;
}

template <typename T>
std::uint64_t scalar_bits(const T& v) {
  static_assert(sizeof(T) <= sizeof(std::uint64_t), "a scalar of at most 8 bytes");
  std::uint64_t b = 0;
  std::memcpy(&b, &v, sizeof(T));
  return b;
}

template <typename T>
VecInstr instr(const char* name, VecOp op) {
  VecInstr in;
  in.name = name;
  in.op = op;
  in.type = vec_type<T>;
  in.src_type = vec_type<T>;
  return in;
}

/// An instruction on elements of T, which must be among the types it takes on the chip.
template <VecOp kOp, typename T>
VecInstr checked_instr(const char* name) {
  static_assert(a2_accepts(kOp, vec_type<T>), "this instruction does not take this element type on the 910B (A2) class");
  return instr<T>(name, kOp);
}

/// dst and src with the strides of UnaryRepeatParams.
template <typename D, typename S>
void set_operands(VecInstr& in, const AscendC::UnaryRepeatParams& p, const AscendC::LocalTensor<D>& dst,
                  const AscendC::LocalTensor<S>& src) {
  in.dst = operand(dst, p.dstBlkStride, p.dstRepStride);
  in.src0 = operand(src, p.srcBlkStride, p.srcRepStride);
}
/// dst, src0 and src1 with the strides of BinaryRepeatParams.
template <typename D, typename S>
void set_operands(VecInstr& in, const AscendC::BinaryRepeatParams& p, const AscendC::LocalTensor<D>& dst,
                  const AscendC::LocalTensor<S>& src0, const AscendC::LocalTensor<S>& src1) {
  in.dst = operand(dst, p.dstBlkStride, p.dstRepStride);
  in.src0 = operand(src0, p.src0BlkStride, p.src0RepStride);
  in.src1 = operand(src1, p.src1BlkStride, p.src1RepStride);
}

// ---- running the forms -----------------------------------------------------------------

/// The count form. With isSetMask (the default) it works as the API does: counter mode,
/// the mask register set to `count`, then ResetMask and SetMaskNorm — so afterwards the
/// mask is full and the mode normal. Without it, the API leaves the register alone and
/// issues one repeat of the default strides under the mask the kernel set.
template <typename T, bool isSetMask = true>
void run_count(const VecInstr& in, std::int64_t count) {
  if (count < 0) fail("%s: count %lld is negative", in.name, static_cast<long long>(count));
  if constexpr (isSetMask) {
    vec_count(in, static_cast<std::uint64_t>(count));
    BlockState& b = block();
    b.mask[0] = b.mask[1] = AscendC::FULL_MASK;
    b.counter_mode = false;
  } else {
    vec_repeats(in, plan_repeats<T>(1, in.name));
  }
}

/// The mask/repeat form, bit mode: mask[0] enables lanes 0..63 of every repeat, mask[1]
/// lanes 64..127 (16-bit types only). In counter mode mask[0] is a total element count.
template <typename T, bool isSetMask>
void run_mask_bits(const VecInstr& in, const std::uint64_t mask[], std::int64_t repeat_time) {
  if constexpr (isSetMask) set_mask_bits<T>(mask);
  vec_repeats(in, plan_repeats<T>(repeat_time, in.name));
}

/// ... continuous mode: the first `mask` lanes of every repeat (a total count in counter
/// mode). A mask of 0 in normal mode is documented as a no-op.
template <typename T, bool isSetMask>
void run_mask_count(const VecInstr& in, std::uint64_t mask, std::int64_t repeat_time) {
  if constexpr (isSetMask) {
    set_mask_count<T>(mask);
    if (mask == 0 && !block().counter_mode) {
      check_repeat_time(repeat_time, in.name);
      return;
    }
  }
  vec_repeats(in, plan_repeats<T>(repeat_time, in.name));
}

/// The mask/repeat form, either mask: `const std::uint64_t*` (bit mode) or `std::uint64_t`.
template <typename T, bool isSetMask, typename M>
void run_mask(const VecInstr& in, M mask, std::int64_t repeat_time) {
  if constexpr (std::is_pointer_v<M>) run_mask_bits<T, isSetMask>(in, mask, repeat_time);
  else run_mask_count<T, isSetMask>(in, static_cast<std::uint64_t>(mask), repeat_time);
}

/// A plan of `repeat_time` whole repeats, for the instructions that ignore the mask.
template <typename T>
RepeatPlan whole_repeats(std::int64_t repeat_time, const char* what) {
  check_repeat_time(repeat_time, what);
  RepeatPlan p;
  p.repeats = static_cast<std::uint32_t>(repeat_time);
  p.mask = p.last = RepeatMask::first(lanes_per_repeat<T>());
  return p;
}

}  // namespace vnpu::ascendc
