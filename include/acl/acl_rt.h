/* acl/acl_rt.h — vnpu's AscendCL-compatible runtime: devices, contexts, streams, events,
 * memory, copies and host callbacks.
 *
 * Written for vnpu from the public interface facts of AscendCL. A vnpu device is a set of
 * CPU threads (compute cores, copy engines, a host-callback thread); device memory is
 * ordinary process memory that vnpu tracks, so kernels dereference it directly.
 *
 * Conventions of every function here:
 * - aclInit() must have been called (ACL_ERROR_UNINITIALIZE otherwise), except for
 *   aclrtGetVersion().
 * - A null output pointer or a null required argument is ACL_ERROR_INVALID_PARAM.
 * - Handles (aclrtContext, aclrtStream, aclrtEvent) are opaque values, never reused. An
 *   unknown, destroyed or wrong-kind handle is ACL_ERROR_RT_INVALID_HANDLE.
 * - Calls that need a device act on the calling thread's current context: the one set by
 *   aclrtSetDevice, aclrtCreateContext or aclrtSetCurrentContext on this thread. Without
 *   one they return ACL_ERROR_RT_CONTEXT_NULL. A NULL stream means the current context's
 *   default stream; a stream of another context is ACL_ERROR_RT_STREAM_CONTEXT.
 * - All functions are thread-safe.
 */
#ifndef VNPU_ACL_ACL_RT_H_
#define VNPU_ACL_ACL_RT_H_

#include <stddef.h>
#include <stdint.h>

#include "acl/acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void *aclrtContext;
typedef void *aclrtStream;
typedef void *aclrtEvent;

/** A host callback; `userData` is the pointer given to aclrtLaunchCallback. */
typedef void (*aclrtCallback)(void *userData);

typedef enum {
  ACL_DEVICE = 0, /**< the program runs on the device */
  ACL_HOST = 1    /**< the program runs on the host (always the case with vnpu) */
} aclrtRunMode;

typedef enum {
  ACL_MEMCPY_HOST_TO_HOST = 0,
  ACL_MEMCPY_HOST_TO_DEVICE = 1,
  ACL_MEMCPY_DEVICE_TO_HOST = 2,
  ACL_MEMCPY_DEVICE_TO_DEVICE = 3
} aclrtMemcpyKind;

/** Page policies of device allocations. vnpu accepts all and uses huge pages for large
 *  blocks where the OS offers them. */
typedef enum {
  ACL_MEM_MALLOC_HUGE_FIRST = 0,
  ACL_MEM_MALLOC_HUGE_ONLY = 1,
  ACL_MEM_MALLOC_NORMAL_ONLY = 2,
  ACL_MEM_MALLOC_HUGE_FIRST_P2P = 3,
  ACL_MEM_MALLOC_HUGE_ONLY_P2P = 4,
  ACL_MEM_MALLOC_NORMAL_ONLY_P2P = 5
} aclrtMemMallocPolicy;

/** Memory kinds for aclrtGetMemInfo. Every kind reports the device memory. */
typedef enum {
  ACL_DDR_MEM = 0,
  ACL_HBM_MEM = 1,
  ACL_DDR_MEM_HUGE = 2,
  ACL_DDR_MEM_NORMAL = 3,
  ACL_HBM_MEM_HUGE = 4,
  ACL_HBM_MEM_NORMAL = 5,
  ACL_DDR_MEM_P2P_HUGE = 6,
  ACL_DDR_MEM_P2P_NORMAL = 7,
  ACL_HBM_MEM_P2P_HUGE = 8,
  ACL_HBM_MEM_P2P_NORMAL = 9
} aclrtMemAttr;

typedef enum {
  ACL_EVENT_STATUS_COMPLETE = 0,
  ACL_EVENT_STATUS_NOT_READY = 1,
  ACL_EVENT_STATUS_RESERVED = 2
} aclrtEventStatus;

typedef enum {
  ACL_CALLBACK_NO_BLOCK = 0, /**< the stream goes on while the callback waits to be run */
  ACL_CALLBACK_BLOCK = 1     /**< later work on the stream waits for the callback */
} aclrtCallbackBlockType;

/** aclrtCreateEventWithFlag flags. */
#define ACL_EVENT_SYNC 0x00000001u      /**< the event orders work across streams */
#define ACL_EVENT_TIME_LINE 0x00000008u /**< the event records timestamps */

/* ---- version and devices --------------------------------------------------------- */

/** vnpu's version. Needs no aclInit. */
ACL_FUNC_VISIBILITY aclError aclrtGetVersion(int32_t *major, int32_t *minor, int32_t *patch);

/**
 * Opens device `deviceId` for this process (the first call creates its default context
 * and default stream) and makes the default context current on the calling thread. Each
 * call counts a reference that aclrtResetDevice drops.
 * ACL_ERROR_RT_INVALID_DEVICEID for an id outside 0..count-1.
 */
ACL_FUNC_VISIBILITY aclError aclrtSetDevice(int32_t deviceId);
/**
 * Drops one aclrtSetDevice reference. The last one destroys the default context with its
 * streams and events; their pending work still finishes. Threads whose current context it
 * was are left without one. Resetting a device that was not set succeeds.
 */
ACL_FUNC_VISIBILITY aclError aclrtResetDevice(int32_t deviceId);
/** The device of the current context. ACL_ERROR_RT_CONTEXT_NULL without one. */
ACL_FUNC_VISIBILITY aclError aclrtGetDevice(int32_t *deviceId);
/** Number of devices (VNPU_DEVICES, default 1). */
ACL_FUNC_VISIBILITY aclError aclrtGetDeviceCount(uint32_t *count);
/** Always ACL_HOST. */
ACL_FUNC_VISIBILITY aclError aclrtGetRunMode(aclrtRunMode *runMode);
/**
 * Waits for all work on every stream of the current context's device. A failed kernel
 * is ACL_ERROR_RT_AICORE_EXCEPTION. From inside a host callback:
 * ACL_ERROR_RT_FEATURE_NOT_SUPPORT (it could deadlock).
 */
ACL_FUNC_VISIBILITY aclError aclrtSynchronizeDevice(void);
/**
 * As aclrtSynchronizeDevice, giving up after `timeout` milliseconds with
 * ACL_ERROR_RT_STREAM_SYNC_TIMEOUT; the device stays usable. -1 waits forever; other
 * negative values are ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError aclrtSynchronizeDeviceWithTimeout(int32_t timeout);

/* ---- contexts ---------------------------------------------------------------------- */

/**
 * Creates a context on `deviceId` with its own default stream, and makes it current on
 * the calling thread. Other threads use it after aclrtSetCurrentContext.
 */
ACL_FUNC_VISIBILITY aclError aclrtCreateContext(aclrtContext *context, int32_t deviceId);
/**
 * Destroys a context made by aclrtCreateContext, with its streams and events (pending work
 * finishes). A device's default context cannot be destroyed this way
 * (ACL_ERROR_RT_PARAM_INVALID); use aclrtResetDevice.
 */
ACL_FUNC_VISIBILITY aclError aclrtDestroyContext(aclrtContext context);
/** Makes `context` current on the calling thread. */
ACL_FUNC_VISIBILITY aclError aclrtSetCurrentContext(aclrtContext context);
/** The calling thread's current context. ACL_ERROR_RT_CONTEXT_NULL without one. */
ACL_FUNC_VISIBILITY aclError aclrtGetCurrentContext(aclrtContext *context);

/* ---- streams ----------------------------------------------------------------------- */

/** Creates a stream in the current context. */
ACL_FUNC_VISIBILITY aclError aclrtCreateStream(aclrtStream *stream);
/**
 * Destroys a stream without waiting: work already queued still runs to completion.
 * Its callback subscription ends (see aclrtUnSubscribeReport). NULL (the default stream)
 * is ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError aclrtDestroyStream(aclrtStream stream);
/**
 * Waits for all work queued on `stream` so far. A kernel that failed since the last
 * check is reported once as ACL_ERROR_RT_AICORE_EXCEPTION (the message names it).
 */
ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStream(aclrtStream stream);
/**
 * As aclrtSynchronizeStream, giving up after `timeoutMs` milliseconds with
 * ACL_ERROR_RT_STREAM_SYNC_TIMEOUT; the stream stays usable. -1 waits forever; other
 * negative values are ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStreamWithTimeout(aclrtStream stream, int32_t timeoutMs);
/** Later work on `stream` waits until `event`'s latest record (as of now) completes. */
ACL_FUNC_VISIBILITY aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event);

/* ---- events ------------------------------------------------------------------------ */

/** Creates an event that records timestamps (aclrtEventElapsedTime works on it). */
ACL_FUNC_VISIBILITY aclError aclrtCreateEvent(aclrtEvent *event);
/**
 * Creates an event with ACL_EVENT_SYNC and/or ACL_EVENT_TIME_LINE; only events with
 * ACL_EVENT_TIME_LINE record timestamps. Unknown bits are ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError aclrtCreateEventWithFlag(aclrtEvent *event, uint32_t flag);
/** Destroys an event; waits already queued on it stay valid. */
ACL_FUNC_VISIBILITY aclError aclrtDestroyEvent(aclrtEvent event);
/**
 * Captures the work queued on `stream` so far: the event completes when that work has.
 * Recording again moves the event; waits already queued keep the point they captured.
 */
ACL_FUNC_VISIBILITY aclError aclrtRecordEvent(aclrtEvent event, aclrtStream stream);
/**
 * Returns the event to the never-recorded state (which counts as complete). Waits already
 * queued keep their point.
 */
ACL_FUNC_VISIBILITY aclError aclrtResetEvent(aclrtEvent event, aclrtStream stream);
/** ACL_EVENT_STATUS_COMPLETE when the latest record completed (or there is none), else
 *  ACL_EVENT_STATUS_NOT_READY. */
ACL_FUNC_VISIBILITY aclError aclrtQueryEvent(aclrtEvent event, aclrtEventStatus *status);
/** Waits for the latest record to complete. Refused (ACL_ERROR_RT_FEATURE_NOT_SUPPORT) inside
 *  a callback and on a thread that must itself run pending blocking callbacks. */
ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEvent(aclrtEvent event);
/** As aclrtSynchronizeEvent, giving up after `timeout` milliseconds with
 *  ACL_ERROR_RT_EVENT_SYNC_TIMEOUT; the event stays usable. -1 waits forever; other negative
 *  values are ACL_ERROR_INVALID_PARAM. */
ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEventWithTimeout(aclrtEvent event, int32_t timeout);
/**
 * Milliseconds between two completed records of timed events. An event never recorded or
 * without timestamps is ACL_ERROR_RT_PARAM_INVALID; a record not yet complete is
 * ACL_ERROR_RT_EVENT_NOT_COMPLETE.
 */
ACL_FUNC_VISIBILITY aclError aclrtEventElapsedTime(float *ms, aclrtEvent startEvent, aclrtEvent endEvent);

/* ---- memory ------------------------------------------------------------------------ */

/**
 * Allocates `size` bytes of device memory on the current context's device, 64-byte
 * aligned. Size 0 or an unknown policy is ACL_ERROR_INVALID_PARAM; beyond the device's
 * free memory, ACL_ERROR_RT_MEMORY_ALLOCATION.
 */
ACL_FUNC_VISIBILITY aclError aclrtMalloc(void **devPtr, size_t size, aclrtMemMallocPolicy policy);
/** As aclrtMalloc (vnpu device memory is always cache-coherent with the host). */
ACL_FUNC_VISIBILITY aclError aclrtMallocCached(void **devPtr, size_t size, aclrtMemMallocPolicy policy);
/**
 * Frees device memory. A pointer vnpu did not allocate, an interior pointer or pinned
 * host memory is ACL_ERROR_RT_MEMORY_FREE, as is a second free.
 */
ACL_FUNC_VISIBILITY aclError aclrtFree(void *devPtr);
/** Allocates pinned host memory: async copies read it without staging, kernels see it. */
ACL_FUNC_VISIBILITY aclError aclrtMallocHost(void **hostPtr, size_t size);
/** Frees pinned host memory; errors as for aclrtFree. */
ACL_FUNC_VISIBILITY aclError aclrtFreeHost(void *hostPtr);

/**
 * Copies `count` bytes synchronously. `count > destMax` is ACL_ERROR_INVALID_PARAM; a
 * zero count succeeds at once (even with NULL pointers); otherwise NULL pointers are
 * ACL_ERROR_INVALID_PARAM. A `kind` that contradicts the pointers (a device source for
 * ACL_MEMCPY_HOST_TO_DEVICE, ...) or a range running past its allocation is
 * ACL_ERROR_RT_PARAM_INVALID.
 */
ACL_FUNC_VISIBILITY aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count,
                                         aclrtMemcpyKind kind);
/**
 * Queues a copy on `stream`; checks as aclrtMemcpy, at submission. From pageable host
 * memory the source is consumed before the call returns (it may be reused at once); from
 * device or pinned memory it is read when the copy runs, overlapping other work.
 */
ACL_FUNC_VISIBILITY aclError aclrtMemcpyAsync(void *dst, size_t destMax, const void *src, size_t count,
                                              aclrtMemcpyKind kind, aclrtStream stream);
/**
 * Sets `count` bytes of device or pinned memory to `(unsigned char)value`, synchronously.
 * `count > maxCount` is ACL_ERROR_INVALID_PARAM; zero count succeeds at once; pageable
 * memory is ACL_ERROR_RT_PARAM_INVALID.
 */
ACL_FUNC_VISIBILITY aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count);
/** Queues a memset on `stream`; checks as aclrtMemset. */
ACL_FUNC_VISIBILITY aclError aclrtMemsetAsync(void *devPtr, size_t maxCount, int32_t value, size_t count,
                                              aclrtStream stream);
/** Free and total bytes of the current context's device memory (every attr). */
ACL_FUNC_VISIBILITY aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t *free, size_t *total);

/* ---- host callbacks -----------------------------------------------------------------
 *
 * A thread that wants to run the callbacks of a stream is subscribed to it with
 * aclrtSubscribeReport(its pthread_self() value, stream) — from any thread — and then
 * calls aclrtProcessReport in a loop. aclrtLaunchCallback queues a callback on the
 * stream; when the stream reaches it, it is handed to the subscribed thread, which runs
 * it inside aclrtProcessReport. With ACL_CALLBACK_BLOCK, later work on the stream waits
 * until the callback has returned.
 *
 * Inside a callback, calls that queue or query work succeed; waits (aclrtSynchronize*)
 * and aclrtProcessReport return ACL_ERROR_RT_FEATURE_NOT_SUPPORT, since they could wait
 * for the callback itself. A subscribed thread that waits without a timeout (stream, event
 * or device) while blocking callbacks that it alone can run are pending gets the same error
 * instead of a deadlock.
 */

/** Subscribes thread `threadId` (a pthread_self() value) to `stream`'s callbacks. A stream
 *  has at most one subscriber (another is ACL_ERROR_RT_PARAM_INVALID). */
ACL_FUNC_VISIBILITY aclError aclrtSubscribeReport(uint64_t threadId, aclrtStream stream);
/**
 * Queues `fn(userData)` on `stream`. ACL_ERROR_RT_STREAM_NO_CB_REG if no thread is
 * subscribed to the stream.
 */
ACL_FUNC_VISIBILITY aclError aclrtLaunchCallback(aclrtCallback fn, void *userData, aclrtCallbackBlockType blockType,
                                                 aclrtStream stream);
/**
 * Runs the callbacks handed to the calling thread, waiting up to `timeoutMs` ms (-1:
 * forever) for the first. ACL_ERROR_RT_REPORT_TIMEOUT if none came;
 * ACL_ERROR_RT_THREAD_SUBSCRIBE if the calling thread is subscribed to no stream (also
 * when its last subscription ends during the wait).
 */
ACL_FUNC_VISIBILITY aclError aclrtProcessReport(int32_t timeoutMs);
/**
 * Ends the subscription of `threadId` to `stream` (ACL_ERROR_RT_THREAD_SUBSCRIBE if there
 * is none). Callbacks already handed to that thread but not yet run are run by the calling
 * thread before this returns; callbacks the stream reaches later run on vnpu's host
 * thread, so no blocking callback is left holding the stream.
 */
ACL_FUNC_VISIBILITY aclError aclrtUnSubscribeReport(uint64_t threadId, aclrtStream stream);

#ifdef __cplusplus
}
#endif

#endif /* VNPU_ACL_ACL_RT_H_ */
