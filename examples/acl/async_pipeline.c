/* The asynchronous pipeline: host -> device copy, a kernel, device -> host copy, all queued
 * on one stream, then one wait; events time the whole pipeline on the device side.
 *
 *   cc async_pipeline.c $(pkg-config --cflags --libs ascendcl) -o async_pipeline
 *
 * With pinned host buffers (aclrtMallocHost) the copies read and write host memory while
 * the stream runs, so aclrtMemcpyAsync returns at once and copy engines overlap the
 * compute cores. The program checks every result and exits non-zero on a mismatch.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "vnpu/acl_ext.h"

typedef struct {
  float *x;
  size_t n;
  float scale;
} ScaleArgs;

/* Block b of B handles one contiguous slice of x. */
static void scale_kernel(uint32_t blockIdx, uint32_t blockDim, void *args) {
  const ScaleArgs *a = (const ScaleArgs *)args;
  size_t chunk = (a->n + blockDim - 1) / blockDim;
  size_t begin = (size_t)blockIdx * chunk;
  size_t end = begin + chunk < a->n ? begin + chunk : a->n;
  for (size_t i = begin; i < end; ++i) a->x[i] = sqrtf(a->x[i]) * a->scale;
}

int main(void) {
  const size_t n = (size_t)1 << 22; /* 16 MiB of floats */
  const size_t bytes = n * sizeof(float);

  ACL_CHECK(aclInit(NULL));
  ACL_CHECK(aclrtSetDevice(0));
  aclrtStream stream;
  ACL_CHECK(aclrtCreateStream(&stream));
  aclrtEvent start, stop;
  ACL_CHECK(aclrtCreateEvent(&start));
  ACL_CHECK(aclrtCreateEvent(&stop));

  float *host_in, *host_out;
  void *dev;
  ACL_CHECK(aclrtMallocHost((void **)&host_in, bytes));
  ACL_CHECK(aclrtMallocHost((void **)&host_out, bytes));
  ACL_CHECK(aclrtMalloc(&dev, bytes, ACL_MEM_MALLOC_HUGE_FIRST));
  for (size_t i = 0; i < n; ++i) host_in[i] = (float)(i % 1024);

  ScaleArgs args = {(float *)dev, n, 0.5f};
  ACL_CHECK(aclrtRecordEvent(start, stream));
  ACL_CHECK(aclrtMemcpyAsync(dev, bytes, host_in, bytes, ACL_MEMCPY_HOST_TO_DEVICE, stream));
  ACL_CHECK(vnpuLaunchKernel(scale_kernel, 8, &args, stream));
  ACL_CHECK(aclrtMemcpyAsync(host_out, bytes, dev, bytes, ACL_MEMCPY_DEVICE_TO_HOST, stream));
  ACL_CHECK(aclrtRecordEvent(stop, stream));
  ACL_CHECK(aclrtSynchronizeStream(stream)); /* everything above ran in order, off this thread */

  float ms = 0.0f;
  ACL_CHECK(aclrtEventElapsedTime(&ms, start, stop));
  size_t bad = 0;
  for (size_t i = 0; i < n; ++i)
    if (host_out[i] != sqrtf((float)(i % 1024)) * 0.5f) ++bad;
  printf("async pipeline: %zu floats, H2D + kernel (8 blocks) + D2H in %.3f ms, %zu mismatches\n", n, ms, bad);

  ACL_CHECK(aclrtFree(dev));
  ACL_CHECK(aclrtFreeHost(host_in));
  ACL_CHECK(aclrtFreeHost(host_out));
  ACL_CHECK(aclrtDestroyEvent(start));
  ACL_CHECK(aclrtDestroyEvent(stop));
  ACL_CHECK(aclrtDestroyStream(stream));
  ACL_CHECK(aclrtResetDevice(0));
  ACL_CHECK(aclFinalize());
  return bad == 0 ? 0 : 1;
}
