// vnpu_ascendc/vector_unary.h — one-source element-wise instructions: Exp, Ln, Abs, Sqrt,
// Rsqrt, Reciprocal, Relu, Not.
//
// Forms (T: the element type of dst and src):
//   Op(dst, src, count)                                            elements [0, count)
//   Op<T, isSetMask>(dst, src, mask[], repeatTime, params)         mask bit i: lane i
//   Op<T, isSetMask>(dst, src, mask, repeatTime, params)           the first `mask` lanes
// params: UnaryRepeatParams (strides of dst and src in 32-byte blocks); the mask, counter
// mode and isSetMask work as for the two-source instructions (vector_binary.h).
//
// Exp, Ln, Sqrt, Rsqrt and Reciprocal take an optional trailing template parameter
// `config` (ExpConfig, ...) choosing an accuracy algorithm; the newer API releases define
// it for the 950 class. vnpu accepts every algorithm and computes one way: Exp and Ln
// within 1 ulp of float, Sqrt correctly rounded, Rsqrt as 1 / sqrt(x) and Reciprocal as
// 1 / x with each operation rounded; half results rounded once from float. Subnormals are
// computed, not flushed (the chip flushes them by default). The chip leaves Sqrt and Rsqrt
// of x <= 0 and Reciprocal of 0 undefined; vnpu gives the IEEE results (NaN, inf).
#pragma once

#include <cstdint>

#include "vnpu_ascendc/vector_engine.h"

namespace AscendC {

VNPU_ASCENDC_ALGO_CONFIG(Exp, DEFAULT_EXP_CONFIG, INTRINSIC = 0, PRECISION_1ULP_FTZ_TRUE, PRECISION_1ULP_FTZ_FALSE)
VNPU_ASCENDC_ALGO_CONFIG(Ln, DEFAULT_LN_CONFIG, INTRINSIC = 0, PRECISION_1ULP_FTZ_TRUE, PRECISION_1ULP_FTZ_FALSE)
VNPU_ASCENDC_ALGO_CONFIG(Reciprocal, DEFAULT_RECIPROCAL_CONFIG, INTRINSIC = 0, PRECISION_1ULP_FTZ_TRUE,
                         PRECISION_1ULP_FTZ_FALSE)
VNPU_ASCENDC_ALGO_CONFIG(Sqrt, DEFAULT_SQRT_CONFIG, INTRINSIC = 0, FAST_INVERSE, PRECISION_1ULP_FTZ_TRUE,
                         PRECISION_0ULP_FTZ_FALSE, PRECISION_1ULP_FTZ_FALSE)
VNPU_ASCENDC_ALGO_CONFIG(Rsqrt, DEFAULT_RSQRT_CONFIG, INTRINSIC = 0, FAST_INVERSE, PRECISION_1ULP_FTZ_TRUE,
                         PRECISION_0ULP_FTZ_FALSE, PRECISION_1ULP_FTZ_FALSE)

}  // namespace AscendC

namespace vnpu::ascendc {

template <VecOp kOp, typename T>
VecInstr unary_instr(const char* name, const AscendC::LocalTensor<T>& dst, const AscendC::LocalTensor<T>& src,
                     const AscendC::UnaryRepeatParams& p) {
  VecInstr in = checked_instr<kOp, T>(name);
  set_operands(in, p, dst, src);
  return in;
}

}  // namespace vnpu::ascendc

// The trailing config template parameter of an instruction that has one.
#define VNPU_ASCENDC_CONFIG(Config, Default) , const Config& config = Default
// The three forms of one instruction; `cfg` is VNPU_ASCENDC_CONFIG(...) or empty.
#define VNPU_ASCENDC_UNARY(Name, kOp, cfg)                                                                        \
  template <typename T cfg>                                                                                       \
  void Name(const LocalTensor<T>& dst, const LocalTensor<T>& src, const std::int32_t& count) {                    \
    ::vnpu::ascendc::run_count<T>(                                                                                \
        ::vnpu::ascendc::unary_instr<::vnpu::ascendc::VecOp::kOp>(#Name, dst, src, UnaryRepeatParams{}), count);  \
  }                                                                                                               \
  template <typename T, bool isSetMask = true cfg>                                                                \
  void Name(const LocalTensor<T>& dst, const LocalTensor<T>& src, const std::uint64_t mask[],                     \
            const std::int64_t repeatTime, const UnaryRepeatParams& repeatParams) {                               \
    ::vnpu::ascendc::run_mask<T, isSetMask>(                                                                      \
        ::vnpu::ascendc::unary_instr<::vnpu::ascendc::VecOp::kOp>(#Name, dst, src, repeatParams), mask,           \
        repeatTime);                                                                                              \
  }                                                                                                               \
  template <typename T, bool isSetMask = true cfg>                                                                \
  void Name(const LocalTensor<T>& dst, const LocalTensor<T>& src, const std::uint64_t mask,                       \
            const std::int64_t repeatTime, const UnaryRepeatParams& repeatParams) {                               \
    ::vnpu::ascendc::run_mask<T, isSetMask>(                                                                      \
        ::vnpu::ascendc::unary_instr<::vnpu::ascendc::VecOp::kOp>(#Name, dst, src, repeatParams), mask,           \
        repeatTime);                                                                                              \
  }

namespace AscendC {

/// dst = e^src. half, float.
VNPU_ASCENDC_UNARY(Exp, kExp, VNPU_ASCENDC_CONFIG(ExpConfig, DEFAULT_EXP_CONFIG))
/// dst = ln(src) (ln 0 = -inf, ln of a negative number = NaN). half, float.
VNPU_ASCENDC_UNARY(Ln, kLn, VNPU_ASCENDC_CONFIG(LnConfig, DEFAULT_LN_CONFIG))
/// dst = |src|. half, float.
VNPU_ASCENDC_UNARY(Abs, kAbs, )
/// dst = sqrt(src). half, float.
VNPU_ASCENDC_UNARY(Sqrt, kSqrt, VNPU_ASCENDC_CONFIG(SqrtConfig, DEFAULT_SQRT_CONFIG))
/// dst = 1 / sqrt(src). half, float.
VNPU_ASCENDC_UNARY(Rsqrt, kRsqrt, VNPU_ASCENDC_CONFIG(RsqrtConfig, DEFAULT_RSQRT_CONFIG))
/// dst = 1 / src. half, float.
VNPU_ASCENDC_UNARY(Reciprocal, kReciprocal, VNPU_ASCENDC_CONFIG(ReciprocalConfig, DEFAULT_RECIPROCAL_CONFIG))
/// dst = max(src, 0) (NaN stays NaN). half, int32_t, float.
VNPU_ASCENDC_UNARY(Relu, kRelu, )
/// dst = ~src. int16_t, uint16_t.
VNPU_ASCENDC_UNARY(Not, kNot, )

}  // namespace AscendC

#undef VNPU_ASCENDC_UNARY
#undef VNPU_ASCENDC_CONFIG
