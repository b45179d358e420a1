// kernel_operator.h — vnpu's Ascend C kernel API (namespace AscendC; `tik2` for older
// kernels), for kernels compiled with the host compiler and run on vnpu's compute cores.
//
// Written for vnpu from the public interface facts of the Ascend C API reference: names,
// signatures, enum values, documented semantics and constraints. The vector-core (AIV)
// API: queues and buffers in the unified buffer (TPipe, TQue, TBuf, LocalTensor), global
// memory views (GlobalTensor), data movement (DataCopy, DataCopyPad, atomics), vector
// compute in count and mask/repeat forms, synchronisation within and across blocks,
// tiling, and debugging. docs/ascendc.md lists every API with its status.
//
// A kernel is a plain function, `extern "C" __global__ __aicore__ void k(GM_ADDR x, ...)`,
// launched over blockDim blocks with ICPU_RUN_KF (tikicpulib.h, the CPU-debug style) or on
// a stream. Each block gets its own unified buffer of the SoC profile's size (VNPU_SOC;
// 192 KiB on the 910B class), and every limit of the chip is checked: a kernel that
// overruns a buffer, misuses a queue or breaks a documented constraint fails with a
// message naming the kernel, the block and the sizes, instead of corrupting memory.
#pragma once

// Kernels built in CPU mode may call the C math functions (sqrtf, expf, ...) on scalars,
// as they can in the vendor's CPU-debug mode.
#include <cmath>

#include "vnpu_ascendc/common.h"
#include "vnpu_ascendc/half.h"
#include "vnpu_ascendc/tensor.h"
#include "vnpu_ascendc/pipe.h"
#include "vnpu_ascendc/data_copy.h"
#include "vnpu_ascendc/sync.h"
#include "vnpu_ascendc/vector.h"
#include "vnpu_ascendc/vector_reduce.h"
#include "vnpu_ascendc/vector_reduce_repeat.h"
#include "vnpu_ascendc/vector_gather.h"
#include "vnpu_ascendc/vector_cast.h"
#include "vnpu_ascendc/vector_binary.h"
#include "vnpu_ascendc/vector_scalar.h"
#include "vnpu_ascendc/vector_unary.h"
#include "vnpu_ascendc/vector_compare.h"
#include "vnpu_ascendc/vector_duplicate.h"
#include "vnpu_ascendc/debug.h"
#include "vnpu_ascendc/tiling.h"
#include "vnpu_ascendc/launch.h"

namespace tik2 = AscendC;
