// vnpu/version.hpp
#pragma once

#define VNPU_VERSION_MAJOR 0
#define VNPU_VERSION_MINOR 1
#define VNPU_VERSION_PATCH 0

namespace vnpu {
inline constexpr int kVersionMajor = VNPU_VERSION_MAJOR;
inline constexpr int kVersionMinor = VNPU_VERSION_MINOR;
inline constexpr int kVersionPatch = VNPU_VERSION_PATCH;
}  // namespace vnpu
