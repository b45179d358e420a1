// Launching Ascend C kernels: every block gets a LaunchBlock (its BlockState and unified
// buffer), attached to its KernelContext as layer data.
#pragma once

#include <atomic>
#include <cstdint>

#include "kernel_operator.h"
#include "vnpu/stream.hpp"

namespace vnpu::ascendc {

struct LaunchBlock {
  static constexpr std::uint32_t kMagic = 0x41534343;  // "ASCC": tells it from other layers' data
  std::uint32_t magic = kMagic;
  BlockState state;
};

/// The launch's flag-polling state (BlockState::polling).
struct Polling {
  std::atomic<std::uint32_t> waiting{0};  ///< blocks inside a poll
  std::atomic<bool> deadlock_reported{false};  ///< checked mode: the launch's deadlock finding is made
  std::atomic<std::uint64_t> writes{0};   ///< flag writes so far
};

/// Queues kernel `name` (its blocks run `call`; its argument bytes are copied into the
/// stream task, `name` must outlive the launch) over `block_dim` blocks on `stream`, with
/// the tiling key set for the next launches: a cooperative launch (every block resident,
/// SyncAll allowed) from 2 blocks up to the SoC profile's core count. Allocates nothing
/// for arguments up to 80 bytes.
vnpu::Status launch_on(vnpu::Stream& stream, const char* name, const KernelCall& call, std::uint32_t block_dim);

/// The id of the launch the calling block belongs to (0 outside one).
std::uint64_t current_launch_id() noexcept;

}  // namespace vnpu::ascendc
