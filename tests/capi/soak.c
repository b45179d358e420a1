/* A bounded soak of the C API: several threads for VNPU_SOAK_SECONDS (default 8) mixing
 * device and pinned allocations, copies, kernels, events across streams, callbacks
 * processed by a thread of their own, stream and context churn and racing destroys. Each
 * round checks its results; any wrong byte, unexpected code, crash, leak (LSan) or race
 * (TSan) fails. Exit status 0 on success. Run by CTest and by CI's sanitizer steps. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acl/acl.h"
#include "vnpu/acl_ext.h"

enum { kThreads = 4, kMaxElems = 4096 };

static atomic_int g_failures;
static atomic_int g_stop;
static atomic_long g_rounds;

#define SOAK_CHECK(cond, what)                                                                   \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      if (atomic_fetch_add(&g_failures, 1) < 20)                                                 \
        fprintf(stderr, "soak: %s failed at %s:%d (%s)\n", what, __FILE__, __LINE__, aclGetRecentErrMsg()); \
      goto done;                                                                                 \
    }                                                                                            \
  } while (0)

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct scale_arg {
  int *data;
  int n;
  int add;
} scale_arg;

static void add_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  scale_arg *a = (scale_arg *)args;
  int chunk = (a->n + (int)blockDim - 1) / (int)blockDim;
  int lo = (int)blockIdx * chunk, hi = lo + chunk < a->n ? lo + chunk : a->n;
  for (int i = lo; i < hi; ++i) a->data[i] += a->add;
}

static void bump(void *user) { atomic_fetch_add((atomic_int *)user, 1); }

/* A thread that processes the callbacks of the streams it is subscribed to. */
typedef struct processor {
  pthread_t thread;
  atomic_int stop;
} processor;

static void *process_loop(void *p) {
  processor *pr = (processor *)p;
  while (!atomic_load(&pr->stop)) (void)aclrtProcessReport(5);
  return NULL;
}

typedef struct worker {
  int index;
  aclrtContext ctx;
  processor *proc;
  aclrtStream *shared; /* kThreads streams, one destroyed by each worker at some point */
} worker;

static void *work(void *p) {
  worker *w = (worker *)p;
  unsigned seed = 12345u + (unsigned)w->index;
  if (aclrtSetCurrentContext(w->ctx) != ACL_SUCCESS) {
    atomic_fetch_add(&g_failures, 1);
    return NULL;
  }
  int destroyed_shared = 0;
  while (!atomic_load(&g_stop)) {
    int n = 1 + (int)(rand_r(&seed) % kMaxElems);
    size_t bytes = (size_t)n * sizeof(int);
    void *dev = NULL, *pinned = NULL;
    aclrtStream a = NULL, b = NULL;
    aclrtEvent e = NULL;
    static atomic_int sink; /* callbacks' counter, shared */
    int host[kMaxElems];
    scale_arg *arg = NULL;
    SOAK_CHECK(aclrtMalloc(&dev, bytes, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS, "malloc");
    SOAK_CHECK(aclrtMallocHost(&pinned, bytes) == ACL_SUCCESS, "malloc host");
    SOAK_CHECK(aclrtCreateStream(&a) == ACL_SUCCESS && aclrtCreateStream(&b) == ACL_SUCCESS, "streams");
    SOAK_CHECK(aclrtCreateEvent(&e) == ACL_SUCCESS, "event");
    arg = (scale_arg *)malloc(sizeof *arg);
    SOAK_CHECK(arg != NULL, "host malloc");
    for (int i = 0; i < n; ++i) host[i] = i ^ w->index;
    arg->data = (int *)dev;
    arg->n = n;
    arg->add = 3;
    /* copy on a, kernel on b after an event, copy back on b, a callback on b */
    SOAK_CHECK(aclrtMemcpyAsync(dev, bytes, host, bytes, ACL_MEMCPY_HOST_TO_DEVICE, a) == ACL_SUCCESS, "h2d");
    SOAK_CHECK(aclrtRecordEvent(e, a) == ACL_SUCCESS && aclrtStreamWaitEvent(b, e) == ACL_SUCCESS, "event order");
    SOAK_CHECK(vnpuLaunchKernel(add_kernel, 1 + (uint32_t)(rand_r(&seed) % 5), arg, b) == ACL_SUCCESS, "kernel");
    SOAK_CHECK(aclrtMemcpyAsync(pinned, bytes, dev, bytes, ACL_MEMCPY_DEVICE_TO_HOST, b) == ACL_SUCCESS, "d2h");
    SOAK_CHECK(aclrtSubscribeReport((uint64_t)w->proc->thread, b) == ACL_SUCCESS, "subscribe");
    SOAK_CHECK(aclrtLaunchCallback(bump, &sink, (rand_r(&seed) & 1) ? ACL_CALLBACK_BLOCK : ACL_CALLBACK_NO_BLOCK,
                                   b) == ACL_SUCCESS,
               "callback");
    SOAK_CHECK(aclrtSynchronizeStreamWithTimeout(b, 20000) == ACL_SUCCESS, "synchronize");
    for (int i = 0; i < n; ++i) SOAK_CHECK(((int *)pinned)[i] == (i ^ w->index) + 3, "result");
    SOAK_CHECK(aclrtUnSubscribeReport((uint64_t)w->proc->thread, b) == ACL_SUCCESS, "unsubscribe");
    /* a shared stream, possibly destroyed by its owner meanwhile */
    aclrtStream victim = w->shared[rand_r(&seed) % kThreads];
    aclError r = aclrtMemsetAsync(dev, bytes, 0, bytes, victim);
    SOAK_CHECK(r == ACL_SUCCESS || r == ACL_ERROR_RT_INVALID_HANDLE, "shared stream");
    if (r == ACL_SUCCESS) {
      r = aclrtSynchronizeStreamWithTimeout(victim, 20000);
      SOAK_CHECK(r == ACL_SUCCESS || r == ACL_ERROR_RT_INVALID_HANDLE, "shared sync");
    }
    if (!destroyed_shared && (rand_r(&seed) % 64) == 0) {
      SOAK_CHECK(aclrtDestroyStream(w->shared[w->index]) == ACL_SUCCESS, "destroy shared");
      destroyed_shared = 1;
    }
    /* a private context now and then, destroyed with work queued */
    if ((rand_r(&seed) % 16) == 0) {
      aclrtContext c;
      aclrtStream cs;
      SOAK_CHECK(aclrtCreateContext(&c, 0) == ACL_SUCCESS && aclrtCreateStream(&cs) == ACL_SUCCESS, "context");
      SOAK_CHECK(vnpuLaunchKernel(add_kernel, 2, arg, cs) == ACL_SUCCESS, "context kernel");
      SOAK_CHECK(aclrtSynchronizeStream(cs) == ACL_SUCCESS, "context sync");
      SOAK_CHECK(vnpuLaunchKernel(add_kernel, 1, arg, cs) == ACL_SUCCESS, "context kernel, left queued");
      SOAK_CHECK(aclrtDestroyContext(c) == ACL_SUCCESS, "destroy context");
      SOAK_CHECK(aclrtSetCurrentContext(w->ctx) == ACL_SUCCESS, "back to the shared context");
      /* the destroyed context's work still runs: wait for it before freeing arg */
      SOAK_CHECK(aclrtSynchronizeDevice() == ACL_SUCCESS, "device sync");
    }
    atomic_fetch_add(&g_rounds, 1);
  done:
    if (e != NULL) (void)aclrtDestroyEvent(e);
    if (a != NULL) (void)aclrtDestroyStream(a);
    if (b != NULL) (void)aclrtDestroyStream(b);
    (void)aclrtSynchronizeDevice();
    free(arg);
    if (dev != NULL && aclrtFree(dev) != ACL_SUCCESS) atomic_fetch_add(&g_failures, 1);
    if (pinned != NULL && aclrtFreeHost(pinned) != ACL_SUCCESS) atomic_fetch_add(&g_failures, 1);
    if (atomic_load(&g_failures) != 0) break;
  }
  return NULL;
}

int main(void) {
  const char *s = getenv("VNPU_SOAK_SECONDS");
  double seconds = s != NULL ? atof(s) : 8.0;
  if (aclInit(NULL) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS) return 2;
  aclrtContext ctx;
  if (aclrtGetCurrentContext(&ctx) != ACL_SUCCESS) return 2;
  processor proc;
  atomic_store(&proc.stop, 0);
  if (pthread_create(&proc.thread, NULL, process_loop, &proc) != 0) return 2;
  aclrtStream shared[kThreads];
  for (int i = 0; i < kThreads; ++i)
    if (aclrtCreateStream(&shared[i]) != ACL_SUCCESS) return 2;
  worker workers[kThreads];
  pthread_t threads[kThreads];
  for (int i = 0; i < kThreads; ++i) {
    workers[i] = (worker){i, ctx, &proc, shared};
    if (pthread_create(&threads[i], NULL, work, &workers[i]) != 0) return 2;
  }
  const double start = now_s();
  while (now_s() - start < seconds && atomic_load(&g_failures) == 0) {
    struct timespec ts = {0, 50000000L};
    nanosleep(&ts, NULL);
  }
  atomic_store(&g_stop, 1);
  for (int i = 0; i < kThreads; ++i) pthread_join(threads[i], NULL);
  atomic_store(&proc.stop, 1);
  pthread_join(proc.thread, NULL);
  if (aclFinalize() != ACL_SUCCESS) atomic_fetch_add(&g_failures, 1);
  printf("soak: %ld rounds in %.1f s on %d threads, %d failures\n", atomic_load(&g_rounds), now_s() - start, kThreads,
         atomic_load(&g_failures));
  return atomic_load(&g_failures) == 0 && atomic_load(&g_rounds) > 0 ? 0 : 1;
}
