/* Hostile but fair use: finalizing from inside work, threads that exit while subscribed,
 * racing destroys, debug mode with a thread that processes its own callbacks, timed forms of
 * every blocking call. Every test here also runs with VNPU_LAUNCH_BLOCKING=1
 * (capi.launch_blocking.hostile), where submissions wait for their task. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "tests.h"

static int launch_blocking(void) {
  const char *v = getenv("VNPU_LAUNCH_BLOCKING");
  return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

/* ---- aclFinalize from inside queued work ---- */

typedef struct finalize_probe {
  atomic_int code;
  atomic_int ran;
} finalize_probe;

static void finalize_in_callback(void *user) {
  finalize_probe *p = (finalize_probe *)user;
  atomic_store(&p->code, aclFinalize());
  atomic_fetch_add(&p->ran, 1);
}

/* A blocking callback holds its stream, and aclFinalize waits for the stream: from inside
 * the callback it must refuse (it used to deadlock). */
void test_hostile_finalize_in_blocking_callback(void) {
  static finalize_probe p;
  atomic_store(&p.code, -1);
  atomic_store(&p.ran, 0);
  static atomic_int after;
  atomic_store(&after, 0);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  uint64_t self = (uint64_t)pthread_self();
  CHECK_OK(aclrtSubscribeReport(self, s));
  CHECK_OK(aclrtLaunchCallback(finalize_in_callback, &p, ACL_CALLBACK_BLOCK, s));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &after, s));
  while (atomic_load(&p.ran) == 0) CHECK_OK(aclrtProcessReport(10000));
  CHECK(atomic_load(&p.code) == ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  /* nothing was finalized: the stream and the API still work */
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK(atomic_load(&after) == 1);
  CHECK_OK(aclrtUnSubscribeReport(self, s));
  CHECK_OK(aclrtDestroyStream(s));
}

typedef struct finalize_kernel_arg {
  atomic_int code;
  atomic_int calls;
} finalize_kernel_arg;

static void finalize_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  (void)blockIdx;
  (void)blockDim;
  finalize_kernel_arg *a = (finalize_kernel_arg *)args;
  atomic_store(&a->code, aclFinalize());
  atomic_fetch_add(&a->calls, 1);
}

static void fill_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  (void)blockIdx;
  (void)blockDim;
  memset(args, 0xAB, 4096);
}

/* aclFinalize inside a kernel used to return success without waiting and free the API's
 * memory, which a kernel queued behind it then wrote. */
void test_hostile_finalize_in_kernel(void) {
  static finalize_kernel_arg a;
  atomic_store(&a.code, -1);
  atomic_store(&a.calls, 0);
  void *buf = NULL;
  CHECK_OK(aclrtMalloc(&buf, 4096, ACL_MEM_MALLOC_HUGE_FIRST));
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(vnpuLaunchKernel(finalize_kernel, 1, &a, s));
  CHECK_OK(vnpuLaunchKernel(fill_kernel, 1, buf, s));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK(atomic_load(&a.calls) == 1);
  CHECK(atomic_load(&a.code) == ACL_ERROR_RT_FEATURE_NOT_SUPPORT);
  /* the buffer is still the program's, and holds what the later kernel wrote */
  unsigned char host[4096];
  CHECK_OK(aclrtMemcpy(host, sizeof host, buf, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST));
  CHECK(host[0] == 0xAB && host[4095] == 0xAB);
  CHECK_OK(aclrtFree(buf));
  CHECK_OK(aclrtDestroyStream(s));
}

/* ---- the debug mode never turns a correct program into a deadlock ---- */

static void count_cb(void *user) { atomic_fetch_add((atomic_int *)user, 1); }

/* The launching thread is the stream's subscriber: a correct program (it processes its
 * reports afterwards). With VNPU_LAUNCH_BLOCKING=1 each launch waits for its task, and the
 * blocking callback can only run on this thread: the wait runs it. */
void test_hostile_self_subscribed_launches(void) {
  static atomic_int callbacks, kernels;
  atomic_store(&callbacks, 0);
  atomic_store(&kernels, 0);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  uint64_t self = (uint64_t)pthread_self();
  CHECK_OK(aclrtSubscribeReport(self, s));
  for (int i = 0; i < 5; ++i) {
    CHECK_OK(aclrtLaunchCallback(count_cb, &callbacks, ACL_CALLBACK_BLOCK, s));
    CHECK_OK(vnpuLaunchKernel(count_kernel, 2, &kernels, s));
    CHECK_OK(aclrtLaunchCallback(count_cb, &callbacks, ACL_CALLBACK_NO_BLOCK, s));
  }
  while (atomic_load(&callbacks) < 10) CHECK_OK(aclrtProcessReport(10000));
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK(atomic_load(&kernels) == 10);
  CHECK_OK(aclrtUnSubscribeReport(self, s));
  CHECK_OK(aclrtDestroyStream(s));
}

/* Several threads launch on one stream in launch-blocking mode: every successful launch
 * returns success (it used to report other threads' later tasks as not complete). */
typedef struct launcher_arg {
  aclrtStream stream;
  atomic_int *count;
  atomic_int failures;
} launcher_arg;

static void *launch_many(void *p) {
  launcher_arg *a = (launcher_arg *)p;
  for (int i = 0; i < 200; ++i)
    if (vnpuLaunchKernel(count_kernel, 1, a->count, a->stream) != ACL_SUCCESS) atomic_fetch_add(&a->failures, 1);
  return NULL;
}

void test_hostile_threads_launch_on_one_stream(void) {
  static atomic_int count;
  atomic_store(&count, 0);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  static launcher_arg args[4];
  pthread_t threads[4];
  for (int i = 0; i < 4; ++i) {
    args[i].stream = s;
    args[i].count = &count;
    atomic_store(&args[i].failures, 0);
    CHECK(pthread_create(&threads[i], NULL, launch_many, &args[i]) == 0);
  }
  for (int i = 0; i < 4; ++i) pthread_join(threads[i], NULL);
  for (int i = 0; i < 4; ++i) CHECK(atomic_load(&args[i].failures) == 0);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK(atomic_load(&count) == 800);
  CHECK_OK(aclrtDestroyStream(s));
}

/* ---- a subscribed thread that exits without unsubscribing ---- */

typedef struct exiting_arg {
  aclrtStream stream;
  atomic_int subscribed;
  atomic_int go;
  atomic_int code;
} exiting_arg;

static void *subscribe_then_exit(void *p) {
  exiting_arg *a = (exiting_arg *)p;
  atomic_store(&a->code, aclrtSubscribeReport((uint64_t)pthread_self(), a->stream));
  (void)aclrtProcessReport(0); /* processes nothing yet */
  atomic_store(&a->subscribed, 1);
  wait_flag(&a->go, 1, 10000);
  return NULL; /* exits with its subscription and a pending callback */
}

void test_hostile_subscriber_exits(void) {
  static exiting_arg a;
  static atomic_int ran;
  atomic_store(&ran, 0);
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  a.stream = s;
  atomic_store(&a.subscribed, 0);
  atomic_store(&a.go, 0);
  atomic_store(&a.code, -1);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, subscribe_then_exit, &a) == 0);
  CHECK(wait_flag(&a.subscribed, 1, 10000) == 1);
  CHECK(atomic_load(&a.code) == ACL_SUCCESS);
  if (!launch_blocking()) {
    /* a blocking callback only that thread may run; in launch-blocking mode this launch would
     * wait for it, so there the thread exits first */
    CHECK_OK(aclrtLaunchCallback(count_cb, &ran, ACL_CALLBACK_BLOCK, s));
  }
  atomic_store(&a.go, 1);
  pthread_join(t, NULL);
  /* the thread's exit ended its subscription (running what it left): the stream finishes */
  CHECK_OK(aclrtSynchronizeStreamWithTimeout(s, 10000));
  CHECK(atomic_load(&ran) == (launch_blocking() ? 0 : 1));
  CHECK_CODE(aclrtLaunchCallback(count_cb, &ran, ACL_CALLBACK_BLOCK, s), ACL_ERROR_RT_STREAM_NO_CB_REG);
  /* the stream can be subscribed again */
  uint64_t self = (uint64_t)pthread_self();
  CHECK_OK(aclrtSubscribeReport(self, s));
  CHECK_OK(aclrtUnSubscribeReport(self, s));
  CHECK_OK(aclrtDestroyStream(s));
}

/* ---- two threads destroying one handle: exactly one succeeds ---- */

typedef struct destroy_arg {
  void *handle;
  int kind; /* 0 stream, 1 event, 2 context */
  atomic_int *start;
  aclError code;
} destroy_arg;

static void *destroy_one(void *p) {
  destroy_arg *a = (destroy_arg *)p;
  while (atomic_load(a->start) == 0) {
  }
  if (a->kind == 0) a->code = aclrtDestroyStream(a->handle);
  if (a->kind == 1) a->code = aclrtDestroyEvent(a->handle);
  if (a->kind == 2) a->code = aclrtDestroyContext(a->handle);
  return NULL;
}

void test_hostile_destroy_race(void) {
  aclrtContext home;
  CHECK_OK(aclrtGetCurrentContext(&home));
  for (int round = 0; round < 150; ++round) {
    int kind = round % 3;
    void *h = NULL;
    if (kind == 0) CHECK_OK(aclrtCreateStream((aclrtStream *)&h));
    if (kind == 1) CHECK_OK(aclrtCreateEvent((aclrtEvent *)&h));
    if (kind == 2) {
      CHECK_OK(aclrtCreateContext((aclrtContext *)&h, 0));
      CHECK_OK(aclrtSetCurrentContext(home));
    }
    static atomic_int start;
    atomic_store(&start, 0);
    destroy_arg args[3];
    pthread_t threads[3];
    for (int i = 0; i < 3; ++i) {
      args[i].handle = h;
      args[i].kind = kind;
      args[i].start = &start;
      args[i].code = -1;
      CHECK(pthread_create(&threads[i], NULL, destroy_one, &args[i]) == 0);
    }
    atomic_store(&start, 1);
    int ok = 0, invalid = 0;
    for (int i = 0; i < 3; ++i) {
      pthread_join(threads[i], NULL);
      if (args[i].code == ACL_SUCCESS) ++ok;
      if (args[i].code == ACL_ERROR_RT_INVALID_HANDLE) ++invalid;
    }
    CHECK(ok == 1 && invalid == 2);
  }
}

/* ---- errors and messages ---- */

void test_hostile_reduce_axis_count(void) {
  float x[4] = {1, 2, 3, 4}, y[1] = {0};
  int64_t dims[1] = {4};
  vnpuTensor src, dst;
  CHECK_OK(vnpuTensorInit(&src, x, ACL_FLOAT, 1, dims));
  CHECK_OK(vnpuTensorInit(&dst, y, ACL_FLOAT, 0, NULL));
  /* one axis in the array, a count far beyond it: refused before the array is read (ASan
   * sees any read past it) */
  int32_t *axes = (int32_t *)malloc(sizeof(int32_t));
  CHECK(axes != NULL);
  axes[0] = 0;
  aclError e = vnpuReduce(VNPU_REDUCE_SUM, &src, &dst, axes, 1000000, 0, 0.0, NULL);
  aclError e9 = vnpuReduce(VNPU_REDUCE_SUM, &src, &dst, axes, VNPU_TENSOR_MAX_RANK + 1, 0, 0.0, NULL);
  int32_t rank = 0;
  int64_t out_dims[VNPU_TENSOR_MAX_RANK];
  aclDataType dt;
  aclError es = vnpuReduceOutputShape(VNPU_REDUCE_SUM, &src, axes, 1 << 30, 0, &rank, out_dims, &dt);
  free(axes);
  CHECK_CODE(e, ACL_ERROR_INVALID_PARAM);
  CHECK(strstr(aclGetRecentErrMsg(), "axisCount") != NULL);
  CHECK(e9 == ACL_ERROR_INVALID_PARAM && es == ACL_ERROR_INVALID_PARAM);
}

void test_hostile_wrong_kind_message(void) {
  aclrtEvent e;
  CHECK_OK(aclrtCreateEvent(&e));
  CHECK_CODE(aclrtSynchronizeStream((aclrtStream)e), ACL_ERROR_RT_INVALID_HANDLE);
  CHECK(strstr(aclGetRecentErrMsg(), "is an event, not a stream") != NULL);
  CHECK_OK(aclrtDestroyEvent(e));
}

static void fail_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  (void)blockIdx;
  (void)blockDim;
  vnpuKernelFail((const char *)args);
}

/* A second failure before the synchronize is counted in the report, not dropped. */
void test_hostile_failures_counted(void) {
  if (launch_blocking()) return; /* each launch reports its own failure there */
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  CHECK_OK(vnpuLaunchKernel(fail_kernel, 1, "first failure", s));
  CHECK_OK(vnpuLaunchKernel(fail_kernel, 1, "second failure", s));
  CHECK_OK(vnpuLaunchKernel(fail_kernel, 1, "third failure", s));
  CHECK_CODE(aclrtSynchronizeStream(s), ACL_ERROR_RT_AICORE_EXCEPTION);
  CHECK(strstr(aclGetRecentErrMsg(), "first failure") != NULL);
  CHECK(strstr(aclGetRecentErrMsg(), "and 2 more failed tasks") != NULL);
  CHECK_OK(aclrtSynchronizeStream(s));
  CHECK_OK(aclrtDestroyStream(s));
}

/* ---- every blocking call has a timed form; a timeout changes nothing ---- */

void test_hostile_timed_forms(void) {
  if (launch_blocking()) return; /* the gate would hold its own launch */
  static gate g;
  aclrtStream s;
  CHECK_OK(aclrtCreateStream(&s));
  aclrtEvent e;
  CHECK_OK(aclrtCreateEvent(&e));
  atomic_store(&g.open, 0);
  CHECK_OK(gate_block(&g, s));
  CHECK_OK(aclrtRecordEvent(e, s));
  CHECK_CODE(aclrtSynchronizeEventWithTimeout(e, 20), ACL_ERROR_RT_EVENT_SYNC_TIMEOUT);
  CHECK_CODE(aclrtSynchronizeEventWithTimeout(e, 0), ACL_ERROR_RT_EVENT_SYNC_TIMEOUT);
  CHECK_CODE(aclrtSynchronizeEventWithTimeout(e, -2), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtSynchronizeEventWithTimeout(NULL, 10), ACL_ERROR_INVALID_PARAM);
  CHECK_CODE(aclrtSynchronizeDeviceWithTimeout(20), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  CHECK_CODE(aclrtSynchronizeDeviceWithTimeout(-5), ACL_ERROR_INVALID_PARAM);
  /* a bounded finalize that times out leaves the API initialized and untouched */
  CHECK_CODE(vnpuFinalizeWithTimeout(20), ACL_ERROR_RT_STREAM_SYNC_TIMEOUT);
  CHECK_CODE(vnpuFinalizeWithTimeout(-3), ACL_ERROR_INVALID_PARAM);
  void *p = NULL;
  CHECK_OK(aclrtMalloc(&p, 64, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_OK(aclrtFree(p));
  atomic_store(&g.open, 1);
  CHECK_OK(aclrtSynchronizeEventWithTimeout(e, 10000));
  CHECK_OK(aclrtSynchronizeDeviceWithTimeout(10000));
  CHECK_OK(aclrtSynchronizeDeviceWithTimeout(-1));
  CHECK_OK(aclrtDestroyEvent(e));
  CHECK_OK(aclrtDestroyStream(s));
}

/* A bounded finalize with the work done in time finalizes as aclFinalize does. */
void test_hostile_finalize_with_timeout(void) {
  static atomic_int count;
  atomic_store(&count, 0);
  CHECK_OK(aclInit(NULL));
  CHECK_OK(aclrtSetDevice(0));
  static int sleep_for = 30;
  CHECK_OK(vnpuLaunchKernel(sleep_kernel, 1, &sleep_for, NULL));
  CHECK_OK(vnpuLaunchKernel(count_kernel, 1, &count, NULL));
  CHECK_OK(vnpuFinalizeWithTimeout(10000));
  CHECK(atomic_load(&count) == 1);
  CHECK_CODE(vnpuFinalizeWithTimeout(10), ACL_ERROR_REPEAT_FINALIZE);
  CHECK_CODE(aclrtSetDevice(0), ACL_ERROR_UNINITIALIZE);
}
