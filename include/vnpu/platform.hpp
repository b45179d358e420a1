// vnpu/platform.hpp — what vnpu knows about the machine it runs on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "vnpu/status.hpp"

namespace vnpu {

struct CacheInfo {
  int level = 0;
  std::string type;             ///< "Data", "Instruction", "Unified"
  std::size_t size_bytes = 0;   ///< size of one instance
  int cpus_sharing = 0;         ///< logical CPUs sharing one instance
};

struct CpuInfo {
  std::string model;                ///< e.g. "AMD EPYC"
  std::string arch;                 ///< "x86_64", "aarch64", ...
  int logical_cpus = 0;             ///< CPUs online in the machine
  std::vector<int> affinity;        ///< CPUs this process may run on
  double cgroup_cpu_quota = 0.0;    ///< CPU quota of the cgroup in CPUs, 0 if none
  int usable_cpus = 0;              ///< affinity size capped by the quota (at least 1)
  std::vector<CacheInfo> caches;    ///< caches seen by CPU 0
  std::size_t l2_per_core = 0;      ///< one L2 instance, bytes (0 if unknown)
  std::size_t memory_bytes = 0;     ///< physical RAM
  std::vector<std::string> isa;     ///< SIMD targets this CPU supports, best first
};

/// Detected once, on first use. Thread-safe.
const CpuInfo& cpu_info();

/// SIMD instruction sets the operators can use on this CPU, best first, from
/// {"avx512", "avx2", "sse4", "neon", "sve", "sve2", "scalar"}; "scalar" (portable C++)
/// is always last.
std::vector<std::string> available_isas();
/// The instruction set the operators use now.
std::string active_isa();
/// Restricts the operators to `isa` (one of available_isas()) or, with "native", lifts the
/// restriction. Takes effect for work submitted afterwards; meant for tests and
/// benchmarks. The environment variable VNPU_ISA does the same at start-up.
/// Errors: kInvalidArgument for a name this CPU cannot run, with the choices in the message.
Status set_isa(std::string_view isa);

}  // namespace vnpu
