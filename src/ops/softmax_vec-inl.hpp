// Vector bodies of the softmax passes, per SIMD target.
//
// Included once per target by softmax_kernels.cpp inside its HWY_NAMESPACE (no include
// guard, on purpose), after simd/convert-inl.hpp, simd/exp-inl.hpp and
// simd/fold-inl.hpp. Every function performs exactly the IEEE operations of its scalar
// twin in softmax_kernels.cpp (namespace plain: exp_neg_f32 of simd/exp.hpp, the 64-lane
// sums folded by halves), so each target — and the scalar tails — give the same bits;
// tests/ops/test_simd_numerics.cpp runs both forms on the same rows.

// NOLINTBEGIN(readability-function-cognitive-complexity)

// Scalable vectors (SVE, RVV) have no compile-time lane count: there the plain loops of
// softmax_kernels.cpp are used instead (SM_VEC is 0).
#if !HWY_HAVE_SCALABLE
#define SM_VEC 1
namespace vec {

using D = hn::CappedTag<float, 16>;
using V = hn::Vec<D>;

// plain::Canon on a vector: NaN lanes become the one quiet NaN.
HWY_INLINE V CanonV(V v) { return hn::IfThenElse(hn::IsNaN(v), hn::Set(D(), std::bit_cast<float>(0x7FC00000u)), v); }

// exp_neg_f32 on a vector: simd/exp-inl.hpp's ExpNegV, the same operations.
HWY_INLINE V Exp(V x) { return ExpNegV(D(), x); }

constexpr std::size_t kN = hn::MaxLanes(D());
constexpr int kVecs = static_cast<int>(64 / kN);  // vectors covering the 64 lanes

// Element types by DType value (kF32 = 0, kF16 = 1, kBF16 = 2); defined below.
template <int kT>
constexpr std::size_t kElemBytes = kT == 0 ? 4 : 2;
template <int kT>
HWY_INLINE V LoadAs(const unsigned char* p);
template <int kT>
HWY_INLINE V LoadPartial(const unsigned char* p, std::int64_t n, float fill);

// The 64-lane fold by halves (a[i] = op(a[i], a[i + w]) for w = 32, 16, ..., 1) of the
// lanes held in acc (lane j * kN + l in acc[j]): simd/fold-inl.hpp's FoldHalvesV, the
// order of the plain loops' FoldHalvesAdd<64>.
template <class Op>
HWY_INLINE float Fold64(V* acc, Op op) {
  return FoldHalvesV<kVecs>(D(), acc, op);
}

// m = (v > m || v != v) ? v : m: the maximum, or NaN once a NaN was seen (NaN sticks,
// as every comparison with it is false). Any order gives the same result.
template <class VX>
HWY_INLINE VX MaxStep(VX m, VX v) {
  return hn::IfThenElse(hn::Or(hn::Gt(v, m), hn::IsNaN(v)), v, m);
}
struct MaxOp {
  template <class VX>
  HWY_INLINE VX operator()(VX m, VX v) const {
    return MaxStep(m, v);
  }
};
struct AddOp {
  template <class VX>
  HWY_INLINE VX operator()(VX a, VX b) const {
    return hn::Add(a, b);
  }
};

// The plain vector maximum of x[0, n), in the same order on every target. Exact for a
// row without NaN (its choice between -0 and +0 may differ between targets, which no
// output can show: S >= 2 when a row's maximum is both); a NaN may or may not show in
// it, depending on the target, so its callers detect NaN rows by other means.
// kT: the type of x's elements, converted in registers.
template <int kT = 0>
HWY_INLINE float MaxPlain(const void* xin, std::int64_t n) {
  const D d;
  const auto* xb = static_cast<const unsigned char*>(xin);
  constexpr auto es = static_cast<std::int64_t>(kElemBytes<kT>);
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  V acc[kVecs];
  for (V& a : acc) a = hn::Set(d, kNegInf);
  std::int64_t e = 0;
  for (; e + 64 <= n; e += 64)
    for (int j = 0; j < kVecs; ++j) acc[j] = hn::Max(acc[j], LoadAs<kT>(xb + (e + j * static_cast<std::int64_t>(kN)) * es));
  for (; e + static_cast<std::int64_t>(kN) <= n; e += static_cast<std::int64_t>(kN))
    acc[0] = hn::Max(acc[0], LoadAs<kT>(xb + e * es));
  if constexpr (kT != 0) {
    if (e < n) acc[0] = hn::Max(acc[0], LoadPartial<kT>(xb + e * es, n - e, kNegInf));
  }
  for (int j = 1; j < kVecs; ++j) acc[0] = hn::Max(acc[0], acc[j]);
  float m = hn::GetLane(hn::MaxOfLanes(d, acc[0]));
  if constexpr (kT == 0) {
    const auto* x = static_cast<const float*>(xin);
    for (std::int64_t i = e; i < n; ++i) m = MaxOne(m, x[i]);
  }
  return m;
}

// Largest element of x[0, n), or NaN if there is one. The first pass uses the plain
// vector maximum (its choice between -0 and +0 may differ between targets, which no
// output can show: S >= 2 when a row's maximum is both) and a plain sum that is NaN or
// infinite whenever a NaN or an infinity is present; only then is the row scanned again
// with MaxStep, whose NaN handling is the same everywhere.
HWY_INLINE float Max(const float* HWY_RESTRICT x, std::int64_t n) {
  const D d;
  V acc[kVecs];
  V sums[kVecs];  // one per accumulator: a single chain of adds would set the pace
  for (V& a : acc) a = hn::Set(d, -std::numeric_limits<float>::infinity());
  for (V& a : sums) a = hn::Zero(d);
  std::int64_t e = 0;
  for (; e + 64 <= n; e += 64)
    for (int j = 0; j < kVecs; ++j) {
      const V v = hn::LoadU(d, x + e + j * static_cast<std::int64_t>(kN));
      acc[j] = hn::Max(acc[j], v);
      sums[j] = hn::Add(sums[j], v);
    }
  for (; e + static_cast<std::int64_t>(kN) <= n; e += static_cast<std::int64_t>(kN)) {
    const V v = hn::LoadU(d, x + e);
    acc[0] = hn::Max(acc[0], v);
    sums[0] = hn::Add(sums[0], v);
  }
  float m = Fold64(acc, MaxOp());
  for (int j = 1; j < kVecs; ++j) sums[0] = hn::Add(sums[0], sums[j]);
  float total = FoldLanesV(D(), sums[0], AddOp());
  for (std::int64_t i = e; i < n; ++i) {
    m = MaxOne(m, x[i]);
    total += x[i];
  }
  if (std::isfinite(total)) return m;
  // A NaN, an infinity, or a sum that overflowed: the careful scan.
  for (V& a : acc) a = hn::Set(d, -std::numeric_limits<float>::infinity());
  for (e = 0; e + static_cast<std::int64_t>(kN) <= n; e += static_cast<std::int64_t>(kN))
    acc[0] = MaxStep(acc[0], hn::LoadU(d, x + e));
  m = Fold64(acc, MaxOp());
  for (std::int64_t i = e; i < n; ++i) m = MaxOne(m, x[i]);
  return m;
}

// Sum of exp(x - m) over x[0, n) in the 64-lane order: element e adds to lane e % 64,
// lanes fold by halves. With kStore, exp(x - m) is also written to e_out (may be x).
// ahead.in (if not null): the input to be read next, ahead.es bytes per element of this
// pass; its lines are prefetched into L2 at the pace of this pass, so memory works while
// the exp pass computes.
// With kBelowMax, only elements below m add (those equal to m are left out).
// kT: the type of x's elements (converted in registers; e_out is f32 whatever kT).
template <bool kStore, bool kBelowMax = false, int kT = 0>
HWY_INLINE float ExpSum(const void* xin, std::int64_t n, float m, float* e_out, const Ahead& ahead) {
  const D d;
  const auto* xb = static_cast<const unsigned char*>(xin);
  constexpr auto es = static_cast<std::int64_t>(kElemBytes<kT>);
  const V vm = hn::Set(d, m);
  V acc[kVecs];
  for (V& a : acc) a = hn::Zero(d);
  std::int64_t e = 0;
  for (; e + 64 <= n; e += 64) {
    if (ahead.in != nullptr)
      for (std::int64_t b = 0; b < 64 * ahead.es; b += 64) __builtin_prefetch(ahead.in + e * ahead.es + b, 0, 2);
    for (int j = 0; j < kVecs; ++j) {
      const std::int64_t o = e + j * static_cast<std::int64_t>(kN);
      const V xv = LoadAs<kT>(xb + o * es);
      V v = Exp(hn::Sub(xv, vm));
      if constexpr (kStore) hn::StoreU(v, d, e_out + o);
      if constexpr (kBelowMax) v = hn::IfThenElseZero(hn::Lt(xv, vm), v);
      acc[j] = hn::Add(acc[j], v);
    }
  }
  if (e < n) {  // the tail, through a copy padded with m: element e + i adds to lane i
    const std::int64_t t = n - e;
    alignas(64) float buf[64];
    if constexpr (kT == 0) {
      std::memcpy(buf, xb + e * es, static_cast<std::size_t>(t) * sizeof(float));
      for (std::int64_t i = t; i < 64; ++i) buf[i] = m;
    } else {
      for (std::int64_t o = 0; o < 64; o += static_cast<std::int64_t>(kN))
        hn::Store(o < t ? LoadPartial<kT>(xb + (e + o) * es, t - o, m) : vm, d, buf + o);
    }
    // The vectors that hold tail elements (unrolled, so that every index into acc is a
    // constant and the accumulators stay in registers).
#pragma GCC unroll 64
    for (int j = 0; j < kVecs; ++j) {
      const std::int64_t o = j * static_cast<std::int64_t>(kN);
      if (o < t) {
        const V xv = hn::Load(d, buf + o);
        V v = Exp(hn::Sub(xv, vm));
        if constexpr (kStore) hn::Store(v, d, buf + o);
        if constexpr (kBelowMax) v = hn::IfThenElseZero(hn::Lt(xv, vm), v);
        acc[j] = hn::Add(acc[j], hn::IfThenElseZero(hn::FirstN(d, static_cast<std::size_t>(t - o)), v));
      }
    }
    if constexpr (kStore) std::memcpy(e_out + e, buf, static_cast<std::size_t>(t) * sizeof(float));
  }
  return Fold64(acc, AddOp());
}

// y[i] = s[i] * a (kScale), exp(s[i] - a) * b (kExpScale) or (s[i] - a) - b (kShift).
// The per-element arithmetic of Emit; s and y may be the same array.
template <int kOp>
HWY_INLINE void Map(const float* s, std::int64_t n, float a, float b, float* y) {
  const D d;
  const V va = hn::Set(d, a), vb = hn::Set(d, b);
  auto f = [&](V v) {
    if constexpr (kOp == 0) return CanonV(hn::Mul(v, va));
    else if constexpr (kOp == 1) return CanonV(hn::Mul(Exp(hn::Sub(v, va)), vb));
    else return CanonV(hn::Sub(hn::Sub(v, va), vb));
  };
  std::int64_t i = 0;
  for (; i + 4 * static_cast<std::int64_t>(kN) <= n; i += 4 * static_cast<std::int64_t>(kN)) {
    const V v0 = f(hn::LoadU(d, s + i));
    const V v1 = f(hn::LoadU(d, s + i + kN));
    const V v2 = f(hn::LoadU(d, s + i + 2 * kN));
    const V v3 = f(hn::LoadU(d, s + i + 3 * kN));
    hn::StoreU(v0, d, y + i);
    hn::StoreU(v1, d, y + i + kN);
    hn::StoreU(v2, d, y + i + 2 * kN);
    hn::StoreU(v3, d, y + i + 3 * kN);
  }
  for (; i + static_cast<std::int64_t>(kN) <= n; i += static_cast<std::int64_t>(kN))
    hn::StoreU(f(hn::LoadU(d, s + i)), d, y + i);
  plain::Map<kOp>(s + i, n - i, a, b, y + i);  // the tail
}

// Column forms: per-column parameters m[c] and a[c] over w columns.
// MaxCols: mx = MaxOne(mx, x) per column.
HWY_INLINE void MaxCols(const float* HWY_RESTRICT x, std::int64_t w, float* HWY_RESTRICT mx) {
  const D d;
  std::int64_t c = 0;
  for (; c + static_cast<std::int64_t>(kN) <= w; c += static_cast<std::int64_t>(kN))
    hn::StoreU(MaxStep(hn::LoadU(d, mx + c), hn::LoadU(d, x + c)), d, mx + c);
  plain::MaxCols(x + c, w - c, mx + c);
}

// acc[c] += exp(x[c] - m[c]); with kStore also e[c] = exp(x[c] - m[c]) (e may be x).
template <bool kStore>
HWY_INLINE void ExpAccCols(const float* x, std::int64_t w, const float* HWY_RESTRICT m,
                           float* HWY_RESTRICT acc, float* e) {
  const D d;
  std::int64_t c = 0;
  for (; c + static_cast<std::int64_t>(kN) <= w; c += static_cast<std::int64_t>(kN)) {
    const V v = Exp(hn::Sub(hn::LoadU(d, x + c), hn::LoadU(d, m + c)));
    if constexpr (kStore) hn::StoreU(v, d, e + c);
    hn::StoreU(hn::Add(hn::LoadU(d, acc + c), v), d, acc + c);
  }
  plain::ExpAccCols<kStore>(x + c, w - c, m + c, acc + c, kStore ? e + c : nullptr);
}

// y[c] = s[c] * a[c] (kOp 0), exp(s[c] - m[c]) * a[c] (1) or (s[c] - m[c]) - a[c] (2).
template <int kOp>
HWY_INLINE void MapCols(const float* s, std::int64_t w, const float* HWY_RESTRICT m,
                        const float* HWY_RESTRICT a, float* y) {
  const D d;
  std::int64_t c = 0;
  for (; c + static_cast<std::int64_t>(kN) <= w; c += static_cast<std::int64_t>(kN)) {
    const V v = hn::LoadU(d, s + c), va = hn::LoadU(d, a + c);
    V r;
    if constexpr (kOp == 0) r = hn::Mul(v, va);
    else if constexpr (kOp == 1) r = hn::Mul(Exp(hn::Sub(v, hn::LoadU(d, m + c))), va);
    else r = hn::Sub(hn::Sub(v, hn::LoadU(d, m + c)), va);
    hn::StoreU(CanonV(r), d, y + c);
  }
  plain::MapCols<kOp>(s + c, w - c, m + c, a + c, y + c);
}


// ---- f16 / bf16 in registers ------------------------------------------------------------
//
// Element types by DType value (kF32 = 0, kF16 = 1, kBF16 = 2). kN elements of a half
// type become f32 in registers and back with simd/convert-inl.hpp's vector conversions
// (the same bits as its scalar HalfValue / BrainValue / HalfBits / BrainBits, which the
// plain loops of softmax_kernels.cpp use).
using DH = hn::Rebind<std::uint16_t, D>;

template <int kT>
HWY_INLINE V LoadAs(const unsigned char* p) {
  const D d;
  if constexpr (kT == 0) return hn::LoadU(d, reinterpret_cast<const float*>(p));
  else if constexpr (kT == 1) return HalfValueV(d, reinterpret_cast<const std::uint16_t*>(p));
  else return BrainValueV(d, reinterpret_cast<const std::uint16_t*>(p));
}

// Whether kN u16 lanes stream: Highway's x86 Stream writes a whole 16-byte register, so a
// narrower vector of halves (SSE4's 4 lanes, 8 bytes) is stored plainly instead (a
// non-temporal 16-byte store there would write past the vector, and fault on an address
// aligned to 8 bytes only).
constexpr bool kHalfStream = kN * sizeof(std::uint16_t) >= 16;

// kStream: a non-temporal store (halves: when kHalfStream), to an address aligned to the
// vector's bytes (the caller checks).
template <int kT, bool kStream = false>
HWY_INLINE void StoreAs(V v, unsigned char* p) {
  const D d;
  if constexpr (kT == 0) {
    if constexpr (kStream) hn::Stream(v, d, reinterpret_cast<float*>(p));
    else hn::StoreU(v, d, reinterpret_cast<float*>(p));
  } else {
    const auto h16 = kT == 1 ? HalfBitsV(d, v) : BrainBitsV(d, v);
    if constexpr (kStream && kHalfStream) hn::Stream(h16, DH(), reinterpret_cast<std::uint16_t*>(p));
    else hn::StoreU(h16, DH(), reinterpret_cast<std::uint16_t*>(p));
  }
}

// n < kN elements (a row's tail) through a vector-sized buffer; the lanes past n are
// copies of `fill` (loaded) or dropped (stored).
template <int kT>
HWY_INLINE V LoadPartial(const unsigned char* p, std::int64_t n, float fill) {
  alignas(64) unsigned char buf[kN * 4];
  std::memcpy(buf, p, static_cast<std::size_t>(std::clamp<std::int64_t>(n, 0, kN)) * kElemBytes<kT>);
  const V v = LoadAs<kT>(buf);
  return hn::IfThenElse(hn::FirstN(D(), static_cast<std::size_t>(n)), v, hn::Set(D(), fill));
}
template <int kT>
HWY_INLINE void StorePartial(V v, unsigned char* p, std::int64_t n) {
  alignas(64) unsigned char buf[kN * 4];
  StoreAs<kT>(v, buf);
  std::memcpy(p, buf, static_cast<std::size_t>(std::clamp<std::int64_t>(n, 0, kN)) * kElemBytes<kT>);
}

// n contiguous elements of type kT at src as f32 into dst, and back (RowTo): converted in
// registers, kN at a time.
template <int kT>
HWY_INLINE void RowFrom(const unsigned char* src, std::int64_t n, float* HWY_RESTRICT dst) {
  const auto k = static_cast<std::int64_t>(kN);
  constexpr auto es = static_cast<std::int64_t>(kElemBytes<kT>);
  std::int64_t i = 0;
  for (; i + k <= n; i += k) hn::StoreU(LoadAs<kT>(src + i * es), D(), dst + i);
  if (i < n) {
    alignas(64) float buf[kN];
    hn::Store(LoadPartial<kT>(src + i * es, n - i, 0.0f), D(), buf);
    std::memcpy(dst + i, buf, static_cast<std::size_t>(std::clamp<std::int64_t>(n - i, 0, k)) * sizeof(float));
  }
}
template <int kT>
HWY_INLINE void RowTo(const float* HWY_RESTRICT y, std::int64_t n, unsigned char* dst) {
  const auto k = static_cast<std::int64_t>(kN);
  constexpr auto es = static_cast<std::int64_t>(kElemBytes<kT>);
  std::int64_t i = 0;
  for (; i + k <= n; i += k) StoreAs<kT>(hn::LoadU(D(), y + i), dst + i * es);
  if (i < n) {
    alignas(64) float buf[kN] = {};
    std::memcpy(buf, y + i, static_cast<std::size_t>(std::clamp<std::int64_t>(n - i, 0, k)) * sizeof(float));
    StorePartial<kT>(hn::Load(D(), buf), dst + i * es, n - i);
  }
}

// dst[i] = e[i] * a for n elements of type kT (a row's output), converted in registers.
// With `stream` and dst aligned to a vector's bytes, the whole vectors are written with
// non-temporal stores (a large output then goes to memory without being read first).
template <int kT>
HWY_INLINE void ScaleTo(const float* HWY_RESTRICT e, std::int64_t n, float a, unsigned char* dst, bool stream) {
  const D d;
  const V va = hn::Set(d, a);
  const auto k = static_cast<std::int64_t>(kN);
  constexpr auto es = static_cast<std::int64_t>(kElemBytes<kT>);
  std::int64_t i = 0;
  if (stream && reinterpret_cast<std::uintptr_t>(dst) % static_cast<std::uintptr_t>(k * es) == 0) {
    for (; i + k <= n; i += k) StoreAs<kT, true>(CanonV(hn::Mul(hn::LoadU(d, e + i), va)), dst + i * es);
  } else {
    for (; i + k <= n; i += k) StoreAs<kT>(CanonV(hn::Mul(hn::LoadU(d, e + i), va)), dst + i * es);
  }
  if (i < n) {
    alignas(64) float buf[kN] = {};
    std::memcpy(buf, e + i, static_cast<std::size_t>(std::clamp<std::int64_t>(n - i, 0, k)) * sizeof(float));
    StorePartial<kT>(CanonV(hn::Mul(hn::Load(d, buf), va)), dst + i * es, n - i);
  }
}

// ---- columns: tiles of adjacent columns, passes over their rows ---------------------------
//
// A tile is `rows` rows of w adjacent columns, row r at in + r * in_row bytes (out
// likewise). A tile is first read from memory row by row (the rows `ahead` on prefetched)
// for its column maxima, and copied as f32 into a contiguous stage: its rows are often a
// power of two of bytes apart, and would then share a few cache sets and not stay in
// cache. The sums of exp(x - m) per column read the stage; the output pass reads it once
// more (or, after a barrier, the input) and writes exp(x - m) * a or (x - m) - a, with the
// exp computed again. Per column, every operation is that of the plain loops of
// softmax_kernels.cpp, in the same order: the max with NaN sticking; f32 sums over blocks
// of kBlock rows added in f64; the output as ColEmit's.
struct TileGeo {
  const unsigned char* in;
  unsigned char* out;
  std::int64_t in_row, out_row;  // bytes between rows
  std::int64_t rows, w;
};

// Floats between rows of a stage of w columns: whole vectors.
HWY_INLINE std::int64_t StageRow(std::int64_t w) {
  const auto n = static_cast<std::int64_t>(kN);
  return (w + n - 1) / n * n;
}

HWY_INLINE void PrefetchRow(const unsigned char* p, std::int64_t bytes, int rw) {
  for (std::int64_t b = 0; b < bytes; b += 64) {
    if (rw != 0) __builtin_prefetch(p + b, 1, 2);
    else __builtin_prefetch(p + b, 0, 2);
  }
  if (rw != 0) __builtin_prefetch(p + bytes - 1, 1, 2);
  else __builtin_prefetch(p + bytes - 1, 0, 2);
}

// Column maxima of the tile into m, and its rows as f32 into stage (StageRow(w) apart;
// lanes past w hold -inf). (Working memory may be aligned to 16 bytes only: unaligned
// loads and stores throughout.)
template <int kT>
HWY_NOINLINE void TileStageMax(const TileGeo& g, std::int64_t ahead, float* HWY_RESTRICT m,
                               float* HWY_RESTRICT stage) {
  const D d;
  constexpr auto es = static_cast<std::int64_t>(kElemBytes<kT>);
  const auto n = static_cast<std::int64_t>(kN);
  const std::int64_t full = g.w / n * n, sr = StageRow(g.w);
  for (std::int64_t c = 0; c < sr; ++c) m[c] = -std::numeric_limits<float>::infinity();
  for (std::int64_t r = 0; r < g.rows; ++r) {
    const unsigned char* row = g.in + r * g.in_row;
    float* st = stage + r * sr;
    if (r + ahead < g.rows) PrefetchRow(row + ahead * g.in_row, g.w * es, 0);
    std::int64_t c = 0;
    for (; c < full; c += n) {
      const V v = LoadAs<kT>(row + c * es);
      hn::StoreU(v, d, st + c);
      hn::StoreU(MaxStep(hn::LoadU(d, m + c), v), d, m + c);
    }
    if (c < g.w) {
      const V v = LoadPartial<kT>(row + c * es, g.w - c, -std::numeric_limits<float>::infinity());
      hn::StoreU(v, d, st + c);
      hn::StoreU(MaxStep(hn::LoadU(d, m + c), v), d, m + c);
    }
  }
}

// Sums of exp(x - m) over the f32 rows x (x_row floats apart) for columns
// [c0, c0 + kNV * kN), accumulators in registers; `n` of those columns are kept. kStore:
// exp(x - m) replaces x.
// pf (if pf_bytes > 0): pf_bytes of memory per row, pf_row bytes apart, prefetched row by
// row at the pace of this group's rows (see NextTile).
template <int kNV, std::int64_t kBlock, bool kStore>
HWY_INLINE void ExpSumGroup(float* HWY_RESTRICT x, std::int64_t x_row, std::int64_t rows, std::int64_t c0,
                            std::int64_t n, const float* HWY_RESTRICT m, double* HWY_RESTRICT sum,
                            const unsigned char* pf, std::int64_t pf_row, std::int64_t pf_bytes) {
  const D d;
  V mv[kNV];
  for (int j = 0; j < kNV; ++j) mv[j] = hn::LoadU(d, m + c0 + j * static_cast<std::int64_t>(kN));
  alignas(64) float part[kNV * kN];
  for (std::int64_t b = 0; b < rows; b += kBlock) {
    const std::int64_t be = std::min(rows, b + kBlock);
    V acc[kNV];
    for (V& a : acc) a = hn::Zero(d);
    for (std::int64_t r = b; r < be; ++r) {
      float* row = x + r * x_row + c0;
      if (pf_bytes > 0) PrefetchRow(pf + r * pf_row, pf_bytes, 0);
#pragma GCC unroll 8
      for (int j = 0; j < kNV; ++j) {
        float* xj = row + j * static_cast<std::int64_t>(kN);
        const V e = Exp(hn::Sub(hn::LoadU(d, xj), mv[j]));
        if constexpr (kStore) hn::StoreU(e, d, xj);
        acc[j] = hn::Add(acc[j], e);
      }
    }
    for (int j = 0; j < kNV; ++j) hn::StoreU(acc[j], d, part + j * kN);
    for (std::int64_t c = 0; c < n; ++c) sum[c0 + c] += static_cast<double>(part[c]);
  }
}

// The input of the tile a block works on next, read from memory while this tile's sums of
// exp are computed from its stage (compute-bound): by the time the next tile's first pass
// reads it, it is in cache, and memory and arithmetic overlap. `rows` rows of `bytes`
// bytes, `row` bytes apart; in null: none.
struct NextTile {
  const unsigned char* in = nullptr;
  std::int64_t row = 0, bytes = 0;
};

// Per column c < w, sum[c] = the sum of exp(x - m[c]) over a stage of `rows` rows;
// kStore: exp(x - m) replaces x in the stage. Each group of columns prefetches the same
// columns of `next` (elements of es bytes), one row per row it sums.
template <std::int64_t kBlock, bool kStore>
HWY_NOINLINE void StageExpSum(float* HWY_RESTRICT stage, std::int64_t rows, std::int64_t w,
                              const float* HWY_RESTRICT m, double* HWY_RESTRICT sum, const NextTile& next = {},
                              std::int64_t es = 4) {
  constexpr std::int64_t kG = 4;  // vectors per group
  const auto n = static_cast<std::int64_t>(kN);
  const std::int64_t sr = StageRow(w);
  for (std::int64_t c = 0; c < w; ++c) sum[c] = 0.0;
  // The bytes of `next` a group of columns [c0, c0 + cols) prefetches per row: the same
  // columns, clipped to next's width; the last group takes any columns next has beyond w.
  auto pf_bytes = [&](std::int64_t c0, std::int64_t cols) -> std::int64_t {
    if (next.in == nullptr) return 0;
    const std::int64_t end = c0 + cols >= w ? next.bytes : std::min(next.bytes, (c0 + cols) * es);
    return end - std::min(end, c0 * es);
  };
  auto group = [&]<int kNV>(std::int64_t c0, std::int64_t cols) {
    ExpSumGroup<kNV, kBlock, kStore>(stage, sr, rows, c0, cols, m, sum, next.in != nullptr ? next.in + c0 * es : nullptr, next.row,
                                     pf_bytes(c0, cols));
  };
  std::int64_t c0 = 0;
  for (; c0 + kG * n <= w; c0 += kG * n) group.template operator()<kG>(c0, kG * n);
  const std::int64_t left = w - c0;
  switch ((left + n - 1) / n) {
    case 0: break;
    case 1: group.template operator()<1>(c0, left); break;
    case 2: group.template operator()<2>(c0, left); break;
    case 3: group.template operator()<3>(c0, left); break;
    default: group.template operator()<kG>(c0, left); break;
  }
}

// The output pass: kOp 0: y = x * a; kOp 1: y = exp(x - m) * a; kOp 2: y = (x - m) - a
// (MapCols' operations).
// x: the f32 stage (src null) or the input rows (src, of type kT); y: g.out, of type kT.
// With `stream`, rows whose start is aligned to a vector's bytes are written with
// non-temporal stores (a large output then goes to memory without being read first).
template <int kT, int kOp>
HWY_NOINLINE void TileEmit(const TileGeo& g, const float* stage, std::int64_t ahead, const float* HWY_RESTRICT m,
                           const float* HWY_RESTRICT a, bool stream) {
  const D d;
  constexpr auto es = static_cast<std::int64_t>(kElemBytes<kT>);
  const auto n = static_cast<std::int64_t>(kN);
  const std::int64_t full = g.w / n * n, sr = StageRow(g.w);
  auto f = [&](V x, std::int64_t c) {
    const V mv = hn::LoadU(d, m + c), av = hn::LoadU(d, a + c);
    if constexpr (kOp == 0) return CanonV(hn::Mul(x, av));
    else if constexpr (kOp == 1) return CanonV(hn::Mul(Exp(hn::Sub(x, mv)), av));
    else return CanonV(hn::Sub(hn::Sub(x, mv), av));
  };
  for (std::int64_t r = 0; r < g.rows; ++r) {
    const float* st = stage + r * sr;
    const unsigned char* src = g.in + r * g.in_row;
    unsigned char* dst = g.out + r * g.out_row;
    if (stage == nullptr && ahead > 0 && r + ahead < g.rows) PrefetchRow(src + ahead * g.in_row, g.w * es, 0);
    std::int64_t c = 0;
    if (stream && reinterpret_cast<std::uintptr_t>(dst) % static_cast<std::uintptr_t>(n * es) == 0) {
      for (; c < full; c += n) {
        const V x = stage != nullptr ? hn::LoadU(d, st + c) : LoadAs<kT>(src + c * es);
        StoreAs<kT, true>(f(x, c), dst + c * es);
      }
    } else {
      if (r + ahead < g.rows) PrefetchRow(dst + ahead * g.out_row, g.w * es, 1);
      for (; c < full; c += n) {
        const V x = stage != nullptr ? hn::LoadU(d, st + c) : LoadAs<kT>(src + c * es);
        StoreAs<kT>(f(x, c), dst + c * es);
      }
    }
    if (c < g.w) {
      const V x = stage != nullptr ? hn::LoadU(d, st + c) : LoadPartial<kT>(src + c * es, g.w - c, 0.0f);
      StorePartial<kT>(f(x, c), dst + c * es, g.w - c);
    }
  }
}

}  // namespace vec
#else
#define SM_VEC 0
#endif

// NOLINTEND(readability-function-cognitive-complexity)
