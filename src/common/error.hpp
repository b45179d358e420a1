// Recording failures: every public entry point clears the thread's message on entry and
// returns `fail(status, fmt, ...)` on failure, which records the message.
#pragma once

#include "vnpu/status.hpp"

namespace vnpu::detail {

/// The calling thread's last error message. Trivially constructible and destructible, with
/// the initial-exec TLS model, so that clearing it on every call costs one store.
struct ErrorSlot {
  static constexpr unsigned kBytes = 1024;
  char text[kBytes];
};
extern constinit thread_local ErrorSlot t_error [[gnu::tls_model("initial-exec")]];

/// Clears the calling thread's last error message.
inline void clear_error() noexcept { t_error.text[0] = '\0'; }

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
