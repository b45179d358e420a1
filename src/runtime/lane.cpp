// vnpu::Lane: a HostExecutor of its own per lane, fed by kLane stream tasks.
#include "vnpu/lane.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>

#include "check/checker.hpp"
#include "common/error.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/host_executor.hpp"
#include "runtime/stream_impl.hpp"
#include "runtime/thread_role.hpp"

namespace vnpu::detail {

class LaneImpl {
 public:
  LaneImpl(Device device, std::string name, std::uint32_t index)
      : device_(std::move(device)),
        index_(index),
        exec_(std::move(name), device_.impl()->spin_ns(),
              HostExecutor::Identity{profiler::LaneKind::kCommLane, profiler::SpanKind::kCollective, index, "-lane"}) {}
  ~LaneImpl() {
    drain();
    exec_.stop();
  }
  LaneImpl(const LaneImpl&) = delete;
  LaneImpl& operator=(const LaneImpl&) = delete;

  bool start() { return exec_.start(); }
  const Device& device() const noexcept { return device_; }
  std::uint32_t index() const noexcept { return index_; }
  HostExecutor* executor() noexcept { return &exec_; }

  void task_submitted() {
    std::lock_guard lock(mu_);
    ++pending_;
  }
  void task_done() {
    std::lock_guard lock(mu_);
    if (--pending_ == 0) idle_.notify_all();
  }
  void drain() {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [&] { return pending_ == 0; });
  }

 private:
  const Device device_;
  const std::uint32_t index_;
  HostExecutor exec_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::uint64_t pending_ = 0;  // guarded by mu_
};

namespace {

// Lane numbers are process-wide, so two devices' lanes never share a profiler name.
std::atomic<std::uint32_t> g_next_lane{0};

// Runs the lane task's function and counts it done, also when it is skipped (a stream in
// stop-on-failure mode completes tasks without running them: the closure is destroyed).
// Holds the lane by a plain pointer: the lane's last handle drains before the lane goes,
// and a strong reference dropped here could end the lane on its own thread.
struct LaneTask {
  LaneImpl* lane;
  KernelFn fn;
  LaneTask(LaneImpl* l, KernelFn&& f) : lane(l), fn(std::move(f)) {}
  LaneTask(LaneTask&& o) noexcept : lane(std::exchange(o.lane, nullptr)), fn(std::move(o.fn)) {}
  LaneTask& operator=(LaneTask&&) = delete;
  ~LaneTask() {
      if (lane != nullptr) lane->task_done();
  }
  Status operator()(const KernelContext& k) const { return fn(k); }
};

}  // namespace

}  // namespace vnpu::detail

namespace vnpu {

using detail::fail;

Expected<Lane> Lane::create(const Device& device, std::string_view name) {
  detail::clear_error();
  if (!device) return fail(Status::kInvalidHandle, "Lane::create: empty device handle");
  Lane lane;
  try {
    lane.impl_ = std::make_shared<detail::LaneImpl>(device, std::string(name.substr(0, 15)),
                                                    detail::g_next_lane.fetch_add(1, std::memory_order_relaxed));
  } catch (const std::bad_alloc&) {
    return fail(Status::kOutOfMemory, "Lane::create: out of memory");
  }
  if (!lane.impl_->start()) return Status::kInternal;  // start() recorded the message
  return lane;
}

std::uint32_t Lane::index() const noexcept { return impl_ != nullptr ? impl_->index() : 0; }

Status Lane::drain() const {
  detail::clear_error();
  if (impl_ == nullptr) return fail(Status::kInvalidHandle, "Lane::drain: empty lane handle");
  if (detail::on_runtime_thread())
    return fail(Status::kNotPermitted, "Lane::drain from inside a kernel, host callback or lane task would deadlock");
  impl_->drain();
  return Status::kSuccess;
}

Status Lane::submit_erased(Stream& stream, std::string_view name, std::uint64_t bytes, detail::KernelFn&& fn,
                           std::span<const Access> accesses) {
  detail::clear_error();
  if (impl_ == nullptr) return fail(Status::kInvalidHandle, "Lane::submit: empty lane handle");
  if (!stream) return fail(Status::kInvalidHandle, "Lane::submit: empty stream handle");
  if (stream.device_id() != impl_->device().impl()->id())
    return fail(Status::kInvalidArgument, "Lane::submit: the stream belongs to device %d, the lane to device %d",
                stream.device_id(), impl_->device().impl()->id());
  if (!fn) return fail(Status::kInvalidArgument, "Lane::submit: empty function");
  if (detail::check::on()) {
    detail::check::TaskPlace place;
    detail::check::Checker::instance().on_task(stream.impl(), stream.id(), stream.device_id(), "Lane::submit",
                                               __builtin_return_address(0), "collective", name, bytes, accesses,
                                               &place);
    fn = detail::KernelFn([place = std::move(place), f = std::move(fn)](const KernelContext& k) {
      const detail::check::Checker::ScopedContext at(place);
      return f(k);
    });
  }
  impl_->task_submitted();
  detail::KernelFn counted;
  try {
    counted = detail::KernelFn(detail::LaneTask(impl_.get(), std::move(fn)));
  } catch (const std::bad_alloc&) {
    impl_->task_done();
    return fail(Status::kOutOfMemory, "Lane::submit: out of memory");
  }
  detail::HostExecutor* exec = impl_->executor();
  return stream.impl()->submit([&](detail::Task& t) {
    t.kind = detail::TaskKind::kLane;
    t.set_name(name);
    t.bytes = static_cast<std::size_t>(bytes);
    t.dst = exec;
    t.kernel = std::move(counted);
  });
}

}  // namespace vnpu
