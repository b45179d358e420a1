/* acl/acl_base.h — vnpu's AscendCL-compatible base types: error codes, element types,
 * data buffers and half-precision conversions.
 *
 * Written for vnpu from the public interface facts of AscendCL (names, values and
 * signatures). Include <acl/acl.h> for the whole API. Usable from C99 and C++.
 *
 * Every function that can fail returns an aclError: ACL_SUCCESS (0) or one of the codes
 * below. After a failure, aclGetRecentErrMsg() on the same thread explains it. No
 * function throws or aborts on bad input.
 */
#ifndef VNPU_ACL_ACL_BASE_H_
#define VNPU_ACL_ACL_BASE_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define ACL_FUNC_VISIBILITY
#else
#define ACL_FUNC_VISIBILITY __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status of a call: ACL_SUCCESS or an error code. */
typedef int aclError;

/** Half-precision value, as raw IEEE binary16 bits. */
typedef uint16_t aclFloat16;

/* ---- error codes --------------------------------------------------------------------- */

#define ACL_SUCCESS 0

/* API-layer codes */
#define ACL_ERROR_INVALID_PARAM 100000         /**< null or out-of-domain argument */
#define ACL_ERROR_UNINITIALIZE 100001          /**< aclInit has not been called */
#define ACL_ERROR_REPEAT_INITIALIZE 100002     /**< aclInit called twice */
#define ACL_ERROR_REPEAT_FINALIZE 100037       /**< aclFinalize called twice */
#define ACL_ERROR_BAD_ALLOC 200000             /**< host memory for a library object ran out */
#define ACL_ERROR_API_NOT_SUPPORT 200001       /**< the function is not supported */
#define ACL_ERROR_INVALID_DEVICE 200002        /**< invalid device */
#define ACL_ERROR_INVALID_RESOURCE_HANDLE 200005 /**< unknown or destroyed aclDataBuffer */
#define ACL_ERROR_INTERNAL_ERROR 500000        /**< unexpected failure inside the library */
#define ACL_ERROR_FAILURE 500001               /**< generic failure */

/* runtime codes */
#define ACL_ERROR_RT_PARAM_INVALID 107000      /**< argument rejected by the runtime */
#define ACL_ERROR_RT_INVALID_DEVICEID 107001   /**< device id outside 0..count-1 */
#define ACL_ERROR_RT_CONTEXT_NULL 107002       /**< the calling thread has no current context */
#define ACL_ERROR_RT_STREAM_CONTEXT 107003     /**< the stream belongs to another context */
#define ACL_ERROR_RT_THREAD_SUBSCRIBE 107012   /**< the thread is subscribed to no stream */
#define ACL_ERROR_RT_STREAM_NO_CB_REG 107015   /**< no thread subscribed to the stream */
#define ACL_ERROR_RT_INVALID_HANDLE 107017     /**< unknown, destroyed or wrong-kind handle */
#define ACL_ERROR_RT_FEATURE_NOT_SUPPORT 207000 /**< not supported, or not allowed here */
#define ACL_ERROR_RT_MEMORY_ALLOCATION 207001  /**< device or pinned memory exhausted */
#define ACL_ERROR_RT_MEMORY_FREE 207002        /**< freeing a foreign or already freed pointer */
#define ACL_ERROR_RT_INTERNAL_ERROR 507000     /**< the runtime failed (threads, OS) */
#define ACL_ERROR_RT_STREAM_NOT_COMPLETE 507004 /**< work on the stream is still pending */
#define ACL_ERROR_RT_EVENT_NOT_COMPLETE 507006 /**< the event has not completed */
#define ACL_ERROR_RT_REPORT_TIMEOUT 507012     /**< aclrtProcessReport saw no callback in time */
#define ACL_ERROR_RT_AICORE_EXCEPTION 507015   /**< a kernel (or operator) failed */
#define ACL_ERROR_RT_STREAM_SYNC_TIMEOUT 507046 /**< a stream wait timed out */
#define ACL_ERROR_RT_EVENT_SYNC_TIMEOUT 507047 /**< an event wait timed out */

/* ---- element types ------------------------------------------------------------------- */

typedef enum {
  ACL_DT_UNDEFINED = -1,
  ACL_FLOAT = 0,
  ACL_FLOAT16 = 1,
  ACL_INT8 = 2,
  ACL_INT32 = 3,
  ACL_UINT8 = 4,
  ACL_INT16 = 6,
  ACL_UINT16 = 7,
  ACL_UINT32 = 8,
  ACL_INT64 = 9,
  ACL_UINT64 = 10,
  ACL_DOUBLE = 11,
  ACL_BOOL = 12,
  ACL_BF16 = 27
} aclDataType;

/** Bytes per element of `dataType`; 0 for ACL_DT_UNDEFINED and unknown values. */
ACL_FUNC_VISIBILITY size_t aclDataTypeSize(aclDataType dataType);

/** binary16 -> float, exact (infinities, NaN and subnormals included). */
ACL_FUNC_VISIBILITY float aclFloat16ToFloat(aclFloat16 value);
/** float -> binary16, rounded to nearest even; overflow gives infinity, NaN stays NaN. */
ACL_FUNC_VISIBILITY aclFloat16 aclFloatToFloat16(float value);

/* ---- data buffers -------------------------------------------------------------------- */

/** A (pointer, size) pair describing memory the caller owns. Opaque. */
typedef struct aclDataBuffer aclDataBuffer;

/**
 * Creates a descriptor of `size` bytes at `data`. The memory is not copied or owned.
 * `data` may be NULL only with `size` 0. Returns NULL on failure (see aclGetRecentErrMsg).
 */
ACL_FUNC_VISIBILITY aclDataBuffer *aclCreateDataBuffer(void *data, size_t size);
/**
 * Destroys a descriptor (not the memory it describes). NULL is ACL_ERROR_INVALID_PARAM;
 * a pointer that is not a live descriptor is ACL_ERROR_INVALID_RESOURCE_HANDLE.
 */
ACL_FUNC_VISIBILITY aclError aclDestroyDataBuffer(const aclDataBuffer *dataBuffer);
/** The described address; NULL for NULL or a non-descriptor. */
ACL_FUNC_VISIBILITY void *aclGetDataBufferAddr(const aclDataBuffer *dataBuffer);
/** The described size in bytes; 0 for NULL or a non-descriptor. */
ACL_FUNC_VISIBILITY size_t aclGetDataBufferSizeV2(const aclDataBuffer *dataBuffer);

/* ---- diagnostics --------------------------------------------------------------------- */

/**
 * The message of the most recent failed call on the calling thread: the function, what
 * was wrong, and the code returned. NULL if no call on this thread has failed yet. The
 * text stays valid until the next failure on this thread.
 */
ACL_FUNC_VISIBILITY const char *aclGetRecentErrMsg(void);

#ifdef __cplusplus
}
#endif

#endif /* VNPU_ACL_ACL_BASE_H_ */
