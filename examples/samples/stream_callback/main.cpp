/*
 * stream_callback — an AscendCL program written the way the Ascend samples are, built with
 * its own CMakeLists.txt against a toolkit path ($DDK_PATH, $NPU_HOST_LIB) and including
 * "acl.h" from runtime/include/acl. vnpu's own code.
 *
 * Two streams form a pipeline: the input stream copies chunk k to the device and records
 * event k; the output stream waits for event k, copies the chunk to a second device buffer
 * and back to pinned host memory, then queues a blocking callback that checks the chunk.
 * Callbacks run on a thread of this program that subscribed to the output stream
 * (aclrtSubscribeReport) and serves it with aclrtProcessReport. The exit status is 0 only
 * if every call succeeded, every callback ran once on that thread, and every chunk was right.
 */
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <cstdio>

#include "acl.h"

#define INFO_LOG(fmt, ...) fprintf(stdout, "[INFO]  " fmt "\n", ##__VA_ARGS__)
#define ERROR_LOG(fmt, ...) fprintf(stderr, "[ERROR] " fmt "\n", ##__VA_ARGS__)

// Returns false from the calling function when an AscendCL call does not succeed.
#define CHECK_RET(call)                                                                   \
  do {                                                                                    \
    aclError ret_ = (call);                                                               \
    if (ret_ != ACL_ERROR_NONE) {                                                         \
      ACL_APP_LOG(ACL_ERROR, "%s failed, error code %d", #call, static_cast<int>(ret_));  \
      ERROR_LOG("%s failed, error code %d: %s", #call, static_cast<int>(ret_),            \
                aclGetRecentErrMsg() != nullptr ? aclGetRecentErrMsg() : "(no message)"); \
      return false;                                                                       \
    }                                                                                     \
  } while (0)

namespace {

const int32_t kDeviceId = 0;
const int kChunks = 16;
const size_t kChunkElems = 64 * 1024;
const size_t kChunkBytes = kChunkElems * sizeof(int32_t);

std::atomic<bool> g_exit(false);
std::atomic<int> g_callbacks(0);
std::atomic<int> g_badChunks(0);
std::atomic<int> g_wrongThread(0);
pthread_t g_reportThread;

struct ChunkCheck {
  const int32_t *data;  // the chunk in pinned host memory
  int chunk;
};

int32_t Expected(int chunk, size_t i) { return static_cast<int32_t>(chunk * 1000003 + static_cast<int32_t>(i)); }

// Runs on the report thread, inside aclrtProcessReport.
void CheckChunk(void *userData) {
  const ChunkCheck *check = static_cast<const ChunkCheck *>(userData);
  if (!pthread_equal(pthread_self(), g_reportThread)) g_wrongThread++;
  for (size_t i = 0; i < kChunkElems; ++i) {
    if (check->data[i] != Expected(check->chunk, i)) {
      ERROR_LOG("chunk %d: element %zu is %d, expected %d", check->chunk, i, check->data[i],
                Expected(check->chunk, i));
      g_badChunks++;
      break;
    }
  }
  g_callbacks++;
}

// The report thread: serves callbacks until the program asks it to stop. A timeout only
// means that no callback was due; ACL_ERROR_RT_THREAD_SUBSCRIBE, that the main thread has not
// subscribed this thread yet (it starts first) or has just unsubscribed it.
void *ProcessReport(void *) {
  while (!g_exit.load()) {
    aclError ret = aclrtProcessReport(100);
    if (ret == ACL_ERROR_RT_THREAD_SUBSCRIBE) {
      sched_yield();
    } else if (ret != ACL_ERROR_NONE && ret != ACL_ERROR_RT_REPORT_TIMEOUT) {
      ERROR_LOG("aclrtProcessReport failed, error code %d", static_cast<int>(ret));
      g_badChunks++;
      break;
    }
  }
  return nullptr;
}

struct Pipeline {
  aclrtContext context = nullptr;
  aclrtStream inStream = nullptr;
  aclrtStream outStream = nullptr;
  aclrtEvent events[kChunks] = {};
  int32_t *hostIn = nullptr;   // aclrtMallocHost
  int32_t *hostOut = nullptr;  // aclrtMallocHost
  void *devIn = nullptr;
  void *devOut = nullptr;
  bool subscribed = false;
  bool threadStarted = false;
  ChunkCheck checks[kChunks];
};

bool Init(Pipeline &p) {
  CHECK_RET(aclInit(nullptr));
  CHECK_RET(aclrtSetDevice(kDeviceId));
  CHECK_RET(aclrtCreateContext(&p.context, kDeviceId));
  CHECK_RET(aclrtCreateStream(&p.inStream));
  CHECK_RET(aclrtCreateStream(&p.outStream));
  for (int k = 0; k < kChunks; ++k) CHECK_RET(aclrtCreateEvent(&p.events[k]));
  CHECK_RET(aclrtMallocHost(reinterpret_cast<void **>(&p.hostIn), kChunks * kChunkBytes));
  CHECK_RET(aclrtMallocHost(reinterpret_cast<void **>(&p.hostOut), kChunks * kChunkBytes));
  CHECK_RET(aclrtMalloc(&p.devIn, kChunks * kChunkBytes, ACL_MEM_MALLOC_HUGE_FIRST));
  CHECK_RET(aclrtMalloc(&p.devOut, kChunks * kChunkBytes, ACL_MEM_MALLOC_HUGE_FIRST));
  if (pthread_create(&g_reportThread, nullptr, ProcessReport, nullptr) != 0) {
    ERROR_LOG("pthread_create failed");
    return false;
  }
  p.threadStarted = true;
  CHECK_RET(aclrtSubscribeReport(static_cast<uint64_t>(g_reportThread), p.outStream));
  p.subscribed = true;
  ACL_APP_LOG(ACL_INFO, "SoC %s, %d chunks of %zu bytes", aclrtGetSocName(), kChunks, kChunkBytes);
  INFO_LOG("SoC %s: %d chunks of %zu bytes through two streams", aclrtGetSocName(), kChunks, kChunkBytes);
  return true;
}

bool Run(Pipeline &p) {
  for (int k = 0; k < kChunks; ++k) {
    for (size_t i = 0; i < kChunkElems; ++i) {
      p.hostIn[k * kChunkElems + i] = Expected(k, i);
      p.hostOut[k * kChunkElems + i] = -1;
    }
  }
  for (int k = 0; k < kChunks; ++k) {
    char *devIn = static_cast<char *>(p.devIn) + k * kChunkBytes;
    char *devOut = static_cast<char *>(p.devOut) + k * kChunkBytes;
    int32_t *hostOut = p.hostOut + k * kChunkElems;
    CHECK_RET(aclrtMemcpyAsync(devIn, kChunkBytes, p.hostIn + k * kChunkElems, kChunkBytes,
                               ACL_MEMCPY_HOST_TO_DEVICE, p.inStream));
    CHECK_RET(aclrtRecordEvent(p.events[k], p.inStream));
    CHECK_RET(aclrtStreamWaitEvent(p.outStream, p.events[k]));
    CHECK_RET(aclrtMemcpyAsync(devOut, kChunkBytes, devIn, kChunkBytes, ACL_MEMCPY_DEVICE_TO_DEVICE, p.outStream));
    CHECK_RET(aclrtMemcpyAsync(hostOut, kChunkBytes, devOut, kChunkBytes, ACL_MEMCPY_DEVICE_TO_HOST, p.outStream));
    p.checks[k].data = hostOut;
    p.checks[k].chunk = k;
    CHECK_RET(aclrtLaunchCallback(CheckChunk, &p.checks[k], ACL_CALLBACK_BLOCK, p.outStream));
  }
  CHECK_RET(aclrtSynchronizeStream(p.inStream));
  CHECK_RET(aclrtSynchronizeStream(p.outStream));
  // A blocking callback has returned before the stream goes on, so all of them have run.
  if (g_callbacks.load() != kChunks || g_badChunks.load() != 0 || g_wrongThread.load() != 0) {
    ERROR_LOG("callbacks: %d of %d ran, %d chunks wrong, %d on another thread", g_callbacks.load(), kChunks,
              g_badChunks.load(), g_wrongThread.load());
    return false;
  }
  INFO_LOG("%d callbacks ran on the report thread, every chunk arrived intact", kChunks);
  return true;
}

// Releases everything, after a failure too. Returns false if any release fails.
bool Destroy(Pipeline &p) {
  bool ok = true;
  auto check = [&ok](aclError ret, const char *what) {
    if (ret != ACL_ERROR_NONE) {
      ERROR_LOG("%s failed, error code %d", what, static_cast<int>(ret));
      ok = false;
    }
  };
  if (p.subscribed) check(aclrtUnSubscribeReport(static_cast<uint64_t>(g_reportThread), p.outStream), "aclrtUnSubscribeReport");
  g_exit = true;
  if (p.threadStarted) pthread_join(g_reportThread, nullptr);
  for (int k = 0; k < kChunks; ++k) {
    if (p.events[k] != nullptr) check(aclrtDestroyEvent(p.events[k]), "aclrtDestroyEvent");
  }
  if (p.devIn != nullptr) check(aclrtFree(p.devIn), "aclrtFree");
  if (p.devOut != nullptr) check(aclrtFree(p.devOut), "aclrtFree");
  if (p.hostIn != nullptr) check(aclrtFreeHost(p.hostIn), "aclrtFreeHost");
  if (p.hostOut != nullptr) check(aclrtFreeHost(p.hostOut), "aclrtFreeHost");
  if (p.inStream != nullptr) check(aclrtDestroyStream(p.inStream), "aclrtDestroyStream");
  if (p.outStream != nullptr) check(aclrtDestroyStream(p.outStream), "aclrtDestroyStream");
  if (p.context != nullptr) check(aclrtDestroyContext(p.context), "aclrtDestroyContext");
  check(aclrtResetDevice(kDeviceId), "aclrtResetDevice");
  check(aclFinalize(), "aclFinalize");
  return ok;
}

}  // namespace

int main() {
  Pipeline p;
  bool ok = Init(p) && Run(p);
  if (!Destroy(p)) ok = false;
  if (!ok) {
    ERROR_LOG("stream_callback failed");
    return 1;
  }
  INFO_LOG("stream_callback passed");
  return 0;
}
