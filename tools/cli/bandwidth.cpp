// tools/cli/bandwidth.cpp — streaming read bandwidth with one pinned thread per usable CPU.
#include "bandwidth.hpp"

#include <algorithm>
#include <atomic>
#include <barrier>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <thread>
#include <vector>

#include "vnpu/platform.hpp"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#endif

namespace vnpu::cli {

namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;
constexpr std::size_t kHugePage = 2 * kMiB;

std::size_t last_level_cache_bytes() {
  std::size_t llc = 0;
  for (const CacheInfo& c : cpu_info().caches) {
    if (c.type != "Instruction") llc = std::max(llc, c.size_bytes);
  }
  return llc;
}

// Sums 64-bit words with eight independent accumulators, so the loop is bound by loads
// rather than by one chain of adds; compilers vectorize it with the baseline ISA, which
// already reads far faster than memory delivers. The sum only keeps the reads alive.
std::uint64_t sum_words(const std::uint64_t* p, std::size_t n) {
  std::uint64_t a[8] = {};
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (std::size_t k = 0; k < 8; ++k) a[k] += p[i + k];
  }
  for (; i < n; ++i) a[0] += p[i];
  return a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7];
}

void pin_current_thread(int cpu) {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);  // best effort
#else
  (void)cpu;
#endif
}

// Where the sums go, so that the compiler must perform the reads.
std::atomic<std::uint64_t> g_sink{0};

struct FreeDeleter {
  void operator()(void* p) const noexcept { std::free(p); }
};

// A buffer on 2 MiB boundaries, backed by transparent huge pages if asked for and the
// kernel offers them.
std::unique_ptr<std::uint64_t[], FreeDeleter> allocate_buffer(std::size_t bytes, bool huge_pages) {
  void* p = std::aligned_alloc(kHugePage, bytes);
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (huge_pages) (void)madvise(p, bytes, MADV_HUGEPAGE);
#else
  (void)huge_pages;
#endif
  return std::unique_ptr<std::uint64_t[], FreeDeleter>(static_cast<std::uint64_t*>(p));
}

}  // namespace

std::size_t default_bandwidth_bytes() {
  std::size_t bytes = std::max<std::size_t>(256 * kMiB, 8 * last_level_cache_bytes());
  const std::size_t ram = cpu_info().memory_bytes;
  if (ram != 0) bytes = std::min(bytes, std::max<std::size_t>(ram / 4, 16 * kMiB));
  return (bytes + kHugePage - 1) / kHugePage * kHugePage;
}

namespace {

int thread_count(const BandwidthOptions& options) {
  return options.threads > 0 ? options.threads : std::max(cpu_info().usable_cpus, 1);
}

std::size_t rounded_bytes(const BandwidthOptions& options) {
  const std::size_t bytes = options.bytes > 0 ? options.bytes : default_bandwidth_bytes();
  return (bytes + kHugePage - 1) / kHugePage * kHugePage;
}

// Runs `passes` timed passes (after one untimed pass) with one pinned thread per usable
// CPU, each claiming 2 MiB chunks of `bytes` and calling chunk(thread, begin_word, words);
// `traffic` bytes count as moved per pass. first_touch(begin_word, words) faults in a
// thread's equal share first.
template <class FirstTouch, class Chunk>
Bandwidth run_passes(const BandwidthOptions& options, std::size_t bytes, std::size_t traffic,
                     FirstTouch&& first_touch, Chunk&& chunk) {
  const CpuInfo& cpu = cpu_info();
  const int threads = thread_count(options);
  const int passes = std::max(options.passes, 1);
  const std::size_t words = bytes / sizeof(std::uint64_t);
  const bool pin = static_cast<std::size_t>(threads) <= cpu.affinity.size();

  // Each pass, the threads claim 2 MiB chunks from a shared counter until none is left,
  // so a thread slowed by another process leaves more of the buffer to the others and the
  // pass measures what the memory system delivers, not its slowest reader. Phase 2p of
  // the barrier starts pass p, phase 2p + 1 ends it; the thread completing a phase stamps
  // the time (and rewinds the counter), so a pass is timed from the last thread's arrival
  // at the start to the last thread's arrival at the end. Pass 0 is the warm-up.
  constexpr std::size_t kChunkWords = kHugePage / sizeof(std::uint64_t);
  const std::size_t chunks = (words + kChunkWords - 1) / kChunkWords;
  std::atomic<std::size_t> next_chunk{0};
  const std::size_t phases = 2 * static_cast<std::size_t>(passes + 1);
  std::vector<Clock::time_point> stamps(phases);
  std::size_t phase = 0;
  std::barrier sync(threads, [&]() noexcept {
    stamps[phase++] = Clock::now();
    next_chunk.store(0, std::memory_order_relaxed);
  });

  auto worker = [&](int t) {
    if (pin) pin_current_thread(cpu.affinity[static_cast<std::size_t>(t)]);
    const std::size_t per = words / static_cast<std::size_t>(threads);
    const std::size_t begin = per * static_cast<std::size_t>(t);
    first_touch(begin, t == threads - 1 ? words - begin : per);
    for (int p = 0; p <= passes; ++p) {
      sync.arrive_and_wait();
      for (;;) {
        const std::size_t c = next_chunk.fetch_add(1, std::memory_order_relaxed);
        if (c >= chunks) break;
        const std::size_t first = c * kChunkWords;
        chunk(t, first, std::min(kChunkWords, words - first));
      }
      sync.arrive_and_wait();
    }
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  }

  std::vector<double> samples;
  for (int p = 1; p <= passes; ++p) {
    const auto i = static_cast<std::size_t>(2 * p);
    samples.push_back(ns_between(stamps[i], stamps[i + 1]));
  }
  Bandwidth bw;
  bw.pass_ns = samples;
  bw.ns = summarize(std::move(samples));
  bw.bytes = traffic;
  bw.threads = threads;
  bw.gbps = bw.ns.median > 0.0 ? static_cast<double>(traffic) / bw.ns.median : 0.0;
  return bw;
}

}  // namespace

Bandwidth merge_bandwidths(const std::vector<Bandwidth>& parts) {
  Bandwidth bw;
  if (parts.empty()) return bw;
  bw.bytes = parts.front().bytes;
  bw.threads = parts.front().threads;
  for (const Bandwidth& b : parts) bw.pass_ns.insert(bw.pass_ns.end(), b.pass_ns.begin(), b.pass_ns.end());
  bw.ns = summarize(bw.pass_ns);
  bw.gbps = bw.ns.median > 0.0 ? static_cast<double>(bw.bytes) / bw.ns.median : 0.0;
  return bw;
}

Bandwidth measure_read_bandwidth(const BandwidthOptions& options) {
  const std::size_t bytes = rounded_bytes(options);
  const auto buffer = allocate_buffer(bytes, options.huge_pages);
  std::vector<std::uint64_t> sums(static_cast<std::size_t>(thread_count(options)), 0);
  const Bandwidth bw = run_passes(
      options, bytes, bytes,
      [&](std::size_t begin, std::size_t n) { std::memset(buffer.get() + begin, 0x5A, n * sizeof(std::uint64_t)); },
      [&](int t, std::size_t begin, std::size_t n) {
        sums[static_cast<std::size_t>(t)] += sum_words(buffer.get() + begin, n);
      });
  std::uint64_t all = 0;
  for (std::uint64_t s : sums) all ^= s;
  g_sink.store(all, std::memory_order_relaxed);
  return bw;
}

Bandwidth measure_copy_bandwidth(const BandwidthOptions& options) {
  // Source and destination share the budget.
  const std::size_t bytes = (rounded_bytes(options) / 2 + kHugePage - 1) / kHugePage * kHugePage;
  const auto src = allocate_buffer(bytes, options.huge_pages);
  const auto dst = allocate_buffer(bytes, options.huge_pages);
  return run_passes(
      options, bytes, 2 * bytes,
      [&](std::size_t begin, std::size_t n) {
        std::memset(src.get() + begin, 0x5A, n * sizeof(std::uint64_t));
        std::memset(dst.get() + begin, 0, n * sizeof(std::uint64_t));
      },
      [&](int, std::size_t begin, std::size_t n) {
        std::memcpy(dst.get() + begin, src.get() + begin, n * sizeof(std::uint64_t));
      });
}

}  // namespace vnpu::cli
