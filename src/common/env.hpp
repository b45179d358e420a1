// Reading configuration from environment variables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace vnpu::detail {

/// The integer value of `name`, or nullopt when unset or empty. A malformed value is
/// reported once on stderr and ignored.
std::optional<std::int64_t> env_int(const char* name);

/// env_int() within [lo, hi]. A value outside is reported on stderr the same way
/// ("vnpu: ignoring NAME=0: must be 1..64", or "must be at least LO" when hi is INT64_MAX)
/// and ignored, so the caller falls back to its default.
std::optional<std::int64_t> env_int_in(const char* name, std::int64_t lo, std::int64_t hi);

/// A byte count such as "1048576", "192K", "64M", "2G" (binary units), or nullopt when
/// unset, empty or malformed (reported once on stderr). A count too large for size_t is
/// SIZE_MAX, for the caller's range check to reject.
std::optional<std::size_t> env_bytes(const char* name);

}  // namespace vnpu::detail
