// Duplicate for every 910B-class element type, in every form and on every SIMD target.
#include <gtest/gtest.h>

#include <cstdint>

#include "vector_support.hpp"

using namespace AscendC;

namespace {

template <typename T>
void check_duplicate(T v, std::uint32_t seed) {
  vt::Case<T> c;
  c.sources = 0;
  c.ref = [v](T, T, T) { return v; };
  auto call = [v](const vt::Shape& s, LocalTensor<T> dst, LocalTensor<T>, LocalTensor<T>) {
    const auto blk = static_cast<std::uint16_t>(s.st[0].blk);
    const auto rep = static_cast<std::uint8_t>(s.st[0].rep);
    vt::issue<T>(
        s, [&](std::int32_t n) { Duplicate(dst, v, n); },
        [&](const std::uint64_t* bits, std::uint64_t len, auto set) {
          if (bits != nullptr) Duplicate<T, decltype(set)::value>(dst, v, bits, s.repeat, blk, rep);
          else Duplicate<T, decltype(set)::value>(dst, v, len, s.repeat, blk, rep);
        });
  };
  vt::check_all_forms(c, call, seed);
}

TEST(AscendcVectorDuplicate, EveryTypeAndForm) {
  check_duplicate<std::int16_t>(-1234, 501);
  check_duplicate<std::uint16_t>(0xBEEF, 502);
  check_duplicate<half>(half(-2.5f), 503);
  check_duplicate<bfloat16_t>(bfloat16_t(3.0f), 504);
  check_duplicate<std::int32_t>(-7, 505);
  check_duplicate<std::uint32_t>(0xDEADBEEFu, 506);
  check_duplicate<float>(1.0e-3f, 507);
}

}  // namespace
