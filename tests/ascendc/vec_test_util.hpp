// Helpers of the vector instruction tests: unified-buffer tensors of exact sizes inside a
// one-block kernel, bit access to half, every SIMD instruction set, and random inputs.
// C++17: the tests compile as kernels do.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "kernel_operator.h"
#include "tikicpulib.h"

namespace vectest {

/// Tensors in the block's unified buffer, each in a buffer of its own of exactly the bytes
/// asked for (rounded up to 32), so an instruction that passes its end is caught.
class Ub {
 public:
  template <typename T>
  AscendC::LocalTensor<T> alloc(std::uint32_t n) {
    bufs_.emplace_back();
    const std::uint32_t bytes = (n * static_cast<std::uint32_t>(sizeof(T)) + 31) / 32 * 32;
    pipe_.InitBuffer(bufs_.back(), bytes == 0 ? 32 : bytes);
    return bufs_.back().template Get<T>();
  }
  template <typename T>
  AscendC::LocalTensor<T> alloc_from(const std::vector<T>& v) {
    AscendC::LocalTensor<T> t = alloc<T>(static_cast<std::uint32_t>(v.size()));
    std::memcpy(t.GetPhyAddr(), v.data(), v.size() * sizeof(T));
    return t;
  }

 private:
  AscendC::TPipe pipe_;
  std::deque<AscendC::TBuf<AscendC::TPosition::VECCALC>> bufs_;
};

template <typename T>
std::vector<T> read(const AscendC::LocalTensor<T>& t, std::uint32_t n) {
  std::vector<T> v(n);
  std::memcpy(v.data(), t.GetPhyAddr(), n * sizeof(T));
  return v;
}

/// Runs body(ub) in a one-block kernel; the failure's message, or "" on success.
inline std::string run(const std::function<void(Ub&)>& body) {
  const vnpu::Status st = vnpu::ascendc::run_kernel("vec_test", 1, [&] {
    Ub ub;
    body(ub);
  });
  return st == vnpu::Status::kSuccess ? std::string() : std::string(vnpu::ascendc::last_error_message());
}

/// Expects body to fail the kernel with a message containing every one of `parts`.
inline void expect_failure(const std::function<void(Ub&)>& body, std::initializer_list<const char*> parts) {
  const std::string msg = run(body);
  ASSERT_FALSE(msg.empty()) << "the kernel did not fail";
  for (const char* p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
}

inline std::uint16_t bits(half h) { return h.bits(); }
inline std::uint32_t bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
template <typename T, std::enable_if_t<std::is_integral<T>::value, int> = 0>
std::uint64_t bits(T v) {
  return static_cast<std::uint64_t>(v);
}
inline float from_bits32(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// Every instruction set of this CPU; runs `f` under each, then lifts the restriction.
inline void for_each_isa(const std::function<void(const std::string&)>& f) {
  for (const std::string& isa : vnpu::ascendc::simd_isas()) {
    ASSERT_EQ(vnpu::ascendc::set_simd_isa(isa.c_str()), vnpu::Status::kSuccess) << isa;
    SCOPED_TRACE("isa " + isa);
    f(isa);
    if (::testing::Test::HasFatalFailure()) break;
  }
  ASSERT_EQ(vnpu::ascendc::set_simd_isa("native"), vnpu::Status::kSuccess);
}

/// Values of varied sign and magnitude (exponents in [lo, hi]), as T.
template <typename T>
std::vector<T> random_values(std::size_t n, unsigned seed, int lo = -6, int hi = 6) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  std::uniform_int_distribution<int> expo(lo, hi), sign(0, 1);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>((sign(rng) != 0 ? -1.0f : 1.0f) * std::ldexp(mant(rng), expo(rng)));
  return v;
}

}  // namespace vectest
