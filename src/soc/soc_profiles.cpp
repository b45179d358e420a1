// The SoC profile table and VNPU_SOC.
//
// Numbers from the chips' public platform specifications: cube and vector core counts,
// unified-buffer, L1 and L2 sizes, memory. The 910B and 910_93 parts pair one cube core
// with two vector cores; the 310P and 910 parts have coupled AI cores (and, on the 310P,
// standalone vector cores besides).
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "vnpu/soc.hpp"

namespace vnpu {
namespace {

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;
constexpr std::size_t GiB = 1024 * MiB;

constexpr SocProfile kProfiles[] = {
    // name            family          AIC AIV split UB        align L1       L2        HBM
    {"Ascend910B1", "Ascend910B", 24, 48, true, 192 * KiB, 32, 512 * KiB, 192 * MiB, 64 * GiB},
    {"Ascend910B2", "Ascend910B", 24, 48, true, 192 * KiB, 32, 512 * KiB, 192 * MiB, 64 * GiB},
    {"Ascend910B2C", "Ascend910B", 24, 48, true, 192 * KiB, 32, 512 * KiB, 192 * MiB, 0},
    {"Ascend910B3", "Ascend910B", 20, 40, true, 192 * KiB, 32, 512 * KiB, 192 * MiB, 64 * GiB},
    {"Ascend910B4", "Ascend910B", 20, 40, true, 192 * KiB, 32, 512 * KiB, 96 * MiB, 32 * GiB},
    {"Ascend910B4-1", "Ascend910B", 20, 40, true, 192 * KiB, 32, 512 * KiB, 168 * MiB, 32 * GiB},
    {"Ascend910_9391", "Ascend910_93", 24, 48, true, 192 * KiB, 32, 512 * KiB, 192 * MiB, 64 * GiB},
    {"Ascend910_9392", "Ascend910_93", 24, 48, true, 192 * KiB, 32, 512 * KiB, 192 * MiB, 64 * GiB},
    {"Ascend910_9381", "Ascend910_93", 24, 48, true, 192 * KiB, 32, 512 * KiB, 192 * MiB, 64 * GiB},
    {"Ascend910_9382", "Ascend910_93", 24, 48, true, 192 * KiB, 32, 512 * KiB, 192 * MiB, 64 * GiB},
    {"Ascend910_9372", "Ascend910_93", 20, 40, true, 192 * KiB, 32, 512 * KiB, 192 * MiB, 64 * GiB},
    {"Ascend910_9362", "Ascend910_93", 20, 40, true, 192 * KiB, 32, 512 * KiB, 168 * MiB, 64 * GiB},
    {"Ascend910A", "Ascend910", 32, 0, false, 256 * KiB, 32, 1 * MiB, 32 * MiB, 0},
    {"Ascend310P1", "Ascend310P", 10, 8, false, 256 * KiB, 32, 1 * MiB, 16 * MiB, 24000000000},
    {"Ascend310P3", "Ascend310P", 8, 7, false, 256 * KiB, 32, 1 * MiB, 16 * MiB, 24000000000},
    {"Ascend310B1", "Ascend310B", 1, 1, true, 248 * KiB, 32, 1 * MiB, 4 * MiB, 32 * GiB},
};

std::atomic<const SocProfile*> g_built{nullptr};  // set_build_soc
std::atomic<bool> g_chosen{false};

const SocProfile& choose() {
  g_chosen.store(true);
  const SocProfile* built = g_built.load();
  const SocProfile* fallback = built != nullptr ? built : find_soc_profile(kDefaultSoc);
  const char* env = std::getenv("VNPU_SOC");
  if (env == nullptr || *env == '\0') return *fallback;
  if (const SocProfile* p = find_soc_profile(env)) return *p;
  std::fprintf(stderr, "vnpu: ignoring VNPU_SOC='%s': not a known SoC (see docs/porting.md); using %.*s\n", env,
               static_cast<int>(fallback->name.size()), fallback->name.data());
  return *fallback;
}

}  // namespace

std::span<const SocProfile> soc_profiles() noexcept { return kProfiles; }

const SocProfile* find_soc_profile(std::string_view name) noexcept {
  for (const SocProfile& p : kProfiles)
    if (p.name == name) return &p;
  return nullptr;
}

bool set_build_soc(std::string_view name) noexcept {
  const SocProfile* p = find_soc_profile(name);
  if (p == nullptr || g_chosen.load()) return false;
  g_built.store(p);
  return !g_chosen.load();
}

const SocProfile& soc_profile() noexcept {
  static const SocProfile& chosen = choose();
  return chosen;
}

}  // namespace vnpu
