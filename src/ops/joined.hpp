// Synchronous operators with the calling thread taking part.
//
// A synchronous op (`ops::reduce(...)` without a stream, and the like) must behave as if
// queued on the default stream and waited for. Queueing all blocks and parking the
// caller costs a wake-up on the critical path (tens of microseconds on a virtual machine);
// run_joined instead runs block 0 on the calling thread while blocks 1..B-1 run on the
// device's compute cores, so the caller is busy for as long as the cores are.
#pragma once

#include <cstdint>
#include <functional>

#include <optional>
#include <span>
#include <string>

#include "vnpu/check.hpp"
#include "vnpu/device.hpp"
#include "vnpu/kernel.hpp"
#include "vnpu/profiler.hpp"
#include "vnpu/status.hpp"
#include "vnpu/stream.hpp"
#include "vnpu/tensor.hpp"

namespace vnpu::ops::detail {

/// block(b, ctx) computes block b of a one-phase kernel (no barriers). ctx is the kernel
/// context for blocks on compute cores (its block_idx() is b - 1: use b) and null for
/// block 0, which runs on the calling thread.
using JoinedBlock = std::function<void(std::uint32_t b, const KernelContext* ctx)>;

/// Waits for the work already on `s`, then runs blocks [0, blocks) as described above and
/// returns when all are done. Errors: an earlier unreported failure on `s` (kTaskFailed
/// with its message, reported after the blocks have run, as a queued op's synchronize
/// would report it), a failing block (kTaskFailed, or kOutOfMemory for an allocation failure on the calling
/// thread), launch errors. From inside a kernel or callback: kNotPermitted, as for
/// Stream::synchronize().
/// `finish`, if given, runs on the calling thread once every block has succeeded (a
/// reduction's global combine).
/// `accesses`: in checked mode, the calling thread's own once the earlier work is done.
Status run_joined(const Stream& s, const char* name, std::uint32_t blocks, const JoinedBlock& block,
                  const std::function<void()>& finish = {}, std::span<const Access> accesses = {});

/// The device whose default stream a synchronous op uses: the one that allocated `data`,
/// else device 0 (memory vnpu did not allocate).
Expected<Device> sync_device(const void* data);

/// The profiler's tag of one operator call (profiler::ScopedOpTag), for its per-op table:
/// the name, "dtype[shape] -> [shape]" while the profiler records, and the bytes moved
/// (`in` read and `out` written once, unless `bytes` is given).
class OpTag {
 public:
  OpTag(const char* name, const Tensor& in, const Tensor& out, std::uint64_t bytes = 0);

 private:
  std::string shape_;
  std::optional<profiler::ScopedOpTag> tag_;
};

}  // namespace vnpu::ops::detail
