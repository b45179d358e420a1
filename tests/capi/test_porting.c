/* The functions real AscendCL programs use beyond the core subset: names and queries before
 * aclInit, data buffers, the application log, forced resets and destroys, failure modes,
 * stream and event status queries, configured streams and events, host functions, peer
 * access, last errors, the exception callback and kernels with copied argument blocks. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "acl/ops/acl_dvpp.h"
#include "tests.h"

/* ---- names and queries that need no aclInit ---- */

void test_porting_names_and_queries(void) {
  /* the older spelling of success and the runtime's */
  CHECK(ACL_ERROR_NONE == ACL_SUCCESS && ACL_RT_SUCCESS == 0);
  CHECK(ACL_ERROR_RT_STREAM_ABORT == 107023 && ACL_ERROR_RT_AICORE_TRAP_EXCEPTION == 507016);
  CHECK(ACL_ERROR_FEATURE_UNSUPPORTED == 200006 && ACL_ERROR_STORAGE_OVER_LIMIT == 300000);
  CHECK(ACL_EVENT_RECORDED_STATUS_COMPLETE == 1 && ACL_STREAM_STATUS_NOT_READY == 1);
  CHECK(ACL_STOP_ON_FAILURE == 1 && ACL_CONTINUE_ON_FAILURE == 0 && ACL_MEMCPY_DEFAULT == 4);
  /* before aclInit */
  aclrtRunMode mode = ACL_DEVICE;
  CHECK_OK(aclrtGetRunMode(&mode));
  CHECK(mode == ACL_HOST);
  uint32_t count = 0;
  CHECK_OK(aclrtGetDeviceCount(&count));
  CHECK(count >= 1);
  const char *soc = aclrtGetSocName();
  CHECK(soc != NULL && strncmp(soc, "Ascend", 6) == 0);
  int64_t cores = -1, vec = -1, l2 = -1;
  CHECK_OK(aclGetDeviceCapability(0, ACL_DEVICE_INFO_AI_CORE_NUM, &cores));
  CHECK_OK(aclGetDeviceCapability(0, ACL_DEVICE_INFO_VECTOR_CORE_NUM, &vec));
  CHECK_OK(aclGetDeviceCapability(0, ACL_DEVICE_INFO_L2_SIZE, &l2));
  CHECK(cores > 0 && vec >= 0 && l2 > 0);
  CHECK_CODE(aclGetDeviceCapability(count, ACL_DEVICE_INFO_AI_CORE_NUM, &cores), ACL_ERROR_RT_INVALID_DEVICEID);
  CHECK_CODE(aclGetDeviceCapability(0, (aclDeviceInfo)7, &cores), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclGetDeviceCapability(0, ACL_DEVICE_INFO_L2_SIZE, NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtGetRunMode(NULL), ACL_ERROR_INVALID_PARAM);
  /* what needs aclInit still refuses */
  aclrtStream s;
  CHECK_CODE(aclrtCreateStream(&s), ACL_ERROR_UNINITIALIZE);
  /* and the last error records it */
  CHECK(aclrtPeekAtLastError(ACL_RT_THREAD_LEVEL) == ACL_ERROR_UNINITIALIZE);
  CHECK(aclrtGetLastError(ACL_RT_THREAD_LEVEL) == ACL_ERROR_UNINITIALIZE);
  CHECK(aclrtGetLastError(ACL_RT_THREAD_LEVEL) == ACL_SUCCESS); /* cleared */
  CHECK(aclrtGetLastError((aclrtLastErrLevel)3) == ACL_ERROR_INVALID_PARAM);
}

/* ---- data buffers ---- */

void test_porting_data_buffers(void) {
  char a[16], b[64];
  aclDataBuffer *buf = aclCreateDataBuffer(a, sizeof a);
  CHECK(buf != NULL);
  CHECK(aclGetDataBufferSize(buf) == 16);
  CHECK_OK(aclUpdateDataBuffer(buf, b, sizeof b));
  CHECK(aclGetDataBufferAddr(buf) == b && aclGetDataBufferSizeV2(buf) == 64 && aclGetDataBufferSize(buf) == 64);
  CHECK_CODE(aclUpdateDataBuffer(buf, NULL, 8), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclUpdateDataBuffer(buf, NULL, 0));
  CHECK_CODE(aclUpdateDataBuffer(NULL, b, 8), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclDestroyDataBuffer(buf));
  CHECK_CODE(aclUpdateDataBuffer(buf, b, 8), ACL_ERROR_INVALID_RESOURCE_HANDLE);
  CHECK(aclGetDataBufferSize(NULL) == 0);
  CHECK(aclDataTypeSize(ACL_COMPLEX64) == 8 && aclDataTypeSize(ACL_COMPLEX128) == 16);
  CHECK(aclDataTypeSize(ACL_INT4) == 0 && aclDataTypeSize(ACL_STRING) == 0 && aclDataTypeSize(ACL_HIFLOAT8) == 1);
}

/* ---- the application log (records go to stderr; here: it never crashes, NULLs drop) ---- */

void test_porting_app_log(void) {
  ACL_APP_LOG(ACL_ERROR, "an error record from the conformance suite: %d", 42);
  ACL_APP_LOG(ACL_DEBUG, "a debug record (dropped at the default level)");
  aclAppLog(ACL_INFO, NULL, __FILE__, __LINE__, "dropped: no function");
  aclAppLog(ACL_ERROR, __func__, __FILE__, __LINE__, NULL);
  aclAppLog((aclLogLevel)9, __func__, __FILE__, __LINE__, "unknown level: dropped");
}

/* ---- forced reset and destroy ---- */

void test_porting_reset_device_force(void) {
  static atomic_int done;
  atomic_store(&done, 0);
  static int sleep_for = 30;
  CHECK_OK(aclrtSetDevice(0)); /* a second reference (the runner holds the first) */
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(vnpuLaunchKernel(sleep_kernel, 1, &sleep_for, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &done, s));
  CHECK_OK(aclrtResetDeviceForce(0)); /* waits for the queued work */
  CHECK(atomic_load(&done) == 1);
  CHECK_CODE(aclrtCreateStream(&s), ACL_ERROR_RT_CONTEXT_NULL); /* the default context went */
  CHECK_CODE(aclrtResetDeviceForce(0), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_CODE(aclrtResetDeviceForce(-1), ACL_ERROR_RT_INVALID_DEVICEID);
  CHECK_OK(aclrtResetDevice(0)); /* resetting a device that is not set succeeds */
  CHECK_OK(aclrtSetDevice(0));   /* and it can be set again */
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtDestroyStream(s));
}

void test_porting_destroy_stream_force(void) {
  static gate g;
  static atomic_int ran;
  atomic_store(&ran, 0);
  atomic_store(&g.open, 0);
  aclrtStream s, other;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtCreateStream(&other));
  aclrtEvent e;
  CHECK_OK(aclrtCreateEvent(&e));
  CHECK_OK(gate_block(&g, s)); /* running while the rest is dropped */
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &ran, s));
  CHECK_OK(aclrtRecordEvent(e, s));
  CHECK_OK(aclrtStreamWaitEvent(other, e));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &ran, other));
  CHECK_OK(aclrtDestroyStreamForce(s));
  CHECK_CODE(aclrtDestroyStreamForce(s), ACL_ERROR_RT_INVALID_HANDLE);
  atomic_store(&g.open, 1);
  /* the other stream's wait still ends: the dropped stream's record completed */
  CHECK_OK(aclrtSynchronizeStreamWithTimeout(other, 10000));
  CHECK(atomic_load(&ran) == 1); /* only the other stream's kernel ran */
  CHECK_CODE(aclrtDestroyStreamForce(NULL), ACL_ERROR_INVALID_PARAM);
  aclrtStream def;
  CHECK_OK(aclrtCtxGetCurrentDefaultStream(&def));
  CHECK_CODE(aclrtDestroyStreamForce(def), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtDestroyEvent(e));
  CHECK_OK(aclrtDestroyStream(other));
}

/* ---- failure modes ---- */

static void fail_block(uint32_t blockIdx, uint32_t blockDim, void *args) {
  (void)blockIdx;
  (void)blockDim;
  (void)args;
  vnpuKernelFail("stop here");
}

void test_porting_stream_failure_mode(void) {
  static atomic_int after;
  atomic_store(&after, 0);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_CODE(aclrtSetStreamFailureMode(s, 2), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtSetStreamFailureMode(s, ACL_STOP_ON_FAILURE));
  CHECK_CODE(aclrtSetStreamFailureMode(s, ACL_CONTINUE_ON_FAILURE), ACL_ERROR_RT_PARAM_INVALID); /* once */
  aclrtEvent e;
  CHECK_OK(aclrtCreateEvent(&e));
  CHECK_OK(vnpuLaunchKernel(fail_block, 1, NULL, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &after, s)); /* not run */
  CHECK_OK(aclrtRecordEvent(e, s));                        /* still completes */
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &after, s)); /* not run */
  CHECK_OK(aclrtSynchronizeEventWithTimeout(e, 10000));
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK(strstr(aclGetRecentErrMsg(), "stop here") != NULL);
  CHECK(strstr(aclGetRecentErrMsg(), "2 later tasks were not run") != NULL);
  CHECK(atomic_load(&after) == 0);
  /* reported: the stream runs again */
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &after, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK(atomic_load(&after) == 1);
  /* continue mode (the default stream): later tasks run */
  CHECK_OK(aclrtSetStreamFailureMode(NULL, ACL_CONTINUE_ON_FAILURE));
  CHECK_OK(vnpuLaunchKernel(fail_block, 1, NULL, NULL));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &after, NULL));
  CHECK_CODE(aclrtSynchronizeStream(NULL), ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK(atomic_load(&after) == 2);
  CHECK_OK(aclrtDestroyEvent(e));
  CHECK_OK(aclrtDestroyStream(s));
}

/* ---- status queries ---- */

void test_porting_status_queries(void) {
  static gate g;
  atomic_store(&g.open, 0);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  aclrtEvent e;
  CHECK_OK(aclrtCreateEvent(&e));
  aclrtEventRecordedStatus rs = ACL_EVENT_RECORDED_STATUS_COMPLETE;
  CHECK_OK(aclrtQueryEventStatus(e, &rs));
  CHECK(rs == ACL_EVENT_RECORDED_STATUS_NOT_READY); /* never recorded */
  aclrtStreamStatus ss = ACL_STREAM_STATUS_RESERVED;
  CHECK_OK(aclrtStreamQuery(s, &ss));
  CHECK(ss == ACL_STREAM_STATUS_COMPLETE);
  CHECK_OK(gate_block(&g, s));
  CHECK_OK(aclrtRecordEvent(e, s));
  CHECK_OK(aclrtStreamQuery(s, &ss));
  CHECK(ss == ACL_STREAM_STATUS_NOT_READY);
  CHECK_OK(aclrtQueryEventStatus(e, &rs));
  CHECK(rs == ACL_EVENT_RECORDED_STATUS_NOT_READY);
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtStreamQuery(s, &ss));
  CHECK(ss == ACL_STREAM_STATUS_COMPLETE);
  CHECK_OK(aclrtQueryEventStatus(e, &rs));
  CHECK(rs == ACL_EVENT_RECORDED_STATUS_COMPLETE);
  CHECK_OK(aclrtResetEvent(e, s));
  CHECK_OK(aclrtQueryEventStatus(e, &rs));
  CHECK(rs == ACL_EVENT_RECORDED_STATUS_NOT_READY);
  /* a failure is reported by the query, once */
  CHECK_OK(vnpuLaunchKernel(fail_block, 1, NULL, s));
  CHECK_CODE(aclrtSynchronizeStreamWithTimeout(s, 10000), ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK_OK(vnpuLaunchKernel(fail_block, 1, NULL, s));
  aclError q;
  do {
    q = aclrtStreamQuery(s, &ss);
  } while (q == ACL_SUCCESS && ss == ACL_STREAM_STATUS_NOT_READY);
  CHECK_CODE(q, ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK_OK(aclrtStreamQuery(s, &ss));
  CHECK_CODE(aclrtStreamQuery(s, NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtQueryEventStatus(e, NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtQueryEventStatus((aclrtEvent)s, &rs), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtDestroyEvent(e));
  CHECK_OK(aclrtDestroyStream(s));
}

/* ---- configured streams and events, the default stream's handle ---- */

void test_porting_configured_streams_and_events(void) {
  static atomic_int n;
  atomic_store(&n, 0);
  aclrtStream hi, lo, def;
  CHECK_OK(aclrtCreateStreamWithConfig(&hi, 0, ACL_STREAM_FAST_LAUNCH | ACL_STREAM_FAST_SYNC));
  CHECK_OK(aclrtCreateStreamWithConfig(&lo, 100, ACL_STREAM_HUGE)); /* clamped to 7 */
  CHECK_CODE(aclrtCreateStreamWithConfig(&def, 1, ACL_STREAM_PERSISTENT), ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  CHECK_CODE(aclrtCreateStreamWithConfig(NULL, 1, 0), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &n, hi));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &n, lo));
  CHECK_OK(aclrtCtxGetCurrentDefaultStream(&def));
  CHECK(def != NULL);
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &n, def));
  CHECK_OK(aclrtSynchronizeStream(def));
  CHECK_OK(aclrtSynchronizeStream(NULL)); /* the same stream */
  CHECK_OK(aclrtSynchronizeDevice());
  CHECK(atomic_load(&n) == 3);
  CHECK_CODE(aclrtDestroyStream(def), ACL_ERROR_INVALID_PARAM);
  aclrtEvent a, b;
  CHECK_OK(aclrtCreateEventExWithFlag(&a, ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE));
  CHECK_OK(aclrtCreateEventExWithFlag(&b, ACL_EVENT_TIME_LINE | ACL_EVENT_CAPTURE_STREAM_PROGRESS));
  aclrtEvent x;
  CHECK_CODE(aclrtCreateEventExWithFlag(&x, ACL_EVENT_IPC), ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  CHECK_CODE(aclrtCreateEventExWithFlag(&x, 0x4), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtRecordEvent(a, hi));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &n, hi));
  CHECK_OK(aclrtRecordEvent(b, hi));
  CHECK_OK(aclrtSynchronizeEvent(b));
  float ms = -1.0f;
  CHECK_OK(aclrtEventElapsedTime(&ms, a, b));
  CHECK(ms >= 0.0f);
  CHECK_OK(aclrtDestroyEvent(a));
  CHECK_OK(aclrtDestroyEvent(b));
  CHECK_OK(aclrtDestroyStream(hi));
  CHECK_OK(aclrtDestroyStream(lo));
}

/* ---- host functions ---- */

typedef struct host_fn_arg {
  atomic_int ran;
  atomic_int saw_kernel; /* the kernel before it had run */
  atomic_int *counter;
} host_fn_arg;

static void host_fn(void *p) {
  host_fn_arg *a = (host_fn_arg *)p;
  atomic_store(&a->saw_kernel, atomic_load(a->counter));
  atomic_fetch_add(&a->ran, 1);
  /* a wait from inside is refused, not a deadlock */
  if (aclrtSynchronizeDevice() != ACL_ERROR_RT_FEATURE_NOT_SUPPORT) atomic_store(&a->saw_kernel, -100);
}

void test_porting_host_func(void) {
  static atomic_int counter;
  static host_fn_arg a;
  atomic_store(&counter, 0);
  atomic_store(&a.ran, 0);
  atomic_store(&a.saw_kernel, -1);
  a.counter = &counter;
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &counter, s));
  CHECK_OK(aclrtLaunchHostFunc(s, host_fn, &a)); /* no subscription needed */
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &counter, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK(atomic_load(&a.ran) == 1 && atomic_load(&a.saw_kernel) == 1 && atomic_load(&counter) == 2);
  CHECK_CODE(aclrtLaunchHostFunc(s, NULL, &a), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtLaunchHostFunc((aclrtStream)(intptr_t)0x4440, host_fn, &a), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtDestroyStream(s));
}

/* ---- peer access ---- */

void test_porting_peer_access(void) {
  uint32_t count = 0;
  CHECK_OK(aclrtGetDeviceCount(&count));
  int32_t can = -1;
  CHECK_CODE(aclrtDeviceCanAccessPeer(&can, 0, 0), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtDeviceCanAccessPeer(&can, 0, (int32_t)count), ACL_ERROR_RT_INVALID_DEVICEID);
  CHECK_CODE(aclrtDeviceCanAccessPeer(NULL, 0, 1), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtDeviceEnablePeerAccess(0, 0), ACL_ERROR_INVALID_PARAM); /* itself */
  CHECK_CODE(aclrtDeviceEnablePeerAccess(1, 1), ACL_ERROR_FEATURE_UNSUPPORTED);
  if (count < 2) return; /* the rest needs VNPU_DEVICES >= 2 (capi.porting.two_devices) */
  CHECK_OK(aclrtDeviceCanAccessPeer(&can, 0, 1));
  CHECK(can == 1);
  void *d0 = NULL, *d1 = NULL;
  CHECK_OK(aclrtMalloc(&d0, 4096, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtSetDevice(1));
  CHECK_OK(aclrtMalloc(&d1, 4096, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMemset(d1, 4096, 7, 4096));
  /* device 1 -> device 0 without peer access: refused, as on the accelerator */
  CHECK_CODE(aclrtMemcpy(d0, 4096, d1, 4096, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_OK(aclrtDeviceEnablePeerAccess(0, 0));
  CHECK_CODE(aclrtDeviceEnablePeerAccess(0, 0), ACL_ERROR_RT_PARAM_INVALID); /* twice */
  CHECK_OK(aclrtMemcpy(d0, 4096, d1, 4096, ACL_MEMCPY_DEVICE_TO_DEVICE));
  CHECK_OK(aclrtMemcpyAsync(d0, 4096, d1, 4096, ACL_MEMCPY_DEVICE_TO_DEVICE, NULL));
  CHECK_OK(aclrtSynchronizeStream(NULL));
  unsigned char host[4096];
  CHECK_OK(aclrtMemcpy(host, sizeof host, d0, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK(host[0] == 7 && host[4095] == 7);
  CHECK_OK(aclrtDeviceDisablePeerAccess(0));
  CHECK_CODE(aclrtDeviceDisablePeerAccess(0), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_CODE(aclrtMemcpy(d0, 4096, d1, 4096, ACL_MEMCPY_DEVICE_TO_DEVICE), ACL_ERROR_RT_PARAM_INVALID);
  CHECK_OK(aclrtFree(d1));
  CHECK_OK(aclrtResetDevice(1));
  CHECK_OK(aclrtSetDevice(0));
  CHECK_OK(aclrtFree(d0));
}

/* ---- the exception callback ---- */

static atomic_int g_exc_calls;
static atomic_uint g_exc_task, g_exc_code, g_exc_device;

static void on_exception(aclrtExceptionInfo *info) {
  atomic_fetch_add(&g_exc_calls, 1);
  atomic_store(&g_exc_task, aclrtGetTaskIdFromExceptionInfo(info));
  atomic_store(&g_exc_code, aclrtGetErrorCodeFromExceptionInfo(info));
  atomic_store(&g_exc_device, aclrtGetDeviceIdFromExceptionInfo(info));
  (void)aclrtGetStreamIdFromExceptionInfo(info);
  (void)aclrtGetThreadIdFromExceptionInfo(info);
}

void test_porting_exception_callback(void) {
  atomic_store(&g_exc_calls, 0);
  CHECK(aclrtGetTaskIdFromExceptionInfo(NULL) == 0xFFFFFFFFu && aclrtGetErrorCodeFromExceptionInfo(NULL) == 0xFFFFFFFFu);
  CHECK_OK(aclrtSetExceptionInfoCallback(on_exception));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  static atomic_int n;
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &n, s));
  CHECK_OK(vnpuLaunchKernel(fail_block, 1, NULL, s)); /* the stream's task #2 */
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK(atomic_load(&g_exc_calls) == 1);
  CHECK(atomic_load(&g_exc_task) == 2 && atomic_load(&g_exc_code) == ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK(atomic_load(&g_exc_device) == 0);
  CHECK_OK(aclrtSetExceptionInfoCallback(NULL)); /* removed */
  CHECK_OK(vnpuLaunchKernel(fail_block, 1, NULL, s));
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK(atomic_load(&g_exc_calls) == 1);
  CHECK_OK(aclrtDestroyStream(s));
}

/* ---- kernels with copied argument blocks, and the block accessors ---- */

typedef struct tiling {
  int32_t *out;
  uint32_t n;
  int32_t add;
  char pad[100]; /* a by-value struct of an odd size */
} tiling;

static void tiled_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  const tiling *t = (const tiling *)args;
  if (vnpuGetBlockIdx() != blockIdx || vnpuGetBlockDim() != blockDim || ((uintptr_t)args & 63) != 0) {
    vnpuKernelFail("the accessors or the argument block's alignment are wrong");
    return;
  }
  for (uint32_t i = blockIdx; i < t->n; i += blockDim) t->out[i] += t->add;
}

void test_porting_launch_with_args(void) {
  enum { kN = 1000 };
  int32_t *out = NULL;
  CHECK_OK(aclrtMallocHost((void **)&out, kN * sizeof(int32_t)));
  memset(out, 0, kN * sizeof(int32_t));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  static gate g;
  atomic_store(&g.open, 0);
  CHECK_OK(gate_block(&g, s)); /* the launches below queue behind it */
  for (int round = 1; round <= 3; ++round) {
    tiling *t = (tiling *)malloc(sizeof *t);
    CHECK(t != NULL);
    t->out = out;
    t->n = kN;
    t->add = round;
    CHECK_OK(vnpuLaunchKernelWithArgs(tiled_kernel, 7, t, sizeof *t, s));
    memset(t, 0xFF, sizeof *t); /* the caller may scribble over and free its struct at once */
    free(t);
  }
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeStream(s));
  for (int i = 0; i < kN; ++i) CHECK(out[i] == 6);
  CHECK(vnpuGetBlockIdx() == 0 && vnpuGetBlockDim() == 0); /* outside a kernel */
  CHECK_CODE(vnpuLaunchKernelWithArgs(tiled_kernel, 1, NULL, 8, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuLaunchKernelWithArgs(tiled_kernel, 1, out, (size_t)1 << 30, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuLaunchKernelWithArgs(tiled_kernel, 0, out, 8, s), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(vnpuLaunchKernelWithArgs(NULL, 1, out, 8, s), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_OK(aclrtFreeHost(out));
}

/* ---- matrix copies, 32-byte sizes, media memory ---- */

void test_porting_memcpy_2d(void) {
  enum { kRows = 37, kWidth = 20, kSpitch = 33, kDpitch = 48 };
  unsigned char host[kRows * kSpitch], back[kRows * kDpitch];
  for (int i = 0; i < kRows * kSpitch; ++i) host[i] = (unsigned char)(i * 7 + 1);
  void *dev = NULL;
  CHECK_OK(aclrtMalloc(&dev, kRows * kDpitch, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtMemset(dev, kRows * kDpitch, 0, kRows * kDpitch));
  CHECK_OK(aclrtMemcpy2d(dev, kDpitch, host, kSpitch, kWidth, kRows, ACL_MEMCPY_HOST_TO_DEVICE));
  CHECK_OK(aclrtMemcpy(back, sizeof back, dev, sizeof back, ACL_MEMCPY_DEVICE_TO_HOST));
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < kDpitch; ++c) CHECK(back[r * kDpitch + c] == (c < kWidth ? host[r * kSpitch + c] : 0));
  /* async, from pageable memory that is scribbled over at once, back in a dense layout */
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  unsigned char *pinned = NULL;
  CHECK_OK(aclrtMallocHost((void **)&pinned, kRows * kWidth));
  unsigned char src2[kRows * kSpitch];
  memcpy(src2, host, sizeof src2);
  CHECK_OK(aclrtMemcpy2dAsync(dev, kDpitch, src2, kSpitch, kWidth, kRows, ACL_MEMCPY_HOST_TO_DEVICE, s));
  memset(src2, 0, sizeof src2);
  CHECK_OK(aclrtMemcpy2dAsync(pinned, kWidth, dev, kDpitch, kWidth, kRows, ACL_MEMCPY_DEVICE_TO_HOST, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < kWidth; ++c) CHECK(pinned[r * kWidth + c] == host[r * kSpitch + c]);
  /* errors */
  CHECK_OK(aclrtMemcpy2d(NULL, 8, NULL, 8, 0, 5, ACL_MEMCPY_HOST_TO_DEVICE)); /* empty */
  CHECK_CODE(aclrtMemcpy2d(dev, 8, host, 16, 9, 2, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemcpy2d(dev, 16, NULL, 16, 8, 2, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemcpy2d(dev, 16, host, 16, 8, 6000000, ACL_MEMCPY_HOST_TO_DEVICE), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtMemcpy2d(dev, 16, host, 16, 8, 2, (aclrtMemcpyKind)9), ACL_ERROR_INVALID_PARAM);
  /* rows running past the device allocation, a kind that contradicts the pointers */
  CHECK_CODE(aclrtMemcpy2d(dev, kDpitch, host, kSpitch, kWidth, kRows + 1, ACL_MEMCPY_HOST_TO_DEVICE),
             ACL_ERROR_RT_PARAM_INVALID);
  CHECK_CODE(aclrtMemcpy2d(dev, kDpitch, host, kSpitch, kWidth, 2, ACL_MEMCPY_DEVICE_TO_HOST),
             ACL_ERROR_RT_PARAM_INVALID);
  CHECK_CODE(aclrtMemcpy2dAsync(dev, kDpitch, host, kSpitch, kWidth, 2, ACL_MEMCPY_HOST_TO_DEVICE,
                                (aclrtStream)(intptr_t)0x7770),
             ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_OK(aclrtFreeHost(pinned));
  CHECK_OK(aclrtFree(dev));
}

void test_porting_align32_and_media_memory(void) {
  size_t free_before = 0, total = 0, free_after = 0;
  CHECK_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free_before, &total));
  void *p = NULL;
  CHECK_OK(aclrtMallocAlign32(&p, 33, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK(((uintptr_t)p & 31) == 0);
  CHECK_OK(aclrtMemset(p, 64, 1, 64)); /* 33 rounded up to 64: all of it is the program's */
  CHECK_CODE(aclrtMallocAlign32(&p, 0, ACL_MEM_MALLOC_HUGE_FIRST), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(aclrtFree(p));
  void *m = NULL;
  CHECK_OK(acldvppMalloc(&m, 1000));
  CHECK(((uintptr_t)m & 127) == 0);
  CHECK_OK(aclrtMemset(m, 1024 + 32, 0xAB, 1024 + 32)); /* 1000 -> 1024 + 32 */
  CHECK_OK(aclrtGetMemInfo(ACL_HBM_MEM, &free_after, &total));
  CHECK(free_after < free_before);
  CHECK_CODE(aclrtFree(m), ACL_ERROR_RT_MEMORY_FREE); /* media memory goes back with acldvppFree */
  CHECK_OK(acldvppFree(m));
  CHECK_CODE(acldvppFree(m), ACL_ERROR_RT_MEMORY_FREE);
  CHECK_CODE(acldvppMalloc(&m, 0), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(acldvppMalloc(NULL, 16), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(acldvppFree(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_OK(acldvppMalloc(&m, 64)); /* left for aclFinalize to free */
}
