// Per-ISA handling of 16-bit float inputs (f16, bf16): exact conversion to f32 a vector
// at a time (simd/convert-inl.hpp), and the sum family reading them directly (no
// separate widening pass, so the loads of a chunk interleave with its additions as they
// do for f32 inputs).
//
// Included once per SIMD target by reduce_kernels.cpp, after simd/convert-inl.hpp and
// reduce_chunk-inl.hpp (no include guard, on purpose). Every conversion here is exact,
// so whichever instruction a target uses, the values — and the sums, which follow
// chunk::SumF32's order — are the same bits on every ISA.

namespace half {

// One value, exactly (inf and NaN included): BrainValue / HalfValue of
// simd/convert-inl.hpp.
template <bool kBF16>
HWY_INLINE float Scalar(std::uint16_t h) {
  if constexpr (kBF16) return BrainValue(h);
  else return HalfValue(h);
}

#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
// Lanes(d) values at p as f32: BrainValueV / HalfValueV.
template <bool kBF16, class D>
HWY_INLINE hn::Vec<D> Load(D d, const std::uint16_t* HWY_RESTRICT p) {
  if constexpr (kBF16) return BrainValueV(d, p);
  else return HalfValueV(d, p);
}
#endif

// Converts n contiguous values to f32.
template <bool kBF16>
HWY_NOINLINE void Widen(const std::uint16_t* HWY_RESTRICT src, float* HWY_RESTRICT dst, std::int64_t n) {
  std::int64_t i = 0;
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
  const hn::CappedTag<float, 16> d;
  constexpr auto N = static_cast<std::int64_t>(hn::MaxLanes(d));
  for (; i + N <= n; i += N) hn::StoreU(Load<kBF16>(d, src + i), d, dst + i);
#endif
  for (; i < n; ++i) dst[i] = Scalar<kBF16>(src[i]);
}

// chunk::SumF32<kMap> of the n values at x, converted on the fly: the same lanes, the same
// additions in the same order, so the same bits. Chunks of at most 16 elements give the
// same bits as the 16-lane form (the other lanes only add -0).
template <Map kMap, bool kBF16>
HWY_NOINLINE float Sum(const std::uint16_t* HWY_RESTRICT x, std::int64_t n) {
  alignas(64) float a[chunk::kLanes];
  std::int64_t e = 0;
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
  const chunk::DStream d;
  constexpr std::size_t N = hn::MaxLanes(d);
  constexpr std::size_t kVecs = chunk::kLanes / N;
  hn::Vec<decltype(d)> acc[kVecs];
  for (auto& v : acc) v = hn::Set(d, -0.0f);
  for (; e + chunk::kLanes <= n; e += chunk::kLanes) {
    for (std::size_t j = 0; j < kVecs; ++j) acc[j] = hn::Add(acc[j], chunk::MapV<kMap>(Load<kBF16>(d, x + e + j * N)));
  }
  if (e == n) return FoldPairsAddV(d, acc);
  for (std::size_t j = 0; j < kVecs; ++j) hn::Store(acc[j], d, a + j * N);
#else
  for (float& v : a) v = -0.0f;
  for (; e + chunk::kLanes <= n; e += chunk::kLanes)
    for (int k = 0; k < chunk::kLanes; ++k) a[k] += chunk::MapF<kMap>(Scalar<kBF16>(x[e + k]));
#endif
  for (int k = 0; k < n - e; ++k) a[k] += chunk::MapF<kMap>(Scalar<kBF16>(x[e + k]));
  return FoldPairsAdd(a);
}

template <bool kBF16>
HWY_INLINE float SumAny(Map map, const std::uint16_t* x, std::int64_t n) {
  switch (map) {
    case Map::kSquare: return Sum<Map::kSquare, kBF16>(x, n);
    case Map::kAbs: return Sum<Map::kAbs, kBF16>(x, n);
    default: return Sum<Map::kIdentity, kBF16>(x, n);
  }
}

}  // namespace half
