// vnpu_ascendc/vector_binary.h — two-source element-wise instructions: Add, Sub, Mul, Div,
// Max, Min, And, Or, and their operator forms (dst = a + b, a - b, a * b, a / b, a & b, a | b).
//
// Every instruction has three forms (T: the element type of dst, src0 and src1):
//   Op(dst, src0, src1, count)                                       elements [0, count)
//   Op<T, isSetMask>(dst, src0, src1, mask[], repeatTime, params)    mask bit i: lane i
//   Op<T, isSetMask>(dst, src0, src1, mask, repeatTime, params)      the first `mask` lanes
// A repeat is 256 bytes (64 lanes of a 32-bit type, 128 of a 16-bit one); repeatTime is at
// most 255; params (BinaryRepeatParams) gives each operand's strides in 32-byte blocks.
// With isSetMask = false the instruction uses the mask the kernel set (SetVectorMask; pass
// MASK_PLACEHOLDER); in counter mode (SetMaskCount) the mask is a total element count and
// repeatTime is ignored. Lanes outside the mask keep their dst values. Every operand starts
// 32-byte aligned and stays inside its tensor's buffer; a violation fails the kernel.
//
// Results: float in one IEEE operation; half computed in float and rounded once to half;
// integers wrap (two's complement). Max/Min return NaN if either operand is NaN. Div by
// zero follows IEEE (inf, or NaN for 0/0).
#pragma once

#include <cstdint>
#include <type_traits>

#include "vnpu_ascendc/vector_engine.h"

namespace AscendC {

/// Div's accuracy algorithms (newer API releases). vnpu divides in IEEE arithmetic, which
/// meets every one of them (0 ulp for float, subnormals kept); all are accepted.
VNPU_ASCENDC_ALGO_CONFIG(Div, DEFAULT_DIV_CONFIG, INTRINSIC = 0, DIFF_COMPENSATION, PRECISION_1ULP_FTZ_TRUE,
                         PRECISION_0ULP_FTZ_TRUE, PRECISION_0ULP_FTZ_FALSE, PRECISION_1ULP_FTZ_FALSE)

}  // namespace AscendC

namespace vnpu::ascendc {

// And and Or on 32-bit elements, which the chip accepts in the count and operator forms:
// it operates on 16-bit halves, so `count` counts 16-bit lanes.
template <VecOp kOp, typename T>
constexpr bool kBitwise32 = (kOp == VecOp::kAnd || kOp == VecOp::kOr) && std::is_integral_v<T> && sizeof(T) == 4;

template <typename T>
using Half16 = std::conditional_t<std::is_signed_v<T>, std::int16_t, std::uint16_t>;

template <VecOp kOp, typename T>
VecInstr binary_instr(const char* name, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src0,
                      const AscendC::LocalTensor<T>& src1, const AscendC::BinaryRepeatParams& p) {
  VecInstr in = checked_instr<kOp, T>(name);
  set_operands(in, p, dst, src0, src1);
  return in;
}

template <VecOp kOp, typename T>
void binary_count(const char* name, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src0,
                  const AscendC::LocalTensor<T>& src1, std::int64_t count) {
  if constexpr (kBitwise32<kOp, T>) {
    using H = Half16<T>;
    binary_count<kOp, H>(name, dst.template ReinterpretCast<H>(), src0.template ReinterpretCast<H>(),
                         src1.template ReinterpretCast<H>(), count);
  } else {
    run_count<T>(binary_instr<kOp>(name, dst, src0, src1, AscendC::BinaryRepeatParams{}), count);
  }
}

template <VecOp kOp, bool isSetMask, typename T, typename M>
void binary_mask(const char* name, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src0,
                 const AscendC::LocalTensor<T>& src1, M mask, std::int64_t repeat_time,
                 const AscendC::BinaryRepeatParams& params) {
  run_mask<T, isSetMask>(binary_instr<kOp>(name, dst, src0, src1, params), mask, repeat_time);
}

/// `a op b` before it is assigned: the count form over the whole destination.
template <VecOp kOp, typename T>
struct BinaryExpr {
  using vnpu_vector_expr = void;
  const char* name;
  AscendC::LocalTensor<T> a;
  AscendC::LocalTensor<T> b;
  void assign_to(const AscendC::LocalTensor<T>& dst) const {
    const std::int64_t n = std::int64_t{dst.GetSize()} * (kBitwise32<kOp, T> ? 2 : 1);
    binary_count<kOp>(name, dst, a, b, n);
  }
};

}  // namespace vnpu::ascendc

// The three forms of one instruction.
#define VNPU_ASCENDC_BINARY(Name, kOp)                                                                              \
  template <typename T>                                                                                             \
  void Name(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1,                     \
            const std::int32_t& count) {                                                                            \
    ::vnpu::ascendc::binary_count<::vnpu::ascendc::VecOp::kOp>(#Name, dst, src0, src1, count);                     \
  }                                                                                                                 \
  template <typename T, bool isSetMask = true>                                                                      \
  void Name(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1,                     \
            const std::uint64_t mask[], const std::int64_t repeatTime, const BinaryRepeatParams& repeatParams) {    \
    ::vnpu::ascendc::binary_mask<::vnpu::ascendc::VecOp::kOp, isSetMask>(#Name, dst, src0, src1, mask, repeatTime, \
                                                                          repeatParams);                            \
  }                                                                                                                 \
  template <typename T, bool isSetMask = true>                                                                      \
  void Name(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1,                     \
            const std::uint64_t mask, const std::int64_t repeatTime, const BinaryRepeatParams& repeatParams) {      \
    ::vnpu::ascendc::binary_mask<::vnpu::ascendc::VecOp::kOp, isSetMask>(#Name, dst, src0, src1, mask, repeatTime, \
                                                                          repeatParams);                            \
  }

namespace AscendC {

/// dst = src0 + src1. half, int16_t, int32_t, float.
VNPU_ASCENDC_BINARY(Add, kAdd)
/// dst = src0 - src1. half, int16_t, int32_t, float.
VNPU_ASCENDC_BINARY(Sub, kSub)
/// dst = src0 * src1 (integers: the low bits of the product). half, int16_t, int32_t, float.
VNPU_ASCENDC_BINARY(Mul, kMul)
/// dst = max(src0, src1). half, int16_t, int32_t, float.
VNPU_ASCENDC_BINARY(Max, kMax)
/// dst = min(src0, src1). half, int16_t, int32_t, float.
VNPU_ASCENDC_BINARY(Min, kMin)
/// dst = src0 & src1. int16_t, uint16_t (32-bit types: count form only, count in 16-bit lanes).
VNPU_ASCENDC_BINARY(And, kAnd)
/// dst = src0 | src1. int16_t, uint16_t (32-bit types: count form only, count in 16-bit lanes).
VNPU_ASCENDC_BINARY(Or, kOr)

/// dst = src0 / src1. half, float. `config` selects an accuracy algorithm (see DivConfig).
template <typename T, const DivConfig& config = DEFAULT_DIV_CONFIG>
void Div(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1, const std::int32_t& count) {
  ::vnpu::ascendc::binary_count<::vnpu::ascendc::VecOp::kDiv>("Div", dst, src0, src1, count);
}
template <typename T, bool isSetMask = true, const DivConfig& config = DEFAULT_DIV_CONFIG>
void Div(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1, const std::uint64_t mask[],
         const std::int64_t repeatTime, const BinaryRepeatParams& repeatParams) {
  ::vnpu::ascendc::binary_mask<::vnpu::ascendc::VecOp::kDiv, isSetMask>("Div", dst, src0, src1, mask, repeatTime,
                                                                       repeatParams);
}
template <typename T, bool isSetMask = true, const DivConfig& config = DEFAULT_DIV_CONFIG>
void Div(const LocalTensor<T>& dst, const LocalTensor<T>& src0, const LocalTensor<T>& src1, const std::uint64_t mask,
         const std::int64_t repeatTime, const BinaryRepeatParams& repeatParams) {
  ::vnpu::ascendc::binary_mask<::vnpu::ascendc::VecOp::kDiv, isSetMask>("Div", dst, src0, src1, mask, repeatTime,
                                                                       repeatParams);
}

// The operator forms: `dst = a + b;` computes the whole of dst (dst.GetSize() elements).
#define VNPU_ASCENDC_BINARY_OPERATOR(sym, Name, kOp)                                                       \
  template <typename T>                                                                                    \
  ::vnpu::ascendc::BinaryExpr<::vnpu::ascendc::VecOp::kOp, T> operator sym(const LocalTensor<T>& a,        \
                                                                           const LocalTensor<T>& b) {      \
    return {#Name, a, b};                                                                                  \
  }
VNPU_ASCENDC_BINARY_OPERATOR(+, Add, kAdd)
VNPU_ASCENDC_BINARY_OPERATOR(-, Sub, kSub)
VNPU_ASCENDC_BINARY_OPERATOR(*, Mul, kMul)
VNPU_ASCENDC_BINARY_OPERATOR(/, Div, kDiv)
VNPU_ASCENDC_BINARY_OPERATOR(&, And, kAnd)
VNPU_ASCENDC_BINARY_OPERATOR(|, Or, kOr)
#undef VNPU_ASCENDC_BINARY_OPERATOR

}  // namespace AscendC

#undef VNPU_ASCENDC_BINARY
