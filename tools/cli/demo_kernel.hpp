// tools/cli/demo_kernel.hpp — the compute kernel of `vnpu demo` and its host reference.
//
// The demo needs a kernel whose time is set by arithmetic, not by memory traffic: a
// memory-bound kernel would compete with the copy engine for bandwidth and hide the very
// overlap the demo shows. Each element therefore goes through a dependent chain of
// `iters` multiply-adds, y <- y*a + b, while held in registers; the element is read once
// and written once whatever `iters` is, so the arithmetic per byte is set by `iters`.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace vnpu::cli::demo {

// The map y -> y*a + b has its fixed point at b/(1-a) = 1 and contracts by a per step;
// with a this close to 1 the output still depends visibly on the input after tens of
// thousands of steps, so a wrong element cannot pass the check by converging.
inline constexpr float kMul = 0.9999f;
inline constexpr float kAdd = 1.0f - kMul;

// Elements advanced together: 32 independent chains fill enough vector registers to
// hide multiply-add latency at any vector width from 4 (SSE, NEON) to 16 (AVX-512).
inline constexpr std::size_t kLanes = 32;

// How far ahead of the current group the kernel prefetches its input, in floats (4 KiB).
// The arithmetic keeps the out-of-order window full, so without prefetches only a few
// loads would be in flight and the kernel would stall on every line that another core
// (the copy engine) just wrote; with them the loads overlap the arithmetic.
inline constexpr std::size_t kPrefetchAhead = 1024;

/// dst[i] = f^iters(src[i]) for i < n, with f(y) = y*kMul + kAdd.
inline void affine_chain(const float* src, float* dst, std::size_t n, std::uint32_t iters) {
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#if defined(__GNUC__)
    if (i + kPrefetchAhead + kLanes <= n) {  // one group is two cache lines: fetch both
      __builtin_prefetch(src + i + kPrefetchAhead, 0, 0);
      __builtin_prefetch(src + i + kPrefetchAhead + kLanes / 2, 0, 0);
    }
#endif
    float v[kLanes];
    for (std::size_t j = 0; j < kLanes; ++j) v[j] = src[i + j];
    for (std::uint32_t k = 0; k < iters; ++k) {
      for (std::size_t j = 0; j < kLanes; ++j) v[j] = v[j] * kMul + kAdd;
    }
    for (std::size_t j = 0; j < kLanes; ++j) dst[i + j] = v[j];
  }
  for (; i < n; ++i) {
    float y = src[i];
    for (std::uint32_t k = 0; k < iters; ++k) y = y * kMul + kAdd;
    dst[i] = y;
  }
}

/// The exact result in double precision, from the closed form
/// f^K(x) = a^K x + b (1 - a^K) / (1 - a), with a and b the float constants the kernel uses.
inline double affine_chain_reference(float x, std::uint32_t iters) {
  const double a = kMul;
  const double b = kAdd;
  const double a_k = std::pow(a, static_cast<double>(iters));
  return a_k * static_cast<double>(x) + b * (1.0 - a_k) / (1.0 - a);
}

/// Largest accepted |kernel - reference| / (|reference| + 1). Each float step rounds
/// twice (or once when fused), each rounding at most 2^-24 relative to values of
/// magnitude <= ~2, and a <= 1 does not amplify earlier errors, so the error after K
/// steps is at most about 2K * 2^-24 * 2; we accept twice that.
inline double affine_chain_tolerance(std::uint32_t iters) {
  return 8.0 * static_cast<double>(iters) * std::ldexp(1.0, -24) + 1e-6;
}

/// Deterministic inputs in [-1, 1): a multiplicative hash of the index.
inline float demo_input(std::size_t i) {
  const auto h = static_cast<std::uint32_t>(i * 2654435761u);
  return static_cast<float>(h >> 8) * 0x1p-23f - 1.0f;
}

}  // namespace vnpu::cli::demo
