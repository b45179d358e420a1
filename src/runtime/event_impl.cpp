#include "runtime/event_impl.hpp"

#include "check/checker.hpp"
#include "common/error.hpp"
#include "platform/clock.hpp"
#include "profiler/capture.hpp"
#include "runtime/stream_impl.hpp"
#include "runtime/thread_role.hpp"
#include "vnpu/event.hpp"

namespace vnpu {
namespace detail {

void EventPoint::complete() {
  if (timing) time_ns = now_ns();
  std::vector<StreamImpl*> resume;
  {
    std::lock_guard lock(mu_);
    done.store(true, std::memory_order_release);
    resume.swap(waiters_);
  }
  if (ec.notify_all()) SpinGovernor::instance().thread_woken(now_ns());
  for (StreamImpl* s : resume) s->resume();
}

bool EventPoint::add_waiter(StreamImpl* s) {
  std::lock_guard lock(mu_);
  if (done.load(std::memory_order_relaxed)) return false;
  waiters_.push_back(s);
  return true;
}

}  // namespace detail

using detail::fail;

Expected<Event> Event::create(std::uint32_t flags) {
  detail::clear_error();
  if ((flags & ~static_cast<std::uint32_t>(kEventDisableTiming | kEventBlockingSync)) != 0)
    return fail(Status::kInvalidArgument, "Event::create: unknown flag bits 0x%x", flags);
  auto* impl = new (std::nothrow) detail::EventImpl(flags);
  if (impl == nullptr) return fail(Status::kOutOfMemory, "Event::create: out of memory");
  if (detail::check::on()) detail::check::Checker::instance().on_event_created(impl);  // may reuse an address
  return Event(impl);
}


std::uint32_t Event::flags() const noexcept { return impl() != nullptr ? impl()->flags() : 0; }

Status Event::query() const {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Event::query: empty event handle");
  const auto p = impl()->latest();
  const bool done = !p || p->is_done();
  if (done && detail::check::on()) detail::check::Checker::instance().on_event_waited(impl());
  return done ? Status::kSuccess : Status::kNotReady;
}

Status Event::synchronize() const { return synchronize(std::chrono::nanoseconds(-1)); }

Status Event::synchronize(std::chrono::nanoseconds timeout) const {
  detail::clear_error();
  if (impl() == nullptr) return fail(Status::kInvalidHandle, "Event::synchronize: empty event handle");
  if (detail::on_runtime_thread()) {
    if (detail::check::on())
      detail::check::Checker::instance().on_refused_wait("Event::synchronize", __builtin_return_address(0));
    return fail(Status::kNotPermitted, "Event::synchronize from inside a kernel or host callback would deadlock");
  }
  const auto p = impl()->latest();
  if (!p) {
    if (detail::check::on())
      detail::check::Checker::instance().on_event_waited(impl(), "Event::synchronize", __builtin_return_address(0));
    return Status::kSuccess;
  }
  const detail::prof::HostWaitSpan span("event_synchronize", 0);
  const std::int64_t t = timeout.count();
  const std::int64_t deadline = t < 0 ? -1 : detail::now_ns() + t;
  const std::int64_t spin = (impl()->flags() & kEventBlockingSync) != 0 ? 0 : p->spin_ns;
  if (!detail::wait_until([&] { return p->is_done(); }, p->ec, spin, deadline))
    return fail(Status::kTimeout, "Event::synchronize: timed out after %lld ns", static_cast<long long>(t));
  if (detail::check::on()) detail::check::Checker::instance().on_event_waited(impl());
  return Status::kSuccess;
}

Expected<float> Event::elapsed_ms(const Event& start, const Event& end) {
  detail::clear_error();
  if (start.impl() == nullptr || end.impl() == nullptr)
    return fail(Status::kInvalidHandle, "Event::elapsed_ms: empty event handle");
  if (!start.impl()->timing() || !end.impl()->timing())
    return fail(Status::kEventNotRecorded, "Event::elapsed_ms: an event was created with kEventDisableTiming");
  const auto a = start.impl()->latest();
  const auto b = end.impl()->latest();
  if (!a || !b) return fail(Status::kEventNotRecorded, "Event::elapsed_ms: an event was never recorded");
  if (!a->is_done() || !b->is_done())
    return fail(Status::kNotReady, "Event::elapsed_ms: an event has not completed yet");
  return static_cast<float>(static_cast<double>(b->time_ns - a->time_ns) / 1e6);
}

}  // namespace vnpu
