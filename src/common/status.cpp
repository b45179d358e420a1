#include <cstdarg>
#include <cstdio>
#include <string>

#include "common/error.hpp"
#include "vnpu/status.hpp"

namespace vnpu {
namespace {
thread_local std::string t_message;
}  // namespace

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
  }
  return "kUnknownStatus";
}

const char* last_error_message() noexcept { return t_message.c_str(); }

void check(Status s) {
  if (s == Status::kSuccess) return;
  std::string what = status_name(s);
  if (!t_message.empty()) what += ": " + t_message;
  throw Error(s, what);
}

namespace detail {

void clear_error() noexcept { t_message.clear(); }

Status fail(Status s, const char* fmt, ...) noexcept {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return fail_msg(s, buf);
}

Status fail_msg(Status s, const char* message) noexcept {
  try {
    t_message = message;
  } catch (...) {
    // Out of memory while recording the message: the status still tells the story.
  }
  return s;
}

}  // namespace detail
}  // namespace vnpu
