// Integer environment variables that must lie in a range (common/env.hpp).
#include <cinttypes>
#include <cstdio>
#include <limits>

#include "common/env.hpp"

namespace vnpu::detail {

std::optional<std::int64_t> env_int_in(const char* name, std::int64_t lo, std::int64_t hi) {
  const std::optional<std::int64_t> v = env_int(name);
  if (!v || (*v >= lo && *v <= hi)) return v;
  if (hi == std::numeric_limits<std::int64_t>::max()) {
    std::fprintf(stderr, "vnpu: ignoring %s=%" PRId64 ": must be at least %" PRId64 "\n", name, *v, lo);
  } else {
    std::fprintf(stderr, "vnpu: ignoring %s=%" PRId64 ": must be %" PRId64 "..%" PRId64 "\n", name, *v, lo, hi);
  }
  return std::nullopt;
}

}  // namespace vnpu::detail
