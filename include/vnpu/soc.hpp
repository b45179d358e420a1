// vnpu/soc.hpp — the accelerator chip vnpu's devices model: its name, core counts and
// on-chip buffer sizes.
//
// A vnpu device runs on however many CPU cores the machine has; the SoC profile says which
// Ascend chip it stands in for. Programs read it through aclrtGetSocName() and
// aclGetDeviceCapability(); Ascend C kernels get their limits from it (the unified buffer's
// capacity and alignment, the number of vector cores a launch may use with SyncAll).
//
// The profile is chosen once per process by the environment variable VNPU_SOC (a name from
// soc_profiles(), case-sensitive as the accelerator's tools spell it); without it, the
// default is Ascend910B1. An unknown name is reported on stderr and the default is used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace vnpu {

struct SocProfile {
  std::string_view name;         ///< as aclrtGetSocName() returns it, e.g. "Ascend910B1"
  std::string_view family;       ///< "Ascend910B", "Ascend910_93", "Ascend310P", ...
  std::uint32_t cube_cores;      ///< AI cores (AIC) of the chip
  std::uint32_t vector_cores;    ///< vector cores (AIV) of the chip
  bool split;                    ///< cube and vector cores are separate (one AIC, two AIV)
  std::size_t ub_bytes;          ///< unified buffer per vector core
  std::size_t ub_align;          ///< alignment of UB addresses and of DataCopy lengths
  std::size_t l1_bytes;          ///< L1 buffer per AI core
  std::size_t l2_bytes;          ///< L2 cache of the chip
  std::size_t hbm_bytes;         ///< device memory of the chip (0: not specified)
};

/// Every profile vnpu knows, in a stable order.
std::span<const SocProfile> soc_profiles() noexcept;

/// The profile named `name`, or null.
const SocProfile* find_soc_profile(std::string_view name) noexcept;

/// The process's profile (VNPU_SOC, else the default), chosen on first call. Thread-safe.
const SocProfile& soc_profile() noexcept;

/// Makes `name` the profile of this process unless VNPU_SOC names another: the SoC a
/// program was built for (CMake's tikicpulib::<SOC> targets call it at startup). Returns
/// false, changing nothing, when `name` is not a known SoC or soc_profile() was already
/// called (the profile never changes once chosen).
bool set_build_soc(std::string_view name) noexcept;

/// The name of the default profile.
inline constexpr std::string_view kDefaultSoc = "Ascend910B1";

}  // namespace vnpu
