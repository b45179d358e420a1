/* Host callbacks: a thread subscribes to a stream and runs its callbacks with
 * aclrtProcessReport; each chunk's result is consumed by a callback as soon as the stream
 * reaches it. ACL_CALLBACK_BLOCK makes the stream wait until the callback has returned
 * (here: before the buffer is overwritten by the next chunk).
 *
 *   cc callback.c $(pkg-config --cflags --libs ascendcl) -lpthread -o callback
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "vnpu/acl_ext.h"

enum { kChunks = 8, kElems = 4096 };

typedef struct {
  const float *result; /* pinned buffer the stream writes */
  int chunk;
  double *sums;
} Report;

static atomic_int g_stop;

static void *process_reports(void *arg) {
  (void)arg;
  while (!atomic_load(&g_stop)) {
    aclError e = aclrtProcessReport(100); /* ACL_ERROR_RT_REPORT_TIMEOUT: nothing due yet */
    if (e != ACL_SUCCESS && e != ACL_ERROR_RT_REPORT_TIMEOUT && e != ACL_ERROR_RT_THREAD_SUBSCRIBE) {
      fprintf(stderr, "aclrtProcessReport: %d %s\n", e, aclGetRecentErrMsg());
      break;
    }
  }
  return NULL;
}

static void on_chunk_done(void *user) {
  Report *r = (Report *)user;
  double s = 0.0;
  for (int i = 0; i < kElems; ++i) s += r->result[i];
  r->sums[r->chunk] = s;
}

static void add_chunk(uint32_t blockIdx, uint32_t blockDim, void *args) {
  float *x = (float *)args;
  for (uint32_t i = blockIdx; i < kElems; i += blockDim) x[i] += 1.0f;
}

int main(void) {
  ACL_CHECK(aclInit(NULL));
  ACL_CHECK(aclrtSetDevice(0));
  aclrtStream stream;
  ACL_CHECK(aclrtCreateStream(&stream));
  pthread_t worker;
  if (pthread_create(&worker, NULL, process_reports, NULL) != 0) return 1;
  ACL_CHECK(aclrtSubscribeReport((uint64_t)worker, stream));

  float *pinned;
  void *dev;
  ACL_CHECK(aclrtMallocHost((void **)&pinned, kElems * sizeof(float)));
  ACL_CHECK(aclrtMalloc(&dev, kElems * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST));
  ACL_CHECK(aclrtMemset(dev, kElems * sizeof(float), 0, kElems * sizeof(float)));
  double sums[kChunks];
  Report reports[kChunks];
  for (int k = 0; k < kChunks; ++k) {
    reports[k].result = pinned;
    reports[k].chunk = k;
    reports[k].sums = sums;
    ACL_CHECK(vnpuLaunchKernel(add_chunk, 4, dev, stream));
    ACL_CHECK(aclrtMemcpyAsync(pinned, kElems * sizeof(float), dev, kElems * sizeof(float),
                               ACL_MEMCPY_DEVICE_TO_HOST, stream));
    ACL_CHECK(aclrtLaunchCallback(on_chunk_done, &reports[k], ACL_CALLBACK_BLOCK, stream));
  }
  ACL_CHECK(aclrtSynchronizeStream(stream));

  int bad = 0;
  for (int k = 0; k < kChunks; ++k) {
    double want = (double)(k + 1) * kElems;
    printf("chunk %d: callback saw sum %.0f (expected %.0f)\n", k, sums[k], want);
    if (sums[k] != want) bad = 1;
  }
  ACL_CHECK(aclrtUnSubscribeReport((uint64_t)worker, stream));
  atomic_store(&g_stop, 1);
  pthread_join(worker, NULL);
  ACL_CHECK(aclrtFree(dev));
  ACL_CHECK(aclrtFreeHost(pinned));
  ACL_CHECK(aclrtDestroyStream(stream));
  ACL_CHECK(aclFinalize());
  return bad;
}
