#include "runtime/engine_pool.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <utility>

#include "common/error.hpp"
#include "kernel/scratch_arena.hpp"
#include "platform/clock.hpp"
#include "platform/thread.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/stream_impl.hpp"

namespace vnpu::detail {

EnginePool::EnginePool(DeviceImpl* device, ThreadRole role, std::string name, int threads, std::vector<int> cpus,
                       std::int64_t spin_ns)
    : device_(device), role_(role), name_(std::move(name)), nthreads_(threads), cpus_(std::move(cpus)),
      spin_ns_(spin_ns),
      busy_(std::make_unique<BusyFlag[]>(static_cast<std::size_t>(std::max(threads, 1)))) {
  cpus_.resize(static_cast<std::size_t>(nthreads_), -1);
  spread_ = !cpus_.empty() && std::find(cpus_.begin(), cpus_.end(), -1) == cpus_.end() &&
            std::find_if(cpus_.begin(), cpus_.end(), [&](int c) { return c != cpus_[0]; }) != cpus_.end();
}

EnginePool::~EnginePool() { stop(); }

bool EnginePool::start() {
  try {
    bool all_pinned = true;
    for (int i = 0; i < nthreads_; ++i) {
      threads_.emplace_back([this, i] { worker_main(static_cast<std::uint32_t>(i)); });
      const int cpu = cpus_[static_cast<std::size_t>(i)];
      all_pinned = cpu >= 0 && pin_thread(threads_.back(), cpu) && all_pinned;
    }
    pinned_ = all_pinned && nthreads_ > 0;
  } catch (const std::exception& e) {
    fail(Status::kInternal, "cannot start %s thread: %s", name_.c_str(), e.what());
    stop();
    return false;
  }
  return true;
}

void EnginePool::stop() {
  stopping_.store(true, std::memory_order_seq_cst);
  idle_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void EnginePool::schedule(StreamImpl* s, int avoid_cpu) {
  const int p = s->priority();
  const std::int64_t since = avoid_cpu >= 0 && spread_ ? now_ns() : 0;
  {
    std::lock_guard lock(mu_);
    ready_[static_cast<std::size_t>(p)].push_back(Ready{s, spread_ ? avoid_cpu : -1, since});
    ready_mask_.fetch_or(1u << p, std::memory_order_relaxed);
    work_count_.fetch_add(1, std::memory_order_seq_cst);
  }
  wake(1);
}

void EnginePool::post_job(StreamImpl* s, Task* task, int priority) {
  // Read before publishing: once the job is visible, other workers may finish it and
  // the stream may reuse the task's memory.
  const int parts = static_cast<int>(task->parts);
  const int avoid_cpu = spread_ ? task->avoid_cpu : -1;
  const std::int64_t since = avoid_cpu >= 0 ? now_ns() : 0;
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(Job{s, task, priority, 0, avoid_cpu, since});
    ready_mask_.fetch_or(1u << priority, std::memory_order_relaxed);
    work_count_.fetch_add(1, std::memory_order_seq_cst);
  }
  wake(parts - 1);
}

bool EnginePool::has_waiting_work(int priority, bool or_equal) const noexcept {
  const std::uint32_t below = (1u << priority) - 1u;  // strictly more urgent
  const std::uint32_t mask = or_equal ? (below | (1u << priority)) : below;
  return (ready_mask_.load(std::memory_order_relaxed) & mask) != 0;
}

// Wakes parked workers unless an idle one is already spinning and will take the work.
void EnginePool::wake(int n) {
  if (n <= 0) return;
  if (n == 1 && spinning_.load(std::memory_order_seq_cst) > 0) return;
  // A parked worker is coming: spinners (of any pool) yield until it runs.
  if (idle_.notify(n)) SpinGovernor::instance().thread_woken(now_ns());
}

bool EnginePool::leave_to_others(int my_cpu, int avoid_cpu, std::int64_t since, std::int64_t* now,
                                 std::int64_t* retry_at) const noexcept {
  if (avoid_cpu < 0 || avoid_cpu != my_cpu) return false;
  if (*now < 0) *now = now_ns();
  const std::int64_t mine_at = since + spin_ns_;
  if (*now >= mine_at) return false;  // nobody else came: take it after all
  if (*retry_at < 0 || mine_at < *retry_at) *retry_at = mine_at;
  return true;
}

bool EnginePool::take_work(Work& w, int my_cpu, std::int64_t* retry_at) {
  std::lock_guard lock(mu_);
  std::int64_t now = -1;
  // Most urgent job that may start.
  int job_at = -1;
  const bool coop_busy = coop_active_.load(std::memory_order_relaxed) > 0;
  for (std::size_t i = 0; i < jobs_.size(); ++i) {
    const Job& j = jobs_[i];
    if (coop_busy && j.next_part == 0 && j.task->sync) continue;  // waits for the running one
    if (leave_to_others(my_cpu, j.avoid_cpu, j.since, &now, retry_at)) continue;
    if (job_at < 0 || j.priority < jobs_[static_cast<std::size_t>(job_at)].priority) job_at = static_cast<int>(i);
  }
  int stream_p = -1;
  std::size_t stream_at = 0;
  for (int p = 0; p < kNumPriorities && stream_p < 0; ++p) {
    const auto& q = ready_[static_cast<std::size_t>(p)];
    for (std::size_t k = 0; k < q.size(); ++k) {
      if (leave_to_others(my_cpu, q[k].avoid_cpu, q[k].since, &now, retry_at)) continue;
      stream_p = p;
      stream_at = k;
      break;
    }
  }
  if (job_at < 0 && stream_p < 0) return false;

  std::uint32_t mask = 0;
  if (job_at >= 0 && (stream_p < 0 || jobs_[static_cast<std::size_t>(job_at)].priority <= stream_p)) {
    Job& j = jobs_[static_cast<std::size_t>(job_at)];
    w.stream = j.stream;
    w.task = j.task;
    w.part = j.next_part++;
    if (w.part == 0 && j.task->sync) coop_active_.fetch_add(1, std::memory_order_relaxed);
    if (j.next_part == j.task->parts) {  // every part claimed: the job leaves the board
      jobs_.erase(jobs_.begin() + job_at);
      work_count_.fetch_sub(1, std::memory_order_relaxed);
    }
  } else {
    auto& q = ready_[static_cast<std::size_t>(stream_p)];
    w.stream = q[stream_at].stream;
    w.task = nullptr;
    q.erase(q.begin() + static_cast<std::ptrdiff_t>(stream_at));
    work_count_.fetch_sub(1, std::memory_order_relaxed);
  }
  for (int p = 0; p < kNumPriorities; ++p)
    if (!ready_[static_cast<std::size_t>(p)].empty()) mask |= 1u << p;
  for (const Job& j : jobs_) mask |= 1u << j.priority;
  ready_mask_.store(mask, std::memory_order_relaxed);
  return true;
}

void EnginePool::move_off_busy_cpu(ScopedPin& pin) const noexcept {
  if (!pinned_ || !spread_) return;
  const int cpu = current_cpu();
  if (cpu < 0) return;
  bool shared = false;  // this CPU's worker is busy
  int idle_cpu = -1;    // a CPU whose worker is idle
  for (int i = 0; i < nthreads_; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const bool busy = busy_[k].on.load(std::memory_order_relaxed);
    if (cpus_[k] == cpu) shared = shared || busy;
    else if (!busy && idle_cpu < 0) idle_cpu = cpus_[k];
  }
  if (shared && idle_cpu >= 0) (void)pin.pin(idle_cpu);
}

void EnginePool::run_work(const Work& w, Worker& self) {
  if (w.task == nullptr) {
    w.stream->run(&self);
    return;
  }
  // Read before our part is counted: after that the last finisher may complete the task
  // and the stream may reuse its memory.
  const std::uint32_t parts = w.task->parts;
  const bool coop = w.task->sync != nullptr;
  w.stream->run_part(*w.task, w.part, self);
  // The finisher of the last part completes the task and carries the stream on.
  if (w.task->done_counter().fetch_add(1, std::memory_order_acq_rel) + 1 == parts) {
    if (coop) {
      // A cooperative job held back behind this one may start now.
      coop_active_.fetch_sub(1, std::memory_order_seq_cst);
      if (work_count_.load(std::memory_order_seq_cst) > 0) wake(1);
    }
    w.stream->complete_head();
    w.stream->run(&self);
  }
}

void EnginePool::worker_main(std::uint32_t index) {
  t_role = role_;
  set_thread_name(name_ + "-" + std::to_string(index));
  SpinGovernor& gov = SpinGovernor::instance();
  Worker self{this, index};
  const int my_cpu = avoid_cpu_of(index);
  // A compute core's scratch arena (guarded, pages touched on first use) and the DMA
  // queue of the blocks it runs.
  std::unique_ptr<ScratchArena> arena;
  std::unique_ptr<Scratch> scratch;
  std::unique_ptr<DmaQueue> dma;
  if (role_ == ThreadRole::kComputeCore) {
    arena = std::make_unique<ScratchArena>(device_->info().scratch_bytes);
    if (arena->data() != nullptr) scratch = std::make_unique<Scratch>(arena->data(), device_->info().scratch_bytes);
    else scratch = std::make_unique<Scratch>(nullptr, 0);  // allocations fail with kScratchOverflow
    dma = std::make_unique<DmaQueue>(scratch.get());
    self.scratch = scratch.get();
    self.dma = dma.get();
  }
  bool counted = false;          // holds a governor slot (running work or spinning)
  bool is_spinner = false;       // this worker is the pool's one idle spinner
  std::int64_t idle_since = -1;  // start of the current idle stretch
  // How long this worker spins when idle: the configured time, raised to twice the
  // length of a park that work cut short (up to kMaxAdaptiveSpinNs), back to the
  // configured time after a park that lasted longer than that. A caller that runs ops
  // back to back leaves gaps of about the same length each time; waking a parked thread
  // costs far more than those gaps in a VM (an idle virtual CPU halts), so the worker
  // learns to wait them out, and stops spinning as soon as work comes less often.
  std::int64_t spin_budget = spin_ns_;
  // Gives up the spinner role and the governor slot before sleeping.
  auto go_idle = [&] {
    if (is_spinner) {
      spinning_.store(0, std::memory_order_seq_cst);
      is_spinner = false;
    }
    if (counted) {
      gov.worker_leave();
      counted = false;
    }
  };
  for (;;) {
    Work w;
    std::int64_t retry_at = -1;
    if (work_count_.load(std::memory_order_acquire) > 0 && take_work(w, my_cpu, &retry_at)) {
      if (is_spinner) {
        spinning_.store(0, std::memory_order_seq_cst);
        is_spinner = false;
      }
      if (!counted) {
        gov.worker_enter();
        counted = true;
      }
      // More work left: make sure somebody else picks it up.
      if (work_count_.load(std::memory_order_seq_cst) > 0) wake(1);
      busy_[index].on.store(true, std::memory_order_relaxed);
      run_work(w, self);
      busy_[index].on.store(false, std::memory_order_relaxed);
      idle_since = -1;
      continue;
    }
    if (stopping_.load(std::memory_order_acquire)) break;
    if (retry_at >= 0) {
      // Work left to the workers on other CPUs: call them and step aside (no spinning on
      // the CPU of the thread the work avoids) until it is ours to take.
      go_idle();
      idle_.notify_all();
      const std::uint32_t key = idle_.prepare_wait();
      idle_.wait(key, retry_at);
      idle_since = -1;
      continue;
    }
    // Work on the board that may not start yet (a cooperative job behind another): give
    // the CPU to the blocks being waited for.
    if (work_count_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
    const std::int64_t now = now_ns();
    if (idle_since < 0) idle_since = now;
    bool spin = now - idle_since < spin_budget;
    if (spin && !is_spinner) {
      int zero = 0;
      is_spinner = spinning_.compare_exchange_strong(zero, 1, std::memory_order_seq_cst);
      spin = is_spinner;
    }
    if (spin && !counted) spin = counted = gov.worker_try_spin();
    if (spin && gov.worker_may_spin()) {
      if (gov.yield_to_woken(now)) std::this_thread::yield();  // a woken thread may need this CPU
      else
        for (int i = 0; i < 64 && work_count_.load(std::memory_order_acquire) == 0; ++i) cpu_relax();
      continue;
    }
    // Park until work is scheduled.
    go_idle();
    const std::uint32_t key = idle_.prepare_wait();
    if (work_count_.load(std::memory_order_seq_cst) > 0 || stopping_.load(std::memory_order_seq_cst)) {
      idle_.cancel_wait();
    } else {
      const std::int64_t parked_at = now_ns();
      idle_.wait(key, -1);
      gov.thread_resumed();
      if (spin_ns_ > 0) {
        const std::int64_t parked = now_ns() - parked_at;
        spin_budget = parked < kMaxAdaptiveSpinNs ? std::min(kMaxAdaptiveSpinNs, std::max(spin_budget, 2 * parked))
                                                  : spin_ns_;
      }
    }
    idle_since = -1;
  }
  if (is_spinner) spinning_.store(0);
  if (counted) gov.worker_leave();
}

}  // namespace vnpu::detail
