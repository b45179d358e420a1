#include "common/env.hpp"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace vnpu::detail {

std::optional<std::int64_t> env_int(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long x = std::strtoll(v, &end, 10);
  if (errno != 0 || *end != '\0') {
    std::fprintf(stderr, "vnpu: ignoring %s='%s': not an integer\n", name, v);
    return std::nullopt;
  }
  return x;
}

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

std::optional<std::size_t> env_bytes(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const unsigned long long x = std::strtoull(v, &end, 10);
  unsigned shift = 0;
  if (*end == 'K' || *end == 'k') shift = 10;
  if (*end == 'M' || *end == 'm') shift = 20;
  if (*end == 'G' || *end == 'g') shift = 30;
  if (shift != 0) ++end;
  if (*end == 'i' || *end == 'B') ++end;  // accept "64MiB"-ish spellings loosely
  if (*end == 'B') ++end;
  if ((errno != 0 && errno != ERANGE) || *end != '\0' || x == 0 || v[0] == '-') {
    std::fprintf(stderr, "vnpu: ignoring %s='%s': not a positive byte count\n", name, v);
    return std::nullopt;
  }
  // Too large to represent: saturate, so that the caller's range check rejects it (a
  // wrapped value would pass as a small one).
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  if (errno == ERANGE || x > (kMax >> shift)) return kMax;
  return static_cast<std::size_t>(x) << shift;
}

}  // namespace vnpu::detail
