#include <cstdarg>
#include <cstdio>
#include <string>

#include "common/error.hpp"
#include "vnpu/status.hpp"

namespace vnpu {
namespace detail {
constinit thread_local ErrorSlot t_error [[gnu::tls_model("initial-exec")]] = {};
}  // namespace detail

const char* status_name(Status s) noexcept {
  switch (s) {
    case Status::kSuccess: return "kSuccess";
    case Status::kInvalidArgument: return "kInvalidArgument";
    case Status::kInvalidHandle: return "kInvalidHandle";
    case Status::kInvalidPointer: return "kInvalidPointer";
    case Status::kDoubleFree: return "kDoubleFree";
    case Status::kOutOfMemory: return "kOutOfMemory";
    case Status::kOutOfRange: return "kOutOfRange";
    case Status::kInvalidCopyKind: return "kInvalidCopyKind";
    case Status::kNotReady: return "kNotReady";
    case Status::kTimeout: return "kTimeout";
    case Status::kTaskFailed: return "kTaskFailed";
    case Status::kNotPermitted: return "kNotPermitted";
    case Status::kNotSupported: return "kNotSupported";
    case Status::kScratchOverflow: return "kScratchOverflow";
    case Status::kEventNotRecorded: return "kEventNotRecorded";
    case Status::kInternal: return "kInternal";
    case Status::kInvalidDevice: return "kInvalidDevice";
    case Status::kInvalidShape: return "kInvalidShape";
    case Status::kInvalidDtype: return "kInvalidDtype";
  }
  return "kUnknownStatus";
}

const char* last_error_message() noexcept { return detail::t_error.text; }

void check(Status s) {
  if (s == Status::kSuccess) return;
  std::string what = status_name(s);
  if (detail::t_error.text[0] != '\0') what += std::string(": ") + detail::t_error.text;
  throw Error(s, what);
}

namespace detail {

Status fail(Status s, const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(t_error.text, sizeof t_error.text, fmt, ap);
  va_end(ap);
  return s;
}

Status fail_msg(Status s, const char* message) noexcept {
  if (message != t_error.text) std::snprintf(t_error.text, sizeof t_error.text, "%s", message);
  return s;
}

}  // namespace detail
}  // namespace vnpu
