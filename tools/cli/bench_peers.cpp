// tools/cli/bench_peers.cpp — what the runtime cases are compared with, measured in the
// same run on the same machine: the physical floor of a cross-thread hand-off, and
// oneTBB (when built with it), the task library a CPU program would use instead.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <cstdint>
#include <limits>
#include <thread>
#include <vector>

#include "bench.hpp"

#ifdef VNPU_HAVE_TBB
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>
#endif

namespace vnpu::cli {

namespace {

// Tells the core we are spinning (frees pipeline resources for a sibling thread).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

BenchResult make_peer(const char* name, const char* unit, const Summary& ns, std::uint64_t iterations, int threads) {
  BenchResult r;
  r.suite = "runtime";
  r.name = name;
  r.unit = unit;
  r.ns = ns;
  r.iterations = iterations;
  r.threads = threads;
  return r;
}

}  // namespace

BenchResult bench_floor_spin_handoff(const BenchOptions& options) {
  // A dedicated thread spins on `request`; the caller publishes a sequence number and
  // spins until the same number comes back in `reply`. Two cache-line transfers and
  // nothing else: no runtime can hand work to another thread and learn it is done faster.
  // The two atomics live on separate cache lines so each line moves once per direction.
  constexpr std::uint64_t kStop = std::numeric_limits<std::uint64_t>::max();
  struct alignas(64) Line {
    std::atomic<std::uint64_t> value{0};
  };
  Line request;
  Line reply;
  std::thread spinner([&] {
    std::uint64_t seen = 0;
    for (;;) {
      const std::uint64_t r = request.value.load(std::memory_order_acquire);
      if (r == seen) {
        cpu_relax();
        continue;
      }
      if (r == kStop) return;
      seen = r;
      reply.value.store(r, std::memory_order_release);
    }
  });
  std::uint64_t seq = 0;
  const Summary ns = time_round_trips(std::max(100, options.iters / 10), options.iters, [&] {
    ++seq;
    request.value.store(seq, std::memory_order_release);
    while (reply.value.load(std::memory_order_acquire) != seq) cpu_relax();
  });
  request.value.store(kStop, std::memory_order_release);
  spinner.join();
  return make_peer("floor_spin_handoff", "ns", ns, static_cast<std::uint64_t>(options.iters), 1);
}

BenchResult bench_thread_barrier(std::uint32_t threads, int barriers, int reps) {
  // The other way to keep more blocks than cores resident: a thread per block, meeting at
  // a std::barrier (which parks its waiters). Per barrier, like resident48_barrier_all.
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) {
    std::barrier sync(static_cast<std::ptrdiff_t>(threads));
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    for (std::uint32_t t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        for (int i = 0; i < barriers; ++i) sync.arrive_and_wait();
      });
    const auto t0 = Clock::now();
    go.store(true, std::memory_order_release);
    for (std::thread& t : pool) t.join();
    samples.push_back(ns_between(t0, Clock::now()) / barriers);
  }
  return make_peer("threads48_barrier", "ns", summarize(std::move(samples)),
                   static_cast<std::uint64_t>(reps) * static_cast<std::uint64_t>(barriers),
                   static_cast<int>(threads));
}

std::vector<BenchResult> bench_tbb(const BenchOptions& options) {
  std::vector<BenchResult> results;
#ifdef VNPU_HAVE_TBB
  const int threads = tbb::this_task_arena::max_concurrency();
  tbb::task_group group;
  // run + wait of one empty task. Note that TBB's wait() may execute the task on the
  // waiting thread itself; that is what a TBB user gets, so it is measured as such.
  results.push_back(make_peer("tbb_task_group_roundtrip", "ns",
                              time_round_trips(std::max(100, options.iters / 10), options.iters,
                                               [&] {
                                                 group.run([] {});
                                                 group.wait();
                                               }),
                              static_cast<std::uint64_t>(options.iters), threads));
  // Many empty tasks, then one wait: the sustained per-task cost.
  results.push_back(make_peer("tbb_enqueue_throughput", "ns/task",
                              time_per_task(options.reps, options.tasks,
                                            [&](int n) {
                                              for (int i = 0; i < n; ++i) group.run([] {});
                                              group.wait();
                                            }),
                              static_cast<std::uint64_t>(options.reps) * static_cast<std::uint64_t>(options.tasks),
                              threads));
#else
  (void)options;
#endif
  return results;
}

}  // namespace vnpu::cli
