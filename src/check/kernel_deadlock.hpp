// Checked mode: deadlocks inside a kernel launch — barriers some blocks can never pass,
// flags in global memory nobody is left to set. The runtime fails such a launch instead
// of hanging; in checked mode the failure is also a finding of kind kDeadlock.
#pragma once

#include <string>

namespace vnpu::detail::check {

/// Called by a block of the running launch that finds the launch deadlocked: `what` says
/// which blocks wait for what, and which finished without providing it. In checked mode,
/// records a kDeadlock finding at the launch's place (the kernel and its submission);
/// otherwise, or outside a checked launch, does nothing.
void report_kernel_deadlock(const std::string& what) noexcept;

}  // namespace vnpu::detail::check
