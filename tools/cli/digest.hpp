// tools/cli/digest.hpp — a 64-bit digest of a byte range, to compare results bit for bit
// across ranks and runs without moving them (`vnpu bench hccl`, `vnpu demo train`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vnpu::cli {

/// FNV-style multiply-xor over 64-bit words in four independent chains (so the multiply
/// latency does not dominate), folded together at the end. Not cryptographic: it tells
/// results apart, it does not authenticate them.
inline std::uint64_t digest_bytes(const void* data, std::size_t bytes) {
  constexpr std::uint64_t kPrime = 0x100000001b3ull;
  std::uint64_t h[4] = {0xcbf29ce484222325ull, 1, 2, 3};
  const auto* p = static_cast<const unsigned char*>(data);
  std::size_t i = 0;
  for (; i + 32 <= bytes; i += 32) {
    for (int k = 0; k < 4; ++k) {
      std::uint64_t w;
      std::memcpy(&w, p + i + 8 * k, sizeof w);
      h[k] = (h[k] ^ w) * kPrime;
    }
  }
  for (; i < bytes; ++i) h[0] = (h[0] ^ p[i]) * kPrime;
  return ((h[0] * kPrime ^ h[1]) * kPrime ^ h[2]) * kPrime ^ h[3];
}

/// Combines digests in order (of layers, of ranks).
inline std::uint64_t digest_combine(std::uint64_t seed, std::uint64_t next) {
  return (seed ^ (next + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2))) * 0xff51afd7ed558ccdull;
}

}  // namespace vnpu::cli
