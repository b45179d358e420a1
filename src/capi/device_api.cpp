// aclInit/aclFinalize, devices and contexts.
#include <chrono>
#include <cstdio>

#include "capi/callback.hpp"
#include "capi/capi.hpp"
#include "capi/state.hpp"
#include "vnpu/acl_ext.h"
#include "vnpu/soc.hpp"
#include "vnpu/version.hpp"

using namespace vnpu::capi;

namespace {

aclError sync_device(int32_t timeout_ms) {
  VNPU_ACL_TRY(require_init());
  VNPU_ACL_TRY(check_timeout(timeout_ms, "timeout"));
  VNPU_ACL_TRY(not_in_callback());
  ContextPtr ctx;
  VNPU_ACL_TRY(current_context(&ctx));
  if (timeout_ms < 0 && would_deadlock_any())
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                "the calling thread must run pending blocking callbacks of a stream; waiting would never end");
  const vnpu::Status st = ctx->device.synchronize(std::chrono::milliseconds(timeout_ms));
  if (st == vnpu::Status::kTimeout)
    return fail(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, "device %d did not finish within %d ms (it stays usable)",
                ctx->device_id, timeout_ms);
  if (st != vnpu::Status::kSuccess) return fail_status(st, "synchronizing the device");
  return take_context_callback_failures(ctx);
}

}  // namespace

extern "C" {

aclError aclInit(const char* configPath) {
  return guard("aclInit", [&]() -> aclError {
    if (configPath != nullptr && *configPath != '\0') {
      // The configuration file of the vendor runtime (dump, profiling, logging settings)
      // has nothing vnpu needs; it must exist and be readable, as there.
      std::FILE* f = std::fopen(configPath, "rb");
      if (f == nullptr) return fail(ACL_ERROR_INVALID_PARAM, "cannot open the configuration file '%s'", configPath);
      std::fclose(f);
    }
    return initialize();
  });
}

aclError aclFinalize(void) {
  return guard("aclFinalize", [&]() -> aclError { return finalize(-1); });
}

aclError vnpuFinalizeWithTimeout(int32_t timeoutMs) {
  return guard("vnpuFinalizeWithTimeout", [&]() -> aclError { return finalize(timeoutMs); });
}

aclError aclrtGetVersion(int32_t* major, int32_t* minor, int32_t* patch) {
  return guard("aclrtGetVersion", [&]() -> aclError {
    VNPU_ACL_REQUIRE(major);
    VNPU_ACL_REQUIRE(minor);
    VNPU_ACL_REQUIRE(patch);
    *major = VNPU_VERSION_MAJOR;
    *minor = VNPU_VERSION_MINOR;
    *patch = VNPU_VERSION_PATCH;
    return ACL_SUCCESS;
  });
}

aclError aclrtSetDevice(int32_t deviceId) {
  return guard("aclrtSetDevice", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    return set_device(deviceId);
  });
}

aclError aclrtResetDevice(int32_t deviceId) {
  return guard("aclrtResetDevice", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    return reset_device(deviceId);
  });
}

aclError aclrtResetDeviceForce(int32_t deviceId) {
  return guard("aclrtResetDeviceForce", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    return reset_device_force(deviceId);
  });
}

aclError aclrtGetDevice(int32_t* deviceId) {
  return guard("aclrtGetDevice", [&]() -> aclError {
    VNPU_ACL_REQUIRE(deviceId);
    VNPU_ACL_TRY(require_init());
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    *deviceId = ctx->device_id;
    return ACL_SUCCESS;
  });
}

aclError aclrtGetDeviceCount(uint32_t* count) {
  return guard("aclrtGetDeviceCount", [&]() -> aclError {
    VNPU_ACL_REQUIRE(count);  // a query of the machine: no aclInit needed
    *count = static_cast<uint32_t>(vnpu::Device::count());
    return ACL_SUCCESS;
  });
}

aclError aclrtGetRunMode(aclrtRunMode* runMode) {
  return guard("aclrtGetRunMode", [&]() -> aclError {
    VNPU_ACL_REQUIRE(runMode);  // a query of the machine: no aclInit needed
    *runMode = ACL_HOST;
    return ACL_SUCCESS;
  });
}

aclError aclrtSynchronizeDevice(void) {
  return guard("aclrtSynchronizeDevice", [&]() -> aclError { return sync_device(-1); });
}

aclError aclrtSynchronizeDeviceWithTimeout(int32_t timeout) {
  return guard("aclrtSynchronizeDeviceWithTimeout", [&]() -> aclError { return sync_device(timeout); });
}

aclError aclrtCreateContext(aclrtContext* context, int32_t deviceId) {
  return guard("aclrtCreateContext", [&]() -> aclError {
    VNPU_ACL_REQUIRE(context);
    VNPU_ACL_TRY(require_init());
    ContextPtr ctx;
    VNPU_ACL_TRY(create_context(deviceId, false, &ctx));
    set_current_context(ctx->id);
    *context = to_handle(ctx->id);
    return ACL_SUCCESS;
  });
}

aclError aclrtDestroyContext(aclrtContext context) {
  return guard("aclrtDestroyContext", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    ContextPtr ctx;
    VNPU_ACL_TRY(find_context(context, &ctx));
    if (ctx->is_default)
      return fail(ACL_ERROR_RT_PARAM_INVALID, "context %p is the default context of device %d (use aclrtResetDevice)",
                  context, ctx->device_id);
    if (!destroy_context(ctx)) return destroyed_meanwhile(Kind::kContext, context);
    return ACL_SUCCESS;
  });
}

aclError aclrtSetCurrentContext(aclrtContext context) {
  return guard("aclrtSetCurrentContext", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    ContextPtr ctx;
    VNPU_ACL_TRY(find_context(context, &ctx));
    set_current_context(ctx->id);
    return ACL_SUCCESS;
  });
}

aclError aclrtGetCurrentContext(aclrtContext* context) {
  return guard("aclrtGetCurrentContext", [&]() -> aclError {
    VNPU_ACL_REQUIRE(context);
    VNPU_ACL_TRY(require_init());
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    *context = to_handle(ctx->id);
    return ACL_SUCCESS;
  });
}

const char* aclrtGetSocName(void) { return vnpu::soc_profile().name.data(); }

aclError aclGetDeviceCapability(uint32_t deviceId, aclDeviceInfo deviceInfo, int64_t* value) {
  return guard("aclGetDeviceCapability", [&]() -> aclError {
    VNPU_ACL_REQUIRE(value);
    if (deviceId >= static_cast<uint32_t>(vnpu::Device::count()))
      return fail(ACL_ERROR_RT_INVALID_DEVICEID, "device %u does not exist (valid ids: 0..%d)", deviceId,
                  vnpu::Device::count() - 1);
    const vnpu::SocProfile& soc = vnpu::soc_profile();
    switch (enum_value(deviceInfo)) {
      case ACL_DEVICE_INFO_AI_CORE_NUM: *value = soc.cube_cores; return ACL_SUCCESS;
      case ACL_DEVICE_INFO_VECTOR_CORE_NUM: *value = soc.vector_cores; return ACL_SUCCESS;
      case ACL_DEVICE_INFO_L2_SIZE: *value = static_cast<int64_t>(soc.l2_bytes); return ACL_SUCCESS;
      default: return fail(ACL_ERROR_INVALID_PARAM, "unknown aclDeviceInfo %d", enum_value(deviceInfo));
    }
  });
}

aclError aclrtDeviceCanAccessPeer(int32_t* canAccessPeer, int32_t deviceId, int32_t peerDeviceId) {
  return guard("aclrtDeviceCanAccessPeer", [&]() -> aclError {
    VNPU_ACL_REQUIRE(canAccessPeer);
    VNPU_ACL_TRY(require_init());
    const int count = vnpu::Device::count();
    for (int id : {deviceId, peerDeviceId})
      if (id < 0 || id >= count)
        return fail(ACL_ERROR_RT_INVALID_DEVICEID, "device %d does not exist (valid ids: 0..%d)", id, count - 1);
    if (deviceId == peerDeviceId)
      return fail(ACL_ERROR_INVALID_PARAM, "device %d given twice; peer access is between two devices", deviceId);
    *canAccessPeer = 1;  // the devices of one process share its memory
    return ACL_SUCCESS;
  });
}

aclError aclrtDeviceEnablePeerAccess(int32_t peerDeviceId, uint32_t flags) {
  return guard("aclrtDeviceEnablePeerAccess", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    if (flags != 0) return fail(ACL_ERROR_FEATURE_UNSUPPORTED, "flags 0x%x (must be 0)", flags);
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    return set_peer_access(ctx->device_id, peerDeviceId, true);
  });
}

aclError aclrtDeviceDisablePeerAccess(int32_t peerDeviceId) {
  return guard("aclrtDeviceDisablePeerAccess", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    ContextPtr ctx;
    VNPU_ACL_TRY(current_context(&ctx));
    return set_peer_access(ctx->device_id, peerDeviceId, false);
  });
}

}  // extern "C"
