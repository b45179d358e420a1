/* AscendCL programs with and without ordering mistakes, for test_capi_check.cpp, which runs
 * them under `vnpu check --json`. Usage: vnpu_check_capi_scenarios SCENARIO */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "acl/acl.h"
#include "vnpu/acl_ext.h"

#define N 4096

#define OK(call)                                                             \
  do {                                                                       \
    aclError e_ = (call);                                                    \
    if (e_ != ACL_SUCCESS) {                                                 \
      fprintf(stderr, "%s: %d %s\n", #call, (int)e_, aclGetRecentErrMsg()); \
      return 1;                                                              \
    }                                                                        \
  } while (0)

static void nothing(uint32_t idx, uint32_t dim, void *args) {
  (void)idx;
  (void)dim;
  (void)args;
}

/* A kernel reading `in` and writing `out` (N bytes each), declared for the checker. */
static aclError kernel(void *in, void *out, aclrtStream s) {
  vnpuAccess acc[2] = {{in, N, VNPU_ACCESS_READ}, {out, N, VNPU_ACCESS_WRITE}};
  return vnpuLaunchKernelWithAccesses(nothing, 1, NULL, 0, acc, 2, s);
}

int main(int argc, char **argv) {
  const char *sc = argc > 1 ? argv[1] : "";
  aclrtStream s1, s2;
  aclrtEvent ev;
  void *x, *y, *host;
  OK(aclInit(NULL));
  OK(aclrtSetDevice(0));
  OK(aclrtCreateStream(&s1));
  OK(aclrtCreateStream(&s2));
  OK(aclrtCreateEvent(&ev));
  OK(aclrtMalloc(&x, N, ACL_MEM_MALLOC_HUGE_FIRST));
  OK(aclrtMalloc(&y, N, ACL_MEM_MALLOC_HUGE_FIRST));
  OK(aclrtMallocHost(&host, N));
  memset(host, 1, N);
  if (strcmp(sc, "copy_kernel_race") == 0) {
    OK(aclrtMemcpyAsync(x, N, host, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
    OK(kernel(x, y, s2));
  } else if (strcmp(sc, "copy_kernel_event") == 0) {
    OK(aclrtMemcpyAsync(x, N, host, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
    OK(aclrtRecordEvent(ev, s1));
    OK(aclrtStreamWaitEvent(s2, ev));
    OK(kernel(x, y, s2));
  } else if (strcmp(sc, "record_after_wait") == 0) {
    OK(aclrtStreamWaitEvent(s2, ev));
    OK(aclrtMemcpyAsync(x, N, host, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
    OK(aclrtRecordEvent(ev, s1));
    OK(kernel(x, y, s2));
  } else if (strcmp(sc, "host_copy_before_sync") == 0) {
    OK(kernel(x, y, s1));
    OK(aclrtMemcpy(host, N, y, N, ACL_MEMCPY_DEVICE_TO_HOST));
  } else if (strcmp(sc, "host_copy_after_sync") == 0) {
    OK(kernel(x, y, s1));
    OK(aclrtSynchronizeStream(s1));
    OK(aclrtMemcpy(host, N, y, N, ACL_MEMCPY_DEVICE_TO_HOST));
  } else if (strcmp(sc, "host_copy_after_event_sync") == 0) {
    OK(kernel(x, y, s1));
    OK(aclrtRecordEvent(ev, s1));
    OK(aclrtSynchronizeEvent(ev));
    OK(aclrtMemcpy(host, N, y, N, ACL_MEMCPY_DEVICE_TO_HOST));
  } else if (strcmp(sc, "free_queued") == 0) {
    void *z;
    OK(aclrtMalloc(&z, N, ACL_MEM_MALLOC_HUGE_FIRST));
    OK(kernel(x, z, s1));
    OK(aclrtFree(z));
  } else if (strcmp(sc, "memset_two_streams") == 0) {
    OK(aclrtMemsetAsync(x, N, 0, N, s1));
    OK(aclrtMemsetAsync(x, N, 1, N, s2));
  } else if (strcmp(sc, "pipeline_ok") == 0) {
    int i;
    for (i = 0; i < 4; ++i) {
      OK(aclrtMemcpyAsync(x, N, host, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
      OK(aclrtRecordEvent(ev, s1));
      OK(aclrtStreamWaitEvent(s2, ev));
      OK(kernel(x, y, s2));
      OK(aclrtMemcpyAsync(host, N, y, N, ACL_MEMCPY_DEVICE_TO_HOST, s2));
      OK(aclrtSynchronizeStream(s2));
    }
  } else if (strcmp(sc, "device_sync_ok") == 0) {
    OK(kernel(x, y, s1));
    OK(kernel(y, x, s1));
    OK(aclrtSynchronizeDevice());
    OK(aclrtMemcpy(host, N, x, N, ACL_MEMCPY_DEVICE_TO_HOST));
  } else if (strcmp(sc, "pinned_read_before_sync") == 0) {
    static unsigned char out[N];
    OK(aclrtMemcpyAsync(host, N, x, N, ACL_MEMCPY_DEVICE_TO_HOST, s1));
    usleep(100000); /* done by now for real, though nothing orders it: still a finding */
    OK(aclrtMemcpy(out, N, host, N, ACL_MEMCPY_HOST_TO_HOST));
  } else if (strcmp(sc, "pinned_load_before_sync") == 0) {
    OK(aclrtMemcpyAsync(host, N, x, N, ACL_MEMCPY_DEVICE_TO_HOST, s1));
    usleep(100000);
    fprintf(stderr, "%d\n", ((volatile unsigned char *)host)[7]); /* a plain load, no synchronize before */
  } else if (strcmp(sc, "pinned_store_before_sync") == 0) {
    OK(aclrtMemcpyAsync(x, N, host, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
    usleep(100000);
    ((volatile unsigned char *)host)[0] = 3; /* the next input, written too early */
  } else if (strcmp(sc, "pinned_reuse_after_event_ok") == 0) {
    OK(aclrtMemcpyAsync(x, N, host, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
    OK(aclrtRecordEvent(ev, s1));
    OK(aclrtSynchronizeEvent(ev));
    ((volatile unsigned char *)host)[0] = 3;
    OK(aclrtMemcpyAsync(host, N, y, N, ACL_MEMCPY_DEVICE_TO_HOST, s1));
    OK(aclrtSynchronizeStream(s1));
    fprintf(stderr, "%d\n", ((volatile unsigned char *)host)[7]);
  } else if (strcmp(sc, "ops_two_streams") == 0) {
    vnpuTensor tx, ty;
    const int64_t dims[2] = {16, 64};
    OK(vnpuTensorInit(&tx, x, ACL_FLOAT, 2, dims));
    OK(vnpuTensorInit(&ty, y, ACL_FLOAT, 2, dims));
    OK(vnpuSoftmax(&tx, &ty, -1, s1));
    OK(vnpuLayerNorm(&ty, &tx, 1, 1e-5, NULL, NULL, NULL, NULL, s2)); /* no event: reads y, writes x */
  } else if (strcmp(sc, "ops_joined_ok") == 0) {
    vnpuTensor tx, ty;
    const int64_t dims[2] = {16, 64};
    OK(vnpuTensorInit(&tx, x, ACL_FLOAT, 2, dims));
    OK(vnpuTensorInit(&ty, y, ACL_FLOAT, 2, dims));
    OK(aclrtMemcpyAsync(x, N, host, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
    OK(vnpuSoftmax(&tx, &ty, -1, s1));
    OK(aclrtRecordEvent(ev, s1));
    OK(aclrtStreamWaitEvent(s2, ev));
    OK(vnpuLayerNorm(&ty, &tx, 1, 1e-5, NULL, NULL, NULL, NULL, s2));
    OK(aclrtSynchronizeStream(s2));
    OK(aclrtMemcpy(host, N, x, N, ACL_MEMCPY_DEVICE_TO_HOST));
  } else if (strcmp(sc, "wait_cycle") == 0) {
    aclrtEvent other;
    OK(aclrtCreateEvent(&other));
    OK(aclrtStreamWaitEvent(s1, other)); /* each stream waits for the other's later record */
    OK(aclrtStreamWaitEvent(s2, ev));
    OK(aclrtRecordEvent(ev, s1));
    OK(aclrtRecordEvent(other, s2));
  } else if (strcmp(sc, "sync_unrecorded_event") == 0) {
    OK(aclrtSynchronizeEvent(ev)); /* never recorded: waits for nothing */
  } else if (strcmp(sc, "sync_memset_over_kernel") == 0) {
    OK(kernel(x, y, s1));
    OK(aclrtMemset(y, N, 0, N));
  } else if (strcmp(sc, "free_host_queued") == 0) {
    void *pinned;
    OK(aclrtMallocHost(&pinned, N));
    OK(aclrtMemcpyAsync(x, N, pinned, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
    usleep(100000); /* as above: the free does not pull memory from under the copy */
    OK(aclrtFreeHost(pinned));
  } else if (strcmp(sc, "event_wrong_stream") == 0) {
    OK(aclrtMemcpyAsync(x, N, host, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
    OK(aclrtRecordEvent(ev, s2));
    OK(aclrtStreamWaitEvent(s2, ev));
    OK(kernel(x, y, s2));
  } else if (strcmp(sc, "kernels_write_same_output") == 0) {
    OK(kernel(x, y, s1));
    OK(kernel(x, y, s2));
  } else if (strcmp(sc, "event_query_ok") == 0) {
    aclrtEventRecordedStatus st = ACL_EVENT_RECORDED_STATUS_NOT_READY;
    OK(kernel(x, y, s1));
    OK(aclrtRecordEvent(ev, s1));
    while (st != ACL_EVENT_RECORDED_STATUS_COMPLETE) OK(aclrtQueryEventStatus(ev, &st));
    OK(aclrtMemcpy(host, N, y, N, ACL_MEMCPY_DEVICE_TO_HOST));
  } else if (strcmp(sc, "stream_query_ok") == 0) {
    aclrtStreamStatus st = ACL_STREAM_STATUS_NOT_READY;
    OK(kernel(x, y, s1));
    while (st != ACL_STREAM_STATUS_COMPLETE) OK(aclrtStreamQuery(s1, &st));
    OK(aclrtMemset(y, N, 0, N));
  } else if (strcmp(sc, "disjoint_halves_ok") == 0) {
    OK(aclrtMemsetAsync(x, N / 2, 0, N / 2, s1));
    OK(aclrtMemsetAsync((char *)x + N / 2, N / 2, 1, N / 2, s2));
  } else if (strcmp(sc, "fork_join_ok") == 0) {
    aclrtEvent joined;
    OK(aclrtCreateEvent(&joined));
    OK(aclrtMemcpyAsync(x, N, host, N, ACL_MEMCPY_HOST_TO_DEVICE, s1));
    OK(aclrtRecordEvent(ev, s1));
    OK(aclrtStreamWaitEvent(s2, ev));
    OK(kernel(x, y, s2));
    OK(aclrtRecordEvent(joined, s2));
    OK(aclrtStreamWaitEvent(s1, joined));
    OK(aclrtMemcpyAsync(host, N, y, N, ACL_MEMCPY_DEVICE_TO_HOST, s1));
    OK(aclrtSynchronizeStream(s1));
    OK(aclrtDestroyEvent(joined));
  } else {
    fprintf(stderr, "unknown scenario '%s'\n", sc);
    return 2;
  }
  OK(aclrtSynchronizeDevice());
  OK(aclrtFree(x));
  OK(aclrtFree(y));
  OK(aclrtFreeHost(host));
  OK(aclrtDestroyEvent(ev));
  OK(aclrtDestroyStream(s1));
  OK(aclrtDestroyStream(s2));
  OK(aclrtResetDevice(0));
  OK(aclFinalize());
  return 0;
}
