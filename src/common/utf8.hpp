// Cutting names to a fixed buffer without splitting a UTF-8 character.
#pragma once

#include <cstddef>

namespace vnpu::detail {

/// The longest prefix of s[0, len) of at most `max` bytes that ends on a character
/// boundary: a multi-byte UTF-8 sequence is kept whole or left out (task names are cut to
/// fit a task cell, and the trace must stay valid UTF-8 JSON).
inline std::size_t utf8_prefix(const char* s, std::size_t len, std::size_t max) noexcept {
  if (len <= max) return len;
  std::size_t k = max;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;  // s[k]: the first byte left out
  return k;
}

}  // namespace vnpu::detail
