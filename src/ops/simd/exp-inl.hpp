// exp_neg_f32 (simd/exp.hpp) on Highway vectors, per SIMD target: the exp of softmax's
// vector passes.
//
// Contract of ExpNegV(d, x), lane by lane: exactly exp_neg_f32(x) — the same operations
// in the same order, every fused multiply-add rounded once — so the same bits on every
// target and as the scalar function: for x in [-inf, 0], within kExpNegMaxUlp = 0.9 ulp
// of e^x while the result is a normal float, 0 for x < kExpNegLo; x > 0 or NaN give an
// unspecified value. FmaV(a, b, c): a * b + c rounded once (to nearest even), lane by
// lane, on every target (the hardware instruction, or std::fma per lane).
// tests/ops/test_simd_numerics.cpp compares ExpNegV with exp_neg_f32 bit for bit.
//
// Fixed-width vector targets only (the vector passes that use it need a compile-time
// lane count). Included once per SIMD target inside the includer's HWY_NAMESPACE
// namespace (with `hn` naming hwy::HWY_NAMESPACE), after simd/exp.hpp was included at
// file scope; the guard below admits it once per target pass.

#if defined(VNPU_OPS_SIMD_EXP_INL_) == defined(HWY_TARGET_TOGGLE)
#ifdef VNPU_OPS_SIMD_EXP_INL_
#undef VNPU_OPS_SIMD_EXP_INL_
#else
#define VNPU_OPS_SIMD_EXP_INL_
#endif

#if !HWY_HAVE_SCALABLE

/// a * b + c rounded once: the target's fused multiply-add where it has one, else
/// std::fma lane by lane. Correctly rounded either way, so every target gets the same bits.
template <class D>
HWY_INLINE hn::Vec<D> FmaV(D d, hn::Vec<D> a, hn::Vec<D> b, hn::Vec<D> c) {
#if HWY_NATIVE_FMA
  (void)d;
  return hn::MulAdd(a, b, c);
#else
  constexpr std::size_t kMax = hn::MaxLanes(D());
  alignas(64) float pa[kMax], pb[kMax], pc[kMax];
  hn::Store(a, d, pa);
  hn::Store(b, d, pb);
  hn::Store(c, d, pc);
  for (std::size_t i = 0; i < kMax; ++i) pa[i] = std::fma(pa[i], pb[i], pc[i]);
  return hn::Load(d, pa);
#endif
}

/// exp_neg_f32 on each lane of x, operation by operation (see the contract above).
template <class D>
HWY_INLINE hn::Vec<D> ExpNegV(D d, hn::Vec<D> x) {
  using V = hn::Vec<D>;
  const hn::RebindToSigned<D> di;
  const V round = hn::Set(d, kExpNegRound);
  const V t = FmaV(d, x, hn::Set(d, kExpNegLog2e), round);
  const V k = hn::Sub(t, round);
  V r = FmaV(d, k, hn::Set(d, -kExpNegLn2Hi), x);
  r = FmaV(d, k, hn::Set(d, -kExpNegLn2Lo), r);
  V p = FmaV(d, hn::Set(d, kExpNegC[0]), r, hn::Set(d, kExpNegC[1]));
  p = FmaV(d, p, r, hn::Set(d, kExpNegC[2]));
  p = FmaV(d, p, r, hn::Set(d, kExpNegC[3]));
  p = FmaV(d, p, r, hn::Set(d, kExpNegC[4]));
  p = FmaV(d, p, r, hn::Set(d, 1.0f));
  const V y = FmaV(d, p, r, hn::Set(d, 1.0f));
  const V res = hn::BitCast(d, hn::Add(hn::BitCast(di, y), hn::ShiftLeft<23>(hn::BitCast(di, t))));
  return hn::IfThenZeroElse(hn::Lt(x, hn::Set(d, kExpNegLo)), res);
}

#endif  // !HWY_HAVE_SCALABLE

#endif  // VNPU_OPS_SIMD_EXP_INL_
