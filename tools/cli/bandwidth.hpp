// tools/cli/bandwidth.hpp — the machine's memory read bandwidth, the physical limit of a
// reduction: every element must come in from memory once, and nothing else needs to; and
// its copy bandwidth, the limit of softmax and the norms, which read once and write once.
//
//     const vnpu::cli::Bandwidth bw = vnpu::cli::measure_read_bandwidth();
//     fmt::print("{:.1f} GB/s\n", bw.gbps);
//
// The measurement streams through a buffer far larger than the last-level cache with one
// pinned thread per usable CPU, each summing the 2 MiB chunks it claims, and reports the
// median of several timed passes. It takes a fraction of a second and allocates the
// buffer for the duration of the call only.
#pragma once

#include <cstddef>
#include <vector>

#include "cli_common.hpp"

namespace vnpu::cli {

struct BandwidthOptions {
  /// Buffer size. 0: max(256 MiB, 8 x the last-level cache), at most a quarter of RAM.
  std::size_t bytes = 0;
  /// Reading threads. 0: cpu_info().usable_cpus.
  int threads = 0;
  /// Timed passes over the buffer (one untimed pass comes first).
  int passes = 15;
  /// Ask for transparent huge pages (Linux). Streaming through 4 KiB pages costs TLB
  /// misses (expensive under virtualization) and stops the prefetchers at every page: on
  /// a 2-vCPU EPYC VM, 10-25% of the bandwidth. The peak is measured with huge pages.
  bool huge_pages = true;
};

struct Bandwidth {
  double gbps = 0.0;       ///< bytes / median pass time (1 GB = 1e9 bytes)
  Summary ns;              ///< pass times in nanoseconds
  std::size_t bytes = 0;   ///< bytes moved per pass (copy: read + written)
  int threads = 0;         ///< threads that read
  std::vector<double> pass_ns;  ///< every timed pass, in order
};

/// One bandwidth from several measurements of the same kind and buffer size: the median
/// over all their passes. A benchmark suite samples the bandwidth again before each case
/// and reports this, so that a host whose memory speed drifts during the run (virtual
/// machines: 30-50 GB/s within minutes) is measured over the same stretch of time as the
/// cases it is compared with, not only at the start. Empty input: a zero Bandwidth.
Bandwidth merge_bandwidths(const std::vector<Bandwidth>& parts);

/// The buffer size measure_read_bandwidth() uses when BandwidthOptions::bytes is 0.
std::size_t default_bandwidth_bytes();

/// Measures the streaming read bandwidth of this machine (see the file comment). Threads
/// are pinned to the CPUs of the process's affinity mask where the OS allows. Throws
/// std::bad_alloc when the buffer cannot be allocated.
Bandwidth measure_read_bandwidth(const BandwidthOptions& options = {});

/// Measures the copy bandwidth: the same threads memcpy 2 MiB chunks from one buffer to
/// another (each half of options.bytes), as an element-wise op that reads its input once
/// and writes its output once moves data. Bandwidth::bytes and gbps count both the bytes
/// read and the bytes written (2 x one buffer per pass), as op benchmarks count theirs.
Bandwidth measure_copy_bandwidth(const BandwidthOptions& options = {});

}  // namespace vnpu::cli
