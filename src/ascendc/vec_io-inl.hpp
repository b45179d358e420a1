// Loading and storing the operands of the vector kernels as compute vectors, per SIMD
// target: float and the integer types as themselves, half (F16) widened exactly to float
// and rounded back to nearest even (ops/simd/convert-inl.hpp, whose scalar and vector forms
// give the same bits).
//
// Included once per target by vec_arith.cpp and vec_cmpsel.cpp inside an anonymous
// namespace in their HWY_NAMESPACE (no include guard, on purpose).

// The half <-> float conversions (HalfValue, HalfBits, HalfBitsV).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "ops/simd/convert-inl.hpp"
#pragma GCC diagnostic pop

/// Half operands, computed as float.
struct F16 {};

template <class S>
struct IoOf {
  using D = hn::ScalableTag<S>;
  static HWY_INLINE hn::Vec<D> Load(D d, const void* p, std::size_t i) {
    return hn::LoadU(d, static_cast<const S*>(p) + i);
  }
  static HWY_INLINE void Store(D d, hn::Vec<D> v, void* p, std::size_t i) { hn::StoreU(v, d, static_cast<S*>(p) + i); }
  static HWY_INLINE S Get(const void* p, std::size_t i) { return static_cast<const S*>(p)[i]; }
  static HWY_INLINE void Put(S v, void* p, std::size_t i) { static_cast<S*>(p)[i] = v; }
  /// The scalar operand from its bits.
  static HWY_INLINE S Scalar(std::uint64_t bits) {
    S v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
};

template <>
struct IoOf<F16> {
  using D = hn::ScalableTag<float>;
  static HWY_INLINE hn::Vec<D> Load(D d, const void* p, std::size_t i) {
    return HalfValueV(d, static_cast<const std::uint16_t*>(p) + i);  // exact (see simd/convert-inl.hpp for NaNs)
  }
  static HWY_INLINE void Store(D d, hn::Vec<D> v, void* p, std::size_t i) {
    hn::StoreU(HalfBitsV(d, v), hn::Rebind<std::uint16_t, D>(), static_cast<std::uint16_t*>(p) + i);
  }
  static HWY_INLINE float Get(const void* p, std::size_t i) { return HalfValue(static_cast<const std::uint16_t*>(p)[i]); }
  static HWY_INLINE void Put(float v, void* p, std::size_t i) { static_cast<std::uint16_t*>(p)[i] = HalfBits(v); }
  static HWY_INLINE float Scalar(std::uint64_t bits) { return HalfValue(static_cast<std::uint16_t>(bits)); }
};
