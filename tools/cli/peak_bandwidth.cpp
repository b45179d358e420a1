// tools/cli/peak_bandwidth.cpp — measuring the peak bandwidth once and caching it.
#include "peak_bandwidth.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "bandwidth.hpp"
#include "cli_common.hpp"
#include "vnpu/platform.hpp"

namespace vnpu::cli {

namespace {

std::string utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// What identifies the machine the figure belongs to.
nlohmann::json machine_key() {
  const CpuInfo& cpu = cpu_info();
  return {{"cpu_model", cpu.model}, {"usable_cpus", cpu.usable_cpus}, {"arch", cpu.arch}};
}

}  // namespace

std::string peak_bandwidth_cache_path() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/vnpu/peak-bandwidth.json";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return std::string(home) + "/.cache/vnpu/peak-bandwidth.json";
  return {};
}

std::optional<PeakBandwidth> cached_peak_bandwidth() {
  const std::string path = peak_bandwidth_cache_path();
  if (path.empty()) return std::nullopt;
  std::ifstream f(path);
  if (!f) return std::nullopt;
  try {
    std::stringstream ss;
    ss << f.rdbuf();
    const nlohmann::json doc = nlohmann::json::parse(ss.str());
    if (doc.at("machine") != machine_key()) return std::nullopt;  // measured elsewhere
    PeakBandwidth p;
    p.gbps = doc.at("gbps").get<double>();
    p.measured_at = doc.at("measured_at").get<std::string>();
    p.from_cache = true;
    p.cache_path = path;
    if (!(p.gbps > 0.0)) return std::nullopt;
    return p;
  } catch (const std::exception&) {
    note("warning: ignoring the unreadable bandwidth cache {}", path);
    return std::nullopt;
  }
}

PeakBandwidth measure_peak_bandwidth() {
  PeakBandwidth p;
  // The peak is the fastest pass, not the median: a pass slowed by other work on the
  // machine says nothing about what the memory can deliver.
  const Bandwidth bw = measure_read_bandwidth();
  p.gbps = bw.ns.min > 0.0 ? static_cast<double>(bw.bytes) / bw.ns.min : bw.gbps;
  p.measured_at = utc_now();
  p.cache_path = peak_bandwidth_cache_path();
  if (p.cache_path.empty()) return p;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(p.cache_path).parent_path(), ec);
  std::ofstream f(p.cache_path, std::ios::trunc);
  const nlohmann::json doc = {{"gbps", p.gbps}, {"measured_at", p.measured_at}, {"machine", machine_key()}};
  if (!(f << doc.dump(2) << '\n')) {
    note("warning: cannot write the bandwidth cache {}", p.cache_path);
    p.cache_path.clear();
  }
  return p;
}

PeakBandwidth peak_bandwidth() {
  if (auto cached = cached_peak_bandwidth()) return *cached;
  return measure_peak_bandwidth();
}

}  // namespace vnpu::cli
