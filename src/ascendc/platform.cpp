// platform_ascendc: the SoC profile's numbers for host tiling code.
#include "tiling/platform/platform_ascendc.h"

#include "vnpu/soc.hpp"

namespace platform_ascendc {
namespace {

constexpr std::uint64_t KiB = 1024;

SocNumbers numbers_of(const vnpu::SocProfile& p) {
  SocNumbers n{};
  n.aic = p.cube_cores;
  n.split = p.split;
  n.aiv = p.split ? p.vector_cores : 0;
  n.vector = p.split ? 0 : p.vector_cores;
  n.ub = p.ub_bytes;
  n.l1 = p.l1_bytes;
  n.l2 = p.l2_bytes;
  n.hbm = p.hbm_bytes;
  // The cube unit's operand buffers: L0A/L0B 64 KiB; L0C 128 KiB on split chips, 256 KiB on
  // the coupled ones.
  n.l0a = 64 * KiB;
  n.l0b = 64 * KiB;
  n.l0c = p.split ? 128 * KiB : 256 * KiB;
  if (p.family == "Ascend910B" || p.family == "Ascend910_93") {
    n.version = SocVersion::ASCEND910B;
  } else if (p.family == "Ascend310P") {
    n.version = SocVersion::ASCEND310P;
  } else if (p.family == "Ascend310B") {
    n.version = SocVersion::ASCEND310B;
  } else {
    n.version = SocVersion::ASCEND910;
  }
  n.name = p.name.data();  // the profile table's names are NUL-terminated literals
  return n;
}

}  // namespace

SocNumbers soc_numbers() { return numbers_of(vnpu::soc_profile()); }

bool soc_numbers(const char* name, SocNumbers& out) {
  const vnpu::SocProfile* p = name != nullptr ? vnpu::find_soc_profile(name) : nullptr;
  if (p == nullptr) return false;
  out = numbers_of(*p);
  return true;
}

}  // namespace platform_ascendc
