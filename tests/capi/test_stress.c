/* Many threads using the API at once: each runs create / copy / launch / record / wait /
 * destroy cycles on its own streams, while others destroy shared handles under them and
 * pass made-up ones. Every call must return a documented code; results must be right. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>

#include "harness.h"
#include "tests.h"

enum { kThreads = 6, kIterations = 40, kElems = 2048 };

/* Counts a failure of worker `w`, printing where it happened and the thread's message. */
#define WORKER_FAIL(w)                                                                          \
  do {                                                                                          \
    const char *m_ = aclGetRecentErrMsg();                                                      \
    fprintf(stderr, "  worker %d, line %d: %s\n", (w)->index, __LINE__, m_ != NULL ? m_ : "-"); \
    (w)->failures++;                                                                            \
  } while (0)

typedef struct worker_arg {
  aclrtContext ctx;
  aclrtStream *shared; /* streams other threads destroy while this one uses them */
  int index;
  int failures;
  atomic_int counter;
} worker_arg;

typedef struct add_arg {
  int *x;
  int n;
  int add;
} add_arg;

static void add_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  add_arg *a = (add_arg *)args;
  int chunk = (a->n + (int)blockDim - 1) / (int)blockDim;
  int begin = (int)blockIdx * chunk, end = begin + chunk < a->n ? begin + chunk : a->n;
  for (int i = begin; i < end; ++i) a->x[i] += a->add;
}

static int is_one_of(aclError e, aclError a, aclError b) { return e == a || e == b; }

static void *stress_worker(void *p) {
  worker_arg *w = (worker_arg *)p;
  if (aclrtSetCurrentContext(w->ctx) != ACL_SUCCESS) {
    WORKER_FAIL(w);
    return NULL;
  }
  int host[kElems], back[kElems];
  for (int it = 0; it < kIterations; ++it) {
    aclrtStream s;
    aclrtEvent e;
    void *d;
    if (aclrtCreateStream(&s) != ACL_SUCCESS || aclrtCreateEvent(&e) != ACL_SUCCESS ||
        aclrtMalloc(&d, sizeof host, ACL_MEM_MALLOC_HUGE_FIRST) != ACL_SUCCESS) {
      WORKER_FAIL(w);
      return NULL;
    }
    for (int i = 0; i < kElems; ++i) host[i] = i + it + w->index;
    add_arg arg = {(int *)d, kElems, w->index + 1};
    int ok = aclrtMemcpyAsync(d, sizeof host, host, sizeof host, ACL_MEMCPY_HOST_TO_DEVICE, s) == ACL_SUCCESS &&
             vnpuLaunchKernel(add_kernel, 3, &arg, s) == ACL_SUCCESS && aclrtRecordEvent(e, s) == ACL_SUCCESS &&
             aclrtStreamWaitEvent(NULL, e) == ACL_SUCCESS &&
             aclrtMemcpyAsync(back, sizeof back, d, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST, s) == ACL_SUCCESS &&
             aclrtSynchronizeStream(s) == ACL_SUCCESS;
    if (!ok) WORKER_FAIL(w);
    for (int i = 0; i < kElems && ok; ++i)
      if (back[i] != i + it + w->index + w->index + 1) {
        WORKER_FAIL(w);
        break;
      }
    /* shared streams: another thread may have destroyed them meanwhile */
    aclrtStream victim = w->shared[(w->index + it) % kThreads];
    aclError r = aclrtSynchronizeStreamWithTimeout(victim, 1000);
    if (!is_one_of(r, ACL_SUCCESS, ACL_ERROR_RT_INVALID_HANDLE)) WORKER_FAIL(w);
    r = vnpuLaunchKernel(count_kernel, 1, &w->counter, victim);
    if (!is_one_of(r, ACL_SUCCESS, ACL_ERROR_RT_INVALID_HANDLE)) WORKER_FAIL(w);
    if (it == w->index) {
      r = aclrtDestroyStream(w->shared[w->index]);
      if (r != ACL_SUCCESS) WORKER_FAIL(w);
    }
    /* made-up handles and foreign frees from many threads at once */
    if (aclrtDestroyEvent((aclrtEvent)(intptr_t)(0x100000 + 16 * it)) != ACL_ERROR_RT_INVALID_HANDLE) WORKER_FAIL(w);
    /* (a second free of d is not checked here: another thread may be given the block again) */
    if (aclrtFree(d) != ACL_SUCCESS || aclrtFree(host) != ACL_ERROR_RT_MEMORY_FREE) WORKER_FAIL(w);
    if (aclrtDestroyEvent(e) != ACL_SUCCESS || aclrtDestroyStream(s) != ACL_SUCCESS) WORKER_FAIL(w);
    if (aclrtDestroyStream(s) != ACL_ERROR_RT_INVALID_HANDLE) WORKER_FAIL(w);
  }
  return NULL;
}

void test_stress_threads(void) {
  aclrtContext ctx;
  CHECK_OK(aclrtGetCurrentContext(&ctx));
  static aclrtStream shared[kThreads];
  for (int i = 0; i < kThreads; ++i) CHECK_OK(aclrtCreateStream(&shared[i]));
  static worker_arg args[kThreads];
  pthread_t t[kThreads];
  for (int i = 0; i < kThreads; ++i) {
    args[i].ctx = ctx;
    args[i].shared = shared;
    args[i].index = i;
    args[i].failures = 0;
    atomic_store(&args[i].counter, 0);
    CHECK(pthread_create(&t[i], NULL, stress_worker, &args[i]) == 0);
  }
  for (int i = 0; i < kThreads; ++i) pthread_join(t[i], NULL);
  for (int i = 0; i < kThreads; ++i) CHECK(args[i].failures == 0);
  CHECK_OK(aclrtSynchronizeDevice());
  for (int i = 0; i < kThreads; ++i) CHECK_CODE(aclrtDestroyStream(shared[i]), ACL_ERROR_RT_INVALID_HANDLE);
}

/* Contexts created and destroyed by many threads, each with callbacks processed by itself. */
static void bump(void *user) { atomic_fetch_add((atomic_int *)user, 1); }

static void *context_churn(void *p) {
  atomic_int *ran = (atomic_int *)p;
  for (int it = 0; it < 15; ++it) {
    aclrtContext ctx;
    aclrtStream s;
    if (aclrtCreateContext(&ctx, 0) != ACL_SUCCESS || aclrtCreateStream(&s) != ACL_SUCCESS) return (void *)1;
    uint64_t self = (uint64_t)pthread_self();
    if (aclrtSubscribeReport(self, s) != ACL_SUCCESS) return (void *)1;
    if (aclrtLaunchCallback(bump, ran, ACL_CALLBACK_BLOCK, s) != ACL_SUCCESS) return (void *)1;
    if (aclrtLaunchCallback(bump, ran, ACL_CALLBACK_NO_BLOCK, NULL) != ACL_ERROR_RT_STREAM_NO_CB_REG) return (void *)1;
    if (aclrtProcessReport(10000) != ACL_SUCCESS) return (void *)1;
    if (aclrtSynchronizeStream(s) != ACL_SUCCESS) return (void *)1;
    if (aclrtUnSubscribeReport(self, s) != ACL_SUCCESS) return (void *)1;
    /* destroying the context takes the stream with it */
    if (aclrtDestroyContext(ctx) != ACL_SUCCESS) return (void *)1;
    if (aclrtDestroyStream(s) != ACL_ERROR_RT_INVALID_HANDLE) return (void *)1;
  }
  return NULL;
}

void test_stress_contexts_and_callbacks(void) {
  static atomic_int ran;
  atomic_store(&ran, 0);
  pthread_t t[4];
  void *res[4];
  for (int i = 0; i < 4; ++i) CHECK(pthread_create(&t[i], NULL, context_churn, &ran) == 0);
  for (int i = 0; i < 4; ++i) pthread_join(t[i], &res[i]);
  for (int i = 0; i < 4; ++i) CHECK(res[i] == NULL);
  CHECK(atomic_load(&ran) == 4 * 15);
}
