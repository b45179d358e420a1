// Per-ISA reduction of one chunk (at most kChunk contiguous elements) to a Partial.
//
// Included once per SIMD target by reduce_kernels.cpp (no include guard, on purpose),
// after simd/fold-inl.hpp.
// The fixed order that makes results independent of cores and ISAs: element e of a chunk
// goes to accumulator lane e % 64; the 64 lanes fold in the quartered-pairs order of
// simd/fold-inl.hpp (FoldPairs: to 16 as a[l] = (acc[l] + acc[16+l]) + (acc[32+l] +
// acc[48+l]), then by adjacent pairs, a[i] = a[2i] + a[2i+1], four times). The loops are
// plain C++ that the compiler vectorizes for the target being compiled; no fused multiply-adds (the file is built
// with -ffp-contract=off), so every ISA performs the same roundings.

// NOLINTBEGIN(readability-function-cognitive-complexity)

namespace chunk {

inline constexpr int kLanes = 64;

// The vectors of the streaming sums (SumLanes, half::Sum): at most 256 bits. The 64
// lanes, and so the bits, are the same at any width; eight 256-bit accumulators stream
// from memory faster than four 512-bit ones on the AVX-512 CPUs measured (AMD EPYC:
// a 256 MiB f32 sum on one core ran 4-6% faster, and 0.87-0.90x a 512-bit loop's
// speed became 0.95-1.06x).
#if HWY_TARGET == HWY_SCALAR || HWY_HAVE_SCALABLE
using DStream = hn::CappedTag<float, 8>;
#else
using DStream = hn::CappedTag<float, 8>;
#endif

// Chunks of at most 16 elements use 16 accumulator lanes (kL = 16): the folds of
// simd/fold-inl.hpp then skip the lanes that would only hold the identity, which gives
// the same bits with a quarter of the work.

inline float MaxF(float x, float y) { return y > x ? y : x; }
inline float MinF(float x, float y) { return y < x ? y : x; }

template <Map kMap>
HWY_INLINE float MapF(float x) {
  if constexpr (kMap == Map::kSquare) return x * x;
  else if constexpr (kMap == Map::kAbs) return std::fabs(x);
  else return x;
}

#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
// MapF on a vector.
template <Map kMap, class V>
HWY_INLINE V MapV(V v) {
  if constexpr (kMap == Map::kSquare) return hn::Mul(v, v);
  else if constexpr (kMap == Map::kAbs) return hn::Abs(v);
  else return v;
}
#endif

#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
// SumF32 over 64 lanes with the lanes held in vector registers: element e is added to
// lane e % 64, a short tail through a buffer padded with -0 (which adds nothing), and the
// lanes fold as FoldPairsAdd folds them, so the same bits as the plain loop below. Inlined
// into a loop over short rows, it saves the call and the accumulators' trip through
// memory: a fifth of a cache-resident row of 1024 elements. (Fixed-width vector targets;
// the others take the plain loop.)
template <Map kMap>
HWY_INLINE float SumLanes(const float* HWY_RESTRICT x, std::int64_t n) {
  const DStream d;
  constexpr std::int64_t N = static_cast<std::int64_t>(hn::MaxLanes(d));
  constexpr std::int64_t kV = kLanes / N;
  using V = hn::Vec<decltype(d)>;
  V acc[kV];
  for (auto& a : acc) a = hn::Set(d, -0.0f);
  std::int64_t e = 0;
  for (; e + kLanes <= n; e += kLanes) {
#pragma GCC unroll 16
    for (std::int64_t k = 0; k < kV; ++k) acc[k] = hn::Add(acc[k], MapV<kMap>(hn::LoadU(d, x + e + k * N)));
  }
  if (e < n) {
#if HWY_MEM_OPS_MIGHT_FAULT
    alignas(64) float lanes[kLanes];
    for (std::int64_t k = 0; k < kLanes; ++k) lanes[k] = k < n - e ? MapF<kMap>(x[e + k]) : -0.0f;
#pragma GCC unroll 16
    for (std::int64_t k = 0; k < kV; ++k) acc[k] = hn::Add(acc[k], hn::Load(d, lanes + k * N));
#else
    // Masked loads (which do not fault past the end on this target), the lanes beyond n
    // set to -0 after the map: the same lanes as the buffer above, without the scalar
    // pass (rows of 56 elements spent most of their time there).
    const std::int64_t rem = n - e;
#pragma GCC unroll 16
    for (std::int64_t k = 0; k < kV; ++k) {
      const std::int64_t cnt = std::clamp<std::int64_t>(rem - k * N, 0, N);
      const auto m = hn::FirstN(d, static_cast<std::size_t>(cnt));
      const auto v = hn::IfThenElse(m, MapV<kMap>(hn::MaskedLoad(m, d, x + e + k * N)), hn::Set(d, -0.0f));
      acc[k] = hn::Add(acc[k], v);
    }
#endif
  }
  return FoldPairsAddV(d, acc);
}
#endif

// Sums start from -0, the exact additive identity (x + -0 == x for every x, so a sum of
// -0 values stays -0 as IEEE and NumPy have it).
template <Map kMap, int kL = kLanes>
HWY_NOINLINE float SumF32(const float* HWY_RESTRICT x, std::int64_t n) {
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
  if constexpr (kL == kLanes) return SumLanes<kMap>(x, n);
#endif
  alignas(64) float acc[kL];
  for (float& a : acc) a = -0.0f;
  std::int64_t e = 0;
  if constexpr (kL == kLanes)
    for (; e + kLanes <= n; e += kLanes)
      for (int k = 0; k < kLanes; ++k) acc[k] += MapF<kMap>(x[e + k]);
  for (int k = 0; k < n - e; ++k) acc[k] += MapF<kMap>(x[e + k]);
  return FoldPairsAdd<kL>(acc);
}

template <int kL = kLanes>
HWY_NOINLINE float CountF32(const float* HWY_RESTRICT x, std::int64_t n) {
  alignas(64) float acc[kL] = {};
  std::int64_t e = 0;
  if constexpr (kL == kLanes)
    for (; e + kLanes <= n; e += kLanes)
      for (int k = 0; k < kLanes; ++k) acc[k] += x[e + k] != 0.0f ? 1.0f : 0.0f;
  for (int k = 0; k < n - e; ++k) acc[k] += x[e + k] != 0.0f ? 1.0f : 0.0f;
  return FoldPairsAdd<kL>(acc);
}

template <int kL = kLanes>
HWY_NOINLINE double ProdF32(const float* HWY_RESTRICT x, std::int64_t n) {
  alignas(64) double acc[kL];
  for (double& a : acc) a = 1.0;
  std::int64_t e = 0;
  if constexpr (kL == kLanes)
    for (; e + kLanes <= n; e += kLanes)
      for (int k = 0; k < kLanes; ++k) acc[k] *= static_cast<double>(x[e + k]);
  for (int k = 0; k < n - e; ++k) acc[k] *= static_cast<double>(x[e + k]);
  return FoldPairs<kL>(acc, [](double p, double q) { return p * q; });
}

// Max (kMax true) or min; NaN if any element is NaN.
template <bool kMax, int kL = kLanes>
HWY_NOINLINE float ExtremeF32(const float* HWY_RESTRICT x, std::int64_t n) {
  constexpr float kInit = kMax ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  alignas(64) float acc[kL];
  alignas(64) std::int32_t nan[kL] = {};
  for (float& a : acc) a = kInit;
  auto step = [&](int k, float v) {
    acc[k] = kMax ? (v > acc[k] ? v : acc[k]) : (v < acc[k] ? v : acc[k]);
    nan[k] |= v != v ? 1 : 0;
  };
  std::int64_t e = 0;
  if constexpr (kL == kLanes)
    for (; e + kLanes <= n; e += kLanes)
      for (int k = 0; k < kLanes; ++k) step(k, x[e + k]);
  for (int k = 0; k < n - e; ++k) step(k, x[e + k]);
  int any_nan = 0;
  for (int k = 0; k < kL; ++k) any_nan |= nan[k];
  if (any_nan != 0) return std::numeric_limits<float>::quiet_NaN();
  return kMax ? FoldPairs<kL>(acc, MaxF) : FoldPairs<kL>(acc, MinF);
}

// log-sum-exp of a chunk as (max, sum of exp(x - max)); the chunk stays in L1 between
// the two passes. exp_neg_f32 (softmax's exp, x - max <= 0) rounds the same on every ISA.
// `ahead` (if not null): memory to prefetch during the exp pass, which arithmetic bounds,
// at its pace (4 bytes per element: the next chunk of a contiguous f32 run).
template <int kL = kLanes>
HWY_NOINLINE Partial LseF32(const float* HWY_RESTRICT x, std::int64_t n, const unsigned char* ahead = nullptr) {
  Partial p;
  const float m = ExtremeF32<true, kL>(x, n);
  if (m != m) {
    p.a = std::numeric_limits<double>::quiet_NaN();
    return p;
  }
  p.a = m;
  if (std::isinf(m)) {
    p.b = m > 0 ? 1.0 : 0.0;
    return p;
  }
  alignas(64) float acc[kL] = {};
  std::int64_t e = 0;
  if constexpr (kL == kLanes)
    for (; e + kLanes <= n; e += kLanes) {
      if (ahead != nullptr)
        for (std::int64_t b = 0; b < kLanes * 4; b += 64) __builtin_prefetch(ahead + e * 4 + b, 0, 2);
      for (int k = 0; k < kLanes; ++k) acc[k] += exp_neg_f32(x[e + k] - m);
    }
  for (int k = 0; k < n - e; ++k) acc[k] += exp_neg_f32(x[e + k] - m);
  p.b = FoldPairsAdd<kL>(acc);
  return p;
}

// VarF32's arithmetic in f64 over elements at(0) .. at(n - 1), in order (the same on every
// ISA), for the rare chunk or column block whose f32 sums leave the f32 range: squared
// deviations beyond about 1e34 (a spread beyond about 3e17 over a full chunk), sums of
// values near FLT_MAX, or an inf or NaN (then the result is NaN as before, only slower).
template <class At>
HWY_NOINLINE Partial VarF64(At at, std::int64_t n) {
  const auto dn = static_cast<double>(n);
  double s = 0;
  for (std::int64_t e = 0; e < n; ++e) s += static_cast<double>(at(e));
  s /= dn;
  double t1 = 0, t2 = 0;
  for (std::int64_t e = 0; e < n; ++e) {
    const double dl = static_cast<double>(at(e)) - s;
    t1 += dl;
    t2 += dl * dl;
  }
  const double m2 = t2 - t1 * t1 / dn;
  Partial p;
  p.a = dn;
  p.b = s + t1 / dn;
  p.c = m2 < 0 ? 0.0 : m2;
  return p;
}

// (count, mean, M2) by two passes over the chunk (it stays in L1): a first estimate s of
// the mean, then the sums of (x - s) and (x - s)², from which
// mean = s + sum(x - s) / n and M2 = sum((x - s)²) - sum(x - s)² / n. A chunk whose f32
// sums overflow is redone in f64 (VarF64): one test per chunk on the common path.
template <int kL = kLanes>
HWY_NOINLINE Partial VarF32(const float* HWY_RESTRICT x, std::int64_t n) {
  Partial p;
  if (n == 0) return p;
  const auto dn = static_cast<double>(n);
  const auto s = static_cast<float>(static_cast<double>(SumF32<Map::kIdentity, kL>(x, n)) / dn);
  alignas(64) float d1[kL] = {};
  alignas(64) float d2[kL] = {};
  auto step = [&](int k, float v) {
    const float dl = v - s;
    d1[k] += dl;
    d2[k] += dl * dl;
  };
  std::int64_t e = 0;
  if constexpr (kL == kLanes)
    for (; e + kLanes <= n; e += kLanes)
      for (int k = 0; k < kLanes; ++k) step(k, x[e + k]);
  for (int k = 0; k < n - e; ++k) step(k, x[e + k]);
  const auto t1 = static_cast<double>(FoldPairsAdd<kL>(d1));
  const auto t2 = static_cast<double>(FoldPairsAdd<kL>(d2));
  if (!std::isfinite(t2) || !std::isfinite(t1)) return VarF64([x](std::int64_t i) { return x[i]; }, n);
  const double m2 = t2 - t1 * t1 / dn;
  p.a = dn;
  p.b = static_cast<double>(s) + t1 / dn;
  p.c = m2 < 0 ? 0.0 : m2;  // rounding may leave a tiny negative; NaN (from NaN or inf) stays
  return p;
}

// First index of the maximum (kMax) or minimum (kLast: the last index among equal
// extremes); the first NaN wins.
template <bool kMax, class T, int kL = kLanes, bool kLast = false>
HWY_NOINLINE Partial ArgChunk(const T* HWY_RESTRICT x, std::int64_t n, std::int64_t base) {
  constexpr std::int32_t kNone = std::numeric_limits<std::int32_t>::max();
  T init;
  if constexpr (std::is_floating_point_v<T>) {
    init = kMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  } else {
    init = kMax ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
  }
  alignas(64) T best[kL];
  alignas(64) std::int32_t idx[kL];
  alignas(64) std::int32_t nan[kL];
  for (int k = 0; k < kL; ++k) {
    best[k] = init;
    idx[k] = kNone;
    nan[k] = kNone;
  }
  auto step = [&](int k, T v, std::int32_t at) {
    // kLast: an equal value moves the lane to the later index (an element equal to the
    // initial extreme then takes the lane too).
    const bool better = kLast ? (kMax ? v >= best[k] : v <= best[k]) : (kMax ? v > best[k] : v < best[k]);
    best[k] = better ? v : best[k];
    idx[k] = better ? at : idx[k];
    if constexpr (std::is_floating_point_v<T>) nan[k] = (v != v && nan[k] == kNone) ? at : nan[k];
  };
  std::int64_t e = 0;
  if constexpr (kL == kLanes)
    for (; e + kLanes <= n; e += kLanes)
      for (int k = 0; k < kLanes; ++k) step(k, x[e + k], static_cast<std::int32_t>(e + k));
  for (int k = 0; k < n - e; ++k) step(k, x[e + k], static_cast<std::int32_t>(e + k));
  Partial p;
  std::int32_t first_nan = kNone;
  for (int k = 0; k < kL; ++k) first_nan = nan[k] < first_nan ? nan[k] : first_nan;
  if (first_nan != kNone) {
    p.a = std::numeric_limits<double>::quiet_NaN();
    p.i = base + first_nan;
    return p;
  }
  int win = -1;
  for (int k = 0; k < kL; ++k) {
    if (idx[k] == kNone) continue;
    if (win < 0) {
      win = k;
      continue;
    }
    const bool tie_wins = kLast ? idx[k] > idx[win] : idx[k] < idx[win];
    if ((kMax ? best[k] > best[win] : best[k] < best[win]) || (best[k] == best[win] && tie_wins)) win = k;
  }
  if (win < 0) {  // every element equals the initial extreme: the first one is the answer
    p.a = n > 0 ? static_cast<double>(x[0]) : 0.0;
    p.i = n > 0 ? base : -1;
    return p;
  }
  p.a = static_cast<double>(best[win]);
  p.i = base + idx[win];
  return p;
}

// i32: sums and products wrap modulo 2^32.
template <Family kFam>
HWY_NOINLINE Partial IntChunk(const std::int32_t* HWY_RESTRICT x, std::int64_t n) {
  Partial p;
  if constexpr (kFam == Family::kSum || kFam == Family::kProd) {
    alignas(64) std::uint32_t acc[kLanes];
    for (auto& a : acc) a = kFam == Family::kSum ? 0u : 1u;
    std::int64_t e = 0;
    for (; e + kLanes <= n; e += kLanes)
      for (int k = 0; k < kLanes; ++k) {
        if constexpr (kFam == Family::kSum) acc[k] += static_cast<std::uint32_t>(x[e + k]);
        else acc[k] *= static_cast<std::uint32_t>(x[e + k]);
      }
    for (int k = 0; k < n - e; ++k) {
      if constexpr (kFam == Family::kSum) acc[k] += static_cast<std::uint32_t>(x[e + k]);
      else acc[k] *= static_cast<std::uint32_t>(x[e + k]);
    }
    std::uint32_t r = kFam == Family::kSum ? 0u : 1u;
    for (auto a : acc) r = kFam == Family::kSum ? r + a : r * a;
    p.i = r;
  } else if constexpr (kFam == Family::kMax || kFam == Family::kMin) {
    constexpr bool kMax = kFam == Family::kMax;
    alignas(64) std::int32_t acc[kLanes];
    for (auto& a : acc) a = kMax ? std::numeric_limits<std::int32_t>::min() : std::numeric_limits<std::int32_t>::max();
    std::int64_t e = 0;
    for (; e + kLanes <= n; e += kLanes)
      for (int k = 0; k < kLanes; ++k) acc[k] = kMax ? std::max(acc[k], x[e + k]) : std::min(acc[k], x[e + k]);
    for (int k = 0; k < n - e; ++k) acc[k] = kMax ? std::max(acc[k], x[e + k]) : std::min(acc[k], x[e + k]);
    std::int32_t r = acc[0];
    for (auto a : acc) r = kMax ? std::max(r, a) : std::min(r, a);
    p.i = r;
  } else {  // kCount
    alignas(64) std::int32_t acc[kLanes] = {};
    std::int64_t e = 0;
    for (; e + kLanes <= n; e += kLanes)
      for (int k = 0; k < kLanes; ++k) acc[k] += x[e + k] != 0 ? 1 : 0;
    for (int k = 0; k < n - e; ++k) acc[k] += x[e + k] != 0 ? 1 : 0;
    std::int64_t r = 0;
    for (auto a : acc) r += a;
    p.a = static_cast<double>(r);
  }
  return p;
}

// One chunk of f32 values (already converted) to a Partial; `base` is the flat index of
// x[0] within its output (for argmax/argmin).
template <int kL>
HWY_INLINE Partial F32Lanes(Family fam, Map map, const float* x, std::int64_t n, std::int64_t base, bool last) {
  Partial p;
  switch (fam) {
    case Family::kSum:
      p.a = map == Map::kIdentity ? SumF32<Map::kIdentity, kL>(x, n)
            : map == Map::kSquare ? SumF32<Map::kSquare, kL>(x, n)
                                  : SumF32<Map::kAbs, kL>(x, n);
      break;
    case Family::kCount: p.a = CountF32<kL>(x, n); break;
    case Family::kProd: p.a = ProdF32<kL>(x, n); break;
    case Family::kMax: p.a = ExtremeF32<true, kL>(x, n); break;
    case Family::kMin: p.a = ExtremeF32<false, kL>(x, n); break;
    case Family::kLse: p = LseF32<kL>(x, n); break;
    case Family::kVar: p = VarF32<kL>(x, n); break;
    case Family::kArgMax:
      p = last ? ArgChunk<true, float, kL, true>(x, n, base) : ArgChunk<true, float, kL>(x, n, base);
      break;
    case Family::kArgMin:
      p = last ? ArgChunk<false, float, kL, true>(x, n, base) : ArgChunk<false, float, kL>(x, n, base);
      break;
  }
  return p;
}

// Chunks of at most 16 elements (short rows) take the 16-lane form: same bits, less work.
// `last`: argmax/argmin's select_last_index.
HWY_INLINE Partial F32(Family fam, Map map, const float* x, std::int64_t n, std::int64_t base, bool last) {
  return n <= 16 ? F32Lanes<16>(fam, map, x, n, base, last) : F32Lanes<kLanes>(fam, map, x, n, base, last);
}

HWY_INLINE Partial I32(Family fam, const std::int32_t* x, std::int64_t n, std::int64_t base, bool last) {
  switch (fam) {
    case Family::kSum: return IntChunk<Family::kSum>(x, n);
    case Family::kProd: return IntChunk<Family::kProd>(x, n);
    case Family::kMax: return IntChunk<Family::kMax>(x, n);
    case Family::kMin: return IntChunk<Family::kMin>(x, n);
    case Family::kArgMax: return last ? ArgChunk<true, std::int32_t, kLanes, true>(x, n, base) : ArgChunk<true>(x, n, base);
    case Family::kArgMin:
      return last ? ArgChunk<false, std::int32_t, kLanes, true>(x, n, base) : ArgChunk<false>(x, n, base);
    default: return IntChunk<Family::kCount>(x, n);
  }
}

}  // namespace chunk

// NOLINTEND(readability-function-cognitive-complexity)
