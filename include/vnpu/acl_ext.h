/* vnpu/acl_ext.h — vnpu's own C entry points beside the AscendCL-compatible API: C kernels
 * launched on a stream, and the operators (reductions, softmax, normalizations) on device
 * buffers.
 *
 * Everything here follows the conventions of acl/acl_rt.h: aclInit first, the calling
 * thread's current context, a NULL stream for the context's default stream, aclError
 * codes, aclGetRecentErrMsg after a failure. Work is queued and runs asynchronously; the
 * buffers must stay valid until the stream has run it. A failure found while the work runs
 * is reported at the next synchronization of the stream as ACL_ERROR_RT_AICORE_EXCEPTION.
 */
#ifndef VNPU_ACL_EXT_H_
#define VNPU_ACL_EXT_H_

#include <stddef.h>
#include <stdint.h>

#include "../acl/acl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- kernels ------------------------------------------------------------------------- */

/**
 * A kernel: called once per block, blockIdx = 0..blockDim-1, on the device's compute cores
 * (blocks of one launch run concurrently where cores are free). `args` is the pointer given
 * to vnpuLaunchKernel, shared by every block.
 */
typedef void (*vnpuKernelFunc)(uint32_t blockIdx, uint32_t blockDim, void *args);

/**
 * Queues `fn` over `blockDim` blocks on `stream`, in stream order. A null `fn` or a zero
 * `blockDim` is ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError vnpuLaunchKernel(vnpuKernelFunc fn, uint32_t blockDim, void *args, aclrtStream stream);

/**
 * Called from inside a kernel block: marks the launch failed with `message` (copied; NULL
 * gives a generic text). The block should then return. The failure is reported at the
 * next synchronization of the stream as ACL_ERROR_RT_AICORE_EXCEPTION, with the message.
 * Outside a kernel it does nothing.
 */
ACL_FUNC_VISIBILITY void vnpuKernelFail(const char *message);

/**
 * As vnpuLaunchKernel, but the `argsSize` bytes at `args` are copied when the launch is
 * queued, as the accelerator's launches copy their argument block: the caller may reuse or
 * free its argument struct as soon as this returns. Every block gets a pointer to the same
 * copy, aligned to 64 bytes, valid until the launch completes. `args` may be NULL only with
 * `argsSize` 0 (the kernel then gets NULL); argsSize above 1 MiB is ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError vnpuLaunchKernelWithArgs(vnpuKernelFunc fn, uint32_t blockDim, const void *args,
                                                      size_t argsSize, aclrtStream stream);

/** How a kernel uses a range of memory (vnpuAccess). */
typedef enum vnpuAccessMode { VNPU_ACCESS_READ = 1, VNPU_ACCESS_WRITE = 2, VNPU_ACCESS_READ_WRITE = 3 } vnpuAccessMode;

/** A range of memory a kernel reads or writes: `bytes` bytes at `ptr`. */
typedef struct vnpuAccess {
  const void *ptr;
  size_t bytes;
  vnpuAccessMode mode;
} vnpuAccess;

/**
 * As vnpuLaunchKernelWithArgs, declaring the memory the kernel reads and writes
 * (`accessCount` entries at `accesses`, copied) for checked mode (VNPU_CHECK, `vnpu check`):
 * each launch's accesses are checked against the other queued work's. Without checking
 * they are validated and otherwise ignored. `accesses` may be NULL only with
 * `accessCount` 0; a NULL range pointer with a nonzero size, or an unknown mode, is
 * ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError vnpuLaunchKernelWithAccesses(vnpuKernelFunc fn, uint32_t blockDim, const void *args,
                                                          size_t argsSize, const vnpuAccess *accesses,
                                                          size_t accessCount, aclrtStream stream);

/** Inside a kernel block: this block's index, 0..blockDim-1 (0 outside a kernel). */
ACL_FUNC_VISIBILITY uint32_t vnpuGetBlockIdx(void);
/** Inside a kernel block: the launch's number of blocks (0 outside a kernel). */
ACL_FUNC_VISIBILITY uint32_t vnpuGetBlockDim(void);

/* ---- lanes ---------------------------------------------------------------------------- */

/**
 * A lane: a thread of its own beside a device's compute cores that runs stream tasks handed
 * to it (vnpu/lane.hpp). libhccl runs each communicator's collectives on one; other
 * libraries that block for long inside stream order (waiting on a network, another process)
 * can too. Its tasks are "collective" spans on the profiler's "comm lane N".
 */
typedef struct vnpuLaneImpl *vnpuLane;

/**
 * A lane task: returns 0 on success; otherwise nonzero, with a message written (NUL-terminated)
 * into `message` (`messageBytes` long), which fails the task: the stream's next
 * synchronization returns ACL_ERROR_RT_AICORE_EXCEPTION with the message.
 */
typedef int (*vnpuLaneFunc)(void *userData, char *message, size_t messageBytes);

/** Starts a lane for the streams of device `deviceId`; `name` names its thread (may be NULL). */
ACL_FUNC_VISIBILITY aclError vnpuLaneCreate(int32_t deviceId, const char *name, vnpuLane *lane);

/** Waits for the lane's submitted tasks, then stops it. */
ACL_FUNC_VISIBILITY aclError vnpuLaneDestroy(vnpuLane lane);

/**
 * Queues `fn(userData, ...)` on `stream` (a stream of the lane's device; NULL: the current
 * context's default stream) to run on the lane; later work on the stream waits for it.
 * `name` labels it in errors and traces, `bytes` is what it moves (for the profiler), and
 * `accesses` (as for vnpuLaunchKernelWithAccesses, copied) declare its memory for checked
 * mode. `release(userData)`, if not NULL, is called once the task has run or was dropped
 * (also when this call fails).
 */
ACL_FUNC_VISIBILITY aclError vnpuLaneSubmit(vnpuLane lane, aclrtStream stream, const char *name, uint64_t bytes,
                                            vnpuLaneFunc fn, void *userData, void (*release)(void *),
                                            const vnpuAccess *accesses, size_t accessCount);

/* ---- finalization -------------------------------------------------------------------- */

/**
 * aclFinalize with a bound on its wait for queued work, in milliseconds (-1: forever, as
 * aclFinalize; other negative values are ACL_ERROR_INVALID_PARAM). If the work queued so far
 * does not finish in time, it returns ACL_ERROR_RT_STREAM_SYNC_TIMEOUT and nothing changes:
 * the API stays initialized and may be finalized again later. (On a thread that must itself
 * run pending blocking callbacks, those run first, as in aclFinalize; if the wait then
 * times out, the API is finalized but device memory still in use is left allocated rather
 * than freed under running work, and ACL_ERROR_RT_STREAM_SYNC_TIMEOUT is returned.)
 */
ACL_FUNC_VISIBILITY aclError vnpuFinalizeWithTimeout(int32_t timeoutMs);

/* ---- tensors ------------------------------------------------------------------------- */

#define VNPU_TENSOR_MAX_RANK 8

/**
 * A view of device (or pinned) memory: element (i0, i1, ...) is at
 * data + (i0*strides[0] + i1*strides[1] + ...) * aclDataTypeSize(dataType).
 * Strides are in elements, may be zero or negative. Only the first `rank` entries of dims
 * and strides are read. Supported types: ACL_FLOAT, ACL_FLOAT16, ACL_BF16, ACL_INT32,
 * ACL_DOUBLE (reductions only, computed in f64), and ACL_INT64 / ACL_BOOL for argmax/argmin
 * and all/any outputs.
 */
typedef struct vnpuTensor {
  void *data;
  aclDataType dataType;
  int32_t rank;
  int64_t dims[VNPU_TENSOR_MAX_RANK];
  int64_t strides[VNPU_TENSOR_MAX_RANK];
} vnpuTensor;

/**
 * Fills `tensor` as a contiguous row-major view of `rank` dims at `data`.
 * ACL_ERROR_INVALID_PARAM for a null tensor, null dims with rank > 0, or a rank outside
 * 0..VNPU_TENSOR_MAX_RANK. Needs no aclInit.
 */
ACL_FUNC_VISIBILITY aclError vnpuTensorInit(vnpuTensor *tensor, void *data, aclDataType dataType, int32_t rank,
                                            const int64_t *dims);

/* ---- reductions (semantics: vnpu/ops/reduce.hpp) ------------------------------------- */

typedef enum {
  VNPU_REDUCE_SUM = 0,
  VNPU_REDUCE_MEAN = 1,
  VNPU_REDUCE_MAX = 2,
  VNPU_REDUCE_MIN = 3,
  VNPU_REDUCE_PROD = 4,
  VNPU_REDUCE_SUM_SQUARES = 5, /**< sum of x^2 */
  VNPU_REDUCE_L1 = 6,          /**< sum of |x| */
  VNPU_REDUCE_L2 = 7,          /**< sqrt of the sum of x^2 */
  VNPU_REDUCE_LOGSUMEXP = 8,
  VNPU_REDUCE_VAR = 9,         /**< divided by n - correction */
  VNPU_REDUCE_STD = 10,
  VNPU_REDUCE_ARGMAX = 11,     /**< ACL_INT64 output */
  VNPU_REDUCE_ARGMIN = 12,
  VNPU_REDUCE_ALL = 13,        /**< ACL_BOOL output */
  VNPU_REDUCE_ANY = 14,
  VNPU_REDUCE_LOG_SUM = 15     /**< log of the sum (ONNX ReduceLogSum) */
} vnpuReduceOp;

/** Pass as axisCount to reduce every axis (axes is then ignored). */
#define VNPU_REDUCE_ALL_AXES (-1)

/**
 * Queues `op` of `src` over the given axes into `dst` on `stream`.
 * axisCount: VNPU_REDUCE_ALL_AXES for every axis, 0 for none (an element-wise copy with the
 * op's element-wise part), or the number of entries of `axes` (negative axes count from the
 * end; a repeated axis is an error; more than VNPU_TENSOR_MAX_RANK is ACL_ERROR_INVALID_PARAM
 * before `axes` is read). keepDims: nonzero keeps reduced axes as size 1.
 * correction: var/std divide by n - correction (ignored by other ops). argmax/argmin ties give
 * the first index (the C++ API's select_last_index has no parameter here).
 * dst's shape must be the one vnpuReduceOutputShape gives, and its type the type given there
 * (ACL_FLOAT16/ACL_BF16/ACL_DOUBLE inputs may also write ACL_FLOAT).
 * Bad shapes, axes or types are ACL_ERROR_INVALID_PARAM (message says which); nothing is
 * queued then.
 */
ACL_FUNC_VISIBILITY aclError vnpuReduce(vnpuReduceOp op, const vnpuTensor *src, const vnpuTensor *dst,
                                        const int32_t *axes, int32_t axisCount, int32_t keepDims, double correction,
                                        aclrtStream stream);

/**
 * The output of vnpuReduce for these arguments: its rank, dims (VNPU_TENSOR_MAX_RANK
 * entries) and default type. Needs no aclInit.
 */
ACL_FUNC_VISIBILITY aclError vnpuReduceOutputShape(vnpuReduceOp op, const vnpuTensor *src, const int32_t *axes,
                                                   int32_t axisCount, int32_t keepDims, int32_t *rank,
                                                   int64_t *dims, aclDataType *dataType);

/* ---- softmax (semantics: vnpu/ops/softmax.hpp) --------------------------------------- */

/** Queues softmax of `src` along `axis` (negative counts from the end) into `dst`, which
 *  has src's shape and type (f32, f16, bf16) and may be src itself. */
ACL_FUNC_VISIBILITY aclError vnpuSoftmax(const vnpuTensor *src, const vnpuTensor *dst, int32_t axis,
                                         aclrtStream stream);
/** As vnpuSoftmax, for log_softmax. */
ACL_FUNC_VISIBILITY aclError vnpuLogSoftmax(const vnpuTensor *src, const vnpuTensor *dst, int32_t axis,
                                            aclrtStream stream);

/* ---- normalizations (semantics: vnpu/ops/norm.hpp) -----------------------------------
 * Optional tensors are passed as NULL. x and y have the same shape and type (f32, f16,
 * bf16); y may be x. */

/** y = (x - mean) * rstd * gamma + beta over the trailing `normalizedNdim` axes; mean and
 *  rstd, if given, receive the statistics. */
ACL_FUNC_VISIBILITY aclError vnpuLayerNorm(const vnpuTensor *x, const vnpuTensor *y, int32_t normalizedNdim,
                                           double eps, const vnpuTensor *gamma, const vnpuTensor *beta,
                                           const vnpuTensor *mean, const vnpuTensor *rstd, aclrtStream stream);
/** y = x * rsqrt(mean(x^2) + eps) * gamma over the trailing `normalizedNdim` axes. */
ACL_FUNC_VISIBILITY aclError vnpuRmsNorm(const vnpuTensor *x, const vnpuTensor *y, int32_t normalizedNdim,
                                         double eps, const vnpuTensor *gamma, const vnpuTensor *rstd,
                                         aclrtStream stream);
/** Per-channel (axis 1) normalization of x = [N, C, ...]. training = 0 uses runningMean
 *  and runningVar (required); nonzero uses the batch statistics, updates the running ones
 *  with `momentum` when given, and writes saveMean/saveInvstd when given. */
ACL_FUNC_VISIBILITY aclError vnpuBatchNorm(const vnpuTensor *x, const vnpuTensor *y, int32_t training, double eps,
                                           double momentum, const vnpuTensor *gamma, const vnpuTensor *beta,
                                           const vnpuTensor *runningMean, const vnpuTensor *runningVar,
                                           const vnpuTensor *saveMean, const vnpuTensor *saveInvstd,
                                           aclrtStream stream);
/** Normalization of x = [N, C, ...] per (n, group of C/groups channels). */
ACL_FUNC_VISIBILITY aclError vnpuGroupNorm(const vnpuTensor *x, const vnpuTensor *y, int32_t groups, double eps,
                                           const vnpuTensor *gamma, const vnpuTensor *beta, const vnpuTensor *mean,
                                           const vnpuTensor *rstd, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif /* VNPU_ACL_EXT_H_ */
