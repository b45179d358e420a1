// A tour of the AscendCL runtime functions that real programs use beyond the basics, in
// the style of a sample program: every call checked, results verified, a non-zero exit
// status on any failure. Built with its own CMake against a toolkit-shaped vnpu install
// (docs/porting.md); run it with VNPU_DEVICES=2 to include peer access.
#include <pthread.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "acl/acl.h"
#include "acl/ops/acl_dvpp.h"
#include "vnpu/acl_ext.h"

#define CHECK_ACL(expr)                                                                    \
  do {                                                                                     \
    aclError ret_ = (expr);                                                                \
    if (ret_ != ACL_ERROR_NONE) {                                                          \
      ACL_APP_LOG(ACL_ERROR, "%s failed: %d (%s)", #expr, ret_, aclGetRecentErrMsg());    \
      std::exit(1);                                                                        \
    }                                                                                      \
  } while (0)

#define EXPECT(cond)                                                       \
  do {                                                                     \
    if (!(cond)) {                                                         \
      ACL_APP_LOG(ACL_ERROR, "check failed: %s", #cond);                   \
      std::exit(1);                                                        \
    }                                                                      \
  } while (0)

namespace {

// ---- kernels -----------------------------------------------------------------------

struct ScaleArgs {  // passed by value: the launch copies it
  float* data;
  uint32_t n;
  float factor;
};

void scale_kernel(uint32_t blockIdx, uint32_t blockDim, void* args) {
  const ScaleArgs* a = static_cast<const ScaleArgs*>(args);
  for (uint32_t i = vnpuGetBlockIdx(); i < a->n; i += vnpuGetBlockDim()) a->data[i] *= a->factor;
  (void)blockIdx;
  (void)blockDim;
}

void failing_kernel(uint32_t, uint32_t, void*) { vnpuKernelFail("the tour's planned failure"); }

// ---- host function and exception callback ------------------------------------------

void host_func(void* args) { static_cast<std::atomic<int>*>(args)->fetch_add(1); }

std::atomic<int> g_exceptions{0};
std::atomic<uint32_t> g_exception_task{0};

void on_exception(aclrtExceptionInfo* info) {
  g_exceptions.fetch_add(1);
  g_exception_task = aclrtGetTaskIdFromExceptionInfo(info);
  ACL_APP_LOG(ACL_INFO, "exception: task %u stream %u device %u thread %u code %u", aclrtGetTaskIdFromExceptionInfo(info),
              aclrtGetStreamIdFromExceptionInfo(info), aclrtGetDeviceIdFromExceptionInfo(info),
              aclrtGetThreadIdFromExceptionInfo(info), aclrtGetErrorCodeFromExceptionInfo(info));
}

void tour_queries_before_init() {
  aclrtRunMode mode;
  CHECK_ACL(aclrtGetRunMode(&mode));
  uint32_t count = 0;
  CHECK_ACL(aclrtGetDeviceCount(&count));
  std::printf("before aclInit: run mode %s, %u device(s), SoC %s\n", mode == ACL_HOST ? "host" : "device", count,
              aclrtGetSocName());
}

void tour_data_buffer() {
  std::vector<char> a(100), b(300);
  aclDataBuffer* buf = aclCreateDataBuffer(a.data(), a.size());
  EXPECT(buf != nullptr && aclGetDataBufferSize(buf) == 100);
  CHECK_ACL(aclUpdateDataBuffer(buf, b.data(), b.size()));
  EXPECT(aclGetDataBufferAddr(buf) == b.data() && aclGetDataBufferSizeV2(buf) == 300);
  CHECK_ACL(aclDestroyDataBuffer(buf));
}

void tour_streams_and_events() {
  aclrtStream fast, def;
  CHECK_ACL(aclrtCreateStreamWithConfig(&fast, 0, ACL_STREAM_FAST_LAUNCH | ACL_STREAM_FAST_SYNC));
  CHECK_ACL(aclrtCtxGetCurrentDefaultStream(&def));
  aclrtEvent start, stop;
  CHECK_ACL(aclrtCreateEventExWithFlag(&start, ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE));
  CHECK_ACL(aclrtCreateEventExWithFlag(&stop, ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE));
  aclrtEventRecordedStatus recorded;
  CHECK_ACL(aclrtQueryEventStatus(start, &recorded));
  EXPECT(recorded == ACL_EVENT_RECORDED_STATUS_NOT_READY);  // never recorded yet

  std::atomic<int> host_calls{0};
  CHECK_ACL(aclrtRecordEvent(start, fast));
  CHECK_ACL(aclrtLaunchHostFunc(fast, host_func, &host_calls));
  CHECK_ACL(aclrtRecordEvent(stop, fast));
  CHECK_ACL(aclrtStreamWaitEvent(def, stop));
  CHECK_ACL(aclrtLaunchHostFunc(def, host_func, &host_calls));
  CHECK_ACL(aclrtSynchronizeEventWithTimeout(stop, 10000));
  CHECK_ACL(aclrtSynchronizeStream(def));
  aclrtStreamStatus status;
  CHECK_ACL(aclrtStreamQuery(fast, &status));
  EXPECT(status == ACL_STREAM_STATUS_COMPLETE && host_calls == 2);
  CHECK_ACL(aclrtQueryEventStatus(stop, &recorded));
  EXPECT(recorded == ACL_EVENT_RECORDED_STATUS_COMPLETE);
  float ms = 0;
  CHECK_ACL(aclrtEventElapsedTime(&ms, start, stop));
  std::printf("streams and events: host functions ran in order, %.3f ms between the events\n", ms);
  CHECK_ACL(aclrtDestroyEvent(start));
  CHECK_ACL(aclrtDestroyEvent(stop));
  CHECK_ACL(aclrtDestroyStream(fast));
}

void tour_memory_and_kernels() {
  constexpr uint32_t kRows = 64, kCols = 48, kPitch = 64;  // a float matrix inside a wider one
  std::vector<float> host(kRows * kPitch);
  for (uint32_t i = 0; i < host.size(); ++i) host[i] = static_cast<float>(i % 1000);
  void* dev = nullptr;
  CHECK_ACL(aclrtMallocAlign32(&dev, kRows * kCols * sizeof(float), ACL_MEM_MALLOC_HUGE_FIRST));
  // The matrix's 48 columns, packed on the device.
  CHECK_ACL(aclrtMemcpy2d(dev, kCols * sizeof(float), host.data(), kPitch * sizeof(float), kCols * sizeof(float), kRows,
                          ACL_MEMCPY_HOST_TO_DEVICE));
  aclrtStream s;
  CHECK_ACL(aclrtCreateStream(&s));
  {
    ScaleArgs args{static_cast<float*>(dev), kRows * kCols, 2.0f};
    CHECK_ACL(vnpuLaunchKernelWithArgs(scale_kernel, 8, &args, sizeof args, s));
  }  // args is gone: the launch copied it
  std::vector<float> back(kRows * kPitch, -1.0f);
  CHECK_ACL(aclrtMemcpy2dAsync(back.data(), kPitch * sizeof(float), dev, kCols * sizeof(float), kCols * sizeof(float),
                               kRows, ACL_MEMCPY_DEVICE_TO_HOST, s));
  CHECK_ACL(aclrtSynchronizeStream(s));
  for (uint32_t r = 0; r < kRows; ++r)
    for (uint32_t c = 0; c < kPitch; ++c)
      EXPECT(back[r * kPitch + c] == (c < kCols ? 2.0f * host[r * kPitch + c] : -1.0f));
  void* media = nullptr;
  CHECK_ACL(acldvppMalloc(&media, 4096));
  CHECK_ACL(aclrtMemsetAsync(media, 4096, 0, 4096, s));
  CHECK_ACL(aclrtSynchronizeStream(s));
  CHECK_ACL(acldvppFree(media));
  CHECK_ACL(aclrtDestroyStream(s));
  CHECK_ACL(aclrtFree(dev));
  std::printf("memory: 2-D copies around a kernel with a copied argument block: correct\n");
}

void tour_failures() {
  CHECK_ACL(aclrtSetExceptionInfoCallback(on_exception));
  aclrtStream s;
  CHECK_ACL(aclrtCreateStream(&s));
  CHECK_ACL(aclrtSetStreamFailureMode(s, ACL_STOP_ON_FAILURE));
  std::atomic<int> after{0};
  CHECK_ACL(vnpuLaunchKernel(failing_kernel, 1, nullptr, s));
  CHECK_ACL(aclrtLaunchHostFunc(s, host_func, &after));  // skipped: the stream stops on failure
  aclError ret = aclrtSynchronizeStream(s);
  EXPECT(ret == ACL_ERROR_RT_AICORE_EXCEPTION && after == 0 && g_exceptions == 1 && g_exception_task == 1);
  EXPECT(aclrtPeekAtLastError(ACL_RT_THREAD_LEVEL) == ACL_ERROR_RT_AICORE_EXCEPTION);
  EXPECT(aclrtGetLastError(ACL_RT_THREAD_LEVEL) == ACL_ERROR_RT_AICORE_EXCEPTION);
  EXPECT(aclrtGetLastError(ACL_RT_THREAD_LEVEL) == ACL_ERROR_NONE);
  CHECK_ACL(aclrtLaunchHostFunc(s, host_func, &after));  // reported: the stream runs again
  CHECK_ACL(aclrtSynchronizeStream(s));
  EXPECT(after == 1);
  // A stream destroyed at once drops what it has not started.
  aclrtStream doomed;
  CHECK_ACL(aclrtCreateStream(&doomed));
  CHECK_ACL(aclrtDestroyStreamForce(doomed));
  CHECK_ACL(aclrtDestroyStream(s));
  CHECK_ACL(aclrtSetExceptionInfoCallback(nullptr));
  std::printf("failures: stop-on-failure, the exception callback and the last error behave\n");
}

void tour_peer_access() {
  uint32_t count = 0;
  CHECK_ACL(aclrtGetDeviceCount(&count));
  if (count < 2) {
    std::printf("peer access: skipped (one device; run with VNPU_DEVICES=2)\n");
    return;
  }
  int32_t can = 0;
  CHECK_ACL(aclrtDeviceCanAccessPeer(&can, 0, 1));
  EXPECT(can == 1);
  void *d0 = nullptr, *d1 = nullptr;
  CHECK_ACL(aclrtMalloc(&d0, 1024, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_ACL(aclrtSetDevice(1));
  CHECK_ACL(aclrtMalloc(&d1, 1024, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_ACL(aclrtMemset(d1, 1024, 0x5A, 1024));
  CHECK_ACL(aclrtDeviceEnablePeerAccess(0, 0));
  CHECK_ACL(aclrtMemcpy(d0, 1024, d1, 1024, ACL_MEMCPY_DEVICE_TO_DEVICE));
  CHECK_ACL(aclrtDeviceDisablePeerAccess(0));
  CHECK_ACL(aclrtFree(d1));
  CHECK_ACL(aclrtResetDeviceForce(1));
  CHECK_ACL(aclrtSetDevice(0));
  unsigned char host[1024];
  CHECK_ACL(aclrtMemcpy(host, sizeof host, d0, sizeof host, ACL_MEMCPY_DEVICE_TO_HOST));
  EXPECT(host[0] == 0x5A && host[1023] == 0x5A);
  CHECK_ACL(aclrtFree(d0));
  std::printf("peer access: device 1 copied into device 0's memory\n");
}

}  // namespace

int main() {
  tour_queries_before_init();
  CHECK_ACL(aclInit(nullptr));
  CHECK_ACL(aclrtSetDevice(0));
  aclrtContext context;
  CHECK_ACL(aclrtCreateContext(&context, 0));
  tour_data_buffer();
  tour_streams_and_events();
  tour_memory_and_kernels();
  tour_failures();
  CHECK_ACL(aclrtDestroyContext(context));
  CHECK_ACL(aclrtSetDevice(0));
  tour_peer_access();
  CHECK_ACL(aclrtResetDeviceForce(0));
  CHECK_ACL(aclFinalize());
  std::printf("runtime API tour: all checks passed\n");
  return 0;
}
