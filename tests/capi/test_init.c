/* aclInit/aclFinalize, the base functions (element sizes, f16, data buffers) and the
 * per-thread recent error message. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "tests.h"

void test_init_repeat_codes(void) {
  CHECK_OK(aclInit(NULL));
  CHECK_CODE(aclInit(NULL), ACL_ERROR_REPEAT_INITIALIZE);
  CHECK(strstr(aclGetRecentErrMsg(), "aclInit") != NULL);
  /* the repeated aclInit changed nothing: the API still works */
  CHECK_OK(aclrtSetDevice(0));
  CHECK_OK(aclFinalize());
  CHECK_CODE(aclFinalize(), ACL_ERROR_REPEAT_FINALIZE);
  /* initializing again after finalization works, with fresh state */
  CHECK_OK(aclInit(""));
  int32_t dev = -1;
  CHECK_CODE(aclrtGetDevice(&dev), ACL_ERROR_RT_CONTEXT_NULL);
  CHECK_OK(aclrtSetDevice(0));
  CHECK_OK(aclrtGetDevice(&dev));
  CHECK(dev == 0);
  CHECK_OK(aclFinalize());
}

void test_init_uninitialized(void) {
  /* outside aclInit..aclFinalize the runtime functions refuse to work */
  uint32_t count = 0;
  void *p = NULL;
  aclrtStream s = NULL;
  aclrtEvent e = NULL;
  aclrtContext c = NULL;
  CHECK_CODE(aclrtSetDevice(0), ACL_ERROR_UNINITIALIZE);
  /* queries of the machine answer before aclInit, as on the accelerator */
  CHECK_OK(aclrtGetDeviceCount(&count));
  CHECK(count >= 1);
  CHECK_CODE(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_UNINITIALIZE);
  CHECK_CODE(aclrtCreateStream(&s), ACL_ERROR_UNINITIALIZE);
  CHECK_CODE(aclrtCreateEvent(&e), ACL_ERROR_UNINITIALIZE);
  CHECK_CODE(aclrtCreateContext(&c, 0), ACL_ERROR_UNINITIALIZE);
  CHECK_CODE(aclrtProcessReport(0), ACL_ERROR_UNINITIALIZE);
  CHECK_CODE(aclrtSynchronizeDevice(), ACL_ERROR_UNINITIALIZE);
  /* null outputs are rejected first */
  CHECK_CODE(aclrtGetDeviceCount(NULL), ACL_ERROR_INVALID_PARAM);
  /* nor does the version */
  int32_t major = -1, minor = -1, patch = -1;
  CHECK_OK(aclrtGetVersion(&major, &minor, &patch));
  CHECK(major >= 0 && minor >= 0 && patch >= 0);
  CHECK_CODE(aclrtGetVersion(NULL, &minor, &patch), ACL_ERROR_INVALID_PARAM);
}

void test_init_config_path(void) {
  CHECK_CODE(aclInit("/nonexistent/vnpu/acl.json"), ACL_ERROR_INVALID_PARAM);
  CHECK(strstr(aclGetRecentErrMsg(), "/nonexistent/vnpu/acl.json") != NULL);
  CHECK_CODE(aclrtSetDevice(0), ACL_ERROR_UNINITIALIZE); /* the failed aclInit changed nothing */
  char path[] = "/tmp/vnpu_acl_configXXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK(write(fd, "{}\n", 3) == 3);
  close(fd);
  aclError e = aclInit(path);
  unlink(path);
  CHECK_OK(e);
  CHECK_OK(aclFinalize());
}

/* aclFinalize returns only after all queued work has run, including the work of streams
 * and contexts that were destroyed before it (their work still finishes, and a callback
 * may point at memory that the program frees once aclFinalize has returned). */
static void count_flag(void *user) { atomic_fetch_add((atomic_int *)user, 1); }

void test_init_finalize_waits_for_destroyed(void) {
  static atomic_int kernels, callbacks;
  atomic_store(&kernels, 0);
  atomic_store(&callbacks, 0);
  static int sleep_for = 150;
  uint64_t self = (uint64_t)pthread_self();
  CHECK_OK(aclInit(NULL));
  /* a created context, destroyed with a slow kernel and a callback still queued */
  aclrtContext ctx;
  CHECK_OK(aclrtCreateContext(&ctx, 0));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtSubscribeReport(self, s));
  CHECK_OK(vnpuLaunchKernel(sleep_kernel, 1, &sleep_for, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 2, &kernels, s));
  CHECK_OK(aclrtLaunchCallback(count_flag, &callbacks, ACL_CALLBACK_NO_BLOCK, s));
  CHECK_OK(aclrtDestroyContext(ctx));
  /* the default context, reset with the same kind of work queued */
  CHECK_OK(aclrtSetDevice(0));
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtSubscribeReport(self, s));
  CHECK_OK(vnpuLaunchKernel(sleep_kernel, 1, &sleep_for, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 2, &kernels, s));
  CHECK_OK(aclrtLaunchCallback(count_flag, &callbacks, ACL_CALLBACK_BLOCK, s));
  CHECK_OK(aclrtResetDevice(0));
  CHECK_OK(aclFinalize());
  CHECK(atomic_load(&kernels) == 4);
  CHECK(atomic_load(&callbacks) == 2);
}

void test_base_data_type_size(void) {
  CHECK(aclDataTypeSize(ACL_FLOAT) == 4);
  CHECK(aclDataTypeSize(ACL_FLOAT16) == 2);
  CHECK(aclDataTypeSize(ACL_BF16) == 2);
  CHECK(aclDataTypeSize(ACL_INT8) == 1);
  CHECK(aclDataTypeSize(ACL_UINT8) == 1);
  CHECK(aclDataTypeSize(ACL_BOOL) == 1);
  CHECK(aclDataTypeSize(ACL_INT16) == 2);
  CHECK(aclDataTypeSize(ACL_UINT16) == 2);
  CHECK(aclDataTypeSize(ACL_INT32) == 4);
  CHECK(aclDataTypeSize(ACL_UINT32) == 4);
  CHECK(aclDataTypeSize(ACL_INT64) == 8);
  CHECK(aclDataTypeSize(ACL_UINT64) == 8);
  CHECK(aclDataTypeSize(ACL_DOUBLE) == 8);
  CHECK(aclDataTypeSize(ACL_DT_UNDEFINED) == 0);
  CHECK(aclDataTypeSize((aclDataType)5) == 0);
  CHECK(aclDataTypeSize((aclDataType)1000) == 0);
  /* the enum values are the documented ones */
  CHECK(ACL_DT_UNDEFINED == -1 && ACL_FLOAT == 0 && ACL_FLOAT16 == 1 && ACL_INT8 == 2 && ACL_INT32 == 3);
  CHECK(ACL_UINT8 == 4 && ACL_INT16 == 6 && ACL_UINT16 == 7 && ACL_UINT32 == 8 && ACL_INT64 == 9);
  CHECK(ACL_UINT64 == 10 && ACL_DOUBLE == 11 && ACL_BOOL == 12 && ACL_BF16 == 27);
}

void test_base_float16(void) {
  CHECK(aclFloatToFloat16(1.0f) == 0x3C00);
  CHECK(aclFloatToFloat16(-2.0f) == 0xC000);
  CHECK(aclFloatToFloat16(65504.0f) == 0x7BFF);
  CHECK(aclFloatToFloat16(1e6f) == 0x7C00); /* overflow gives infinity */
  CHECK(aclFloatToFloat16(0.0f) == 0x0000);
  CHECK(aclFloatToFloat16(5.9604645e-8f) == 0x0001); /* smallest subnormal */
  CHECK(aclFloatToFloat16(1.0f + 1.0f / 2048.0f) == 0x3C00); /* a tie rounds to even */
  CHECK(aclFloatToFloat16(1.0f + 3.0f / 2048.0f) == 0x3C02);
  CHECK(aclFloat16ToFloat(0x3C00) == 1.0f);
  CHECK(aclFloat16ToFloat(0x7BFF) == 65504.0f);
  CHECK(aclFloat16ToFloat(0x0001) == 5.9604645e-8f);
  CHECK(isinf(aclFloat16ToFloat(0xFC00)) && aclFloat16ToFloat(0xFC00) < 0);
  CHECK(isnan(aclFloat16ToFloat(aclFloatToFloat16(NAN))));
  for (unsigned h = 0; h < 0x7C00; ++h) /* every finite positive value round-trips */
    CHECK(aclFloatToFloat16(aclFloat16ToFloat((aclFloat16)h)) == h);
}

void test_base_data_buffer(void) {
  char bytes[32];
  aclDataBuffer *b = aclCreateDataBuffer(bytes, sizeof bytes);
  CHECK(b != NULL);
  CHECK(aclGetDataBufferAddr(b) == bytes);
  CHECK(aclGetDataBufferSizeV2(b) == sizeof bytes);
  CHECK_OK(aclDestroyDataBuffer(b));
  CHECK_CODE(aclDestroyDataBuffer(b), ACL_ERROR_INVALID_RESOURCE_HANDLE); /* double destroy */
  CHECK(aclGetDataBufferAddr(b) == NULL);
  CHECK(aclGetDataBufferSizeV2(b) == 0);
  CHECK_CODE(aclDestroyDataBuffer((const aclDataBuffer *)bytes), ACL_ERROR_INVALID_RESOURCE_HANDLE);
  CHECK_CODE(aclDestroyDataBuffer(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK(aclGetDataBufferAddr(NULL) == NULL && aclGetDataBufferSizeV2(NULL) == 0);
  CHECK(aclCreateDataBuffer(NULL, 8) == NULL);
  CHECK(harness_message_mentions(ACL_ERROR_INVALID_PARAM));
  aclDataBuffer *empty = aclCreateDataBuffer(NULL, 0);
  CHECK(empty != NULL && aclGetDataBufferAddr(empty) == NULL && aclGetDataBufferSizeV2(empty) == 0);
  CHECK_OK(aclDestroyDataBuffer(empty));
}

/* Each thread sees the message of its own most recent failure. */
static void *fail_with_count_null(void *arg) {
  (void)arg;
  aclError e = aclrtGetDeviceCount(NULL);
  const char *msg = aclGetRecentErrMsg();
  return (void *)(intptr_t)(e == ACL_ERROR_INVALID_PARAM && msg != NULL && strstr(msg, "aclrtGetDeviceCount") != NULL);
}

static void *no_failure_yet(void *arg) {
  (void)arg;
  return (void *)(intptr_t)(aclGetRecentErrMsg() == NULL);
}

void test_base_error_message_per_thread(void) {
  CHECK_CODE(aclrtSetDevice(12345), ACL_ERROR_RT_INVALID_DEVICEID);
  CHECK(strstr(aclGetRecentErrMsg(), "aclrtSetDevice") != NULL);
  pthread_t t;
  void *ok = NULL;
  CHECK(pthread_create(&t, NULL, fail_with_count_null, NULL) == 0);
  pthread_join(t, &ok);
  CHECK(ok != NULL);
  CHECK(pthread_create(&t, NULL, no_failure_yet, NULL) == 0);
  pthread_join(t, &ok);
  CHECK(ok != NULL);
  /* this thread still has its own message */
  CHECK(strstr(aclGetRecentErrMsg(), "aclrtSetDevice") != NULL);
  CHECK(strstr(aclGetRecentErrMsg(), "107001") != NULL);
  /* success does not erase it; the next failure replaces it */
  uint32_t count = 0;
  CHECK_OK(aclrtGetDeviceCount(&count));
  CHECK(strstr(aclGetRecentErrMsg(), "aclrtSetDevice") != NULL);
  CHECK_CODE(aclrtFree(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK(strstr(aclGetRecentErrMsg(), "aclrtFree") != NULL);
}

/* Every code has its documented value (programs compare against the numbers too). */
void test_base_error_code_values(void) {
  CHECK(ACL_SUCCESS == 0);
  CHECK(ACL_ERROR_INVALID_PARAM == 100000 && ACL_ERROR_UNINITIALIZE == 100001 && ACL_ERROR_REPEAT_INITIALIZE == 100002);
  CHECK(ACL_ERROR_REPEAT_FINALIZE == 100037);
  CHECK(ACL_ERROR_BAD_ALLOC == 200000 && ACL_ERROR_API_NOT_SUPPORT == 200001 && ACL_ERROR_INVALID_DEVICE == 200002);
  CHECK(ACL_ERROR_INVALID_RESOURCE_HANDLE == 200005);
  CHECK(ACL_ERROR_INTERNAL_ERROR == 500000 && ACL_ERROR_FAILURE == 500001);
  CHECK(ACL_ERROR_RT_PARAM_INVALID == 107000 && ACL_ERROR_RT_INVALID_DEVICEID == 107001);
  CHECK(ACL_ERROR_RT_CONTEXT_NULL == 107002 && ACL_ERROR_RT_STREAM_CONTEXT == 107003);
  CHECK(ACL_ERROR_RT_THREAD_SUBSCRIBE == 107012 && ACL_ERROR_RT_STREAM_NO_CB_REG == 107015);
  CHECK(ACL_ERROR_RT_INVALID_HANDLE == 107017 && ACL_ERROR_RT_FEATURE_NOT_SUPPORT == 207000);
  CHECK(ACL_ERROR_RT_MEMORY_ALLOCATION == 207001 && ACL_ERROR_RT_MEMORY_FREE == 207002);
  CHECK(ACL_ERROR_RT_INTERNAL_ERROR == 507000 && ACL_ERROR_RT_STREAM_NOT_COMPLETE == 507004);
  CHECK(ACL_ERROR_RT_EVENT_NOT_COMPLETE == 507006 && ACL_ERROR_RT_REPORT_TIMEOUT == 507012);
  CHECK(ACL_ERROR_RT_AICORE_EXCEPTION == 507015 && ACL_ERROR_RT_STREAM_SYNC_TIMEOUT == 507046);
  CHECK(ACL_ERROR_RT_EVENT_SYNC_TIMEOUT == 507047);
}
