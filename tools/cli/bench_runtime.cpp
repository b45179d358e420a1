// tools/cli/bench_runtime.cpp — `vnpu bench runtime`: the costs a program pays to use the
// runtime (launch + synchronize, sustained enqueue, event ordering, host callbacks, small
// copies, reuse of freed device memory) on the process default device, with peers measured
// in the same run.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench.hpp"
#include "cli_common.hpp"
#include "demo_pipeline.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

// Throws on failure; the test is inline so the timed loops pay no call for it.
inline void ok(Status s) {
  if (s != Status::kSuccess) check(s);
}

// The empty kernel: what remains is the runtime's own cost of a task.
constexpr auto kEmptyKernel = [](const KernelContext&) {};

BenchResult make_result(std::string name, std::string unit, const Summary& ns, std::uint64_t iterations,
                        int threads) {
  return latency_result("runtime", std::move(name), std::move(unit), ns, iterations, threads);
}

// Frees a device or pinned host allocation at scope exit.
struct FreeGuard {
  void* ptr;
  Status (*release)(void*);
  ~FreeGuard() {
    if (ptr != nullptr) (void)release(ptr);
  }
};

}  // namespace

std::vector<BenchResult> run_runtime_suite(const BenchOptions& o) {
  const Device dev = Device::get(0).value();
  const DeviceInfo& info = dev.info();
  Stream s = dev.create_stream().value();
  Stream other = dev.create_stream().value();
  // Warm-up runs back to back with the timed loop, so the timed round trips find the
  // worker hot (spinning, not parked): the case measures the runtime, not the OS wake-up.
  const int warmup = std::max(100, o.iters / 10);
  const auto iters = static_cast<std::uint64_t>(o.iters);
  const auto tasks = static_cast<std::uint64_t>(o.reps) * static_cast<std::uint64_t>(o.tasks);
  std::vector<BenchResult> results;

  // One empty kernel (blockDim 1) launched and synchronized, timed one round trip at a time.
  results.push_back(make_result("launch_sync_roundtrip", "ns",
                                time_round_trips(warmup, o.iters,
                                                 [&] {
                                                   ok(s.launch("empty", 1, kEmptyKernel));
                                                   ok(s.synchronize());
                                                 }),
                                iters, info.compute_cores));

  // The same round trip after an idle pause longer than the device's spin window (which
  // grows up to kMaxAdaptiveSpinUs while work keeps coming soon after the workers park),
  // so the workers and the waiting thread have parked: what a program launching now and
  // then pays. The floor here is two OS wake-ups (a futex ping-pong, a few us). The pause
  // is untimed.
  {
    const auto pause = std::chrono::microseconds(std::max(4 * info.spin_us, DeviceConfig::kMaxAdaptiveSpinUs + 1000));
    const int parked_iters = std::max(10, o.iters / 100);
    std::vector<double> samples;
    for (int i = 0; i < parked_iters; ++i) {
      std::this_thread::sleep_for(pause);
      const auto t0 = Clock::now();
      ok(s.launch("empty", 1, kEmptyKernel));
      ok(s.synchronize());
      samples.push_back(ns_between(t0, Clock::now()));
    }
    results.push_back(make_result("launch_sync_parked", "ns", summarize(std::move(samples)),
                                  static_cast<std::uint64_t>(parked_iters), info.compute_cores));
  }

  // A long stream of empty kernels submitted back to back, synchronized once: the
  // sustained per-task cost of submission plus execution.
  results.push_back(make_result("enqueue_throughput", "ns/task",
                                time_per_task(o.reps, o.tasks,
                                              [&](int n) {
                                                for (int i = 0; i < n; ++i) ok(s.launch("empty", 1, kEmptyKernel));
                                                ok(s.synchronize());
                                              }),
                                tasks, info.compute_cores));

  // The same in checked mode (vnpu/check.hpp): each kernel declares reading one buffer and
  // writing another, so every task is checked against the stream's earlier ones.
  {
    void* in = dev.malloc(4096).value();
    void* out = dev.malloc(4096).value();
    const Access acc[] = {{in, 4096, AccessMode::kRead}, {out, 4096, AccessMode::kWrite}};
    LaunchOptions lo;
    lo.accesses = acc;
    checker::enable();
    results.push_back(make_result("checked_enqueue_throughput", "ns/task",
                                  time_per_task(o.reps, o.tasks,
                                                [&](int n) {
                                                  for (int i = 0; i < n; ++i) ok(s.launch("empty", 1, lo, kEmptyKernel));
                                                  ok(s.synchronize());
                                                }),
                                  tasks, info.compute_cores));
    results.push_back(make_result("checked_launch_sync_roundtrip", "ns",
                                  time_round_trips(warmup, o.iters,
                                                   [&] {
                                                     ok(s.launch("empty", 1, lo, kEmptyKernel));
                                                     ok(s.synchronize());
                                                   }),
                                  iters, info.compute_cores));
    checker::disable();
    if (!checker::findings().empty()) throw CliError(kExitUnexpected, "checked mode reported a race in one stream");
    ok(vnpu::free(in));
    ok(vnpu::free(out));
  }

  // The demo's pipeline (vnpu demo: pinned batches copied in, computed, copied out over
  // two streams, on a device of one compute core and one copy engine) unchecked and
  // checked, alternating run by run: what checked mode costs a real stream program.
  {
    DeviceConfig config;
    config.name = "bench-demo";
    config.compute_cores = 1;
    config.copy_engines = 1;
    Device demo_dev = Device::create(config).value();
    constexpr std::size_t kBatches = 16, kBatchElems = std::size_t{1} << 20;  // 4 MiB each
    constexpr std::uint32_t kIters = 8;
    demo::Pipeline p(demo_dev, kBatches, kBatchElems, 2);
    (void)p.time_async(kBatches, kIters);  // warm-up: pages, engines
    std::vector<double> plain, checked;
    for (int r = 0; r < std::max(3, o.reps); ++r) {
      plain.push_back(p.time_async(kBatches, kIters) * 1e6);
      checker::enable();
      checked.push_back(p.time_async(kBatches, kIters) * 1e6);
      checker::disable();
    }
    (void)p.check_output(kIters, "checked");
    if (!checker::findings().empty()) throw CliError(kExitUnexpected, "checked mode reported a race in the demo");
    results.push_back(make_result("demo_pipeline_async", "ns", summarize(plain), plain.size(), 2));
    results.push_back(make_result("checked_demo_pipeline_async", "ns", summarize(checked), checked.size(), 2));
  }

  // Cross-stream ordering: record on `other`, make `s` wait, run an empty kernel on `s`.
  const Event event = Event::create(kEventDisableTiming).value();
  results.push_back(make_result("event_record_wait", "ns",
                                time_round_trips(warmup, o.iters,
                                                 [&] {
                                                   ok(other.record(event));
                                                   ok(s.wait(event));
                                                   ok(s.launch("empty", 1, kEmptyKernel));
                                                   ok(s.synchronize());
                                                 }),
                                iters, info.compute_cores));

  // A blocking host callback and the synchronize that waits for it.
  results.push_back(make_result("host_callback_roundtrip", "ns",
                                time_round_trips(warmup, o.iters,
                                                 [&] {
                                                   ok(s.host_func("empty", [] {}, CallbackMode::kBlocking));
                                                   ok(s.synchronize());
                                                 }),
                                iters, 1));

  // A 4 KiB copy from pinned host memory to the device on the copy engine, synchronized.
  constexpr std::size_t kCopyBytes = 4096;
  const FreeGuard host{dev.malloc_host(kCopyBytes).value(), &vnpu::free_host};
  const FreeGuard device{dev.malloc(kCopyBytes).value(), &vnpu::free};
  std::memset(host.ptr, 1, kCopyBytes);
  results.push_back(make_result(
      "memcpy_async_4k", "ns",
      time_round_trips(warmup, o.iters,
                       [&] {
                         ok(s.memcpy_async(device.ptr, kCopyBytes, host.ptr, kCopyBytes, CopyKind::kHostToDevice));
                         ok(s.synchronize());
                       }),
      iters, std::max(info.copy_engines, 1)));

  // Device memory reused at once, like a step's temporaries: malloc, write every byte,
  // free, over the sizes 64, 72, ..., 128 KiB in turn. Each allocation finds the block of
  // its size that the previous round freed in the cache, so the case measures what reusing
  // a cached block costs (page faults, if its pages were handed back) beside the memset.
  {
    constexpr std::size_t kSizes = 9;
    std::size_t round = 0;
    results.push_back(make_result("malloc_memset_free_64k_128k", "ns",
                                  time_round_trips(warmup, o.iters,
                                                   [&] {
                                                     const std::size_t bytes = (64 + 8 * (round++ % kSizes)) << 10;
                                                     void* p = dev.malloc(bytes).value();
                                                     std::memset(p, 1, bytes);
                                                     ok(vnpu::free(p));
                                                   }),
                                  iters, 1));
  }

  // Barrier latency: a cooperative launch over every compute core whose blocks pass
  // kBarriers barriers, minus the same launch without them, per barrier. barrier_all syncs
  // every block (the accelerator's SyncAll); barrier_group syncs groups of half the blocks
  // (of all of them on fewer than 4 cores).
  {
    constexpr int kBarriers = 2000;
    const auto blocks = static_cast<std::uint32_t>(info.compute_cores);
    auto barrier_case = [&](const char* name, bool group) {
      LaunchOptions lo;
      lo.cooperative = true;
      lo.group_size = group && blocks >= 4 ? blocks / 2 : blocks;
      auto run = [&](int n) {
        const auto t0 = Clock::now();
        ok(s.launch(name, blocks, lo, [n, group](const KernelContext& c) {
          for (int i = 0; i < n; ++i) group ? c.sync_group() : c.sync_all();
        }));
        ok(s.synchronize());
        return ns_between(t0, Clock::now());
      };
      for (int i = 0; i < 5; ++i) run(kBarriers);  // warm up
      const int reps = std::max(5, o.reps * 4);
      std::vector<double> samples;
      for (int r = 0; r < reps; ++r) {
        const double with = run(kBarriers);
        const double without = run(0);
        samples.push_back(std::max(0.0, with - without) / kBarriers);
      }
      results.push_back(make_result(name, "ns", summarize(std::move(samples)),
                                    static_cast<std::uint64_t>(reps) * kBarriers, info.compute_cores));
    };
    barrier_case("barrier_all", false);
    barrier_case("barrier_group", true);
  }

  // More blocks than cores, all resident: a chip's 48 vector cores synchronizing on this
  // machine. The cores run the blocks as fibers that switch at each barrier:
  // resident48_launch is an empty 48-block cooperative launch and its synchronize (fiber
  // and scratch-arena setup included), resident48_barrier_all one barrier of all 48 blocks.
  // Beside it, the alternative of a thread per block: 48 threads passing a std::barrier.
  {
    constexpr std::uint32_t kResident = 48;
    constexpr int kBarriers = 200;
    LaunchOptions lo;
    lo.cooperative = true;
    auto run = [&](int n) {
      const auto t0 = Clock::now();
      ok(s.launch("resident48", kResident, lo, [n](const KernelContext& c) {
        for (int i = 0; i < n; ++i) c.sync_all();
      }));
      ok(s.synchronize());
      return ns_between(t0, Clock::now());
    };
    for (int i = 0; i < 5; ++i) run(kBarriers);
    const int reps = std::max(5, o.reps * 4);
    std::vector<double> launches, barriers;
    for (int r = 0; r < reps; ++r) {
      const double with = run(kBarriers);
      const double without = run(0);
      launches.push_back(without);
      barriers.push_back(std::max(0.0, with - without) / kBarriers);
    }
    results.push_back(make_result("resident48_launch", "ns", summarize(std::move(launches)),
                                  static_cast<std::uint64_t>(reps), info.compute_cores));
    results.push_back(make_result("resident48_barrier_all", "ns", summarize(std::move(barriers)),
                                  static_cast<std::uint64_t>(reps) * kBarriers, info.compute_cores));
    results.push_back(bench_thread_barrier(kResident, kBarriers, reps));
  }

  // Let the device's workers finish spinning and park, so the peers below get the CPUs
  // the way they would in a program that is not using vnpu at that moment.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  results.push_back(bench_floor_spin_handoff(o));
  for (BenchResult& r : bench_tbb(o)) results.push_back(std::move(r));
  return results;
}

}  // namespace vnpu::cli
