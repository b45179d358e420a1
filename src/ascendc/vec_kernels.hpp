// The SIMD kernels of the vector instructions: each computes one contiguous run of an
// instruction (vec_engine.cpp cuts instructions into runs and checks them first), compiled
// once per Highway target and chosen at run time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vnpu_ascendc/vector_engine.h"

namespace vnpu::ascendc {

/// Elements [0, n) of one run. Operands the instruction does not have are null. Bit
/// operands (Compare's dst, Select's selection bits) hold bit i of element i at bit i % 8
/// of byte i / 8; runs of bit operands have n a multiple of 8.
struct VecRun {
  void* dst = nullptr;
  const void* src0 = nullptr;
  const void* src1 = nullptr;
  const std::uint8_t* sel = nullptr;
  std::uint64_t scalar = 0;  ///< the scalar's bits, in the instruction's src_type
  std::size_t n = 0;
};
using VecKernel = void (*)(const VecRun&);

/// The kernel of an arithmetic instruction (binary, vector-scalar, unary, Axpy, Duplicate)
/// for the current SIMD target; nullptr for a combination the API does not offer.
VecKernel arith_kernel(VecOp op, VecType type, VecType src_type);
/// The kernel of Compare / CompareScalar (mode: the CMPMODE) or Select / SelectScalar.
VecKernel cmpsel_kernel(VecOp op, VecType type, std::uint8_t mode);

}  // namespace vnpu::ascendc
