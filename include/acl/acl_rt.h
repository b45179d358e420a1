/* acl/acl_rt.h — vnpu's AscendCL-compatible runtime: devices, contexts, streams, events,
 * memory, copies and host callbacks.
 *
 * Written for vnpu from the public interface facts of AscendCL. A vnpu device is a set of
 * CPU threads (compute cores, copy engines, a host-callback thread); device memory is
 * ordinary process memory that vnpu tracks, so kernels dereference it directly.
 *
 * Conventions of every function here:
 * - aclInit() must have been called (ACL_ERROR_UNINITIALIZE otherwise), except for the
 *   queries that describe the machine (aclrtGetVersion, aclrtGetRunMode,
 *   aclrtGetDeviceCount, aclrtGetSocName, aclGetDeviceCapability) and aclrtGetLastError /
 *   aclrtPeekAtLastError.
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

#include "acl_base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* aclrtContext, aclrtStream and aclrtEvent are declared in acl_base.h. */

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
  ACL_MEMCPY_DEVICE_TO_DEVICE = 3,
  ACL_MEMCPY_DEFAULT = 4 /**< the direction follows from the pointers */
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

/** aclrtCreateEventWithFlag / aclrtCreateEventExWithFlag flags. */
#define ACL_EVENT_SYNC 0x00000001u                   /**< the event orders work across streams */
#define ACL_EVENT_CAPTURE_STREAM_PROGRESS 0x00000002u /**< the event tracks a stream's progress */
#define ACL_EVENT_TIME_LINE 0x00000008u              /**< the event records timestamps */
#define ACL_EVENT_DEVICE_USE_ONLY 0x00000010u        /**< not offered by vnpu */
#define ACL_EVENT_EXTERNAL 0x00000020u               /**< not offered by vnpu */
#define ACL_EVENT_IPC 0x00000040u                    /**< not offered by vnpu (one process) */

/** aclrtQueryEventStatus answers. Note COMPLETE is 1 here, 0 in aclrtEventStatus. */
typedef enum {
  ACL_EVENT_RECORDED_STATUS_NOT_READY = 0, /**< never recorded, or its record is pending */
  ACL_EVENT_RECORDED_STATUS_COMPLETE = 1   /**< its latest record has completed */
} aclrtEventRecordedStatus;

/** aclrtStreamQuery answers. */
typedef enum {
  ACL_STREAM_STATUS_COMPLETE = 0,
  ACL_STREAM_STATUS_NOT_READY = 1,
  ACL_STREAM_STATUS_RESERVED = 0xFFFF
} aclrtStreamStatus;

/** aclrtCreateStreamWithConfig flags. */
#define ACL_STREAM_FAST_LAUNCH 0x00000001u    /**< accepted; vnpu launches are always fast */
#define ACL_STREAM_FAST_SYNC 0x00000002u      /**< accepted; vnpu waits spin briefly first */
#define ACL_STREAM_PERSISTENT 0x00000004u     /**< not offered yet (graph capture) */
#define ACL_STREAM_HUGE 0x00000008u           /**< accepted; vnpu queues are unbounded */
#define ACL_STREAM_CPU_SCHEDULE 0x00000010u   /**< not offered by vnpu */
#define ACL_STREAM_DEVICE_USE_ONLY 0x00000020u /**< not offered by vnpu */

/** aclrtSetStreamFailureMode modes. */
#define ACL_CONTINUE_ON_FAILURE 0x00000000u /**< later tasks run after a failed one (the default) */
#define ACL_STOP_ON_FAILURE 0x00000001u     /**< later tasks are skipped until it is reported */

/** A stream-ordered host function (aclrtLaunchHostFunc). */
typedef void (*aclrtHostFunc)(void *args);

/** Scope of aclrtGetLastError / aclrtPeekAtLastError. */
typedef enum { ACL_RT_THREAD_LEVEL = 0 } aclrtLastErrLevel;

/** What aclrtSetExceptionInfoCallback's callback is told about a failed task. Opaque: read
 *  it with the aclrtGet*FromExceptionInfo functions, during the callback only. */
typedef struct aclrtExceptionInfo aclrtExceptionInfo;
typedef void (*aclrtExceptionInfoCallback)(aclrtExceptionInfo *exceptionInfo);

/* ---- version and devices --------------------------------------------------------- */

/** vnpu's version. Needs no aclInit. (Neither do aclrtGetRunMode, aclrtGetDeviceCount,
 *  aclrtGetSocName, aclGetDeviceCapability, aclrtGetLastError and aclrtPeekAtLastError.) */
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
/**
 * Releases device `deviceId` at once, however many aclrtSetDevice references it holds: its
 * default context, with its streams and events, is destroyed after the work queued on them
 * has completed (this waits for it). ACL_ERROR_RT_PARAM_INVALID for a device that is not
 * set (never, or already reset), ACL_ERROR_RT_INVALID_DEVICEID for one that does not exist.
 */
ACL_FUNC_VISIBILITY aclError aclrtResetDeviceForce(int32_t deviceId);
/** The device of the current context. ACL_ERROR_RT_CONTEXT_NULL without one. */
ACL_FUNC_VISIBILITY aclError aclrtGetDevice(int32_t *deviceId);
/** Number of devices (VNPU_DEVICES, default 1). */
ACL_FUNC_VISIBILITY aclError aclrtGetDeviceCount(uint32_t *count);

/**
 * Whether device `deviceId` can copy to and from `peerDeviceId` (*canAccessPeer = 1, as any
 * two distinct devices of one vnpu process can). ACL_ERROR_RT_INVALID_DEVICEID for a device
 * that does not exist, ACL_ERROR_INVALID_PARAM for the same device twice.
 */
ACL_FUNC_VISIBILITY aclError aclrtDeviceCanAccessPeer(int32_t *canAccessPeer, int32_t deviceId, int32_t peerDeviceId);
/**
 * Lets the current context's device copy to and from `peerDeviceId` (one direction; call
 * again from the peer for the other). Device-to-device copies between two devices need
 * it, as on the accelerator (ACL_ERROR_RT_PARAM_INVALID otherwise). `flags` must be 0
 * (ACL_ERROR_FEATURE_UNSUPPORTED); the current device itself is ACL_ERROR_INVALID_PARAM;
 * enabling twice is ACL_ERROR_RT_PARAM_INVALID.
 */
ACL_FUNC_VISIBILITY aclError aclrtDeviceEnablePeerAccess(int32_t peerDeviceId, uint32_t flags);
/** Undoes aclrtDeviceEnablePeerAccess; ACL_ERROR_RT_PARAM_INVALID if it was not enabled. */
ACL_FUNC_VISIBILITY aclError aclrtDeviceDisablePeerAccess(int32_t peerDeviceId);
/** Always ACL_HOST. Needs no aclInit. */
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
/** The current context's default stream, as a handle usable wherever a stream is (it cannot
 *  be destroyed). ACL_ERROR_RT_CONTEXT_NULL without a current context. */
ACL_FUNC_VISIBILITY aclError aclrtCtxGetCurrentDefaultStream(aclrtStream *stream);

/* ---- streams ----------------------------------------------------------------------- */

/** Creates a stream in the current context. */
ACL_FUNC_VISIBILITY aclError aclrtCreateStream(aclrtStream *stream);
/**
 * Creates a stream with a priority, 0 (most urgent) to 7 (least; larger values count as 7):
 * when a compute core or copy engine picks its next task, ready work of a more urgent stream
 * goes first (a running task is never preempted). aclrtCreateStream's streams have priority
 * 4. `flag`: ACL_STREAM_FAST_LAUNCH, ACL_STREAM_FAST_SYNC and ACL_STREAM_HUGE are accepted
 * (vnpu streams have those properties anyway); ACL_STREAM_PERSISTENT, ACL_STREAM_CPU_SCHEDULE
 * and ACL_STREAM_DEVICE_USE_ONLY are ACL_ERROR_RT_FEATURE_NOT_SUPPORT; other bits are ignored.
 */
ACL_FUNC_VISIBILITY aclError aclrtCreateStreamWithConfig(aclrtStream *stream, uint32_t priority, uint32_t flag);
/**
 * Destroys a stream without waiting: work already queued still runs to completion.
 * Its callback subscription ends (see aclrtUnSubscribeReport). NULL (the default stream)
 * is ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError aclrtDestroyStream(aclrtStream stream);
/**
 * Destroys a stream at once: tasks queued on it that have not started are dropped (a task
 * already running finishes; its event records still complete, so nothing waits forever).
 * Errors as for aclrtDestroyStream.
 */
ACL_FUNC_VISIBILITY aclError aclrtDestroyStreamForce(aclrtStream stream);
/**
 * ACL_STREAM_STATUS_COMPLETE when all work queued on `stream` has completed, else
 * ACL_STREAM_STATUS_NOT_READY. A task that failed since the last check is reported once as
 * ACL_ERROR_RT_AICORE_EXCEPTION (and *status is not written).
 */
ACL_FUNC_VISIBILITY aclError aclrtStreamQuery(aclrtStream stream, aclrtStreamStatus *status);
/**
 * ACL_STOP_ON_FAILURE: once a task of `stream` fails, the tasks after it are not run (they
 * complete without effect; event records still complete) until the failure is reported by
 * a synchronize or query of the stream, whose message counts the skipped tasks; then the
 * stream runs again. ACL_CONTINUE_ON_FAILURE (the default): later tasks run. The mode can be
 * set once per stream (ACL_ERROR_RT_PARAM_INVALID the second time); NULL is the default
 * stream; another mode value is ACL_ERROR_INVALID_PARAM. vnpu applies it to this stream only.
 */
ACL_FUNC_VISIBILITY aclError aclrtSetStreamFailureMode(aclrtStream stream, uint64_t mode);
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
/**
 * As aclrtCreateEventWithFlag; events are not a limited resource in vnpu, so the two are
 * the same. ACL_EVENT_SYNC, ACL_EVENT_TIME_LINE and ACL_EVENT_CAPTURE_STREAM_PROGRESS are
 * accepted; ACL_EVENT_IPC, ACL_EVENT_EXTERNAL and ACL_EVENT_DEVICE_USE_ONLY are
 * ACL_ERROR_RT_FEATURE_NOT_SUPPORT; unknown bits ACL_ERROR_INVALID_PARAM.
 */
ACL_FUNC_VISIBILITY aclError aclrtCreateEventExWithFlag(aclrtEvent *event, uint32_t flag);
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
/** ACL_EVENT_RECORDED_STATUS_COMPLETE when the event has been recorded and its latest record
 *  has completed; ACL_EVENT_RECORDED_STATUS_NOT_READY when it was never recorded (or was
 *  reset) or its record is pending. */
ACL_FUNC_VISIBILITY aclError aclrtQueryEventStatus(aclrtEvent event, aclrtEventRecordedStatus *status);
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
/** As aclrtMalloc, with the size rounded up to a multiple of 32 bytes. */
ACL_FUNC_VISIBILITY aclError aclrtMallocAlign32(void **devPtr, size_t size, aclrtMemMallocPolicy policy);
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
/**
 * Copies a matrix of `height` rows of `width` bytes synchronously: row r is read at
 * src + r*spitch and written at dst + r*dpitch. width or height 0 succeeds at once; NULL
 * pointers, width > spitch or > dpitch, width above 5000000 or height above 5242880 (the
 * accelerator's limits) and an unknown kind are ACL_ERROR_INVALID_PARAM; a kind that
 * contradicts the pointers, or rows running past their allocation, ACL_ERROR_RT_PARAM_INVALID.
 */
ACL_FUNC_VISIBILITY aclError aclrtMemcpy2d(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width,
                                           size_t height, aclrtMemcpyKind kind);
/** Queues aclrtMemcpy2d on `stream` (checked at submission; a pageable source is consumed
 *  before the call returns, as for aclrtMemcpyAsync). */
ACL_FUNC_VISIBILITY aclError aclrtMemcpy2dAsync(void *dst, size_t dpitch, const void *src, size_t spitch,
                                                size_t width, size_t height, aclrtMemcpyKind kind, aclrtStream stream);
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

/**
 * Queues `fn(args)` on `stream`, with no subscription: when the stream reaches it, vnpu's
 * host thread runs it, and later work on the stream waits until it returns. Inside it,
 * waits are refused as in callbacks. A host function that throws is reported at the
 * stream's next synchronize as ACL_ERROR_RT_AICORE_EXCEPTION.
 */
ACL_FUNC_VISIBILITY aclError aclrtLaunchHostFunc(aclrtStream stream, aclrtHostFunc fn, void *args);

/* ---- errors and exceptions ---------------------------------------------------------- */

/** The code of the calling thread's most recent failed call (ACL_SUCCESS if none since the
 *  last aclrtGetLastError), which this clears. `level` other than ACL_RT_THREAD_LEVEL:
 *  ACL_ERROR_INVALID_PARAM. Needs no aclInit. */
ACL_FUNC_VISIBILITY aclError aclrtGetLastError(aclrtLastErrLevel level);
/** As aclrtGetLastError, without clearing. */
ACL_FUNC_VISIBILITY aclError aclrtPeekAtLastError(aclrtLastErrLevel level);

/**
 * Sets the process's task-failure callback (NULL removes it; the last call wins). When a
 * kernel, operator, copy or host function fails, `callback` is called once for it, on the
 * thread where it ran, with an aclrtExceptionInfo valid during the call only. The failure
 * is still reported at the stream's next synchronize. The callback must not wait, launch,
 * allocate or free.
 */
ACL_FUNC_VISIBILITY aclError aclrtSetExceptionInfoCallback(aclrtExceptionInfoCallback callback);
/** The failed task's sequence number in its stream (1-based); 0xFFFFFFFF for NULL. */
ACL_FUNC_VISIBILITY uint32_t aclrtGetTaskIdFromExceptionInfo(const aclrtExceptionInfo *info);
/** The id of the failed task's stream (the device's default stream is 0); 0xFFFFFFFF for NULL. */
ACL_FUNC_VISIBILITY uint32_t aclrtGetStreamIdFromExceptionInfo(const aclrtExceptionInfo *info);
/** The OS thread id (gettid) of the thread the task ran on; 0xFFFFFFFF for NULL. */
ACL_FUNC_VISIBILITY uint32_t aclrtGetThreadIdFromExceptionInfo(const aclrtExceptionInfo *info);
/** The device of the failed task; 0xFFFFFFFF for NULL. */
ACL_FUNC_VISIBILITY uint32_t aclrtGetDeviceIdFromExceptionInfo(const aclrtExceptionInfo *info);
/** The code the failure will be reported with (ACL_ERROR_RT_AICORE_EXCEPTION); 0xFFFFFFFF for
 *  NULL. */
ACL_FUNC_VISIBILITY uint32_t aclrtGetErrorCodeFromExceptionInfo(const aclrtExceptionInfo *info);

#ifdef __cplusplus
}
#endif

#endif /* VNPU_ACL_ACL_RT_H_ */
