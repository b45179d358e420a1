// Ascend C kernels launched on an aclrtStream (vnpu_ascendc/launch.h): the generated
// ACLRT_LAUNCH_KERNEL launchers and rewritten <<<>>> launches end here.
#include <cstdio>
#include <mutex>
#include <set>
#include <string>

#include "ascendc/launch.hpp"
#include "capi/tensor.hpp"
#include "vnpu/soc.hpp"

namespace vnpu::ascendc {

std::uint32_t launch_async(const char* name, std::uint32_t block_dim, void* stream, const KernelCall& call) noexcept {
  const char* kernel = name != nullptr ? name : "(unnamed kernel)";
  return capi::guard(kernel, [&]() -> aclError {
    if (call.invoke == nullptr) return capi::fail(ACL_ERROR_INVALID_PARAM, "no kernel to launch");
    if (call.args == nullptr && call.args_bytes != 0)
      return capi::fail(ACL_ERROR_INVALID_PARAM, "%zu argument bytes given at a null address", call.args_bytes);
    if (block_dim == 0) return capi::fail(ACL_ERROR_INVALID_PARAM, "blockDim 0: a launch needs at least one block");
    capi::StreamPtr s;
    const aclError e = capi::op_stream(static_cast<aclrtStream>(stream), &s);
    if (e != ACL_SUCCESS) return e;
    return capi::op_result(launch_on(s->stream, kernel, call, block_dim), "queueing the kernel");
  });
}

std::uint32_t refuse_launch(const char* name, const char* why) noexcept {
  return capi::guard(name != nullptr ? name : "(unnamed kernel)",
                     [&]() -> aclError { return capi::fail(ACL_ERROR_INVALID_PARAM, "%s", why); });
}

void report_launch(const char* name, std::uint32_t error) noexcept {
  if (error == ACL_SUCCESS) return;
  std::fprintf(stderr, "[ERROR] vnpu: %s<<<...>>> was not launched: %s\n", name, aclGetRecentErrMsg());
}

void check_dynamic_ub(const char* name, std::uint64_t bytes) noexcept {
  const std::uint64_t ub = vnpu::soc_profile().ub_bytes;
  if (bytes <= ub) return;
  static std::mutex mu;
  static std::set<std::string> warned;
  const std::lock_guard lock(mu);
  if (warned.insert(name).second)
    std::fprintf(stderr, "[WARNING] vnpu: %s<<<...>>>: a dynamic UB size of %llu bytes exceeds the UB (%llu bytes)\n",
                 name, static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(ub));
}

}  // namespace vnpu::ascendc
