// Fiber lanes: how a compute core runs its share of a cooperative launch that has more
// blocks than the device has cores (see LaunchOptions::cooperative).
#pragma once

#include <cstdint>

#include "runtime/engine_pool.hpp"
#include "runtime/task.hpp"

namespace vnpu::detail {

class StreamImpl;

/// Runs blocks lane, lane + L, lane + 2L, ... of `task` (L = task.sync->lanes) as fibers on
/// the calling core, each with its own stack, scratch arena and DMA queue, until all have
/// returned: a fiber that waits at a barrier suspends and the next one runs; when every
/// fiber of the lane waits, the core spins, then parks, until another lane's blocks make
/// progress.
void run_fiber_lane(StreamImpl& stream, Task& task, std::uint32_t lane, const Worker& self) noexcept;

/// The blocks' thread-local identity (vnpu::current_kernel_context()).
void set_current_kernel_context(const KernelContext* ctx) noexcept;

}  // namespace vnpu::detail
