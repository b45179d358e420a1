// acldvppMalloc / acldvppFree: device memory for media buffers (acl/ops/acl_dvpp.h).
//
// Media buffers start on 128-byte boundaries, more than vnpu's 64-byte allocations promise,
// so a buffer is carved from an allocation 128 bytes larger, past its start, and remembered
// here with the allocation it came from; acldvppFree frees that allocation.
#include <mutex>
#include <unordered_map>

#include "acl/ops/acl_dvpp.h"
#include "capi/capi.hpp"
#include "capi/state.hpp"
#include "vnpu/memory.hpp"

namespace vnpu::capi {
namespace {

constexpr std::size_t kMediaAlign = 128;

struct MediaBuffers {
  std::mutex mu;
  std::unordered_map<void*, void*> base_of;  // buffer -> its allocation; guarded by mu
};

MediaBuffers& media() {
  static MediaBuffers* m = new MediaBuffers();  // leaked, as the rest of the C API state
  return *m;
}

}  // namespace

void forget_media_buffers() {
  MediaBuffers& m = media();
  std::lock_guard lock(m.mu);
  m.base_of.clear();
}

}  // namespace vnpu::capi

using namespace vnpu::capi;

extern "C" {

aclError acldvppMalloc(void** devPtr, size_t size) {
  return guard("acldvppMalloc", [&]() -> aclError {
    VNPU_ACL_REQUIRE(devPtr);
    VNPU_ACL_TRY(require_init());
    if (size == 0) return fail(ACL_ERROR_INVALID_PARAM, "size 0");
    // As the accelerator sizes media buffers: a multiple of 32 bytes, plus 32.
    if (size > SIZE_MAX / 2) return fail(ACL_ERROR_INVALID_PARAM, "size %zu is too large", size);
    const std::size_t bytes = (size + 31) / 32 * 32 + 32;
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    auto p = ctx->device.malloc(bytes + kMediaAlign);
    if (!p) return fail_status(p.status(), "allocating media memory");
    // Always past the allocation's start (even when that is aligned already), so the buffer
    // is never a pointer aclrtFree would accept.
    const auto base = reinterpret_cast<std::uintptr_t>(*p);
    void* buffer = reinterpret_cast<void*>((base + kMediaAlign) / kMediaAlign * kMediaAlign);
    MediaBuffers& m = media();
    try {
      std::lock_guard lock(m.mu);
      m.base_of.emplace(buffer, *p);
    } catch (...) {
      (void)vnpu::free(*p);
      throw;
    }
    track_allocation(*p, false);
    *devPtr = buffer;
    return ACL_SUCCESS;
  });
}

aclError acldvppFree(void* devPtr) {
  return guard("acldvppFree", [&]() -> aclError {
    VNPU_ACL_REQUIRE(devPtr);
    VNPU_ACL_TRY(require_init());
    void* base = nullptr;
    {
      MediaBuffers& m = media();
      std::lock_guard lock(m.mu);
      auto it = m.base_of.find(devPtr);
      if (it == m.base_of.end())
        return fail(ACL_ERROR_RT_MEMORY_FREE, "%p was not returned by acldvppMalloc (or was already freed)", devPtr);
      base = it->second;
      m.base_of.erase(it);
    }
    const vnpu::Status st = vnpu::free(base);
    if (st != vnpu::Status::kSuccess) return fail_status(st, "freeing media memory", Site::kFree);
    untrack_allocation(base);
    return ACL_SUCCESS;
  });
}

}  // extern "C"
