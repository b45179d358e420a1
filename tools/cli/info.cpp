// tools/cli/info.cpp — `vnpu info`: the CPU as vnpu detected it and the resolved
// configuration of the default device (after environment variables and defaults).
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "peak_bandwidth.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

using nlohmann::json;

json cpu_json(const CpuInfo& cpu) {
  json caches = json::array();
  for (const CacheInfo& c : cpu.caches) {
    caches.push_back({{"level", c.level}, {"type", c.type}, {"size_bytes", c.size_bytes},
                      {"cpus_sharing", c.cpus_sharing}});
  }
  return {{"model", cpu.model},
          {"arch", cpu.arch},
          {"logical_cpus", cpu.logical_cpus},
          {"usable_cpus", cpu.usable_cpus},
          {"affinity", cpu.affinity},
          {"cgroup_cpu_quota", cpu.cgroup_cpu_quota},
          {"caches", caches},
          {"l2_per_core", cpu.l2_per_core},
          {"memory_bytes", cpu.memory_bytes},
          {"isa", cpu.isa}};
}

json device_json(const Device& dev) {
  const DeviceInfo& d = dev.info();
  const MemInfo mem = dev.mem_info();
  return {{"id", d.id},
          {"name", d.name},
          {"compute_cores", d.compute_cores},
          {"copy_engines", d.copy_engines},
          {"scratch_bytes", d.scratch_bytes},
          {"memory_bytes", d.memory_bytes},
          {"memory_free_bytes", mem.free},
          {"pinned", d.pinned},
          {"compute_cpus", d.compute_cpus},
          {"spin_us", d.spin_us},
          {"launch_blocking", d.launch_blocking},
          {"device_count", Device::count()}};
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += separator;
    text += item;
  }
  return text.empty() ? "-" : text;
}

std::string cpus_of_cores(const std::vector<int>& cpus) {
  std::vector<std::string> items;
  for (int c : cpus) items.push_back(c < 0 ? "unpinned" : fmt::format("{}", c));
  return join(items, ",");
}

json peak_json(const PeakBandwidth& p) {
  return {{"gbps", p.gbps}, {"measured_at", p.measured_at}, {"from_cache", p.from_cache},
          {"cache_path", p.cache_path}};
}

void print_peak(const PeakBandwidth& p) {
  fmt::print("\nMemory\n");
  fmt::print("  peak read bandwidth  {:.1f} GB/s, measured {}{}\n", p.gbps, p.measured_at,
             p.from_cache ? " (cached; --measure-bandwidth measures again)" : "");
  if (!p.cache_path.empty()) fmt::print("  bandwidth cache      {}\n", p.cache_path);
}

void print_human(const CpuInfo& cpu, const Device& dev) {
  const DeviceInfo& d = dev.info();
  const MemInfo mem = dev.mem_info();
  fmt::print("vnpu {}.{}.{}\n\n", kVersionMajor, kVersionMinor, kVersionPatch);

  fmt::print("CPU\n");
  fmt::print("  model             {}\n", cpu.model.empty() ? "unknown" : cpu.model);
  fmt::print("  arch              {}\n", cpu.arch);
  fmt::print("  logical CPUs      {}\n", cpu.logical_cpus);
  fmt::print("  usable CPUs       {}\n", cpu.usable_cpus);
  fmt::print("  affinity          {}\n", format_cpu_list(cpu.affinity));
  fmt::print("  cgroup CPU quota  {}\n",
             cpu.cgroup_cpu_quota > 0.0 ? fmt::format("{:.2f} CPUs", cpu.cgroup_cpu_quota) : "none");
  fmt::print("  memory            {}\n", format_bytes(cpu.memory_bytes));
  fmt::print("  L2 per core       {}\n", cpu.l2_per_core > 0 ? format_bytes(cpu.l2_per_core) : "unknown");
  fmt::print("  ISA (best first)  {}\n", join(cpu.isa, ", "));
  if (cpu.caches.empty()) fmt::print("  caches            unknown\n");
  for (const CacheInfo& c : cpu.caches) {
    fmt::print("  {:<18}{}, shared by {} CPU{}\n", fmt::format("L{} {}", c.level, c.type),
               format_bytes(c.size_bytes), c.cpus_sharing, c.cpus_sharing == 1 ? "" : "s");
  }

  fmt::print("\nDevice {} ({}) of {}\n", d.id, d.name, Device::count());
  fmt::print("  compute cores     {}\n", d.compute_cores);
  fmt::print("  compute CPUs      {}{}\n", cpus_of_cores(d.compute_cpus), d.pinned ? " (pinned)" : " (not pinned)");
  fmt::print("  copy engines      {}{}\n", d.copy_engines, d.copy_engines == 0 ? " (copies run on compute cores)" : "");
  fmt::print("  scratch (UB)      {} per core\n", format_bytes(d.scratch_bytes));
  fmt::print("  memory            {} ({} free)\n", format_bytes(d.memory_bytes), format_bytes(mem.free));
  fmt::print("  spin before park  {} us\n", d.spin_us);
  fmt::print("  launch blocking   {}\n", d.launch_blocking ? "on" : "off");
}

}  // namespace

int run_info(const InfoOptions& options) {
  const CpuInfo& cpu = cpu_info();
  const Device dev = Device::get(0).value();
  const PeakBandwidth peak = options.measure_bandwidth ? measure_peak_bandwidth() : peak_bandwidth();
  if (options.json) {
    const json version = {{"major", kVersionMajor}, {"minor", kVersionMinor}, {"patch", kVersionPatch},
                          {"string", fmt::format("{}.{}.{}", kVersionMajor, kVersionMinor, kVersionPatch)}};
    print_json({{"version", version}, {"cpu", cpu_json(cpu)}, {"device", device_json(dev)},
                {"peak_bandwidth", peak_json(peak)}});
  } else {
    print_human(cpu, dev);
    print_peak(peak);
  }
  return 0;
}

}  // namespace vnpu::cli
