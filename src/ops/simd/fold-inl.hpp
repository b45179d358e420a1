// Ordered folds of accumulator lanes, per SIMD target: the last step of every lane sum
// (and lane maximum) of the operators, which fixes the order of their final additions
// and so, with the order in which elements reach the lanes, their bits.
//
// Floating-point addition is not associative: each function here folds its lanes in one
// documented order, and its scalar and vector forms perform the same operations on the
// same pairs in that order, so they give the same bits on every target. Two orders are
// in use; they give different bits, so they are kept apart, each under its own name:
//
// - Halves (softmax rows, the normalization statistics): for w = L/2, L/4, ..., 1,
//   a[i] = op(a[i], a[i + w]) for i < w; the result is a[0]. L is 64 (softmax) or 32
//   (normalization). FoldHalves (scalar), FoldHalvesAdd (scalar sums), FoldLanesV (the
//   in-register end on one vector), FoldHalvesV (lanes held in several vectors).
// - Quartered pairs (the reductions' chunks): 64 lanes become 16 as
//   a[l] = op(op(acc[l], acc[16 + l]), op(acc[32 + l], acc[48 + l])), then the 16 fold
//   by adjacent pairs, a[i] = op(a[2i], a[2i + 1]), four times. FoldPairs (scalar),
//   FoldPairsAdd (sums, vectorized), FoldPairsTreeV (the adjacent-pair tree on vectors),
//   FoldPairsAddV (64 lanes held in vectors).
//
// No function here rounds other than op does (an IEEE addition rounds to nearest even);
// NaN and infinities propagate as op propagates them.
//
// Included once per SIMD target inside the includer's HWY_NAMESPACE namespace (with `hn`
// naming hwy::HWY_NAMESPACE), as the other -inl headers of the operators are; the guard
// below admits it once per target pass.

#if defined(VNPU_OPS_SIMD_FOLD_INL_) == defined(HWY_TARGET_TOGGLE)
#ifdef VNPU_OPS_SIMD_FOLD_INL_
#undef VNPU_OPS_SIMD_FOLD_INL_
#else
#define VNPU_OPS_SIMD_FOLD_INL_
#endif

// ---- halves ------------------------------------------------------------------------------

/// The halves fold of a[0, kL) with op (kL a power of two); a is overwritten.
template <int kL, class T, class Op>
HWY_INLINE T FoldHalves(T* HWY_RESTRICT a, Op op) {
#pragma GCC unroll 8
  for (int w = kL / 2; w >= 1; w /= 2)
#pragma GCC unroll 32
    for (int i = 0; i < w; ++i) a[i] = op(a[i], a[i + w]);
  return a[0];
}

/// FoldHalves with op = IEEE f32 addition: the sum of a[0, kL) in the halves order.
template <int kL>
HWY_INLINE float FoldHalvesAdd(float* HWY_RESTRICT a) {
  return FoldHalves<kL>(a, [](float x, float y) { return x + y; });
}

/// The halves fold of the lanes of one vector v of tag dx: lane i with lane i + n/2
/// (n = lanes), then n/4, ..., 1 (LowerHalf with UpperHalf, recursively): FoldHalves
/// of its lanes.
template <class DX, class VX, class Op>
HWY_INLINE float FoldLanesV(DX dx, VX v, Op op) {
#if HWY_TARGET == HWY_SCALAR
  (void)dx;
  (void)op;
  return hn::GetLane(v);
#else
  if constexpr (hn::MaxLanes(DX()) == 1) {
    (void)dx;
    return hn::GetLane(v);
  } else {
    const hn::Half<DX> dh;
    return FoldLanesV(dh, op(hn::LowerHalf(dh, v), hn::UpperHalf(dh, v)), op);
  }
#endif
}

namespace fold_detail {
// The steps of FoldHalvesV across vectors, w = W, W/2, ..., 1 vectors apart, as a
// template recursion so that every index into acc is a constant (a loop over w /= 2 is
// not unrolled, and would keep the accumulators in memory).
template <int W, class V, class Op>
HWY_INLINE void HalveVecs(V* acc, Op op) {
  if constexpr (W >= 1) {
    for (int j = 0; j < W; ++j) acc[j] = op(acc[j], acc[j + W]);
    HalveVecs<W / 2>(acc, op);
  }
}
}  // namespace fold_detail

/// The halves fold of kVecs * Lanes(d) lanes held in acc (lane j * Lanes(d) + l in
/// acc[j], kVecs a power of two): the vectors fold by halves first (the steps with
/// w >= Lanes(d)), then the lanes of acc[0] (FoldLanesV). The same operations, in the same
/// order, as FoldHalves<kVecs * Lanes(d)> on the lanes stored to memory. acc is
/// overwritten. (Fixed-width targets: the lane count is a compile-time constant.)
template <int kVecs, class D, class Op>
HWY_INLINE float FoldHalvesV(D d, hn::Vec<D>* acc, Op op) {
  fold_detail::HalveVecs<kVecs / 2>(acc, op);
  return FoldLanesV(d, acc[0], op);
}

// ---- quartered pairs ---------------------------------------------------------------------

/// The quartered-pairs fold of acc[0, kL) with op. kL is 64, or 16 when lanes 16..63
/// would hold only op's identity: folding them in changes nothing (x + -0 == x,
/// x * 1 == x, max(x, -inf) == x), so the first step is skipped and a[l] = acc[l].
template <int kL = 64, class T, class Op>
HWY_INLINE T FoldPairs(const T* acc, Op op) {
  static_assert(kL == 64 || kL == 16);
  T a[16];
  for (int l = 0; l < 16; ++l)
    a[l] = kL == 16 ? acc[l] : op(op(acc[l], acc[16 + l]), op(acc[32 + l], acc[48 + l]));
  for (int w = 16; w > 1; w /= 2)
    for (int i = 0; i < w / 2; ++i) a[i] = op(a[2 * i], a[2 * i + 1]);
  return a[0];
}

#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
/// The adjacent-pair tree of FoldPairs on 16 f32 lanes held in kPer vectors of tag d
/// (lane j * Lanes(d) + l in v[j]): adjacent pairs stay adjacent through ConcatEven /
/// ConcatOdd, so the same additions in the same order. v is overwritten.
template <class D, class V, std::size_t kPer>
HWY_INLINE float FoldPairsTreeV(D d, V (&v)[kPer]) {
  for (std::size_t cnt = kPer; cnt > 1; cnt /= 2)
    for (std::size_t i = 0; i < cnt / 2; ++i)
      v[i] = hn::Add(hn::ConcatEven(d, v[2 * i + 1], v[2 * i]), hn::ConcatOdd(d, v[2 * i + 1], v[2 * i]));
  V t = v[0];
  for (std::size_t w = hn::MaxLanes(d); w > 1; w /= 2) t = hn::Add(hn::ConcatEven(d, t, t), hn::ConcatOdd(d, t, t));
  return hn::GetLane(t);
}
#endif

/// FoldPairs<kL> with op = IEEE f32 addition, in vector instructions where the target
/// has fixed-width vectors: the same additions in the same order, so the same bits.
template <int kL = 64>
HWY_INLINE float FoldPairsAdd(const float* HWY_RESTRICT acc) {
#if HWY_TARGET == HWY_SCALAR || HWY_HAVE_SCALABLE
  return FoldPairs<kL>(acc, [](float x, float y) { return x + y; });
#else
  static_assert(kL == 64 || kL == 16);
  const hn::CappedTag<float, 16> d;
  constexpr std::size_t N = hn::MaxLanes(d);
  hn::Vec<decltype(d)> v[16 / N];
  for (std::size_t j = 0; j < 16 / N; ++j) {
    const float* a = acc + j * N;
    if constexpr (kL == 16) {
      v[j] = hn::LoadU(d, a);
    } else {
      v[j] = hn::Add(hn::Add(hn::LoadU(d, a), hn::LoadU(d, a + 16)), hn::Add(hn::LoadU(d, a + 32), hn::LoadU(d, a + 48)));
    }
  }
  return FoldPairsTreeV(d, v);
#endif
}

#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
/// FoldPairsAdd<64> of 64 lanes held in vectors of tag d (acc[j] holds lanes
/// j * Lanes(d) .. j * Lanes(d) + Lanes(d) - 1; Lanes(d) <= 16): the same additions in
/// the same order, without a trip through memory (stored as 256-bit vectors and reloaded
/// as 512-bit ones, the lanes would miss store-to-load forwarding).
template <class D>
HWY_INLINE float FoldPairsAddV(D d, const hn::Vec<D>* acc) {
  constexpr std::size_t kPer = 16 / hn::MaxLanes(D());  // vectors per 16 lanes
  hn::Vec<D> v[kPer];
  for (std::size_t j = 0; j < kPer; ++j)
    v[j] = hn::Add(hn::Add(acc[j], acc[kPer + j]), hn::Add(acc[2 * kPer + j], acc[3 * kPer + j]));
  return FoldPairsTreeV(d, v);
}
#endif

#endif  // VNPU_OPS_SIMD_FOLD_INL_
