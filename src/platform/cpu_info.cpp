// Machine detection: CPU model, the CPUs this process may use (affinity mask and cgroup
// quota), caches, memory and SIMD targets.
#include <hwy/targets.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "vnpu/platform.hpp"

#if defined(__linux__)
#include <sched.h>
#include <sys/utsname.h>
#endif

namespace vnpu {
namespace {

std::string read_line(const std::string& path) {
  std::ifstream f(path);
  std::string s;
  if (f) std::getline(f, s);
  return s;
}

// "0-3,8,10-11" -> {0,1,2,3,8,10,11}
std::vector<int> parse_cpu_list(const std::string& s) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, ',')) {
    if (part.empty()) continue;
    const auto dash = part.find('-');
    try {
      const int a = std::stoi(part.substr(0, dash));
      const int b = dash == std::string::npos ? a : std::stoi(part.substr(dash + 1));
      for (int c = a; c <= b; ++c) out.push_back(c);
    } catch (...) {
      return {};
    }
  }
  return out;
}

std::size_t parse_size(const std::string& s) {  // "48K", "1024K", "32768K", "2M"
  if (s.empty()) return 0;
  std::size_t v = 0;
  try {
    v = std::stoull(s);
  } catch (...) {
    return 0;
  }
  switch (s.back()) {
    case 'K': return v << 10;
    case 'M': return v << 20;
    case 'G': return v << 30;
    default: return v;
  }
}

// CPU quota of this process's cgroup (v2: cpu.max along the path; v1: cfs quota).
double cgroup_quota() {
  double best = 0.0;
  std::ifstream f("/proc/self/cgroup");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("0::", 0) == 0) {  // cgroup v2
      std::string path = line.substr(3);
      for (;;) {
        std::istringstream in(read_line("/sys/fs/cgroup" + path + "/cpu.max"));
        std::string quota;
        double period = 0;
        if (in >> quota >> period && quota != "max" && period > 0) {
          const double q = std::stod(quota) / period;
          if (best == 0.0 || q < best) best = q;
        }
        if (path.empty() || path == "/") break;
        path = path.substr(0, path.rfind('/'));
      }
    }
  }
  if (best == 0.0) {  // cgroup v1
    const std::string q = read_line("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us");
    const std::string p = read_line("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us");
    try {
      if (!q.empty() && !p.empty() && std::stod(q) > 0 && std::stod(p) > 0) best = std::stod(q) / std::stod(p);
    } catch (...) {
    }
  }
  return best;
}

CpuInfo detect() {
  CpuInfo info;
#if defined(__linux__)
  utsname u{};
  if (uname(&u) == 0) info.arch = u.machine;
  {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line)) {
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string key = line.substr(0, colon);
      key.erase(key.find_last_not_of(" \t") + 1);
      if (key == "model name" || key == "Model" || key == "Hardware") {
        info.model = line.substr(std::min(line.size(), colon + 2));
        break;
      }
    }
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) info.affinity.push_back(c);
  }
  info.logical_cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  for (int i = 0; i < 8; ++i) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
    const std::string level = read_line(dir + "level");
    if (level.empty()) break;
    CacheInfo c;
    c.level = std::atoi(level.c_str());
    c.type = read_line(dir + "type");
    c.size_bytes = parse_size(read_line(dir + "size"));
    c.cpus_sharing = static_cast<int>(parse_cpu_list(read_line(dir + "shared_cpu_list")).size());
    if (c.level == 2 && c.type != "Instruction") info.l2_per_core = c.size_bytes;
    info.caches.push_back(c);
  }
  info.memory_bytes = static_cast<std::size_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  info.cgroup_cpu_quota = cgroup_quota();
#endif
  if (info.model.empty()) info.model = "unknown";
  if (info.logical_cpus <= 0) info.logical_cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (info.affinity.empty())
    for (int c = 0; c < info.logical_cpus; ++c) info.affinity.push_back(c);
  int usable = static_cast<int>(info.affinity.size());
  if (info.cgroup_cpu_quota > 0) usable = std::min(usable, static_cast<int>(std::ceil(info.cgroup_cpu_quota)));
  info.usable_cpus = std::max(1, usable);

  const std::int64_t targets = hwy::SupportedTargets();
  for (std::int64_t bit = 1; bit != 0 && bit <= targets; bit <<= 1) {
    if ((targets & bit) != 0) info.isa.emplace_back(hwy::TargetName(bit));
  }
  // Highway's lower bits are the newer, wider targets: best first.
  return info;
}

}  // namespace

const CpuInfo& cpu_info() {
  static const CpuInfo* info = new CpuInfo(detect());  // leaked: usable during exit
  return *info;
}

}  // namespace vnpu
