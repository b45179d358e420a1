// Public Stream methods: argument checks, then a task for the stream.
#include <algorithm>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <vector>

#include "check/checker.hpp"
#include "common/error.hpp"
#include "profiler/capture.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/event_impl.hpp"
#include "runtime/memory_registry.hpp"
#include "runtime/stream_impl.hpp"
#include "vnpu/stream.hpp"

namespace vnpu {

using detail::fail;
using detail::Task;
using detail::TaskKind;

namespace {

constexpr std::size_t kCopyChunk = std::size_t{1} << 20;  // split copies across engines above this

// Parts a copy of `bytes` is split into: one per copy engine for large copies.
std::uint32_t copy_parts(detail::DeviceImpl* d, std::size_t bytes) {
  const int engines = d->copy_engines();
  if (engines <= 1 || bytes < 2 * kCopyChunk) return 1;
  return static_cast<std::uint32_t>(std::min<std::size_t>(static_cast<std::size_t>(engines), bytes / kCopyChunk));
}

// Whether [a, a + a_bytes) and [b, b + b_bytes) share a byte.
bool ranges_overlap(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
  const auto x = reinterpret_cast<std::uintptr_t>(a);
  const auto y = reinterpret_cast<std::uintptr_t>(b);
  return x < y + b_bytes && y < x + a_bytes;
}

// Checked mode: the task about to be submitted to `s` and the bytes it touches.
// `caller`: the public method's return address (__builtin_return_address(0) there).
void check_task(const Stream& s, const char* api, void* caller, const char* label, std::string_view name,
                std::size_t bytes, std::span<const Access> accesses, detail::check::TaskPlace* place = nullptr) {
  detail::check::Checker::instance().on_task(s.impl(), s.id(), s.device_id(), api, caller, label, name, bytes,
                                              accesses, place);
}

}  // namespace

std::uint64_t Stream::id() const noexcept { return impl() != nullptr ? impl()->id() : 0; }
int Stream::priority() const noexcept { return impl() != nullptr ? impl()->priority() : kPriorityNormal; }
int Stream::device_id() const noexcept { return impl() != nullptr ? impl()->device()->id() : -1; }
std::uint64_t Stream::submitted() const noexcept { return impl() != nullptr ? impl()->submitted() : 0; }
std::uint64_t Stream::completed() const noexcept { return impl() != nullptr ? impl()->completed() : 0; }

Status Stream::launch_erased(std::string_view name, std::uint32_t block_dim, const LaunchOptions& options,
                             detail::KernelFn&& fn) {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::launch: empty stream handle");
  if (block_dim == 0) return fail(Status::kInvalidArgument, "Stream::launch('%.*s'): block_dim is 0",
                                  static_cast<int>(name.size()), name.data());
  if (!fn) return fail(Status::kInvalidArgument, "Stream::launch: empty kernel");
  std::unique_ptr<detail::LaunchSync> sync;
  std::uint32_t parts = block_dim;
  if (options.cooperative) {
    detail::DeviceImpl* dev = impl()->device();
    const auto cores = static_cast<std::uint32_t>(dev->info().compute_cores);
    if (block_dim > LaunchOptions::kMaxResidentBlocks)
      return fail(Status::kNotSupported,
                  "Stream::launch('%.*s'): a cooperative launch keeps all its blocks resident, at most %u; block_dim "
                  "is %u",
                  static_cast<int>(name.size()), name.data(), LaunchOptions::kMaxResidentBlocks, block_dim);
    // More blocks than cores: the cores run them as fibers (one lane per core).
    const std::uint32_t lanes = block_dim > cores ? cores : 0;
    if (lanes != 0) parts = lanes;
    try {
      sync = std::make_unique<detail::LaunchSync>(block_dim, options.group_size, dev->spin_ns(), lanes);
    } catch (const std::bad_alloc&) {
      return fail(Status::kOutOfMemory, "Stream::launch: no memory for the launch's barriers");
    }
  }
  const std::uint32_t op_tag = detail::prof::on() ? detail::prof::current_op_tag() : 0;
  // Checked mode: the task keeps its site, where what its blocks note as they run
  // (checker::note_access) is checked.
  std::unique_ptr<std::shared_ptr<const detail::check::Site>> site;
  if (detail::check::on()) {
    detail::check::TaskPlace place;
    check_task(*this, "Stream::launch", __builtin_return_address(0), "kernel", name, 0, options.accesses, &place);
    site = std::make_unique<std::shared_ptr<const detail::check::Site>>(std::move(place.site));
  }
  return impl()->submit([&](Task& t) {
    t.kind = TaskKind::kKernel;
    t.parts = parts;
    t.op_tag = op_tag;
    t.avoid_cpu = options.avoid_cpu;
    t.set_name(name);
    t.kernel = std::move(fn);
    t.sync = std::move(sync);
    if (site != nullptr) {
      t.src = site.release();
      t.checked = true;
    }
  });
}

Status Stream::host_func_erased(std::string_view name, detail::KernelFn&& fn, CallbackMode mode) {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::host_func: empty stream handle");
  if (mode != CallbackMode::kBlocking && mode != CallbackMode::kNonBlocking)
    return fail(Status::kInvalidArgument, "Stream::host_func: unknown callback mode %d", static_cast<int>(mode));
  if (!fn) return fail(Status::kInvalidArgument, "Stream::host_func: empty function");
  if (detail::check::on()) {
    // What the function does (frees, submissions, waits) happens at its place in the stream.
    detail::check::TaskPlace place;
    check_task(*this, "Stream::host_func", __builtin_return_address(0), "host function", name, 0, {}, &place);
    fn = detail::KernelFn([place = std::move(place), f = std::move(fn)](const KernelContext& k) {
      const detail::check::Checker::ScopedContext at(place);
      return f(k);
    });
  }
  return impl()->submit([&](Task& t) {
    t.kind = TaskKind::kHostFunc;
    t.mode = mode;
    t.set_name(name);
    t.kernel = std::move(fn);
  });
}

Status Stream::memcpy_async(void* dst, std::size_t dst_max, const void* src, std::size_t count, CopyKind kind) {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::memcpy_async: empty stream handle");
  if (count == 0) return Status::kSuccess;
  CopyKind resolved{};
  MemoryType src_type{};
  VNPU_TRY(detail::check_copy(dst, dst_max, src, count, kind, "Stream::memcpy_async", &resolved, &src_type));
  std::unique_ptr<unsigned char[]> staging;
  if (src_type == MemoryType::kPageable) {
    // Pageable source: consume it now so the caller may reuse it at once.
    staging.reset(new (std::nothrow) unsigned char[count]);
    if (!staging) return fail(Status::kOutOfMemory, "Stream::memcpy_async: no memory to stage %zu bytes", count);
    std::memcpy(staging.get(), src, count);
  }
  // The parts of a split copy run on different engines at once, in no set order, so where
  // source and destination overlap a part could overwrite bytes another part has yet to
  // read. Such a copy stays one part: one memmove. (A staged source never overlaps.)
  const bool overlapping = !staging && ranges_overlap(dst, count, src, count);
  if (detail::check::on()) {
    const Access acc[] = {{src, count, AccessMode::kRead}, {dst, count, AccessMode::kWrite}};
    check_task(*this, "Stream::memcpy_async", __builtin_return_address(0), detail::copy_name(resolved), {}, count, acc);
  }
  return impl()->submit([&](Task& t) {
    t.kind = TaskKind::kCopy;
    t.dst = dst;
    t.src = src;
    t.bytes = count;
    t.staging = std::move(staging);
    t.parts = overlapping ? 1 : copy_parts(impl()->device(), count);
    t.set_name(detail::copy_name(resolved));
  });
}

Status Stream::memcpy_2d_async(void* dst, std::size_t dpitch, const void* src, std::size_t spitch, std::size_t width,
                               std::size_t height, CopyKind kind) {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::memcpy_2d_async: empty stream handle");
  if (width == 0 || height == 0) return Status::kSuccess;
  CopyKind resolved{};
  MemoryType src_type{};
  VNPU_TRY(detail::check_copy_2d(dst, dpitch, src, spitch, width, height, kind, "Stream::memcpy_2d_async", &resolved,
                                 &src_type));
  std::unique_ptr<unsigned char[]> staging;
  std::size_t src_pitch = spitch;
  if (src_type == MemoryType::kPageable) {
    // Pageable source: its rows are consumed now, packed, so the caller may reuse it at once.
    staging.reset(new (std::nothrow) unsigned char[width * height]);
    if (!staging)
      return fail(Status::kOutOfMemory, "Stream::memcpy_2d_async: no memory to stage %zu bytes", width * height);
    detail::copy_rows(staging.get(), width, src, spitch, width, 0, height);
    src_pitch = width;
  }
  // As for memcpy_async: parts run at once in no set order, so where the regions' extents
  // overlap the rows stay one part, copied in order.
  const bool overlapping = !staging && ranges_overlap(dst, (height - 1) * dpitch + width, src,
                                                      (height - 1) * spitch + width);
  const std::uint32_t parts = overlapping ? 1 : copy_parts(impl()->device(), width * height);
  if (detail::check::on()) {
    // Row by row (the pitch's gaps are not touched); very tall copies by their extents.
    std::vector<Access> acc;
    if (height <= 4096) {
      for (std::size_t r = 0; r < height; ++r) {
        acc.push_back({static_cast<const unsigned char*>(src) + r * spitch, width, AccessMode::kRead});
        acc.push_back({static_cast<unsigned char*>(dst) + r * dpitch, width, AccessMode::kWrite});
      }
    } else {
      acc.push_back({src, (height - 1) * spitch + width, AccessMode::kRead});
      acc.push_back({dst, (height - 1) * dpitch + width, AccessMode::kWrite});
    }
    check_task(*this, "Stream::memcpy_2d_async", __builtin_return_address(0), detail::copy_name(resolved), {},
               width * height, acc);
  }
  return impl()->submit([&](Task& t) {
    t.kind = TaskKind::kCopy;
    t.dst = dst;
    t.src = src;
    t.bytes = width;
    t.rows = height;
    t.dpitch = dpitch;
    t.spitch = src_pitch;
    t.staging = std::move(staging);
    t.parts = static_cast<std::uint32_t>(std::min<std::size_t>(parts, height));
    t.set_name(detail::copy_name(resolved));
  });
}

Status Stream::memset_async(void* dst, std::size_t max_count, int value, std::size_t count) {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::memset_async: empty stream handle");
  if (count == 0) return Status::kSuccess;
  VNPU_TRY(detail::check_memset(dst, max_count, count, "Stream::memset_async"));
  if (detail::check::on()) {
    const Access acc[] = {{dst, count, AccessMode::kWrite}};
    check_task(*this, "Stream::memset_async", __builtin_return_address(0), "memset", {}, count, acc);
  }
  return impl()->submit([&](Task& t) {
    t.kind = TaskKind::kMemset;
    t.dst = dst;
    t.bytes = count;
    t.value = value;
    t.parts = copy_parts(impl()->device(), count);
    t.set_name("memset");
  });
}

Status Stream::record(const Event& event) {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::record: empty stream handle");
  if (!event) return fail(Status::kInvalidHandle, "Stream::record: empty event handle");
  detail::EventImpl* e = event.impl();
  auto* p = new (std::nothrow) detail::EventPoint(e->timing(), impl()->device()->spin_ns());
  if (p == nullptr) return fail(Status::kOutOfMemory, "Stream::record: out of memory");
  auto point = detail::Ref<detail::EventPoint>::adopt(p);
  if (detail::check::on())
    detail::check::Checker::instance().on_record(impl(), id(), device_id(), e, "Stream::record",
                                                 __builtin_return_address(0));
  e->set_latest(point);
  return impl()->submit([&](Task& t) {
    t.kind = TaskKind::kEventRecord;
    t.set_name("event_record");
    t.point = std::move(point);
  });
}

Status Stream::wait(const Event& event) {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::wait: empty stream handle");
  if (!event) return fail(Status::kInvalidHandle, "Stream::wait: empty event handle");
  if (detail::check::on())
    detail::check::Checker::instance().on_wait(impl(), id(), device_id(), event.impl(), "Stream::wait",
                                               __builtin_return_address(0));
  auto point = event.impl()->latest();
  if (!point || point->is_done()) return Status::kSuccess;  // nothing to wait for
  return impl()->submit([&](Task& t) {
    t.kind = TaskKind::kEventWait;
    t.set_name("event_wait");
    t.point = std::move(point);
  });
}

Status Stream::set_failure_mode(FailureMode mode) {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::set_failure_mode: empty stream handle");
  if (mode != FailureMode::kContinue && mode != FailureMode::kStop)
    return fail(Status::kInvalidArgument, "Stream::set_failure_mode: unknown mode %d", static_cast<int>(mode));
  impl()->set_stop_on_failure(mode == FailureMode::kStop);
  return Status::kSuccess;
}

Status Stream::discard_pending() {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::discard_pending: empty stream handle");
  impl()->discard_pending();
  return Status::kSuccess;
}

Status Stream::query() const {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::query: empty stream handle");
  if (!detail::check::on()) return impl()->query();
  // Checked: a query that finds the stream done orders the caller after its work, as a
  // synchronize does.
  detail::check::Checker& checker = detail::check::Checker::instance();
  return checker.waited(checker.stream_clock(impl()), [&] { return impl()->query(); });
}

Status Stream::synchronize() const { return synchronize(std::chrono::nanoseconds(-1)); }

Status Stream::synchronize(std::chrono::nanoseconds timeout) const {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Stream::synchronize: empty stream handle");
  if (!detail::check::on()) return impl()->synchronize(timeout.count());
  detail::check::Checker& checker = detail::check::Checker::instance();
  if (detail::on_runtime_thread()) checker.on_refused_wait("Stream::synchronize", __builtin_return_address(0));
  // Checked: the calling thread now follows everything submitted to the stream before.
  return checker.waited(checker.stream_clock(impl()), [&] { return impl()->synchronize(timeout.count()); });
}

}  // namespace vnpu
