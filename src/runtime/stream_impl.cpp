#include "runtime/stream_impl.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "common/error.hpp"
#include "platform/clock.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/host_executor.hpp"
#include "runtime/thread_role.hpp"

namespace vnpu::detail {

const char* task_kind_name(TaskKind k) noexcept {
  switch (k) {
    case TaskKind::kKernel: return "kernel";
    case TaskKind::kCopy: return "copy";
    case TaskKind::kMemset: return "memset";
    case TaskKind::kHostFunc: return "host callback";
    case TaskKind::kEventRecord: return "event record";
    case TaskKind::kEventWait: return "event wait";
  }
  return "task";
}

StreamImpl::StreamImpl(DeviceImpl* device, std::uint64_t id, int priority, bool holds_device)
    : device_(device), id_(id), priority_(priority), holds_device_(holds_device) {
  if (holds_device_) device_->retain();
  device_->register_stream(this);
}

StreamImpl::~StreamImpl() {
  device_->unregister_stream(this);
  if (holds_device_) device_->release();
}

EnginePool* StreamImpl::pool_for(TaskKind k) const noexcept {
  return k == TaskKind::kKernel ? &device_->compute() : &device_->copy();
}

Status StreamImpl::submit(Task&& task) {
  bool start = false;
  std::uint64_t seq = 0;
  try {
    std::lock_guard lock(mu_);
    seq = next_seq_ + 1;
    task.seq = seq;
    incoming_.push_back(std::move(task));
    next_seq_ = seq;
    submitted_.store(seq, std::memory_order_release);
    start = !active_;
    active_ = true;
  } catch (const std::bad_alloc&) {
    return fail(Status::kOutOfMemory, "stream %llu: no memory to queue a task", static_cast<unsigned long long>(id_));
  }
  if (start) {
    retain();      // an active stream keeps itself alive
    run(nullptr);  // we own it now: dispatch its first task
  }
  if (device_->launch_blocking()) {
    if (on_runtime_thread()) return Status::kSuccess;  // cannot wait here; reported later
    wait_reached(seq, -1);
    return query();
  }
  return Status::kSuccess;
}

bool StreamImpl::refill(Worker* self) {
  local_.clear();
  head_ = 0;
  auto take = [this] {
    local_.swap(incoming_);
    taken_seq_ = next_seq_;
    return true;
  };
  {
    std::lock_guard lock(mu_);
    if (!incoming_.empty()) return take();
  }
  if (self != nullptr) {
    const std::int64_t end = now_ns() + std::min(kLingerNs, self->pool->spin_ns());
    SpinGovernor& gov = SpinGovernor::instance();
    while (self->pool->idle() && gov.worker_may_spin() && now_ns() < end) {
      for (int i = 0; i < 16; ++i) cpu_relax();
      if (submitted_.load(std::memory_order_acquire) != taken_seq_) break;
    }
  }
  std::lock_guard lock(mu_);
  if (!incoming_.empty()) return take();
  active_ = false;
  return false;
}

void StreamImpl::run(Worker* self) {
  int ran = 0;
  for (;;) {
    if (head_ == local_.size() && !refill(self)) {
      release();  // idle: drop the active reference (may delete this)
      return;
    }
    Task& t = local_[head_];
    switch (t.kind) {
      case TaskKind::kEventRecord:
        t.point->complete();
        complete_head();
        continue;
      case TaskKind::kEventWait:
        if (t.point->add_waiter(this)) return;  // resumed by the point's completer
        complete_head();
        continue;
      case TaskKind::kHostFunc:
        if (t.mode == CallbackMode::kBlocking) {
          device_->host().post_blocking(this, &t);
          return;  // resumed by the host thread
        }
        retain();
        callbacks_pending_.fetch_add(1, std::memory_order_acq_rel);
        device_->host().post_detached(this, std::move(t));
        complete_head();
        continue;
      default:
        break;
    }
    EnginePool* pool = pool_for(t.kind);
    if (self == nullptr || self->pool != pool) {
      pool->schedule(this);
      return;
    }
    // Let more urgent streams (or, after a batch, equally urgent ones) have the core.
    if (++ran > 1 && pool->has_waiting_work(priority_, ran > kFairnessBatch)) {
      pool->schedule(this);
      return;
    }
    if (t.parts > 1) {
      t.parts_done = 0;
      pool->post_job(this, &t, priority_);
      return;  // the finisher of the last part continues the stream
    }
    run_part(t, 0, *self);
    complete_head();
  }
}

void StreamImpl::complete_head() noexcept {
  local_[head_].release_resources();
  ++head_;
  completed_.store(completed_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  notify_done();
}

void StreamImpl::finish_callback() noexcept {
  callbacks_pending_.fetch_sub(1, std::memory_order_acq_rel);
  notify_done();
}

void StreamImpl::notify_done() noexcept {
  // Pairs with the waiter's prepare_wait + fetch-min of wake_at_ + re-check (all seq_cst).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (!done_.has_waiters()) return;
  const std::uint64_t w = wake_at_.load(std::memory_order_seq_cst);
  if (!reached(w)) return;
  wake_at_.store(~std::uint64_t{0}, std::memory_order_seq_cst);
  done_.notify_all();  // waiters whose target is further re-register and park again
}

void StreamImpl::record_failure(const Task& task, Status status, const char* what) noexcept {
  try {
    char head[256];
    std::snprintf(head, sizeof head, "%s '%s' failed on device %d stream %llu (task #%llu): %s: ",
                  task_kind_name(task.kind), task.name.data(), device_->id(), static_cast<unsigned long long>(id_),
                  static_cast<unsigned long long>(task.seq), status_name(status));
    std::lock_guard lock(failure_mu_);
    if (!failure_) failure_ = Failure{std::string(head) + what};
    has_failure_.store(true, std::memory_order_release);
  } catch (...) {
    has_failure_.store(true, std::memory_order_release);
  }
}

void StreamImpl::run_part(Task& t, std::uint32_t part, const Worker& self) noexcept {
  if (t.kind == TaskKind::kKernel) {
    const KernelContext ctx(part, t.parts, self.index, device_->id());
    clear_error();
    try {
      const Status st = t.kernel(ctx);
      if (st != Status::kSuccess) {
        const char* msg = last_error_message();
        record_failure(t, st, *msg != '\0' ? msg : "the kernel returned a failure status");
      }
    } catch (const std::exception& e) {
      record_failure(t, Status::kTaskFailed, e.what());
    } catch (...) {
      record_failure(t, Status::kTaskFailed, "the kernel threw a non-standard exception");
    }
    return;
  }
  // Copies and memsets: part i covers the i-th slice of the range.
  const std::size_t chunk = (t.bytes + t.parts - 1) / t.parts;
  const std::size_t off = static_cast<std::size_t>(part) * chunk;
  if (off >= t.bytes) return;
  const std::size_t len = t.bytes - off < chunk ? t.bytes - off : chunk;
  auto* dst = static_cast<unsigned char*>(t.dst) + off;
  if (t.kind == TaskKind::kCopy) {
    const auto* src = (t.staging ? t.staging.get() : static_cast<const unsigned char*>(t.src)) + off;
    std::memmove(dst, src, len);
  } else {
    std::memset(dst, t.value, len);
  }
}

Status StreamImpl::take_failure() {
  if (!has_failure_.load(std::memory_order_acquire)) return Status::kSuccess;
  std::string msg;
  {
    std::lock_guard lock(failure_mu_);
    if (failure_) msg = std::move(failure_->message);
    failure_.reset();
    has_failure_.store(false, std::memory_order_release);
  }
  return fail_msg(Status::kTaskFailed, msg.c_str());
}

Status StreamImpl::query() {
  VNPU_TRY(take_failure());
  return reached(submitted()) ? Status::kSuccess : Status::kNotReady;
}

Status StreamImpl::synchronize(std::int64_t timeout_ns) {
  if (on_runtime_thread())
    return fail(Status::kNotPermitted,
                "stream %llu: synchronize called from inside a kernel or host callback would deadlock",
                static_cast<unsigned long long>(id_));
  const std::uint64_t target = submitted();
  const std::int64_t deadline = timeout_ns < 0 ? -1 : now_ns() + timeout_ns;
  if (!wait_reached(target, deadline)) {
    return fail(Status::kTimeout, "stream %llu: timed out after %lld ns with %llu of %llu tasks complete",
                static_cast<unsigned long long>(id_), static_cast<long long>(timeout_ns),
                static_cast<unsigned long long>(completed()), static_cast<unsigned long long>(target));
  }
  return take_failure();
}

bool StreamImpl::wait_reached(std::uint64_t target, std::int64_t deadline_ns) {
  if (reached(target)) return true;
  if (spin_then_check([&] { return reached(target); }, device_->spin_ns(), deadline_ns)) return true;
  for (;;) {
    const std::uint32_t key = done_.prepare_wait();
    std::uint64_t w = wake_at_.load(std::memory_order_seq_cst);
    while (target < w && !wake_at_.compare_exchange_weak(w, target, std::memory_order_seq_cst)) {
    }
    if (reached(target)) {
      done_.cancel_wait();
      return true;
    }
    if (!done_.wait(key, deadline_ns)) return reached(target);
  }
}

}  // namespace vnpu::detail
