// Writing the VNPU_PROFILE trace of a process that crashes (crash.cpp).
#pragma once

namespace vnpu::detail::prof {

/// Installs handlers of SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT and std::terminate that
/// write the trace of the session VNPU_PROFILE started (if it still records) before the
/// process dies, then hand the signal to the previous handler or default action. Once per
/// process; called when VNPU_PROFILE starts its session.
void install_crash_handlers() noexcept;

}  // namespace vnpu::detail::prof
