// vnpu_ascendc/vector_compare.h — Compare (into a bit tensor or into the CMPMASK register),
// CompareScalar (also named Compares), GetCmpMask / SetCmpMask, and Select.
//
// Compare's result holds one bit per element, packed little-endian: element i is bit i % 8
// of byte i / 8, 1 when the comparison holds. On the 910B (A2) class the mask of the
// repeat forms is reserved and ignored (every repeat compares 256 bytes), the result of
// repeat r follows that of repeat r - 1 (dst strides are ignored), and the count form needs
// count * sizeof(T) to be a multiple of 256 bytes. Sources: half and float (every CMPMODE),
// int32_t (EQ only); the result is uint8_t (or int8_t). NaN compares false except under NE.
//
// Select picks, per element, src0 where the selection bit is 1 and src1 (a tensor or a
// scalar) where it is 0. SELMODE VSEL_CMPMASK_SPR (0): every repeat uses the same first
// 256 / sizeof(T) bits of selMask; VSEL_TENSOR_SCALAR_MODE (1, scalar src1) and
// VSEL_TENSOR_TENSOR_MODE (2): repeat r uses the next 256 / sizeof(T) bits. The repeat
// forms' mask filters the result again: lanes outside it keep their dst values. T: half,
// float; selMask: uint8_t, uint16_t, uint32_t or uint64_t (its bytes are the bits). The
// forms without a mask take the mask from SetVectorMask and the selection from CMPMASK
// (SetCmpMask): mode 0 its 128 bits, mode 1 the scalar in its low bytes, mode 2 the UB
// address of the selection bits. (The chip also needs 8 KB of UB reserved for modes 1 and
// 2; vnpu uses none.)
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "vnpu_ascendc/vector_engine.h"

namespace vnpu::ascendc {

template <typename T, typename U>
VecInstr compare_instr(const char* name, VecOp op, const AscendC::LocalTensor<U>& dst,
                       const AscendC::LocalTensor<T>& src0, AscendC::CMPMODE mode) {
  static_assert(a2_accepts(VecOp::kCompare, vec_type<T>), "Compare takes half, float or int32_t on the 910B (A2) class");
  static_assert(std::is_same_v<U, std::uint8_t> || std::is_same_v<U, std::int8_t>, "Compare writes uint8_t or int8_t");
  if (std::is_same_v<T, std::int32_t> && mode != AscendC::CMPMODE::EQ)
    fail("%s: int32_t operands take CMPMODE::EQ only (got mode %d)", name, static_cast<int>(mode));
  if (static_cast<int>(mode) > static_cast<int>(AscendC::CMPMODE::NE))
    fail("%s: CMPMODE %d is not one of LT, GT, EQ, LE, GE, NE", name, static_cast<int>(mode));
  VecInstr in = instr<T>(name, op);
  in.mode = static_cast<std::uint8_t>(mode);
  in.dst = operand(dst);
  in.src0 = operand(src0);
  return in;
}

template <typename T, typename U>
VecInstr select_instr(const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<U>& sel_mask,
                      const AscendC::LocalTensor<T>& src0, AscendC::SELMODE mode, bool scalar,
                      const AscendC::BinaryRepeatParams& p) {
  static_assert(a2_accepts(VecOp::kSelect, vec_type<T>), "Select takes half or float on the 910B (A2) class");
  static_assert(std::is_unsigned_v<U> && std::is_integral_v<U>, "selMask is uint8_t, uint16_t, uint32_t or uint64_t");
  const bool scalar_mode = mode == AscendC::SELMODE::VSEL_TENSOR_SCALAR_MODE;
  if (static_cast<int>(mode) > static_cast<int>(AscendC::SELMODE::VSEL_TENSOR_TENSOR_MODE))
    fail("Select: SELMODE %d is not one of 0, 1, 2", static_cast<int>(mode));
  if (scalar != scalar_mode)
    fail("Select: SELMODE %d takes %s src1", static_cast<int>(mode), scalar_mode ? "a scalar" : "a tensor");
  VecInstr in = instr<T>("Select", scalar ? VecOp::kSelectScalar : VecOp::kSelect);
  in.mode = mode == AscendC::SELMODE::VSEL_CMPMASK_SPR ? kSelSameBits : kSelConsumed;
  in.dst = operand(dst, p.dstBlkStride, p.dstRepStride);
  in.src0 = operand(src0, p.src0BlkStride, p.src0RepStride);
  in.sel = operand(sel_mask);
  return in;
}

/// GetCmpMask / SetCmpMask move 16 bytes at p, which must be 16-byte aligned.
inline void check_cmp_mask_operand(const void* p, const unsigned char* hi, const char* what) {
  const auto* c = static_cast<const unsigned char*>(p);
  if (c == nullptr) fail("%s: the tensor holds no buffer", what);
  if (reinterpret_cast<std::uintptr_t>(c) % 16 != 0) fail("%s: the tensor does not start 16-byte aligned", what);
  if (hi < c || hi - c < 16)
    fail("%s: the tensor's buffer holds %lld bytes from its start, less than CMPMASK's 16", what,
         static_cast<long long>(hi - c));
}

/// `a (cmp) b` before it is assigned: Compare's count form over the whole of a.
template <typename T>
struct CompareExpr {
  using vnpu_vector_expr = void;
  AscendC::CMPMODE mode;
  AscendC::LocalTensor<T> a;
  AscendC::LocalTensor<T> b;
  template <typename U>
  void assign_to(const AscendC::LocalTensor<U>& dst) const {
    VecInstr in = compare_instr("Compare", VecOp::kCompare, dst, a, mode);
    in.src1 = operand(b);
    vec_count(in, a.GetSize());
  }
};

}  // namespace vnpu::ascendc

namespace AscendC {

// ---- Compare into a bit tensor --------------------------------------------------------------

/// dst bits = src0 (cmpMode) src1 for elements [0, count); count * sizeof(T) a multiple of 256.
template <typename T, typename U>
void Compare(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1, CMPMODE cmpMode,
             std::uint32_t count) {
  ::vnpu::ascendc::VecInstr in = ::vnpu::ascendc::compare_instr("Compare", ::vnpu::ascendc::VecOp::kCompare, dst, src0, cmpMode);
  in.src1 = ::vnpu::ascendc::operand(src1);
  ::vnpu::ascendc::vec_count(in, count);
}
/// repeatTime repeats of 256 bytes; the mask is ignored on this class (isSetMask too).
template <typename T, typename U, bool isSetMask = true>
void Compare(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1, CMPMODE cmpMode,
             const std::uint64_t mask[], const std::int64_t repeatTime, const BinaryRepeatParams& repeatParams) {
  (void)mask;
  ::vnpu::ascendc::VecInstr in = ::vnpu::ascendc::compare_instr("Compare", ::vnpu::ascendc::VecOp::kCompare, dst, src0, cmpMode);
  in.src0 = ::vnpu::ascendc::operand(src0, repeatParams.src0BlkStride, repeatParams.src0RepStride);
  in.src1 = ::vnpu::ascendc::operand(src1, repeatParams.src1BlkStride, repeatParams.src1RepStride);
  ::vnpu::ascendc::vec_repeats(in, ::vnpu::ascendc::whole_repeats<T>(repeatTime, "Compare"));
}
template <typename T, typename U, bool isSetMask = true>
void Compare(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1, CMPMODE cmpMode,
             const std::uint64_t mask, const std::int64_t repeatTime, const BinaryRepeatParams& repeatParams) {
  const std::uint64_t bits[2] = {mask, 0};
  Compare<T, U, isSetMask>(dst, src0, src1, cmpMode, bits, repeatTime, repeatParams);
}

/// dst bits = src0 (cmpMode) scalar for elements [0, count); count * sizeof(T) a multiple of 256.
template <typename T, typename U>
void CompareScalar(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const T src1Scalar, CMPMODE cmpMode,
                   std::uint32_t count) {
  ::vnpu::ascendc::VecInstr in =
      ::vnpu::ascendc::compare_instr("CompareScalar", ::vnpu::ascendc::VecOp::kCompareScalar, dst, src0, cmpMode);
  in.scalar = ::vnpu::ascendc::scalar_bits(src1Scalar);
  ::vnpu::ascendc::vec_count(in, count);
}
/// repeatTime repeats of 256 bytes; the mask is ignored on this class.
template <typename T, typename U, bool isSetMask = true>
void CompareScalar(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const T src1Scalar, CMPMODE cmpMode,
                   const std::uint64_t mask[], const std::int64_t repeatTime, const UnaryRepeatParams& repeatParams) {
  (void)mask;
  ::vnpu::ascendc::VecInstr in =
      ::vnpu::ascendc::compare_instr("CompareScalar", ::vnpu::ascendc::VecOp::kCompareScalar, dst, src0, cmpMode);
  in.src0 = ::vnpu::ascendc::operand(src0, repeatParams.srcBlkStride, repeatParams.srcRepStride);
  in.scalar = ::vnpu::ascendc::scalar_bits(src1Scalar);
  ::vnpu::ascendc::vec_repeats(in, ::vnpu::ascendc::whole_repeats<T>(repeatTime, "CompareScalar"));
}
template <typename T, typename U, bool isSetMask = true>
void CompareScalar(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const T src1Scalar, CMPMODE cmpMode,
                   const std::uint64_t mask, const std::int64_t repeatTime, const UnaryRepeatParams& repeatParams) {
  const std::uint64_t bits[2] = {mask, 0};
  CompareScalar<T, U, isSetMask>(dst, src0, src1Scalar, cmpMode, bits, repeatTime, repeatParams);
}

/// Compares is CompareScalar's name in newer releases.
template <typename T, typename U, typename... Args>
void Compares(const LocalTensor<U>& dst, const LocalTensor<T>& src0, const T src1Scalar, CMPMODE cmpMode, Args... rest) {
  CompareScalar<T, U>(dst, src0, src1Scalar, cmpMode, rest...);
}

// The operator forms: `dst = a < b;` compares the whole of a (its size a multiple of 256 bytes).
#define VNPU_ASCENDC_COMPARE_OPERATOR(sym, mode)                                                   \
  template <typename T>                                                                            \
  ::vnpu::ascendc::CompareExpr<T> operator sym(const LocalTensor<T>& a, const LocalTensor<T>& b) { \
    return {CMPMODE::mode, a, b};                                                                  \
  }
VNPU_ASCENDC_COMPARE_OPERATOR(<, LT)
VNPU_ASCENDC_COMPARE_OPERATOR(>, GT)
VNPU_ASCENDC_COMPARE_OPERATOR(==, EQ)
VNPU_ASCENDC_COMPARE_OPERATOR(<=, LE)
VNPU_ASCENDC_COMPARE_OPERATOR(>=, GE)
VNPU_ASCENDC_COMPARE_OPERATOR(!=, NE)
#undef VNPU_ASCENDC_COMPARE_OPERATOR

// ---- Compare into CMPMASK --------------------------------------------------------------------

/// CMPMASK = src0 (cmpMode) src1 over one repeat of 256 bytes, the lanes of the mask (bits
/// of other lanes 0). half, float.
template <typename T, bool isSetMask = true>
void Compare(const LocalTensor<T>& src0, const LocalTensor<T>& src1, CMPMODE cmpMode, const std::uint64_t mask[],
             const BinaryRepeatParams& repeatParams) {
  static_assert(std::is_same_v<T, half> || std::is_same_v<T, float>, "Compare into CMPMASK takes half or float");
  if constexpr (isSetMask) ::vnpu::ascendc::set_mask_bits<T>(mask);
  ::vnpu::ascendc::VecInstr in = ::vnpu::ascendc::instr<T>("Compare", ::vnpu::ascendc::VecOp::kCompare);
  if (static_cast<int>(cmpMode) > static_cast<int>(CMPMODE::NE))
    ::vnpu::ascendc::fail("Compare: CMPMODE %d is not one of LT, GT, EQ, LE, GE, NE", static_cast<int>(cmpMode));
  in.mode = static_cast<std::uint8_t>(cmpMode);
  in.src0 = ::vnpu::ascendc::operand(src0, repeatParams.src0BlkStride, repeatParams.src0RepStride);
  in.src1 = ::vnpu::ascendc::operand(src1, repeatParams.src1BlkStride, repeatParams.src1RepStride);
  const ::vnpu::ascendc::RepeatPlan p = ::vnpu::ascendc::plan_repeats<T>(1, "Compare");
  if (p.repeats != 0) ::vnpu::ascendc::vec_compare_register(in, p.repeats == 1 ? p.last : p.mask);
}
template <typename T, bool isSetMask = true>
void Compare(const LocalTensor<T>& src0, const LocalTensor<T>& src1, CMPMODE cmpMode, const std::uint64_t mask,
             const BinaryRepeatParams& repeatParams) {
  if constexpr (isSetMask) ::vnpu::ascendc::set_mask_count<T>(mask);
  Compare<T, false>(src0, src1, cmpMode, MASK_PLACEHOLDER_LIST, repeatParams);
}

/// Copies the 128 bits of CMPMASK to dst (16 bytes; dst 16-byte aligned).
template <typename T>
void GetCmpMask(const LocalTensor<T>& dst) {
  ::vnpu::ascendc::check_cmp_mask_operand(dst.GetPhyAddr(), dst.buffer_end(), "GetCmpMask");
  std::memcpy(dst.GetPhyAddr(), ::vnpu::ascendc::block().cmp_mask, 16);
}
/// Loads CMPMASK from the first 16 bytes of src (16-byte aligned).
template <typename T>
void SetCmpMask(const LocalTensor<T>& src) {
  ::vnpu::ascendc::check_cmp_mask_operand(src.GetPhyAddr(), src.buffer_end(), "SetCmpMask");
  std::memcpy(::vnpu::ascendc::block().cmp_mask, src.GetPhyAddr(), 16);
}

// ---- Select -------------------------------------------------------------------------------------

/// Mode 1: dst[i] = bit i of selMask ? src0[i] : src1, for elements [0, count).
template <typename T, typename U>
void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0, T src1,
            SELMODE selMode, std::uint32_t count) {
  ::vnpu::ascendc::VecInstr in = ::vnpu::ascendc::select_instr(dst, selMask, src0, selMode, true, BinaryRepeatParams{});
  in.scalar = ::vnpu::ascendc::scalar_bits(src1);
  ::vnpu::ascendc::run_count<T>(in, count);
}
/// Modes 0 and 2: dst[i] = selection bit ? src0[i] : src1[i], for elements [0, count).
template <typename T, typename U>
void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0,
            const LocalTensor<T>& src1, SELMODE selMode, std::uint32_t count) {
  ::vnpu::ascendc::VecInstr in = ::vnpu::ascendc::select_instr(dst, selMask, src0, selMode, false, BinaryRepeatParams{});
  in.src1 = ::vnpu::ascendc::operand(src1);
  ::vnpu::ascendc::run_count<T>(in, count);
}
/// Mode 1, repeat forms (bit mask or continuous mask).
template <typename T, typename U, bool isSetMask = true, typename M,
          typename = std::enable_if_t<std::is_same_v<M, const std::uint64_t*> || std::is_same_v<M, std::uint64_t*> ||
                                      std::is_integral_v<M>>>
void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0, T src1,
            SELMODE selMode, M mask, const std::int64_t repeatTime, const BinaryRepeatParams& repeatParams) {
  ::vnpu::ascendc::VecInstr in = ::vnpu::ascendc::select_instr(dst, selMask, src0, selMode, true, repeatParams);
  in.scalar = ::vnpu::ascendc::scalar_bits(src1);
  ::vnpu::ascendc::run_mask<T, isSetMask>(in, mask, repeatTime);
}
/// Modes 0 and 2, repeat forms (bit mask or continuous mask).
template <typename T, typename U, bool isSetMask = true, typename M,
          typename = std::enable_if_t<std::is_same_v<M, const std::uint64_t*> || std::is_same_v<M, std::uint64_t*> ||
                                      std::is_integral_v<M>>>
void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0,
            const LocalTensor<T>& src1, SELMODE selMode, M mask, const std::int64_t repeatTime,
            const BinaryRepeatParams& repeatParams) {
  ::vnpu::ascendc::VecInstr in = ::vnpu::ascendc::select_instr(dst, selMask, src0, selMode, false, repeatParams);
  in.src1 = ::vnpu::ascendc::operand(src1, repeatParams.src1BlkStride, repeatParams.src1RepStride);
  ::vnpu::ascendc::run_mask<T, isSetMask>(in, mask, repeatTime);
}
/// Mode 1 without a mask: the mask from SetVectorMask, the scalar from CMPMASK (SetCmpMask
/// of a tensor holding it first).
template <typename T, typename U>
void Select(const LocalTensor<T>& dst, const LocalTensor<U>& selMask, const LocalTensor<T>& src0,
            const std::int64_t repeatTime, const BinaryRepeatParams& repeatParams) {
  ::vnpu::ascendc::VecInstr in =
      ::vnpu::ascendc::select_instr(dst, selMask, src0, SELMODE::VSEL_TENSOR_SCALAR_MODE, true, repeatParams);
  in.scalar = ::vnpu::ascendc::block().cmp_mask[0];
  ::vnpu::ascendc::vec_repeats(in, ::vnpu::ascendc::plan_repeats<T>(repeatTime, "Select"));
}
/// Modes 0 and 2 without a mask: the mask from SetVectorMask; the selection from CMPMASK —
/// its bits (mode 0) or the UB address of the bits (mode 2).
template <typename T, SELMODE selMode>
void Select(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1,
            const std::int64_t repeatTime, const BinaryRepeatParams& repeatParams) {
  static_assert(selMode != SELMODE::VSEL_TENSOR_SCALAR_MODE, "mode 1 takes selMask: Select<T, U>(dst, selMask, ...)");
  ::vnpu::ascendc::BlockState& b = ::vnpu::ascendc::block();
  alignas(32) std::uint64_t bits[4] = {b.cmp_mask[0], b.cmp_mask[1], 0, 0};
  LocalTensor<std::uint64_t> sel;
  if (selMode == SELMODE::VSEL_CMPMASK_SPR) {
    sel.init(bits, 4, TPosition::VECCALC, reinterpret_cast<unsigned char*>(bits), reinterpret_cast<unsigned char*>(bits + 4));
  } else {  // the address in CMPMASK, checked against the UB like any operand
    sel.init(reinterpret_cast<std::uint64_t*>(static_cast<std::uintptr_t>(b.cmp_mask[0])), 0, TPosition::VECCALC, b.ub,
             b.ub + b.ub_size);
  }
  ::vnpu::ascendc::VecInstr in = ::vnpu::ascendc::select_instr(dst, sel, src0, selMode, false, repeatParams);
  in.src1 = ::vnpu::ascendc::operand(src1, repeatParams.src1BlkStride, repeatParams.src1RepStride);
  ::vnpu::ascendc::vec_repeats(in, ::vnpu::ascendc::plan_repeats<T>(repeatTime, "Select"));
}

}  // namespace AscendC
