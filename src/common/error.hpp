// Recording failures: every public entry point clears the thread's message on entry and
// returns `fail(status, fmt, ...)` on failure, which records the message.
#pragma once

#include "vnpu/status.hpp"

namespace vnpu::detail {

/// Clears the calling thread's last error message.
void clear_error() noexcept;

/// Records a printf-style message for the calling thread and returns `s`.
[[gnu::format(printf, 2, 3)]] Status fail(Status s, const char* fmt, ...) noexcept;

/// Records `message` verbatim and returns `s`.
Status fail_msg(Status s, const char* message) noexcept;

}  // namespace vnpu::detail

/// Returns from the enclosing function if `expr` yields a failure Status.
#define VNPU_TRY(expr)                                          \
  do {                                                          \
    const ::vnpu::Status vnpu_try_status_ = (expr);             \
    if (vnpu_try_status_ != ::vnpu::Status::kSuccess) return vnpu_try_status_; \
  } while (0)
