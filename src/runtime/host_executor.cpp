#include "runtime/host_executor.hpp"

#include <exception>

#include "common/error.hpp"
#include "platform/clock.hpp"
#include "platform/thread.hpp"
#include "profiler/capture.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/stream_impl.hpp"
#include "runtime/thread_role.hpp"

namespace vnpu::detail {

HostExecutor::~HostExecutor() { stop(); }

bool HostExecutor::start() {
  try {
    thread_ = std::thread([this] { thread_main(); });
  } catch (const std::exception& e) {
    fail(Status::kInternal, "cannot start the host-callback thread: %s", e.what());
    return false;
  }
  return true;
}

void HostExecutor::stop() {
  stopping_.store(true, std::memory_order_seq_cst);
  idle_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HostExecutor::push(Item&& item) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(item));
    count_.fetch_add(1, std::memory_order_seq_cst);
  }
  idle_.notify_one();
}

void HostExecutor::post_blocking(StreamImpl* s, Task* task) { push(Item{s, task, nullptr}); }

void HostExecutor::post_detached(StreamImpl* s, Task&& task) {
  push(Item{s, nullptr, std::make_unique<Task>(std::move(task))});
}

void HostExecutor::run_callback(StreamImpl* s, Task& t) {
  prof::ScopedSpan span;
  if (span.begin()) {
    prof::Record& r = span.record();
    r.kind = identity_.span_kind;
    r.lane_kind = identity_.lane_kind;
    r.lane = identity_.lane;
    r.device = s->device()->id();
    r.stream = s->id();
    r.seq = t.seq;
    if (t.kind == TaskKind::kLane) r.bytes = t.bytes;
    r.set_name(t.name.data());
  }
  clear_error();
  try {
    const KernelContext host_context(0, 1, 0, -1);
    const Status st = t.kernel(host_context);
    if (st != Status::kSuccess) {
      const char* msg = last_error_message();
      s->record_failure(t, st, *msg != '\0' ? msg : "the callback returned a failure status");
    }
  } catch (const std::exception& e) {
    s->record_failure(t, Status::kTaskFailed, e.what());
  } catch (...) {
    s->record_failure(t, Status::kTaskFailed, "the callback threw a non-standard exception");
  }
}

void HostExecutor::thread_main() {
  t_role = ThreadRole::kHostCallback;
  set_thread_name(name_ + identity_.thread_suffix);
  SpinGovernor& gov = SpinGovernor::instance();
  auto has_work = [this] { return count_.load(std::memory_order_acquire) > 0; };
  for (;;) {
    if (has_work()) {
      Item item{nullptr, nullptr, nullptr};
      {
        std::lock_guard lock(mu_);
        item = std::move(queue_.front());
        queue_.pop_front();
        count_.fetch_sub(1, std::memory_order_relaxed);
      }
      gov.worker_enter();
      if (item.blocking != nullptr) {
        run_callback(item.stream, *item.blocking);
        item.stream->complete_head();
        item.stream->resume();
      } else {
        run_callback(item.stream, *item.detached);
        item.detached->release_resources();
        item.stream->finish_callback();
        item.stream->release();
      }
      // Stay counted while spinning for the next callback, if the CPUs allow it.
      const std::int64_t start = now_ns();
      for (std::int64_t now = start; !has_work() && gov.worker_may_spin() && now < start + spin_ns_; now = now_ns())
        for (int i = 0; i < 64 && !has_work(); ++i) cpu_relax();
      gov.worker_leave();
      continue;
    }
    if (stopping_.load(std::memory_order_acquire)) return;
    const std::uint32_t key = idle_.prepare_wait();
    if (has_work() || stopping_.load(std::memory_order_seq_cst)) {
      idle_.cancel_wait();
    } else {
      idle_.wait(key, -1);
    }
  }
}

}  // namespace vnpu::detail
