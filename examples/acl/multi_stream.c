/* Several streams, double-buffered: the input is cut into chunks, and chunk k goes to
 * stream k % S (copy in, reduce with vnpuReduce, copy out). Streams run concurrently, so
 * the copies of one chunk overlap the compute of another. A final stream waits on an
 * event of every worker stream before it sums the partial results: cross-stream order
 * through events only.
 *
 *   cc multi_stream.c $(pkg-config --cflags --libs ascendcl) -o multi_stream
 */
#include <stdint.h>
#include <stdio.h>

#include "common.h"
#include "vnpu/acl_ext.h"

enum { kStreams = 3, kChunks = 12, kRows = 256, kCols = 1024 };

int main(void) {
  const size_t chunk_elems = (size_t)kRows * kCols;
  const size_t chunk_bytes = chunk_elems * sizeof(float);

  ACL_CHECK(aclInit(NULL));
  ACL_CHECK(aclrtSetDevice(0));
  aclrtStream streams[kStreams], final_stream;
  aclrtEvent done[kStreams];
  for (int s = 0; s < kStreams; ++s) {
    ACL_CHECK(aclrtCreateStream(&streams[s]));
    ACL_CHECK(aclrtCreateEventWithFlag(&done[s], ACL_EVENT_SYNC));
  }
  ACL_CHECK(aclrtCreateStream(&final_stream));

  float *host;
  void *dev_in[kStreams], *partials, *total;
  ACL_CHECK(aclrtMallocHost((void **)&host, chunk_bytes * kChunks));
  for (int s = 0; s < kStreams; ++s) ACL_CHECK(aclrtMalloc(&dev_in[s], chunk_bytes, ACL_MEM_MALLOC_HUGE_FIRST));
  ACL_CHECK(aclrtMalloc(&partials, kChunks * sizeof(float), ACL_MEM_MALLOC_NORMAL_ONLY));
  ACL_CHECK(aclrtMalloc(&total, sizeof(float), ACL_MEM_MALLOC_NORMAL_ONLY));
  for (size_t i = 0; i < chunk_elems * kChunks; ++i) host[i] = (float)(i % 7) - 3.0f + 0.25f;

  int64_t in_dims[2] = {kRows, kCols};
  for (int k = 0; k < kChunks; ++k) {
    int s = k % kStreams;
    vnpuTensor in, out;
    ACL_CHECK(vnpuTensorInit(&in, dev_in[s], ACL_FLOAT, 2, in_dims));
    ACL_CHECK(vnpuTensorInit(&out, (float *)partials + k, ACL_FLOAT, 0, NULL));
    /* The stream reuses its buffer: its own order keeps chunk k+S's copy after chunk k's sum. */
    ACL_CHECK(aclrtMemcpyAsync(dev_in[s], chunk_bytes, host + (size_t)k * chunk_elems, chunk_bytes,
                               ACL_MEMCPY_HOST_TO_DEVICE, streams[s]));
    ACL_CHECK(vnpuReduce(VNPU_REDUCE_SUM, &in, &out, NULL, VNPU_REDUCE_ALL_AXES, 0, 0.0, streams[s]));
  }
  for (int s = 0; s < kStreams; ++s) {
    ACL_CHECK(aclrtRecordEvent(done[s], streams[s]));
    ACL_CHECK(aclrtStreamWaitEvent(final_stream, done[s]));
  }
  vnpuTensor parts, sum;
  int64_t parts_dims[1] = {kChunks};
  ACL_CHECK(vnpuTensorInit(&parts, partials, ACL_FLOAT, 1, parts_dims));
  ACL_CHECK(vnpuTensorInit(&sum, total, ACL_FLOAT, 0, NULL));
  ACL_CHECK(vnpuReduce(VNPU_REDUCE_SUM, &parts, &sum, NULL, VNPU_REDUCE_ALL_AXES, 0, 0.0, final_stream));
  float result = 0.0f;
  ACL_CHECK(aclrtMemcpyAsync(&result, sizeof result, total, sizeof result, ACL_MEMCPY_DEVICE_TO_HOST, final_stream));
  ACL_CHECK(aclrtSynchronizeStream(final_stream));

  double expect = 0.0;
  for (size_t i = 0; i < chunk_elems * kChunks; ++i) expect += host[i];
  double err = result - expect;
  if (err < 0) err = -err;
  printf("multi-stream: %d chunks over %d streams, sum %.2f (expected %.2f)\n", kChunks, kStreams, result, expect);

  for (int s = 0; s < kStreams; ++s) {
    ACL_CHECK(aclrtFree(dev_in[s]));
    ACL_CHECK(aclrtDestroyEvent(done[s]));
    ACL_CHECK(aclrtDestroyStream(streams[s]));
  }
  ACL_CHECK(aclrtFree(partials));
  ACL_CHECK(aclrtFree(total));
  ACL_CHECK(aclrtFreeHost(host));
  ACL_CHECK(aclrtDestroyStream(final_stream));
  ACL_CHECK(aclFinalize());
  return err <= 1e-3 * (expect < 0 ? -expect : expect) + 1.0 ? 0 : 1;
}
