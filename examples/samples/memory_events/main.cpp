/*
 * memory_events — an AscendCL program written the way the Ascend samples are, built with its
 * own CMakeLists.txt against a toolkit path ($INSTALL_DIR). vnpu's own code.
 *
 * It sets up a device, a context and a stream, reports the SoC, then moves a buffer
 * host -> device -> media (DVPP) buffer -> host with synchronous copies, and again with
 * asynchronous copies from pinned memory timed by two events. Every result is compared with
 * what was sent: the exit status is 0 only if every call succeeded and every byte came back.
 */
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "acl/acl.h"
#include "acl/ops/acl_dvpp.h"

#define INFO_LOG(fmt, ...) fprintf(stdout, "[INFO]  " fmt "\n", ##__VA_ARGS__)
#define ERROR_LOG(fmt, ...) fprintf(stderr, "[ERROR] " fmt "\n", ##__VA_ARGS__)

enum Result { SUCCESS = 0, FAILED = 1 };

// Returns FAILED from the calling function when an AscendCL call does not succeed.
#define CHECK_ACL(call)                                                                      \
  do {                                                                                       \
    aclError ret_ = (call);                                                                  \
    if (ret_ != ACL_ERROR_NONE) {                                                            \
      const char *msg_ = aclGetRecentErrMsg();                                               \
      ACL_APP_LOG(ACL_ERROR, "%s failed, error code %d", #call, static_cast<int>(ret_));     \
      ERROR_LOG("%s failed, error code %d: %s", #call, static_cast<int>(ret_),               \
                msg_ != nullptr ? msg_ : "(no message)");                                    \
      return FAILED;                                                                         \
    }                                                                                        \
  } while (0)

namespace {

const int32_t kDeviceId = 0;
const size_t kElems = 1 << 20;  // 4 MiB of floats
const size_t kBytes = kElems * sizeof(float);

struct Resources {
  aclrtContext context = nullptr;
  aclrtStream stream = nullptr;
  aclrtEvent start = nullptr;
  aclrtEvent end = nullptr;
  void *devBuf = nullptr;     // aclrtMalloc
  void *dvppBuf = nullptr;    // acldvppMalloc
  void *pinnedIn = nullptr;   // aclrtMallocHost
  void *pinnedOut = nullptr;  // aclrtMallocHost
};

// The index of the first float that differs, or -1.
long FirstMismatch(const float *got, const float *want, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (std::memcmp(&got[i], &want[i], sizeof(float)) != 0) return static_cast<long>(i);
  }
  return -1;
}

Result InitResource(Resources &res) {
  CHECK_ACL(aclInit(nullptr));
  CHECK_ACL(aclrtSetDevice(kDeviceId));
  CHECK_ACL(aclrtCreateContext(&res.context, kDeviceId));
  CHECK_ACL(aclrtCreateStream(&res.stream));
  aclrtRunMode runMode;
  CHECK_ACL(aclrtGetRunMode(&runMode));
  const char *socName = aclrtGetSocName();
  if (socName == nullptr || socName[0] == '\0') {
    ERROR_LOG("aclrtGetSocName returned no name");
    return FAILED;
  }
  ACL_APP_LOG(ACL_INFO, "device %d, SoC %s, run mode %d", kDeviceId, socName, static_cast<int>(runMode));
  INFO_LOG("device %d is ready: SoC %s, running on the %s", kDeviceId, socName,
           runMode == ACL_HOST ? "host" : "device");
  return SUCCESS;
}

// host -> device -> DVPP buffer -> host, each copy returning when it is done.
Result SyncRoundTrip(Resources &res) {
  std::vector<float> src(kElems), dst(kElems, -1.0f);
  for (size_t i = 0; i < kElems; ++i) src[i] = static_cast<float>(i) * 0.5f - 1000.0f;
  CHECK_ACL(aclrtMalloc(&res.devBuf, kBytes, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_ACL(acldvppMalloc(&res.dvppBuf, kBytes));
  CHECK_ACL(aclrtMemcpy(res.devBuf, kBytes, src.data(), kBytes, ACL_MEMCPY_HOST_TO_DEVICE));
  CHECK_ACL(aclrtMemcpy(res.dvppBuf, kBytes, res.devBuf, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE));
  CHECK_ACL(aclrtMemcpy(dst.data(), kBytes, res.dvppBuf, kBytes, ACL_MEMCPY_DEVICE_TO_HOST));
  long bad = FirstMismatch(dst.data(), src.data(), kElems);
  if (bad >= 0) {
    ERROR_LOG("synchronous copies: element %ld is %f, expected %f", bad, dst[bad], src[bad]);
    return FAILED;
  }
  INFO_LOG("synchronous copies: %zu bytes host -> device -> dvpp -> host, all equal", kBytes);
  return SUCCESS;
}

// The same path queued on one stream from pinned memory, between two timed events. The
// device buffers are cleared first (aclrtMemsetAsync), so stale data from SyncRoundTrip
// cannot pass for a result.
Result AsyncRoundTrip(Resources &res) {
  CHECK_ACL(aclrtMallocHost(&res.pinnedIn, kBytes));
  CHECK_ACL(aclrtMallocHost(&res.pinnedOut, kBytes));
  float *in = static_cast<float *>(res.pinnedIn);
  float *out = static_cast<float *>(res.pinnedOut);
  for (size_t i = 0; i < kElems; ++i) {
    in[i] = static_cast<float>(kElems - i) * 0.25f;
    out[i] = -1.0f;
  }
  CHECK_ACL(aclrtCreateEvent(&res.start));
  CHECK_ACL(aclrtCreateEvent(&res.end));

  CHECK_ACL(aclrtRecordEvent(res.start, res.stream));
  CHECK_ACL(aclrtMemsetAsync(res.devBuf, kBytes, 0, kBytes, res.stream));
  CHECK_ACL(aclrtMemsetAsync(res.dvppBuf, kBytes, 0, kBytes, res.stream));
  CHECK_ACL(aclrtMemcpyAsync(res.devBuf, kBytes, in, kBytes, ACL_MEMCPY_HOST_TO_DEVICE, res.stream));
  CHECK_ACL(aclrtMemcpyAsync(res.dvppBuf, kBytes, res.devBuf, kBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, res.stream));
  CHECK_ACL(aclrtMemcpyAsync(out, kBytes, res.dvppBuf, kBytes, ACL_MEMCPY_DEVICE_TO_HOST, res.stream));
  CHECK_ACL(aclrtRecordEvent(res.end, res.stream));
  CHECK_ACL(aclrtSynchronizeEvent(res.end));

  aclrtEventRecordedStatus status = ACL_EVENT_RECORDED_STATUS_NOT_READY;
  CHECK_ACL(aclrtQueryEventStatus(res.end, &status));
  if (status != ACL_EVENT_RECORDED_STATUS_COMPLETE) {
    ERROR_LOG("the end event is not complete after aclrtSynchronizeEvent");
    return FAILED;
  }
  float ms = 0.0f;
  CHECK_ACL(aclrtEventElapsedTime(&ms, res.start, res.end));
  long bad = FirstMismatch(out, in, kElems);
  if (bad >= 0) {
    ERROR_LOG("asynchronous copies: element %ld is %f, expected %f", bad, out[bad], in[bad]);
    return FAILED;
  }
  if (ms < 0.0f) {
    ERROR_LOG("aclrtEventElapsedTime gave %f ms", ms);
    return FAILED;
  }
  INFO_LOG("asynchronous copies: 2 memsets and 3 copies of %zu bytes in %.3f ms, all equal", kBytes, ms);
  return SUCCESS;
}

// Releases everything InitResource and the round trips made, in reverse order. Runs after a
// failure too; returns FAILED if any release fails.
Result DestroyResource(Resources &res) {
  Result result = SUCCESS;
  auto check = [&result](aclError ret, const char *what) {
    if (ret != ACL_ERROR_NONE) {
      ERROR_LOG("%s failed, error code %d", what, static_cast<int>(ret));
      result = FAILED;
    }
  };
  if (res.start != nullptr) check(aclrtDestroyEvent(res.start), "aclrtDestroyEvent");
  if (res.end != nullptr) check(aclrtDestroyEvent(res.end), "aclrtDestroyEvent");
  if (res.pinnedIn != nullptr) check(aclrtFreeHost(res.pinnedIn), "aclrtFreeHost");
  if (res.pinnedOut != nullptr) check(aclrtFreeHost(res.pinnedOut), "aclrtFreeHost");
  if (res.dvppBuf != nullptr) check(acldvppFree(res.dvppBuf), "acldvppFree");
  if (res.devBuf != nullptr) check(aclrtFree(res.devBuf), "aclrtFree");
  if (res.stream != nullptr) check(aclrtDestroyStream(res.stream), "aclrtDestroyStream");
  if (res.context != nullptr) check(aclrtDestroyContext(res.context), "aclrtDestroyContext");
  check(aclrtResetDevice(kDeviceId), "aclrtResetDevice");
  check(aclFinalize(), "aclFinalize");
  return result;
}

}  // namespace

int main() {
  Resources res;
  Result result = InitResource(res);
  if (result == SUCCESS) result = SyncRoundTrip(res);
  if (result == SUCCESS) result = AsyncRoundTrip(res);
  if (DestroyResource(res) != SUCCESS) result = FAILED;
  if (result != SUCCESS) {
    ERROR_LOG("memory_events failed");
    return 1;
  }
  INFO_LOG("memory_events passed");
  return 0;
}
