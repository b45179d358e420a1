/* Devices, contexts, the current context per thread, and handle validation. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>

#include "harness.h"
#include "tests.h"

void test_device_set_get(void) {
  uint32_t count = 0;
  CHECK_OK(aclrtGetDeviceCount(&count));
  CHECK(count >= 1);
  int32_t dev = -1;
  CHECK_OK(aclrtGetDevice(&dev));
  CHECK(dev == 0);
  aclrtRunMode mode = ACL_DEVICE;
  CHECK_OK(aclrtGetRunMode(&mode));
  CHECK(mode == ACL_HOST);
  CHECK(ACL_DEVICE == 0 && ACL_HOST == 1);
  CHECK_CODE(aclrtGetRunMode(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtGetDevice(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtSetDevice((int32_t)count), ACL_ERROR_RT_INVALID_DEVICEID);
  CHECK_CODE(aclrtSetDevice(-1), ACL_ERROR_RT_INVALID_DEVICEID);
  CHECK_CODE(aclrtResetDevice(-3), ACL_ERROR_RT_INVALID_DEVICEID);
  CHECK_OK(aclrtSynchronizeDevice());
  /* the failed calls left the current device alone */
  CHECK_OK(aclrtGetDevice(&dev));
  CHECK(dev == 0);
}

static void *no_context_thread(void *arg) {
  (void)arg;
  int32_t dev;
  void *p;
  aclrtStream s;
  aclrtEvent e;
  aclrtContext c;
  size_t free_b, total_b;
  int ok = aclrtGetDevice(&dev) == ACL_ERROR_RT_CONTEXT_NULL &&
           aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_ERROR_RT_CONTEXT_NULL &&
           aclrtMallocHost(&p, 64) == ACL_ERROR_RT_CONTEXT_NULL && aclrtCreateStream(&s) == ACL_ERROR_RT_CONTEXT_NULL &&
           aclrtCreateEvent(&e) == ACL_ERROR_RT_CONTEXT_NULL && aclrtSynchronizeStream(NULL) == ACL_ERROR_RT_CONTEXT_NULL &&
           aclrtGetCurrentContext(&c) == ACL_ERROR_RT_CONTEXT_NULL &&
           aclrtGetMemInfo(ACL_HBM_MEM, &free_b, &total_b) == ACL_ERROR_RT_CONTEXT_NULL &&
           aclrtSynchronizeDevice() == ACL_ERROR_RT_CONTEXT_NULL && harness_message_mentions(ACL_ERROR_RT_CONTEXT_NULL);
  return (void *)(intptr_t)ok;
}

void test_device_no_context_in_new_thread(void) {
  pthread_t t;
  void *ok = NULL;
  CHECK(pthread_create(&t, NULL, no_context_thread, NULL) == 0);
  pthread_join(t, &ok);
  CHECK(ok != NULL);
}

void test_device_reset_counts(void) {
  CHECK_OK(aclrtSetDevice(0)); /* a second reference (the runner holds the first) */
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtResetDevice(0));
  CHECK_OK(aclrtSynchronizeStream(s)); /* one reference left: still alive */
  aclrtContext ctx;
  CHECK_OK(aclrtGetCurrentContext(&ctx));
  CHECK_OK(aclrtResetDevice(0)); /* the last one: the default context and its streams go */
  CHECK_CODE(aclrtGetCurrentContext(&ctx), ACL_ERROR_RT_CONTEXT_NULL);
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtSetCurrentContext(ctx), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtResetDevice(0)); /* resetting a device that is not set succeeds */
  CHECK_OK(aclrtSetDevice(0));   /* a new default context */
  aclrtContext ctx2;
  CHECK_OK(aclrtGetCurrentContext(&ctx2));
  CHECK(ctx2 != ctx); /* handles are never reused */
}

void test_context_create_destroy(void) {
  aclrtContext def, ctx;
  CHECK_OK(aclrtGetCurrentContext(&def));
  CHECK_CODE(aclrtDestroyContext(def), ACL_ERROR_RT_PARAM_INVALID); /* the default one */
  CHECK_CODE(aclrtCreateContext(NULL, 0), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtCreateContext(&ctx, 99), ACL_ERROR_RT_INVALID_DEVICEID);
  CHECK_OK(aclrtCreateContext(&ctx, 0));
  aclrtContext cur;
  CHECK_OK(aclrtGetCurrentContext(&cur));
  CHECK(cur == ctx); /* creating makes it current */
  aclrtStream s;
  aclrtEvent e;
  CHECK_OK(aclrtCreateStream(&s)); /* in ctx */
  CHECK_OK(aclrtCreateEvent(&e));
  CHECK_OK(aclrtSetCurrentContext(def));
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_STREAM_CONTEXT); /* s is ctx's */
  CHECK_CODE(aclrtRecordEvent(e, s), ACL_ERROR_RT_STREAM_CONTEXT);
  CHECK_OK(aclrtSetCurrentContext(ctx));
  CHECK_OK(aclrtRecordEvent(e, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtDestroyContext(ctx)); /* takes its streams and events along */
  CHECK_CODE(aclrtGetCurrentContext(&cur), ACL_ERROR_RT_CONTEXT_NULL);
  CHECK_OK(aclrtSetCurrentContext(def));
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtDestroyEvent(e), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtDestroyContext(ctx), ACL_ERROR_RT_INVALID_HANDLE); /* twice */
  CHECK_CODE(aclrtSetCurrentContext(ctx), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtSetCurrentContext(NULL), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtGetCurrentContext(NULL), ACL_ERROR_INVALID_PARAM);
}

void test_handles_garbage_and_wrong_kind(void) {
  aclrtStream s;
  aclrtEvent e;
  aclrtContext c;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(aclrtCreateEvent(&e));
  CHECK_OK(aclrtGetCurrentContext(&c));
  int local = 0;
  void *garbage[] = {(void *)(intptr_t)1, (void *)(intptr_t)0x1234, &local, (void *)(intptr_t)-1};
  for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; ++i) {
    aclrtEventStatus st;
    CHECK_CODE(aclrtSynchronizeStream(garbage[i]), ACL_ERROR_RT_INVALID_HANDLE);
    CHECK_CODE(aclrtDestroyStream(garbage[i]), ACL_ERROR_RT_INVALID_HANDLE);
    CHECK_CODE(aclrtQueryEvent(garbage[i], &st), ACL_ERROR_RT_INVALID_HANDLE);
    CHECK_CODE(aclrtDestroyEvent(garbage[i]), ACL_ERROR_RT_INVALID_HANDLE);
    CHECK_CODE(aclrtSetCurrentContext(garbage[i]), ACL_ERROR_RT_INVALID_HANDLE);
    CHECK_CODE(aclrtDestroyContext(garbage[i]), ACL_ERROR_RT_INVALID_HANDLE);
    CHECK_CODE(aclrtMemsetAsync(&local, 4, 0, 4, garbage[i]), ACL_ERROR_RT_INVALID_HANDLE);
  }
  /* handles of the wrong kind are recognized as such */
  CHECK_CODE(aclrtSynchronizeStream(e), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK(strstr(aclGetRecentErrMsg(), "event") != NULL);
  CHECK_CODE(aclrtSynchronizeEvent(s), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtSetCurrentContext(s), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtDestroyStream(c), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_CODE(aclrtRecordEvent(s, e), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK_OK(aclrtDestroyStream(s));
  CHECK_OK(aclrtDestroyEvent(e));
}

/* A context is used by another thread after aclrtSetCurrentContext; each thread keeps its
 * own current context. */
typedef struct {
  aclrtContext ctx;
  aclrtContext seen_before;
  int ok;
} ctx_thread_arg;

static void *use_context_thread(void *p) {
  ctx_thread_arg *a = (ctx_thread_arg *)p;
  a->ok = 0;
  if (aclrtGetCurrentContext(&a->seen_before) != ACL_ERROR_RT_CONTEXT_NULL) return NULL;
  if (aclrtSetCurrentContext(a->ctx) != ACL_SUCCESS) return NULL;
  aclrtStream s;
  void *dev;
  int host[64], back[64];
  for (int i = 0; i < 64; ++i) host[i] = i * 3;
  if (aclrtCreateStream(&s) != ACL_SUCCESS) return NULL;
  if (aclrtMalloc(&dev, sizeof host, ACL_MEM_MALLOC_NORMAL_ONLY) != ACL_SUCCESS) return NULL;
  if (aclrtMemcpyAsync(dev, sizeof host, host, sizeof host, ACL_MEMCPY_HOST_TO_DEVICE, s) != ACL_SUCCESS) return NULL;
  if (aclrtMemcpyAsync(back, sizeof back, dev, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST, NULL) != ACL_SUCCESS) return NULL;
  /* the NULL stream (ctx's default stream) is not ordered after s: synchronize s first */
  if (aclrtSynchronizeStream(s) != ACL_SUCCESS) return NULL;
  if (aclrtSynchronizeStream(NULL) != ACL_SUCCESS) return NULL;
  if (aclrtMemcpy(back, sizeof back, dev, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST) != ACL_SUCCESS) return NULL;
  if (memcmp(host, back, sizeof host) != 0) return NULL;
  if (aclrtFree(dev) != ACL_SUCCESS || aclrtDestroyStream(s) != ACL_SUCCESS) return NULL;
  /* switching to the device's default context here does not affect the creator thread */
  if (aclrtSetDevice(0) != ACL_SUCCESS) return NULL;
  a->ok = 1;
  return NULL;
}

void test_context_across_threads(void) {
  aclrtContext def, ctx, cur;
  CHECK_OK(aclrtGetCurrentContext(&def));
  CHECK_OK(aclrtCreateContext(&ctx, 0));
  ctx_thread_arg arg = {ctx, NULL, 0};
  pthread_t t[3];
  ctx_thread_arg args[3] = {arg, arg, arg};
  for (int i = 0; i < 3; ++i) CHECK(pthread_create(&t[i], NULL, use_context_thread, &args[i]) == 0);
  for (int i = 0; i < 3; ++i) pthread_join(t[i], NULL);
  for (int i = 0; i < 3; ++i) CHECK(args[i].ok);
  CHECK_OK(aclrtGetCurrentContext(&cur));
  CHECK(cur == ctx);
  CHECK_OK(aclrtResetDevice(0)); /* the three threads' aclrtSetDevice references */
  CHECK_OK(aclrtResetDevice(0));
  CHECK_OK(aclrtResetDevice(0));
  CHECK_OK(aclrtDestroyContext(ctx));
  CHECK_OK(aclrtSetCurrentContext(def));
}

void test_device_synchronize(void) {
  static atomic_int done;
  atomic_store(&done, 0);
  aclrtStream a, b;
  CHECK_OK(aclrtCreateStream(&a));
  CHECK_OK(aclrtCreateStream(&b));
  int ms = 30;
  CHECK_OK(vnpuLaunchKernel(sleep_kernel, 1, &ms, a));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &done, a));
  CHECK_OK(vnpuLaunchKernel(sleep_kernel, 1, &ms, b));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &done, b));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &done, NULL));
  CHECK_OK(aclrtSynchronizeDevice());
  CHECK(atomic_load(&done) == 3);
  CHECK_OK(aclrtDestroyStream(a));
  CHECK_OK(aclrtDestroyStream(b));
}
