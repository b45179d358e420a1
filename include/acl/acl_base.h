/* acl/acl_base.h — vnpu's AscendCL-compatible base types: error codes, the handle types,
 * element types and formats, data buffers, half-precision conversions, the application
 * log and the chip's name.
 *
 * Written for vnpu from the public interface facts of AscendCL (names, values and
 * signatures). Include <acl/acl.h> for the whole API. Usable from C99 and C++, included as
 * "acl/acl_base.h" (with -I<prefix>/include) or as "acl_base.h" (with
 * -I<prefix>/include/acl).
 *
 * Every function that can fail returns an aclError: ACL_SUCCESS (0) or one of the codes
 * below. After a failure, aclGetRecentErrMsg() on the same thread explains it. No
 * function throws or aborts on bad input.
 */
#ifndef VNPU_ACL_ACL_BASE_H_
#define VNPU_ACL_ACL_BASE_H_

#include <stddef.h>
#include <stdint.h>

#include "error_codes/rt_error_codes.h"

#ifndef ACL_FUNC_VISIBILITY
#if defined(_WIN32)
#define ACL_FUNC_VISIBILITY
#else
#define ACL_FUNC_VISIBILITY __attribute__((visibility("default")))
#endif
#endif

/* Marks functions kept for older programs. */
#if defined(__GNUC__) || defined(__clang__)
#define ACL_DEPRECATED __attribute__((deprecated))
#define ACL_DEPRECATED_MESSAGE(message) __attribute__((deprecated(message)))
#else
#define ACL_DEPRECATED
#define ACL_DEPRECATED_MESSAGE(message)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status of a call: ACL_SUCCESS or an error code. */
typedef int aclError;

/* Handles of runtime objects (acl/acl_rt.h). Opaque values: never dereference them. */
typedef void *aclrtStream;
typedef void *aclrtEvent;
typedef void *aclrtContext;
typedef void *aclrtNotify;

/** Half-precision value, as raw IEEE binary16 bits. */
typedef uint16_t aclFloat16;

/* ---- error codes --------------------------------------------------------------------- */

#define ACL_SUCCESS 0
/** The older spelling of ACL_SUCCESS, still used by many programs. */
#define ACL_ERROR_NONE 0

/* API-layer codes. vnpu returns those with a description; the others exist for programs
 * that compare against them (docs/c-api.md lists what each function returns). */
#define ACL_ERROR_INVALID_PARAM 100000         /**< null or out-of-domain argument */
#define ACL_ERROR_UNINITIALIZE 100001          /**< aclInit has not been called */
#define ACL_ERROR_REPEAT_INITIALIZE 100002     /**< aclInit called twice */
#define ACL_ERROR_INVALID_FILE 100003
#define ACL_ERROR_WRITE_FILE 100004
#define ACL_ERROR_INVALID_FILE_SIZE 100005
#define ACL_ERROR_PARSE_FILE 100006
#define ACL_ERROR_FILE_MISSING_ATTR 100007
#define ACL_ERROR_FILE_ATTR_INVALID 100008
#define ACL_ERROR_INVALID_DUMP_CONFIG 100009
#define ACL_ERROR_INVALID_PROFILING_CONFIG 100010
#define ACL_ERROR_INVALID_MODEL_ID 100011
#define ACL_ERROR_DESERIALIZE_MODEL 100012
#define ACL_ERROR_PARSE_MODEL 100013
#define ACL_ERROR_READ_MODEL_FAILURE 100014
#define ACL_ERROR_MODEL_SIZE_INVALID 100015
#define ACL_ERROR_MODEL_MISSING_ATTR 100016
#define ACL_ERROR_MODEL_INPUT_NOT_MATCH 100017
#define ACL_ERROR_MODEL_OUTPUT_NOT_MATCH 100018
#define ACL_ERROR_MODEL_NOT_DYNAMIC 100019
#define ACL_ERROR_OP_TYPE_NOT_MATCH 100020
#define ACL_ERROR_OP_INPUT_NOT_MATCH 100021
#define ACL_ERROR_OP_OUTPUT_NOT_MATCH 100022
#define ACL_ERROR_OP_ATTR_NOT_MATCH 100023
#define ACL_ERROR_OP_NOT_FOUND 100024
#define ACL_ERROR_OP_LOAD_FAILED 100025
#define ACL_ERROR_UNSUPPORTED_DATA_TYPE 100026
#define ACL_ERROR_FORMAT_NOT_MATCH 100027
#define ACL_ERROR_BIN_SELECTOR_NOT_REGISTERED 100028
#define ACL_ERROR_KERNEL_NOT_FOUND 100029
#define ACL_ERROR_BIN_SELECTOR_ALREADY_REGISTERED 100030
#define ACL_ERROR_KERNEL_ALREADY_REGISTERED 100031
#define ACL_ERROR_INVALID_QUEUE_ID 100032
#define ACL_ERROR_REPEAT_SUBSCRIBE 100033
#define ACL_ERROR_STREAM_NOT_SUBSCRIBE 100034  /**< older code; vnpu returns ACL_ERROR_RT_STREAM_NO_CB_REG */
#define ACL_ERROR_THREAD_NOT_SUBSCRIBE 100035  /**< older code; vnpu returns ACL_ERROR_RT_THREAD_SUBSCRIBE */
#define ACL_ERROR_WAIT_CALLBACK_TIMEOUT 100036 /**< older code; vnpu returns ACL_ERROR_RT_REPORT_TIMEOUT */
#define ACL_ERROR_REPEAT_FINALIZE 100037       /**< aclFinalize called twice */
#define ACL_ERROR_NOT_STATIC_AIPP 100038
#define ACL_ERROR_COMPILING_STUB_MODE 100039
#define ACL_ERROR_GROUP_NOT_SET 100040
#define ACL_ERROR_GROUP_NOT_CREATE 100041
#define ACL_ERROR_PROF_ALREADY_RUN 100042
#define ACL_ERROR_PROF_NOT_RUN 100043
#define ACL_ERROR_DUMP_ALREADY_RUN 100044
#define ACL_ERROR_DUMP_NOT_RUN 100045
#define ACL_ERROR_PROF_REPEAT_SUBSCRIBE 148046
#define ACL_ERROR_PROF_API_CONFLICT 148047
#define ACL_ERROR_INVALID_MAX_OPQUEUE_NUM_CONFIG 148048
#define ACL_ERROR_INVALID_OPP_PATH 148049
#define ACL_ERROR_OP_UNSUPPORTED_DYNAMIC 148050
#define ACL_ERROR_RELATIVE_RESOURCE_NOT_CLEARED 148051
#define ACL_ERROR_UNSUPPORTED_JPEG 148052
#define ACL_ERROR_INVALID_BUNDLE_MODEL_ID 148053
#define ACL_ERROR_BAD_ALLOC 200000             /**< host memory for a library object ran out */
#define ACL_ERROR_API_NOT_SUPPORT 200001       /**< the function is not supported */
#define ACL_ERROR_INVALID_DEVICE 200002        /**< older code; vnpu returns ACL_ERROR_RT_INVALID_DEVICEID */
#define ACL_ERROR_MEMORY_ADDRESS_UNALIGNED 200003
#define ACL_ERROR_RESOURCE_NOT_MATCH 200004
#define ACL_ERROR_INVALID_RESOURCE_HANDLE 200005 /**< unknown or destroyed aclDataBuffer */
#define ACL_ERROR_FEATURE_UNSUPPORTED 200006   /**< a flag or mode the device does not offer */
#define ACL_ERROR_PROF_MODULES_UNSUPPORTED 200007
#define ACL_ERROR_STORAGE_OVER_LIMIT 300000
#define ACL_ERROR_INTERNAL_ERROR 500000        /**< unexpected failure inside the library */
#define ACL_ERROR_FAILURE 500001               /**< generic failure */
#define ACL_ERROR_GE_FAILURE 500002
#define ACL_ERROR_RT_FAILURE 500003
#define ACL_ERROR_DRV_FAILURE 500004
#define ACL_ERROR_PROFILING_FAILURE 500005

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
  ACL_STRING = 13,
  ACL_COMPLEX64 = 16,
  ACL_COMPLEX128 = 17,
  ACL_BF16 = 27,
  ACL_INT4 = 29,
  ACL_UINT1 = 30,
  ACL_COMPLEX32 = 33,
  ACL_HIFLOAT8 = 34,
  ACL_FLOAT8_E5M2 = 35,
  ACL_FLOAT8_E4M3FN = 36,
  ACL_FLOAT8_E8M0 = 37,
  ACL_FLOAT6_E3M2 = 38,
  ACL_FLOAT6_E2M3 = 39,
  ACL_FLOAT4_E2M1 = 40,
  ACL_FLOAT4_E1M2 = 41
} aclDataType;

/** Memory layouts of tensors (for programs that describe them; vnpu's operators take
 *  strided views instead). */
typedef enum {
  ACL_FORMAT_UNDEFINED = -1,
  ACL_FORMAT_NCHW = 0,
  ACL_FORMAT_NHWC = 1,
  ACL_FORMAT_ND = 2,
  ACL_FORMAT_NC1HWC0 = 3,
  ACL_FORMAT_FRACTAL_Z = 4,
  ACL_FORMAT_NC1HWC0_C04 = 12,
  ACL_FORMAT_HWCN = 16,
  ACL_FORMAT_NDHWC = 27,
  ACL_FORMAT_FRACTAL_NZ = 29,
  ACL_FORMAT_NCDHW = 30,
  ACL_FORMAT_NDC1HWC0 = 32,
  ACL_FRACTAL_Z_3D = 33,
  ACL_FORMAT_NC = 35,
  ACL_FORMAT_NCL = 47
} aclFormat;

/** Bytes per element of `dataType`; 0 for ACL_DT_UNDEFINED, ACL_STRING (variable length),
 *  the sub-byte types (ACL_INT4, ACL_UINT1, ACL_FLOAT6_*, ACL_FLOAT4_*) and unknown values. */
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
/** The described size truncated to 32 bits (the older form of aclGetDataBufferSizeV2). */
ACL_FUNC_VISIBILITY uint32_t aclGetDataBufferSize(const aclDataBuffer *dataBuffer);
/**
 * Makes a live descriptor describe `size` bytes at `data` instead (the memory it described
 * before is not freed). `data` may be NULL only with `size` 0. ACL_ERROR_INVALID_PARAM for
 * a NULL descriptor, ACL_ERROR_INVALID_RESOURCE_HANDLE for one that is not live.
 */
ACL_FUNC_VISIBILITY aclError aclUpdateDataBuffer(aclDataBuffer *dataBuffer, void *data, size_t size);

/* ---- diagnostics --------------------------------------------------------------------- */

/**
 * The message of the most recent failed call on the calling thread: the function, what
 * was wrong, and the code returned. NULL if no call on this thread has failed yet. The
 * text stays valid until the next failure on this thread.
 */
ACL_FUNC_VISIBILITY const char *aclGetRecentErrMsg(void);

/* ---- application log ------------------------------------------------------------------ */

typedef enum { ACL_DEBUG = 0, ACL_INFO = 1, ACL_WARNING = 2, ACL_ERROR = 3 } aclLogLevel;

/**
 * Writes one log record, "[LEVEL] <pid>:<tid> <func> <file>:<line>: <message>", to stderr
 * (to stdout when ASCEND_SLOG_PRINT_TO_STDOUT=1). Records below the level set by
 * ASCEND_GLOBAL_LOG_LEVEL (0 debug, 1 info, 2 warning, 3 error — the default —, 4 none)
 * are dropped; the variable is read once. A NULL fmt, func or file drops the record.
 * Needs no aclInit. Thread-safe: records are never interleaved.
 */
ACL_FUNC_VISIBILITY void aclAppLog(aclLogLevel logLevel, const char *func, const char *file, uint32_t line,
                                   const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/** aclAppLog with the calling function, file and line filled in. */
#define ACL_APP_LOG(level, ...) aclAppLog(level, __func__, __FILE__, __LINE__, __VA_ARGS__)

/* ---- the device's chip ------------------------------------------------------------------ */

/**
 * The name of the chip vnpu's devices model, e.g. "Ascend910B1": the SoC profile chosen by
 * VNPU_SOC (docs/porting.md lists the profiles; the default is Ascend910B1). Never NULL.
 * Needs no aclInit.
 */
ACL_FUNC_VISIBILITY const char *aclrtGetSocName(void);

typedef enum {
  ACL_DEVICE_INFO_UNDEFINED = -1,
  ACL_DEVICE_INFO_AI_CORE_NUM = 0,     /**< AI (cube) cores of the chip */
  ACL_DEVICE_INFO_VECTOR_CORE_NUM = 1, /**< vector cores of the chip */
  ACL_DEVICE_INFO_L2_SIZE = 2          /**< L2 cache bytes of the chip */
} aclDeviceInfo;

/**
 * A property of device `deviceId`'s chip, from the SoC profile. ACL_ERROR_INVALID_PARAM for a
 * NULL value or an unknown property, ACL_ERROR_RT_INVALID_DEVICEID for a device that does not
 * exist. Needs no aclInit.
 */
ACL_FUNC_VISIBILITY aclError aclGetDeviceCapability(uint32_t deviceId, aclDeviceInfo deviceInfo, int64_t *value);

#ifdef __cplusplus
}
#endif

#endif /* VNPU_ACL_ACL_BASE_H_ */
