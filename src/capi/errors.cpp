// Error codes and the per-thread recent error message of the C API.
#include <cstdarg>
#include <cstdio>

#include "capi/capi.hpp"

namespace vnpu::capi {

namespace {

struct ErrorState {
  const char* api = "acl";
  bool has_message = false;
  aclError last = ACL_SUCCESS;  // for aclrtGetLastError / aclrtPeekAtLastError
  char message[1024] = {};
};
constinit thread_local ErrorState t_state;

}  // namespace

const char* current_api() noexcept { return t_state.api; }

namespace detail {

const char* enter_api(const char* name) noexcept {
  const char* previous = t_state.api;
  t_state.api = name;
  return previous;
}

aclError unexpected_exception(const char* what) noexcept {
  return fail(ACL_ERROR_INTERNAL_ERROR, "unexpected exception: %s", what);
}

}  // namespace detail

const char* code_name(aclError code) noexcept {
  switch (code) {
    case ACL_SUCCESS: return "ACL_SUCCESS";
    case ACL_ERROR_INVALID_PARAM: return "ACL_ERROR_INVALID_PARAM";
    case ACL_ERROR_UNINITIALIZE: return "ACL_ERROR_UNINITIALIZE";
    case ACL_ERROR_REPEAT_INITIALIZE: return "ACL_ERROR_REPEAT_INITIALIZE";
    case ACL_ERROR_REPEAT_FINALIZE: return "ACL_ERROR_REPEAT_FINALIZE";
    case ACL_ERROR_BAD_ALLOC: return "ACL_ERROR_BAD_ALLOC";
    case ACL_ERROR_API_NOT_SUPPORT: return "ACL_ERROR_API_NOT_SUPPORT";
    case ACL_ERROR_INVALID_DEVICE: return "ACL_ERROR_INVALID_DEVICE";
    case ACL_ERROR_INVALID_RESOURCE_HANDLE: return "ACL_ERROR_INVALID_RESOURCE_HANDLE";
    case ACL_ERROR_FEATURE_UNSUPPORTED: return "ACL_ERROR_FEATURE_UNSUPPORTED";
    case ACL_ERROR_INTERNAL_ERROR: return "ACL_ERROR_INTERNAL_ERROR";
    case ACL_ERROR_FAILURE: return "ACL_ERROR_FAILURE";
    case ACL_ERROR_RT_PARAM_INVALID: return "ACL_ERROR_RT_PARAM_INVALID";
    case ACL_ERROR_RT_INVALID_DEVICEID: return "ACL_ERROR_RT_INVALID_DEVICEID";
    case ACL_ERROR_RT_CONTEXT_NULL: return "ACL_ERROR_RT_CONTEXT_NULL";
    case ACL_ERROR_RT_STREAM_CONTEXT: return "ACL_ERROR_RT_STREAM_CONTEXT";
    case ACL_ERROR_RT_THREAD_SUBSCRIBE: return "ACL_ERROR_RT_THREAD_SUBSCRIBE";
    case ACL_ERROR_RT_STREAM_NO_CB_REG: return "ACL_ERROR_RT_STREAM_NO_CB_REG";
    case ACL_ERROR_RT_INVALID_HANDLE: return "ACL_ERROR_RT_INVALID_HANDLE";
    case ACL_ERROR_RT_FEATURE_NOT_SUPPORT: return "ACL_ERROR_RT_FEATURE_NOT_SUPPORT";
    case ACL_ERROR_RT_MEMORY_ALLOCATION: return "ACL_ERROR_RT_MEMORY_ALLOCATION";
    case ACL_ERROR_RT_MEMORY_FREE: return "ACL_ERROR_RT_MEMORY_FREE";
    case ACL_ERROR_RT_INTERNAL_ERROR: return "ACL_ERROR_RT_INTERNAL_ERROR";
    case ACL_ERROR_RT_STREAM_NOT_COMPLETE: return "ACL_ERROR_RT_STREAM_NOT_COMPLETE";
    case ACL_ERROR_RT_EVENT_NOT_COMPLETE: return "ACL_ERROR_RT_EVENT_NOT_COMPLETE";
    case ACL_ERROR_RT_REPORT_TIMEOUT: return "ACL_ERROR_RT_REPORT_TIMEOUT";
    case ACL_ERROR_RT_AICORE_EXCEPTION: return "ACL_ERROR_RT_AICORE_EXCEPTION";
    case ACL_ERROR_RT_STREAM_SYNC_TIMEOUT: return "ACL_ERROR_RT_STREAM_SYNC_TIMEOUT";
    case ACL_ERROR_RT_EVENT_SYNC_TIMEOUT: return "ACL_ERROR_RT_EVENT_SYNC_TIMEOUT";
    default: return "ACL_ERROR_UNKNOWN";
  }
}

aclError fail(aclError code, const char* fmt, ...) noexcept {
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  std::snprintf(t_state.message, sizeof t_state.message, "%s: %s (%s %d)", t_state.api, text, code_name(code), code);
  t_state.has_message = true;
  t_state.last = code;
  return code;
}

aclError to_acl(vnpu::Status status, Site site) noexcept {
  using vnpu::Status;
  switch (status) {
    case Status::kSuccess: return ACL_SUCCESS;
    case Status::kInvalidArgument:
    case Status::kInvalidShape:
    case Status::kInvalidDtype: return ACL_ERROR_INVALID_PARAM;
    case Status::kInvalidHandle: return ACL_ERROR_RT_INVALID_HANDLE;
    case Status::kInvalidPointer: return site == Site::kFree ? ACL_ERROR_RT_MEMORY_FREE : ACL_ERROR_RT_PARAM_INVALID;
    case Status::kDoubleFree: return ACL_ERROR_RT_MEMORY_FREE;
    case Status::kOutOfMemory: return ACL_ERROR_RT_MEMORY_ALLOCATION;
    case Status::kOutOfRange:
    case Status::kInvalidCopyKind:
    case Status::kEventNotRecorded: return ACL_ERROR_RT_PARAM_INVALID;
    case Status::kNotReady: return site == Site::kEvent ? ACL_ERROR_RT_EVENT_NOT_COMPLETE : ACL_ERROR_RT_STREAM_NOT_COMPLETE;
    case Status::kTimeout: return site == Site::kEvent ? ACL_ERROR_RT_EVENT_SYNC_TIMEOUT : ACL_ERROR_RT_STREAM_SYNC_TIMEOUT;
    case Status::kTaskFailed:
    case Status::kScratchOverflow: return ACL_ERROR_RT_AICORE_EXCEPTION;
    case Status::kNotPermitted:
    case Status::kNotSupported: return ACL_ERROR_RT_FEATURE_NOT_SUPPORT;
    case Status::kInvalidDevice: return ACL_ERROR_RT_INVALID_DEVICEID;
    case Status::kInternal: return ACL_ERROR_RT_INTERNAL_ERROR;
  }
  return ACL_ERROR_RT_INTERNAL_ERROR;
}

aclError fail_status(vnpu::Status status, const char* what, Site site) noexcept {
  const char* detail = vnpu::last_error_message();
  return fail(to_acl(status, site), "%s failed: %s%s%s", what, vnpu::status_name(status), *detail != '\0' ? ": " : "",
              detail);
}

}  // namespace vnpu::capi

extern "C" {

const char* aclGetRecentErrMsg(void) {
  return vnpu::capi::t_state.has_message ? vnpu::capi::t_state.message : nullptr;
}

aclError aclrtGetLastError(aclrtLastErrLevel level) {
  if (vnpu::capi::enum_value(level) != ACL_RT_THREAD_LEVEL) return ACL_ERROR_INVALID_PARAM;
  const aclError last = vnpu::capi::t_state.last;
  vnpu::capi::t_state.last = ACL_SUCCESS;
  return last;
}

aclError aclrtPeekAtLastError(aclrtLastErrLevel level) {
  if (vnpu::capi::enum_value(level) != ACL_RT_THREAD_LEVEL) return ACL_ERROR_INVALID_PARAM;
  return vnpu::capi::t_state.last;
}

}  // extern "C"
