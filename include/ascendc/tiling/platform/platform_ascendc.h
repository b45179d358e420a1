// tiling/platform/platform_ascendc.h — the chip a kernel is tiled for, as host tiling code
// asks for it: core counts and on-chip memory sizes of vnpu's SoC profile (VNPU_SOC, or the
// SOC of the tikicpulib::<SOC> target the program was built with).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace fe {
class PlatFormInfos;  // the graph engine's platform description; vnpu reads its SoC profile instead
}

namespace platform_ascendc {

/// On-chip and off-chip memories of an AI Core.
enum class CoreMemType { L0_A = 0, L0_B = 1, L0_C = 2, L1 = 3, L2 = 4, UB = 5, HBM = 6, FB = 7, BT = 8, RESERVED };

/// Chip generations.
enum class SocVersion { ASCEND910 = 0, ASCEND910B, ASCEND310P, ASCEND310B, RESERVED_VERSION = 99999 };

/// The profile's numbers (vnpu::ascendc exports them; PlatformAscendC reads them).
struct SocNumbers {
  std::uint32_t aic;        ///< cube (AI) cores
  std::uint32_t aiv;        ///< vector cores inside the AI cores (0 on coupled chips)
  std::uint32_t vector;     ///< standalone vector cores (coupled chips)
  bool split;               ///< cube and vector cores are separate
  std::uint64_t ub, l1, l2, hbm, l0a, l0b, l0c;
  SocVersion version;
  const char* name;
};
/// The numbers of the process's profile, or of the SoC named `name` (false if vnpu has no
/// profile of that name).
__attribute__((visibility("default"))) SocNumbers soc_numbers();
__attribute__((visibility("default"))) bool soc_numbers(const char* name, SocNumbers& out);

class PlatformAscendC {
 public:
  PlatformAscendC() : n_(soc_numbers()) {}
  explicit PlatformAscendC(fe::PlatFormInfos*) : n_(soc_numbers()) {}
  explicit PlatformAscendC(const SocNumbers& n) : n_(n) {}

  /// The cores a vector kernel spreads over: vector cores on split chips, AI cores otherwise.
  std::uint32_t GetCoreNum() const { return n_.split ? n_.aiv : n_.aic; }
  std::uint32_t GetCoreNumAic() const { return n_.aic; }
  /// Vector cores: two per AI core on split chips; on coupled chips, the AI cores.
  std::uint32_t GetCoreNumAiv() const { return n_.split ? n_.aiv : n_.aic; }
  /// Standalone vector cores (0 on split chips).
  std::uint32_t GetCoreNumVector() const { return n_.split ? 0 : n_.vector; }
  void GetCoreMemSize(const CoreMemType& memType, std::uint64_t& size) const {
    switch (memType) {
      case CoreMemType::UB: size = n_.ub; break;
      case CoreMemType::L1: size = n_.l1; break;
      case CoreMemType::L2: size = n_.l2; break;
      case CoreMemType::HBM: size = n_.hbm; break;
      case CoreMemType::L0_A: size = n_.l0a; break;
      case CoreMemType::L0_B: size = n_.l0b; break;
      case CoreMemType::L0_C: size = n_.l0c; break;
      default: size = 0;
    }
  }
  SocVersion GetSocVersion() const { return n_.version; }
  /// The SoC's name, as aclrtGetSocName() gives it (vnpu).
  const char* GetSocName() const { return n_.name; }

 private:
  SocNumbers n_;
};

/// The process's platform, for tiling code outside an operator's tiling context.
class PlatformAscendCManager {
 public:
  static PlatformAscendC* GetInstance() {
    static PlatformAscendC p;
    return &p;
  }
  /// The platform of the SoC named `customSocVersion` (e.g. "Ascend910B1"); null if vnpu
  /// has no profile of that name.
  static PlatformAscendC* GetInstance(const char* customSocVersion) {
    static std::mutex mu;
    static std::map<std::string, PlatformAscendC> known;
    SocNumbers n;
    if (customSocVersion == nullptr || !soc_numbers(customSocVersion, n)) return nullptr;
    std::lock_guard<std::mutex> lock(mu);
    return &known.emplace(customSocVersion, PlatformAscendC(n)).first->second;
  }
};

}  // namespace platform_ascendc
