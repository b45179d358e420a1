// EnginePool: the worker threads of one engine type (compute cores or copy engines).
//
// Work reaches a pool in two forms. A *ready stream* is a stream whose next task runs on
// this engine; a worker takes it and drains it (see StreamImpl::run) for as long as its
// tasks belong here. A *job* is a task split into parts (kernel blocks, copy chunks)
// that any worker may claim; the worker finishing the last part completes the task and
// continues its stream. Workers pick the most urgent work first (lowest priority value;
// a job before a stream at equal priority).
//
// A cooperative job (a launch using barriers) starts only when no other cooperative job
// of the pool is in progress, so the blocks of two such launches never hold each other's
// cores.
//
// Idle workers: at most one per pool spins (bounded by the device's spin time and the
// SpinGovernor); the rest park on an event count and are woken when work arrives.
//
// Placement hint: a kernel launched with LaunchOptions::avoid_cpu = c (a thread of the
// application works beside it on CPU c) is left, for up to the spin time, to workers
// pinned elsewhere: a worker pinned to c that finds it wakes the others and steps aside
// until then, so the block does not time-share c with that thread while a CPU is free.
//
// Copy engines beside pinned cores: a copy engine thread is not pinned, and some kernels
// place a woken thread on its waker's CPU even while another CPU idles (measured on a
// 2-vCPU VM: a copy engine woken by a core's event record ran on that core's CPU and
// stalled the next kernel for the whole copy, 0.3-6 ms, with the other CPU idle). Before
// each copy part, a copy engine on the CPU of a busy core moves to the CPU of an idle one
// for that part (move_off_busy_cpu).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "platform/park.hpp"
#include "platform/thread.hpp"
#include "runtime/task.hpp"
#include "runtime/thread_role.hpp"
#include "vnpu/device.hpp"
#include "vnpu/stream.hpp"

namespace vnpu::detail {

class DeviceImpl;
class StreamImpl;
class EnginePool;

inline constexpr int kNumPriorities = kPriorityLowest + 1;

/// The identity of one worker thread, passed down so a stream can keep running on it.
struct Worker {
  EnginePool* pool;
  std::uint32_t index;
  Scratch* scratch = nullptr;  // compute cores: this core's scratch arena
  DmaQueue* dma = nullptr;     // compute cores: the DMA queue of the block running here
};

class EnginePool {
 public:
  EnginePool(DeviceImpl* device, ThreadRole role, std::string name, int threads, std::vector<int> cpus,
             std::int64_t spin_ns);
  ~EnginePool();
  EnginePool(const EnginePool&) = delete;
  EnginePool& operator=(const EnginePool&) = delete;

  /// Starts the threads; false (with the error recorded) if the OS refuses.
  bool start();
  /// Stops and joins the threads. The pool must have no work left.
  void stop();

  /// Queues a stream whose next task runs here. The stream is owned by the pool until a
  /// worker takes it. `avoid_cpu`: the head task's placement hint (-1: none).
  void schedule(StreamImpl* s, int avoid_cpu = -1);
  /// Offers the parts of `task` (head of `s`) to every worker.
  void post_job(StreamImpl* s, Task* task, int priority);
  /// True if a stream or job more urgent than `priority` waits (or, with `or_equal`, one as
  /// urgent): a draining worker then yields.
  bool has_waiting_work(int priority, bool or_equal) const noexcept;

  /// True when no stream or job waits for a worker.
  bool idle() const noexcept { return work_count_.load(std::memory_order_acquire) == 0; }
  std::int64_t spin_ns() const noexcept { return spin_ns_; }
  /// The longest an idle worker's spin grows to when work keeps arriving shortly after
  /// it parked (see worker_main); a configured spin of 0 never grows.
  static constexpr std::int64_t kMaxAdaptiveSpinNs = std::int64_t{vnpu::DeviceConfig::kMaxAdaptiveSpinUs} * 1000;

  /// The CPU worker `index` leaves avoid_cpu-tagged work to the others on, or -1 when
  /// it never does (unpinned pool, or every worker on one CPU).
  int avoid_cpu_of(std::uint32_t index) const noexcept { return spread_ ? cpus_[index] : -1; }

  int threads() const noexcept { return static_cast<int>(threads_.size()); }
  const std::vector<int>& cpus() const noexcept { return cpus_; }
  bool pinned() const noexcept { return pinned_; }
  /// Called by a thread of another pool (a copy engine) about to work: if it runs on the
  /// CPU of a busy worker of this pool while another worker's CPU has an idle worker, pins
  /// the calling thread to that CPU while `pin` lives. Costs a getcpu and a flag read
  /// otherwise.
  void move_off_busy_cpu(ScopedPin& pin) const noexcept;
  DeviceImpl* device() const noexcept { return device_; }
  ThreadRole role() const noexcept { return role_; }

 private:
  struct Job {
    StreamImpl* stream;
    Task* task;
    int priority;
    std::uint32_t next_part;
    int avoid_cpu;       // the task's placement hint
    std::int64_t since;  // when posted (placement hint set only)
  };
  struct Ready {
    StreamImpl* stream;
    int avoid_cpu;       // the head task's placement hint
    std::int64_t since;  // when scheduled (placement hint set only)
  };
  struct Work {
    StreamImpl* stream = nullptr;
    Task* task = nullptr;  // non-null: run part `part` of a job
    std::uint32_t part = 0;
  };

  void worker_main(std::uint32_t index);
  /// Takes the most urgent work this worker may run. Work it leaves to other CPUs for now
  /// sets *retry_at to when it may take it (else *retry_at is untouched).
  bool take_work(Work& w, int my_cpu, std::int64_t* retry_at);
  /// True when a worker on `my_cpu` leaves work tagged `avoid_cpu` since `since` to others
  /// at `now` (lazily read); updates *retry_at.
  bool leave_to_others(int my_cpu, int avoid_cpu, std::int64_t since, std::int64_t* now,
                       std::int64_t* retry_at) const noexcept;
  void run_work(const Work& w, Worker& self);
  void wake(int n);

  DeviceImpl* const device_;
  const ThreadRole role_;
  const std::string name_;
  const int nthreads_;
  std::vector<int> cpus_;  // CPU per thread, -1 = unpinned
  bool spread_ = false;    // every thread has a CPU, and not all the same one
  const std::int64_t spin_ns_;

  mutable std::mutex mu_;
  std::array<std::deque<Ready>, kNumPriorities> ready_;  // guarded by mu_
  std::vector<Job> jobs_;                                      // guarded by mu_
  std::atomic<std::uint32_t> ready_mask_{0};  // bit p: ready_[p] non-empty or a job at priority p
  std::atomic<int> work_count_{0};            // ready streams + jobs with unclaimed parts
  std::atomic<int> spinning_{0};              // idle workers spinning (0 or 1)
  // Cooperative launches (whose blocks wait for each other in barriers) started and not
  // finished. Only one may be in progress per pool: two interleaved ones could each hold
  // cores the other needs.
  std::atomic<int> coop_active_{0};
  std::atomic<bool> stopping_{false};
  bool pinned_ = false;  // every thread pinned (set by start)
  // Per worker: running work (a flag per cache line, written by its worker only).
  struct alignas(64) BusyFlag {
    std::atomic<bool> on{false};
  };
  std::unique_ptr<BusyFlag[]> busy_;
  EventCount idle_;
  std::vector<std::thread> threads_;
};

}  // namespace vnpu::detail
