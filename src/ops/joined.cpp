#include "ops/joined.hpp"

#include <exception>
#include <new>
#include <string>

#include "check/checker.hpp"
#include "common/error.hpp"
#include "ops/tensor_check.hpp"
#include "platform/thread.hpp"
#include "profiler/capture.hpp"
#include "runtime/memory_registry.hpp"
#include "runtime/stream_impl.hpp"

namespace vnpu::ops::detail {

Status run_joined(const Stream& s, const char* name, std::uint32_t blocks, const JoinedBlock& block,
                  const std::function<void()>& finish, std::span<const Access> accesses) {
  // "As if queued on the stream": after its earlier work. A failure of that work is kept
  // and reported after the op has run, as the synchronize following a queued op would.
  std::string kept;
  if (const Status first = s.synchronize(); first == Status::kTaskFailed) {
    kept = vnpu::last_error_message();
  } else if (first != Status::kSuccess) {
    return first;
  }
  if (!accesses.empty() && vnpu::detail::check::on())
    vnpu::detail::check::Checker::instance().on_host_access(name, __builtin_return_address(0), 0, accesses);
  if (blocks == 0) return kept.empty() ? Status::kSuccess : vnpu::detail::fail_msg(Status::kTaskFailed, kept.c_str());
  if (blocks > 1) {
    Stream stream = s;
    // The cores' blocks keep off this thread's CPU while another is free: sharing it, the
    // two halves would take twice as long.
    LaunchOptions lo;
    lo.avoid_cpu = vnpu::detail::current_cpu();
    // The kernel may refer to `block`: this function waits for it before returning.
    VNPU_TRY(stream.launch(name, blocks - 1, lo,
                           [&block](const KernelContext& ctx) { block(ctx.block_idx() + 1, &ctx); }));
  }
  enum class Outcome { kOk, kNoMemory, kThrew } outcome = Outcome::kOk;
  std::string what;
  try {
    // The profiler shows the calling thread's block as a kernel span on its own lane.
    namespace prof = vnpu::detail::prof;
    prof::ScopedSpan span;
    if (prof::begin_caller_span(span, prof::SpanKind::kKernel, name)) {
      span.record().stream = s.impl()->id();
      span.record().blocks = blocks;
    }
    block(0, nullptr);
  } catch (const std::bad_alloc&) {
    outcome = Outcome::kNoMemory;
  } catch (const std::exception& e) {
    outcome = Outcome::kThrew;
    what = e.what();
  }
  // Always wait for the cores' blocks: they may refer to the caller's state.
  const Status rest = blocks > 1 ? s.synchronize() : Status::kSuccess;
  if (outcome == Outcome::kNoMemory)
    return vnpu::detail::fail(Status::kOutOfMemory, "%s: out of memory on the calling thread", name);
  if (outcome == Outcome::kThrew)
    return vnpu::detail::fail(Status::kTaskFailed, "%s failed on the calling thread: %s", name, what.c_str());
  if (rest != Status::kSuccess) return rest;
  if (finish) finish();
  return kept.empty() ? Status::kSuccess : vnpu::detail::fail_msg(Status::kTaskFailed, kept.c_str());
}

Expected<Device> sync_device(const void* data) {
  // Asked first of the registry's cached lookup: Device::of's error message (formatted,
  // then discarded) would cost foreign memory more than the op. The process-wide devices
  // (ids below Device::count()) are never destroyed, so memory of theirs names its device
  // by id, and Device::get hands it out without a lock; only memory of a device made by
  // Device::create needs Device::of's locked lookup, which holds its owner alive.
  const auto a = vnpu::detail::MemoryRegistry::instance().find(data);
  if (!a) return Device::get(0);
  if (a->device_id >= 0 && a->device_id < Device::count()) return Device::get(a->device_id);
  Expected<Device> dev = Device::of(data);
  if (dev) return dev;
  vnpu::detail::clear_error();  // freed meanwhile: as for foreign memory
  return Device::get(0);
}

OpTag::OpTag(const char* name, const Tensor& in, const Tensor& out, std::uint64_t bytes) {
  if (profiler::active()) {
    shape_ = std::string(dtype_name(in.dtype())) + vnpu::detail::shape_string(in.shape()) + " -> " +
             vnpu::detail::shape_string(out.shape());
  }
  if (bytes == 0) {
    bytes = static_cast<std::uint64_t>(in.numel()) * dtype_size(in.dtype()) +
            static_cast<std::uint64_t>(out.numel()) * dtype_size(out.dtype());
  }
  tag_.emplace(name, shape_, bytes);
}

}  // namespace vnpu::ops::detail
