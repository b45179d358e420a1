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

Bandwidth measure_read_bandwidth(const BandwidthOptions& options) {
  const CpuInfo& cpu = cpu_info();
  const int threads = options.threads > 0 ? options.threads : std::max(cpu.usable_cpus, 1);
  const int passes = std::max(options.passes, 1);
  std::size_t bytes = options.bytes > 0 ? options.bytes : default_bandwidth_bytes();
  bytes = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  const std::size_t words = bytes / sizeof(std::uint64_t);
  const auto buffer = allocate_buffer(bytes, options.huge_pages);
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
  std::vector<std::uint64_t> sums(static_cast<std::size_t>(threads), 0);

  auto reader = [&](int t) {
    if (pin) pin_current_thread(cpu.affinity[static_cast<std::size_t>(t)]);
    {  // first touch: each thread faults in an equal share
      const std::size_t per = words / static_cast<std::size_t>(threads);
      const std::size_t begin = per * static_cast<std::size_t>(t);
      const std::size_t count = t == threads - 1 ? words - begin : per;
      std::memset(buffer.get() + begin, 0x5A, count * sizeof(std::uint64_t));
    }
    std::uint64_t sum = 0;
    for (int p = 0; p <= passes; ++p) {
      sync.arrive_and_wait();
      for (;;) {
        const std::size_t c = next_chunk.fetch_add(1, std::memory_order_relaxed);
        if (c >= chunks) break;
        const std::size_t begin = c * kChunkWords;
        sum += sum_words(buffer.get() + begin, std::min(kChunkWords, words - begin));
      }
      sync.arrive_and_wait();
    }
    sums[static_cast<std::size_t>(t)] = sum;
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) pool.emplace_back(reader, t);
  }

  std::vector<double> samples;
  for (int p = 1; p <= passes; ++p) {
    const auto i = static_cast<std::size_t>(2 * p);
    samples.push_back(ns_between(stamps[i], stamps[i + 1]));
  }
  std::uint64_t all = 0;
  for (std::uint64_t s : sums) all ^= s;
  g_sink.store(all, std::memory_order_relaxed);

  Bandwidth bw;
  bw.ns = summarize(std::move(samples));
  bw.bytes = bytes;
  bw.threads = threads;
  bw.gbps = bw.ns.median > 0.0 ? static_cast<double>(bytes) / bw.ns.median : 0.0;
  return bw;
}

}  // namespace vnpu::cli
