// What the examples' host programs share in both build modes: a session (the device and
// the stream kernels run on) and global-memory buffers.
//   CPU mode (RUN_MODE=cpu, ASCENDC_CPU_DEBUG): the buffers are GmAlloc memory and
//     ICPU_RUN_KF runs a kernel and returns when it is done;
//   NPU mode (RUN_MODE=npu): AscendCL — aclInit, a device and a stream, aclrtMalloc'd
//     buffers filled and read with aclrtMemcpy; kernels are queued on the stream
//     (ACLRT_LAUNCH_KERNEL or <<<>>>) and sync() waits for them.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#ifdef ASCENDC_CPU_DEBUG
#include "tikicpulib.h"
#else
#include "acl/acl.h"
#endif

namespace example {

#ifndef ASCENDC_CPU_DEBUG
/// Prints a failed AscendCL call with its reason; true when it failed.
inline bool acl_failed(aclError e, const char* what) {
  if (e == ACL_SUCCESS) return false;
  std::fprintf(stderr, "%s failed: error %d: %s\n", what, static_cast<int>(e), aclGetRecentErrMsg());
  return true;
}
#endif

class Session {
 public:
  Session() {
#ifndef ASCENDC_CPU_DEBUG
    ok_ = !acl_failed(aclInit(nullptr), "aclInit") && !acl_failed(aclrtSetDevice(0), "aclrtSetDevice") &&
          !acl_failed(aclrtCreateStream(&stream_), "aclrtCreateStream");
#endif
  }
  ~Session() {
#ifndef ASCENDC_CPU_DEBUG
    if (stream_ != nullptr) aclrtDestroyStream(stream_);
    aclrtResetDevice(0);
    aclFinalize();
#endif
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  bool ok() const { return ok_; }
  /// The stream kernels are queued on (NPU mode).
  void* stream() const { return stream_; }
  /// Waits for the stream's kernels; 0, or 1 after printing why a kernel failed.
  int sync(const char* what) const {
#ifndef ASCENDC_CPU_DEBUG
    if (acl_failed(aclrtSynchronizeStream(stream_), what)) return 1;
#else
    (void)what;
#endif
    return 0;
  }

 private:
  bool ok_ = true;
  void* stream_ = nullptr;
};

/// `n` elements of T in global memory, zeroed.
template <typename T>
class GmBuffer {
 public:
  explicit GmBuffer(size_t n) : n_(n) {
    const size_t bytes = n * sizeof(T);
#ifdef ASCENDC_CPU_DEBUG
    p_ = AscendC::GmAlloc(bytes);
#else
    if (!acl_failed(aclrtMalloc(&p_, bytes, ACL_MEM_MALLOC_HUGE_FIRST), "aclrtMalloc") &&
        acl_failed(aclrtMemset(p_, bytes, 0, bytes), "aclrtMemset")) {
      aclrtFree(p_);
      p_ = nullptr;
    }
#endif
  }
  ~GmBuffer() {
    if (p_ == nullptr) return;
#ifdef ASCENDC_CPU_DEBUG
    AscendC::GmFree(p_);
#else
    aclrtFree(p_);
#endif
  }
  GmBuffer(const GmBuffer&) = delete;
  GmBuffer& operator=(const GmBuffer&) = delete;

  bool ok() const { return p_ != nullptr; }
  /// The address a kernel takes (GM_ADDR).
  uint8_t* gm() const { return static_cast<uint8_t*>(p_); }
  /// Copies `host` (n elements) into the buffer.
  bool upload(const T* host) {
#ifdef ASCENDC_CPU_DEBUG
    std::memcpy(p_, host, n_ * sizeof(T));
    return true;
#else
    return !acl_failed(aclrtMemcpy(p_, n_ * sizeof(T), host, n_ * sizeof(T), ACL_MEMCPY_HOST_TO_DEVICE), "upload");
#endif
  }
  /// The buffer's contents.
  std::vector<T> download() const {
    std::vector<T> out(n_);
#ifdef ASCENDC_CPU_DEBUG
    std::memcpy(out.data(), p_, n_ * sizeof(T));
#else
    if (acl_failed(aclrtMemcpy(out.data(), n_ * sizeof(T), p_, n_ * sizeof(T), ACL_MEMCPY_DEVICE_TO_HOST), "download"))
      out.clear();
#endif
    return out;
  }

 private:
  size_t n_;
  void* p_ = nullptr;
};

}  // namespace example
