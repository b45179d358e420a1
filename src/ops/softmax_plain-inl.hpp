// Plain-loop bodies of the softmax passes: the scalar twins of softmax_vec-inl.hpp.
//
// Each function here performs the IEEE operations of its namesake in namespace vec, in
// the same order (exp_neg_f32 of simd/exp.hpp for ExpNegV; the 64-lane sums folded by
// halves, simd/fold-inl.hpp's FoldHalvesAdd<64> for FoldHalvesV; simd/convert-inl.hpp's
// scalar conversions for the vector ones), so both give the same bits; maxima are the
// same values (with NaN: a NaN, whose payload may differ). The kernels use them where
// vectors have no compile-time lane count (SVE, RVV: SM_VEC is 0); they are compiled for
// every target, and tests/ops/test_simd_numerics.cpp runs them beside the vector bodies
// on the same rows (through ProbeSoftmax of softmax_kernels.cpp).
//
// Included once per target by softmax_kernels.cpp inside its HWY_NAMESPACE (no include
// guard, on purpose), after simd/convert-inl.hpp and simd/fold-inl.hpp, where MaxOne and
// Ahead are defined.

namespace plain {

// Every NaN the output passes write is this one quiet NaN (bits 0x7FC00000; f16 0x7E00,
// bf16 0x7FC0 once converted): which NaN an IEEE operation returns when NaNs meet, and the
// sign of the NaN it makes of inf - inf, depend on the operands' order and the
// instruction, which differ between targets.
HWY_INLINE float Canon(float v) { return v != v ? std::bit_cast<float>(0x7FC00000u) : v; }

constexpr int kLanes = 64;

// Largest element of x[0, n), or NaN if there is one: element e to lane e % 64 with
// MaxOne (NaN sticks), then the lanes in order.
HWY_INLINE float Max(const float* HWY_RESTRICT x, std::int64_t n) {
  alignas(64) float acc[kLanes];
  for (float& a : acc) a = -std::numeric_limits<float>::infinity();
  std::int64_t e = 0;
  for (; e + kLanes <= n; e += kLanes)
    for (int k = 0; k < kLanes; ++k) acc[k] = MaxOne(acc[k], x[e + k]);
  for (int k = 0; k < n - e; ++k) acc[k] = MaxOne(acc[k], x[e + k]);
  float m = -std::numeric_limits<float>::infinity();
  for (float a : acc) m = MaxOne(m, a);
  return m;
}

// vec::MaxPlain's contract (the maximum of a row without NaN), met by Max.
HWY_INLINE float MaxPlain(const float* HWY_RESTRICT x, std::int64_t n) { return Max(x, n); }

// Sum of exp(x - m) over x[0, n): element e adds to lane e % 64, the lanes fold by
// halves. kStore: exp(x - m) is also written to e_out (may be x). kBelowMax: only the
// elements below m add. (No prefetching: `ahead` is ignored.)
template <bool kStore, bool kBelowMax = false>
HWY_INLINE float ExpSum(const float* x, std::int64_t n, float m, float* e_out, const Ahead& /* ahead */) {
  alignas(64) float acc[kLanes] = {};
  auto step = [&](std::int64_t i, int k) {
    const float v = exp_neg_f32(x[i] - m);
    if constexpr (kStore) e_out[i] = v;
    if (!kBelowMax || x[i] < m) acc[k] += v;
  };
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) step(i + k, k);
  for (int k = 0; k < n - i; ++k) step(i + k, k);
  return FoldHalvesAdd<kLanes>(acc);
}

// y[i] = s[i] * a (kOp 0), exp(s[i] - a) * b (1) or (s[i] - a) - b (2); s may be y.
template <int kOp>
HWY_INLINE void Map(const float* s, std::int64_t n, float a, float b, float* y) {
  for (std::int64_t i = 0; i < n; ++i) {
    if constexpr (kOp == 0) y[i] = Canon(s[i] * a);
    else if constexpr (kOp == 1) y[i] = Canon(exp_neg_f32(s[i] - a) * b);
    else y[i] = Canon((s[i] - a) - b);
  }
}

// Column forms: per-column parameters m[c] and a[c] over w columns.
// mx[c] = MaxOne(mx[c], x[c]).
HWY_INLINE void MaxCols(const float* HWY_RESTRICT x, std::int64_t w, float* HWY_RESTRICT mx) {
  for (std::int64_t c = 0; c < w; ++c) mx[c] = MaxOne(mx[c], x[c]);
}

// acc[c] += exp(x[c] - m[c]); with kStore also e[c] = exp(x[c] - m[c]) (e may be x).
template <bool kStore>
HWY_INLINE void ExpAccCols(const float* x, std::int64_t w, const float* HWY_RESTRICT m, float* HWY_RESTRICT acc,
                           float* e) {
  for (std::int64_t c = 0; c < w; ++c) {
    const float v = exp_neg_f32(x[c] - m[c]);
    if constexpr (kStore) e[c] = v;
    acc[c] += v;
  }
}

// y[c] = s[c] * a[c] (kOp 0), exp(s[c] - m[c]) * a[c] (1) or (s[c] - m[c]) - a[c] (2).
template <int kOp>
HWY_INLINE void MapCols(const float* s, std::int64_t w, const float* HWY_RESTRICT m, const float* HWY_RESTRICT a,
                        float* y) {
  for (std::int64_t c = 0; c < w; ++c) {
    if constexpr (kOp == 0) y[c] = Canon(s[c] * a[c]);
    else if constexpr (kOp == 1) y[c] = Canon(exp_neg_f32(s[c] - m[c]) * a[c]);
    else y[c] = Canon((s[c] - m[c]) - a[c]);
  }
}

// n contiguous elements of type kT (1: f16, 2: bf16) at src as f32 into dst, and back
// (RowTo), rounded to nearest even.
template <int kT>
HWY_INLINE void RowFrom(const unsigned char* src, std::int64_t n, float* HWY_RESTRICT dst) {
  const auto* s = reinterpret_cast<const std::uint16_t*>(src);
  for (std::int64_t i = 0; i < n; ++i) dst[i] = kT == 2 ? BrainValue(s[i]) : HalfValue(s[i]);
}
template <int kT>
HWY_INLINE void RowTo(const float* HWY_RESTRICT y, std::int64_t n, unsigned char* dst) {
  auto* d = reinterpret_cast<std::uint16_t*>(dst);
  for (std::int64_t i = 0; i < n; ++i) d[i] = kT == 2 ? BrainBits(y[i]) : HalfBits(y[i]);
}

}  // namespace plain
