// tools/cli/peak_bandwidth.hpp — the machine's peak memory bandwidth, measured once and
// cached, so the profiler's reports can give each op's bandwidth as a % of it.
//
// The cache is a small JSON file in $XDG_CACHE_HOME/vnpu/ (else ~/.cache/vnpu/), keyed by
// the CPU model and the number of usable CPUs: a different machine, or a process given
// fewer CPUs, measures again. `vnpu info --measure-bandwidth` re-measures on demand.
#pragma once

#include <optional>
#include <string>

namespace vnpu::cli {

struct PeakBandwidth {
  double gbps = 0.0;         ///< streaming read bandwidth of the fastest pass, GB/s (1 GB = 1e9 bytes)
  std::string measured_at;   ///< UTC time of the measurement, ISO 8601
  bool from_cache = false;   ///< read from the cache file rather than measured now
  std::string cache_path;    ///< where it is cached; empty if no cache directory exists
};

/// The cache file's path ("" when neither XDG_CACHE_HOME nor HOME is set).
std::string peak_bandwidth_cache_path();

/// The cached figure for this machine, if any.
std::optional<PeakBandwidth> cached_peak_bandwidth();

/// Measures the read bandwidth now (bandwidth.hpp) and caches it (best effort: a cache that
/// cannot be written is reported on stderr and skipped).
PeakBandwidth measure_peak_bandwidth();

/// The cached figure, or a fresh measurement (cached) when there is none.
PeakBandwidth peak_bandwidth();

}  // namespace vnpu::cli
