// aclrtSetExceptionInfoCallback and the aclrtGet*FromExceptionInfo accessors, on vnpu's
// task-failure hook.
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "capi/capi.hpp"
#include "capi/state.hpp"
#include "vnpu/device.hpp"

struct aclrtExceptionInfo {
  uint32_t task;
  uint32_t stream;
  uint32_t thread;
  uint32_t device;
  uint32_t code;
};

namespace vnpu::capi {
namespace {

constexpr uint32_t kNoInfo = 0xFFFFFFFFu;

std::atomic<aclrtExceptionInfoCallback> g_callback{nullptr};

void on_task_failure(const vnpu::TaskFailure& f) {
  const aclrtExceptionInfoCallback cb = g_callback.load(std::memory_order_acquire);
  if (cb == nullptr) return;
  aclrtExceptionInfo info{static_cast<uint32_t>(f.seq), static_cast<uint32_t>(f.stream),
                          static_cast<uint32_t>(syscall(SYS_gettid)), static_cast<uint32_t>(f.device),
                          static_cast<uint32_t>(to_acl(f.status))};
  cb(&info);
}

}  // namespace
}  // namespace vnpu::capi

using namespace vnpu::capi;

extern "C" {

aclError aclrtSetExceptionInfoCallback(aclrtExceptionInfoCallback callback) {
  return guard("aclrtSetExceptionInfoCallback", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    g_callback.store(callback, std::memory_order_release);
    vnpu::set_task_failure_hook(on_task_failure);
    return ACL_SUCCESS;
  });
}

uint32_t aclrtGetTaskIdFromExceptionInfo(const aclrtExceptionInfo* info) {
  return info != nullptr ? info->task : kNoInfo;
}
uint32_t aclrtGetStreamIdFromExceptionInfo(const aclrtExceptionInfo* info) {
  return info != nullptr ? info->stream : kNoInfo;
}
uint32_t aclrtGetThreadIdFromExceptionInfo(const aclrtExceptionInfo* info) {
  return info != nullptr ? info->thread : kNoInfo;
}
uint32_t aclrtGetDeviceIdFromExceptionInfo(const aclrtExceptionInfo* info) {
  return info != nullptr ? info->device : kNoInfo;
}
uint32_t aclrtGetErrorCodeFromExceptionInfo(const aclrtExceptionInfo* info) {
  return info != nullptr ? info->code : kNoInfo;
}

}  // extern "C"
