#include "runtime/stream_impl.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <thread>

#include "check/checker.hpp"
#include "common/error.hpp"
#include "platform/clock.hpp"
#include "profiler/capture.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/fiber_lane.hpp"
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
    case TaskKind::kLane: return "lane task";
  }
  return "task";
}

StreamImpl::StreamImpl(DeviceImpl* device, std::uint64_t id, int priority, bool holds_device)
    : device_(device),
      id_(id),
      priority_(priority),
      holds_device_(holds_device),
      launch_blocking_(device->launch_blocking()) {
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

Status StreamImpl::submitted(std::uint64_t seq, bool became_owner) {
  if (became_owner) {
    retain();      // an active stream keeps itself alive
    run(nullptr);  // dispatch its first task
  }
  if (launch_blocking_) {
    // Cannot wait here (reported later): on a runtime thread, or for a task only this
    // thread can complete (NoLaunchWaitScope).
    if (on_runtime_thread() || t_no_launch_wait > 0) return Status::kSuccess;
    // The task may be a callback only this thread can run (a C API subscriber launching
    // a blocking callback): the wait runs the host wait hook, so it never waits for itself.
    wait_reached(seq, -1, /*assist=*/true);
    // Its failure, if any; not query(): other threads' later tasks may still be pending.
    return take_failure();
  }
  return Status::kSuccess;
}

Task* StreamImpl::next_or_release(Worker* self) {
  if (Task* t = queue_.front()) return t;
  if (self != nullptr) {
    // Linger: keep the stream (and this core) a moment for the next task, when nothing
    // else waits for the core and the CPUs allow spinning.
    const std::int64_t start = now_ns();
    const std::int64_t end = start + std::min(kLingerNs, self->pool->spin_ns());
    SpinGovernor& gov = SpinGovernor::instance();
    for (std::int64_t now = start; now < end && self->pool->idle() && gov.worker_may_spin(); now = now_ns()) {
      if (gov.yield_to_woken(now)) {
        std::this_thread::yield();
      } else {
        // The queue between pauses: a pause takes ~25 ns on AMD Zen, and sixteen before
        // each look added ~200 ns to a task's start on average.
        for (int i = 0; i < 16; ++i) {
          if (Task* t = queue_.front()) return t;
          cpu_relax();
        }
      }
      if (Task* t = queue_.front()) return t;
    }
  }
  std::uint64_t w = state_.load(std::memory_order_acquire);
  for (int spins = 0;; ++spins) {
    // Only the owner advances completed_, so it is exactly what the owner has taken.
    if ((w >> 1) != completed_.load(std::memory_order_relaxed)) {
      // Claimed but not yet pushed: the submitter is between its two steps.
      if (Task* t = queue_.front()) return t;
      if (spins > 64) std::this_thread::yield();
      cpu_relax();
      w = state_.load(std::memory_order_acquire);
      continue;
    }
    if (state_.compare_exchange_weak(w, w & ~std::uint64_t{1}, std::memory_order_acq_rel,
                                     std::memory_order_acquire))
      break;
  }
  release();  // idle: drop the active reference (may delete this)
  return nullptr;
}

void StreamImpl::run(Worker* self) {
  int ran = 0;
  for (;;) {
    Task* tp = next_or_release(self);
    if (tp == nullptr) return;
    Task& t = *tp;
    // Skipping (stop-on-failure, discard): work completes without running; event records
    // and waits keep their meaning, so other streams are never left waiting.
    if (t.kind != TaskKind::kEventRecord && t.kind != TaskKind::kEventWait &&
        skipping_.load(std::memory_order_acquire) != 0) {
      skipped_.fetch_add(1, std::memory_order_relaxed);
      complete_head();
      continue;
    }
    switch (t.kind) {
      case TaskKind::kEventRecord:
        // The event completes before the record task is counted, so a synchronize of the
        // stream implies its events are complete.
        t.point->complete();
        if (prof::on()) profile_event(t);
        complete_head();
        continue;
      case TaskKind::kEventWait:
        // Stamped before add_waiter: once registered, the completer may resume us at once.
        if (prof::on() && t.wait_since == 0) t.wait_since = prof::now();
        if (t.point->add_waiter(this)) return;  // resumed by the point's completer
        if (t.wait_since != 0) profile_event(t);
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
      case TaskKind::kLane:
        static_cast<HostExecutor*>(t.dst)->post_blocking(this, &t);
        return;  // resumed by the lane's thread
      default:
        break;
    }
    EnginePool* pool = pool_for(t.kind);
    // A kernel with a placement hint is handed to the pool once, also by a core on the
    // CPU it avoids that is draining the stream; whoever the pool then gives it to runs it.
    const bool hinted = t.avoid_cpu >= 0 && !t.placed;
    if (self == nullptr || self->pool != pool || (hinted && t.avoid_cpu == pool->avoid_cpu_of(self->index))) {
      const int hint = hinted ? t.avoid_cpu : -1;
      t.placed = true;
      pool->schedule(this, hint);
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
  queue_.pop();
  completed_.fetch_add(1, std::memory_order_seq_cst);
  notify_done();
}

void StreamImpl::finish_callback() noexcept {
  callbacks_pending_.fetch_sub(1, std::memory_order_seq_cst);
  notify_done();
}

void StreamImpl::notify_done() noexcept {
  // The seq_cst read-modify-write that published the progress (completed_ or
  // callbacks_pending_) orders this check against the waiter's prepare_wait + fetch-min
  // of wake_at_ + re-check (Dekker); no separate fence is needed.
  if (!done_.has_waiters()) return;
  const std::uint64_t w = wake_at_.load(std::memory_order_seq_cst);
  if (!reached(w)) return;
  wake_at_.store(~std::uint64_t{0}, std::memory_order_seq_cst);
  // Waiters whose target is further re-register and park again.
  if (done_.notify_all()) SpinGovernor::instance().thread_woken(now_ns());
}

void StreamImpl::record_failure(const Task& task, Status status, const char* what) noexcept {
  try {
    char head[256];
    std::snprintf(head, sizeof head, "%s '%s' failed on device %d stream %llu (task #%llu): %s: ",
                  task_kind_name(task.kind), task.name.data(), device_->id(), static_cast<unsigned long long>(id_),
                  static_cast<unsigned long long>(task.seq), status_name(status));
    {
      std::lock_guard lock(failure_mu_);
      if (failure_) {
        ++failure_->more;
      } else {
        failure_ = Failure{std::string(head) + what};
      }
      has_failure_.store(true, std::memory_order_release);
    }
    if (stop_on_failure_.load(std::memory_order_acquire)) {
      int running = 0;
      skipping_.compare_exchange_strong(running, kSkipUntilReported, std::memory_order_acq_rel);
    }
    if (TaskFailureHook hook = task_failure_hook()) {
      const std::string message = std::string(head) + what;
      hook(TaskFailure{device_->id(), id_, task.seq, task.name.data(), task_kind_name(task.kind), status,
                       message.c_str()});
    }
  } catch (...) {
    has_failure_.store(true, std::memory_order_release);
  }
}

void StreamImpl::run_part(Task& t, std::uint32_t part, const Worker& self) noexcept {
  // A copy engine does not stay on the CPU of a busy core while another core's CPU idles.
  ScopedPin pin;
  if (self.pool->role() == ThreadRole::kCopyEngine) device_->compute().move_off_busy_cpu(pin);
  if (prof::on()) {
    profile_part(t, part, self);  // times execute_part
    return;
  }
  execute_part(t, part, self);
}

void StreamImpl::run_block(Task& t, const KernelContext& ctx) noexcept {
  if (t.checked) [[unlikely]] {
    // Checked mode: what the block notes as it runs is checked when it ends.
    const check::RunScope scope(*t.check_site());
    run_block_body(t, ctx);
    return;
  }
  run_block_body(t, ctx);
}

void StreamImpl::run_block_body(Task& t, const KernelContext& ctx) noexcept {
  if (Scratch* s = ctx.scratch_ptr()) s->reset();
  set_current_kernel_context(&ctx);
  clear_error();
  bool failed = true;
  try {
    const Status st = t.kernel(ctx);
    if (st != Status::kSuccess) {
      const char* msg = last_error_message();
      record_failure(t, st, *msg != '\0' ? msg : "the kernel returned a failure status");
    } else {
      failed = false;
    }
  } catch (const std::exception& e) {
    record_failure(t, Status::kTaskFailed, e.what());
  } catch (...) {
    record_failure(t, Status::kTaskFailed, "the kernel threw a non-standard exception");
  }
  // Transfers the block left pending still land, and its barriers learn it is gone.
  if (DmaQueue* q = ctx.dma_ptr()) q->wait_all();
  set_current_kernel_context(nullptr);
  if (t.sync) t.sync->block_exited(ctx.block_idx(), failed);
}

void StreamImpl::execute_part(Task& t, std::uint32_t part, const Worker& self) noexcept {
  if (t.kind == TaskKind::kKernel) {
    if (t.sync && t.sync->lanes != 0) {
      run_fiber_lane(*this, t, part, self);  // part = lane: a share of the blocks, as fibers
      return;
    }
    const KernelContext ctx(part, t.parts, self.index, device_->id(), self.scratch, self.dma, t.sync.get());
    run_block(t, ctx);
    return;
  }
  if (check::on() && check::guards_active()) {
    execute_guarded_part(t, part);
    return;
  }
  execute_transfer_part(t, part);
}

// Checked mode: pinned pages guarded from the host (check/host_guard.cpp) open for the
// engine's own copy or memset while it runs.
void StreamImpl::execute_guarded_part(Task& t, std::uint32_t part) noexcept {
  const auto* src = static_cast<const unsigned char*>(t.staging ? t.staging.get() : t.src);
  const std::size_t rows = t.rows > 1 ? t.rows : 1;
  const std::size_t dst_bytes = t.rows > 1 ? (rows - 1) * t.dpitch + t.bytes : t.bytes;
  const std::size_t src_bytes = t.rows > 1 ? (rows - 1) * t.spitch + t.bytes : t.bytes;
  check::Checker& c = check::Checker::instance();
  c.device_touch(t.dst, dst_bytes, true, true);
  if (t.kind == TaskKind::kCopy) c.device_touch(src, src_bytes, false, true);
  execute_transfer_part(t, part);
  if (t.kind == TaskKind::kCopy) c.device_touch(src, src_bytes, false, false);
  c.device_touch(t.dst, dst_bytes, true, false);
}

void StreamImpl::execute_transfer_part(Task& t, std::uint32_t part) noexcept {
  if (t.kind == TaskKind::kCopy && t.rows > 1) {
    // A 2-D copy: part i covers the i-th slice of the rows.
    const std::size_t per = (t.rows + t.parts - 1) / t.parts;
    const std::size_t first = static_cast<std::size_t>(part) * per;
    if (first >= t.rows) return;
    const std::size_t end = t.rows - first < per ? t.rows : first + per;
    const void* src = t.staging ? static_cast<const void*>(t.staging.get()) : t.src;
    copy_rows(t.dst, t.dpitch, src, t.spitch, t.bytes, first, end);
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
    if (failure_) {
      msg = std::move(failure_->message);
      if (failure_->more != 0)
        msg += " (and " + std::to_string(failure_->more) + " more failed task" + (failure_->more == 1 ? "" : "s") +
               " since)";
    }
    failure_.reset();
    // Stop mode: the report ends the skipping (a discarded stream stays discarded).
    int stopped = kSkipUntilReported;
    if (skipping_.compare_exchange_strong(stopped, 0, std::memory_order_acq_rel)) {
      const std::uint64_t skipped = skipped_.exchange(0, std::memory_order_relaxed);
      msg += "; " + std::to_string(skipped) + " later task" + (skipped == 1 ? " was" : "s were") +
             " not run (the stream stops on failure)";
    }
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
  const prof::HostWaitSpan span("stream_synchronize", id_);
  const std::uint64_t target = submitted();
  const std::int64_t deadline = timeout_ns < 0 ? -1 : now_ns() + timeout_ns;
  if (!wait_reached(target, deadline)) {
    return fail(Status::kTimeout, "stream %llu: timed out after %lld ns with %llu of %llu tasks complete",
                static_cast<unsigned long long>(id_), static_cast<long long>(timeout_ns),
                static_cast<unsigned long long>(completed()), static_cast<unsigned long long>(target));
  }
  return take_failure();
}

bool StreamImpl::wait_reached(std::uint64_t target, std::int64_t deadline_ns, bool assist) {
  if (reached(target)) return true;
  // Spin only while no work sits untaken on the device's engines. Work posted but not
  // yet taken means a parked worker is being woken: the governor does not count it yet
  // and would let us spin, and a spinning host thread on that worker's CPU delays its
  // start, or, yielding to it, waits behind it for a whole time slice (1.5-2.7 ms
  // measured, against 0.7 ms of work).
  EnginePool& compute = device_->compute();
  EnginePool& copy = device_->copy();
  const auto engines_took_all = [&] { return compute.idle() && copy.idle(); };
  HostWaitHook hook = assist ? host_wait_hook() : nullptr;
  if (hook == nullptr &&
      spin_then_check([&] { return reached(target); }, device_->spin_ns(), deadline_ns, engines_took_all))
    return true;
  for (;;) {
    // With a hook, the thread parks in slices and runs the hook between them: the work it
    // waits for may be waiting for the hook (a callback only this thread runs).
    if (hook != nullptr && hook()) {
      if (reached(target)) return true;
      continue;
    }
    std::int64_t park_until = deadline_ns;
    if (hook != nullptr) {
      const std::int64_t slice = now_ns() + kHookSliceNs;
      if (park_until < 0 || slice < park_until) park_until = slice;
    }
    const std::uint32_t key = done_.prepare_wait();
    std::uint64_t w = wake_at_.load(std::memory_order_seq_cst);
    while (target < w && !wake_at_.compare_exchange_weak(w, target, std::memory_order_seq_cst)) {
    }
    if (reached(target)) {
      done_.cancel_wait();
      return true;
    }
    const bool woken = done_.wait(key, park_until);
    SpinGovernor::instance().thread_resumed();
    if (!woken && park_until == deadline_ns) return reached(target);
  }
}

}  // namespace vnpu::detail
