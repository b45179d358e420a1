// Normalization kernels, compiled once per SIMD target (Highway's foreach_target) and
// picked at run time. The arithmetic and its fixed order are described in norm_plan.hpp:
// sums are plain loops over 32 lanes that every target vectorizes the same way, and the
// element-wise normalization uses only IEEE add, subtract and multiply, so every ISA gives
// the same bits.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>  // _mm_sfence, for every target including the baseline
#endif

#include "ops/norm_plan.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ops/norm_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace vnpu::ops::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#include "ops/simd/convert-inl.hpp"
#include "ops/simd/fold-inl.hpp"

namespace {

// ---- dtype conversion of contiguous runs -------------------------------------------------

// Runs of n values converted one by one (simd/convert-inl.hpp), in loops the compiler
// vectorizes.
HWY_NOINLINE void HalfToFloat(const std::uint16_t* HWY_RESTRICT src, float* HWY_RESTRICT dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) dst[i] = HalfValue(src[i]);
}

HWY_NOINLINE void BrainToFloat(const std::uint16_t* HWY_RESTRICT src, float* HWY_RESTRICT dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) dst[i] = BrainValue(src[i]);
}

HWY_NOINLINE void FloatToHalf(const float* HWY_RESTRICT src, std::uint16_t* HWY_RESTRICT dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) dst[i] = HalfBits(src[i]);
}

HWY_NOINLINE void FloatToBrain(const float* HWY_RESTRICT src, std::uint16_t* HWY_RESTRICT dst, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) dst[i] = BrainBits(src[i]);
}

void WidenRun(DType t, const unsigned char* p, std::int64_t n, float* dst) {
  if (t == DType::kF32) std::memcpy(dst, p, static_cast<std::size_t>(n) * 4);
  else if (t == DType::kF16) HalfToFloat(reinterpret_cast<const std::uint16_t*>(p), dst, n);
  else BrainToFloat(reinterpret_cast<const std::uint16_t*>(p), dst, n);
}

void NarrowRun(DType t, const float* src, std::int64_t n, unsigned char* p) {
  if (t == DType::kF32) std::memcpy(p, src, static_cast<std::size_t>(n) * 4);
  else if (t == DType::kF16) FloatToHalf(src, reinterpret_cast<std::uint16_t*>(p), n);
  else FloatToBrain(src, reinterpret_cast<std::uint16_t*>(p), n);
}

// Visits flat elements [i, i + n) of a strided view as runs along its last dimension:
// fn(pointer to the run's first element, run length, run stride in elements, position).
template <class Fn>
void ForRuns(const NormView& v, std::int64_t i, std::int64_t n, Fn&& fn) {
  const int last = v.rank - 1;
  const auto es = static_cast<std::int64_t>(dtype_size(v.dtype));
  std::int64_t idx[kMaxRank] = {};
  std::int64_t rest = i, off = 0;
  for (int k = last; k >= 0; --k) {
    idx[k] = rest % v.size[k];
    rest /= v.size[k];
    off += idx[k] * v.stride[k];
  }
  for (std::int64_t done = 0; done < n;) {
    const std::int64_t run = std::min(n - done, v.size[last] - idx[last]);
    fn(v.data + off * es, run, v.stride[last], done);
    done += run;
    idx[last] += run;
    off += run * v.stride[last];
    for (int k = last; k > 0 && idx[k] == v.size[k]; --k) {
      off += v.stride[k - 1] - v.size[k] * v.stride[k];
      idx[k] = 0;
      ++idx[k - 1];
    }
  }
}

// LoadRange for anything but dense f32: converted (and gathered) into buf.
HWY_NOINLINE const float* LoadConverted(const NormView& v, std::int64_t i, std::int64_t n, float* buf) {
  const auto es = static_cast<std::int64_t>(dtype_size(v.dtype));
  if (v.dense) {
    WidenRun(v.dtype, v.data + i * es, n, buf);
    return buf;
  }
  ForRuns(v, i, n, [&](const unsigned char* p, std::int64_t run, std::int64_t stride, std::int64_t at) {
    if (stride == 1) {
      WidenRun(v.dtype, p, run, buf + at);
      return;
    }
    float tmp;
    for (std::int64_t r = 0; r < run; ++r) {
      WidenRun(v.dtype, p + r * stride * es, 1, &tmp);
      buf[at + r] = tmp;
    }
  });
  return buf;
}

// Flat elements [i, i + n) of v as f32: v's memory itself for dense f32, else converted
// into buf.
HWY_INLINE const float* LoadRange(const NormView& v, std::int64_t i, std::int64_t n, float* buf) {
  if (v.dense && v.dtype == DType::kF32) return reinterpret_cast<const float*>(v.data) + i;
  return LoadConverted(v, i, n, buf);
}

void StoreRange(const NormView& v, std::int64_t i, std::int64_t n, const float* vals) {
  const auto es = static_cast<std::int64_t>(dtype_size(v.dtype));
  if (v.dense) {
    NarrowRun(v.dtype, vals, n, v.data + i * es);
    return;
  }
  ForRuns(v, i, n, [&](const unsigned char* p, std::int64_t run, std::int64_t stride, std::int64_t at) {
    auto* q = const_cast<unsigned char*>(p);
    if (stride == 1) {
      NarrowRun(v.dtype, vals + at, run, q);
      return;
    }
    for (std::int64_t r = 0; r < run; ++r) NarrowRun(v.dtype, vals + at + r, 1, q + r * stride * es);
  });
}

// ---- chunk statistics ------------------------------------------------------------------

// Lane sums: element e adds to lane e % 32; the lanes fold by halves (FoldHalvesAdd of
// simd/fold-inl.hpp: a[l] += a[l + 16], then + 8, + 4, + 2, + 1).
constexpr int kLanes = 32;


HWY_NOINLINE float LaneSum(const float* HWY_RESTRICT x, std::int64_t n) {
  alignas(64) float acc[kLanes] = {};
  std::int64_t e = 0;
  for (; e + kLanes <= n; e += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += x[e + l];
  for (int l = 0; l < n - e; ++l) acc[l] += x[e + l];
  return FoldHalvesAdd<kLanes>(acc);
}

HWY_NOINLINE float LaneSumSq(const float* HWY_RESTRICT x, std::int64_t n) {
  alignas(64) float acc[kLanes] = {};
  std::int64_t e = 0;
  for (; e + kLanes <= n; e += kLanes)
    for (int l = 0; l < kLanes; ++l) acc[l] += x[e + l] * x[e + l];
  for (int l = 0; l < n - e; ++l) acc[l] += x[e + l] * x[e + l];
  return FoldHalvesAdd<kLanes>(acc);
}

// Σ(x - m0) and Σ(x - m0)².
HWY_NOINLINE void LaneDeviations(const float* HWY_RESTRICT x, std::int64_t n, float m0, float* d, float* q) {
  alignas(64) float ad[kLanes] = {};
  alignas(64) float aq[kLanes] = {};
  std::int64_t e = 0;
  for (; e + kLanes <= n; e += kLanes) {
    for (int l = 0; l < kLanes; ++l) {
      const float t = x[e + l] - m0;
      ad[l] += t;
      aq[l] += t * t;
    }
  }
  for (int l = 0; l < n - e; ++l) {
    const float t = x[e + l] - m0;
    ad[l] += t;
    aq[l] += t * t;
  }
  *d = FoldHalvesAdd<kLanes>(ad);
  *q = FoldHalvesAdd<kLanes>(aq);
}

// The first pass of a dense f16/bf16 chunk fused with its conversion: writes the f32
// values to dst and returns their lane sum (kSq: of squares) — the additions of LaneSum /
// LaneSumSq, in the same order.
template <bool kBF16, bool kSq>
HWY_NOINLINE float WidenLaneSum(const std::uint16_t* HWY_RESTRICT src, float* HWY_RESTRICT dst, std::int64_t n) {
  alignas(64) float acc[kLanes] = {};
  auto step = [&](std::int64_t i, int l) {
    const float v = kBF16 ? BrainValue(src[i]) : HalfValue(src[i]);
    dst[i] = v;
    acc[l] += kSq ? v * v : v;
  };
  std::int64_t e = 0;
#if !HWY_HAVE_SCALABLE
  {
    // The 64 lanes as vectors, converted in registers (GCC's vectorization of the plain
    // loop below left f16 rows slower than f32 ones); the same additions per lane.
    const hn::CappedTag<float, 16> d;
    constexpr auto kN = static_cast<std::int64_t>(hn::MaxLanes(d));
    constexpr int kV = static_cast<int>(kLanes / kN);
    hn::Vec<decltype(d)> a[kV];
    for (auto& v : a) v = hn::Zero(d);
    for (; e + kLanes <= n; e += kLanes)
      for (int j = 0; j < kV; ++j) {
        const std::uint16_t* p = src + e + j * kN;
        const auto v = kBF16 ? BrainValueV(d, p) : HalfValueV(d, p);
        hn::StoreU(v, d, dst + e + j * kN);
        a[j] = hn::Add(a[j], kSq ? hn::Mul(v, v) : v);
      }
    for (int j = 0; j < kV; ++j) hn::Store(a[j], d, acc + j * kN);
  }
#endif
  for (; e + kLanes <= n; e += kLanes)
    for (int l = 0; l < kLanes; ++l) step(e + l, l);
  for (int l = 0; l < n - e; ++l) step(e + l, l);
  return FoldHalvesAdd<kLanes>(acc);
}

// FinishChunk's arithmetic in f64, element by element in order (the same on every ISA),
// for the rare chunk whose f32 sums leave the f32 range: squares or squared deviations
// beyond about 1e34 (data spread beyond about 3e17), values near FLT_MAX, or an inf or
// NaN (whose statistics stay NaN or inf, only reached more slowly).
HWY_NOINLINE NormPartial ChunkF64(NormKind kind, const float* HWY_RESTRICT x, std::int64_t n) {
  NormPartial p;
  p.count = static_cast<double>(n);
  if (kind == NormKind::kRms) {
    double sq = 0;
    for (std::int64_t e = 0; e < n; ++e) sq += static_cast<double>(x[e]) * static_cast<double>(x[e]);
    p.m2 = sq;
    return p;
  }
  double s = 0;
  for (std::int64_t e = 0; e < n; ++e) s += static_cast<double>(x[e]);
  s /= p.count;
  double d = 0, q = 0;
  for (std::int64_t e = 0; e < n; ++e) {
    const double t = static_cast<double>(x[e]) - s;
    d += t;
    q += t * t;
  }
  p.mean = s + d / p.count;
  const double m2 = q - d * d / p.count;
  p.m2 = m2 < 0 ? 0.0 : m2;  // (NaN stays NaN)
  return p;
}

// A chunk's partial from its f32 values and their first-pass sum (Σx, or Σx² for rms).
// A sum that overflowed f32 sends the chunk to ChunkF64: one test on the common path.
NormPartial FinishChunk(NormKind kind, const float* x, std::int64_t n, float first_sum) {
  NormPartial p;
  p.count = static_cast<double>(n);
  if (kind == NormKind::kRms) {
    if (!std::isfinite(first_sum)) return ChunkF64(kind, x, n);
    p.m2 = first_sum;
    return p;
  }
  const float m0 = first_sum / static_cast<float>(n);
  float d = 0, q = 0;
  LaneDeviations(x, n, m0, &d, &q);
  if (!std::isfinite(q) || !std::isfinite(d)) return ChunkF64(kind, x, n);
  const double dd = d;
  p.mean = static_cast<double>(m0) + dd / p.count;
  const double m2 = static_cast<double>(q) - dd * dd / p.count;
  p.m2 = m2 < 0 ? 0.0 : m2;  // (NaN stays NaN)
  return p;
}

// The partial of chunk [first, first + n) of x; *loaded points at its f32 values after
// (x's own memory, or buf).
NormPartial ChunkPartial(const NormPlan& p, std::int64_t first, std::int64_t n, float* buf, const float** loaded) {
  const bool rms = p.kind == NormKind::kRms;
  if (p.x.dense && p.x.dtype != DType::kF32) {
    const auto* src = reinterpret_cast<const std::uint16_t*>(p.x.data) + first;
    float s = 0;
    if (p.x.dtype == DType::kBF16) s = rms ? WidenLaneSum<true, true>(src, buf, n) : WidenLaneSum<true, false>(src, buf, n);
    else s = rms ? WidenLaneSum<false, true>(src, buf, n) : WidenLaneSum<false, false>(src, buf, n);
    *loaded = buf;
    return FinishChunk(p.kind, buf, n, s);
  }
  const float* x = LoadRange(p.x, first, n, buf);
  *loaded = x;
  return FinishChunk(p.kind, x, n, rms ? LaneSumSq(x, n) : LaneSum(x, n));
}

// ---- element-wise normalization ----------------------------------------------------------
// Explicit vectors rather than plain loops: x and y may be the same memory (in place),
// which would make an auto-vectorized loop fall back to scalar code. Head and tail
// elements use the same scalar operations, so the bits do not depend on alignment or
// vector width. kStream: non-temporal stores (no read-for-ownership of y's lines) for
// outputs far larger than the caches; the head runs until y is vector-aligned.

// Where normalized values go: f32 with ordinary or streaming stores, or rounded to f16 /
// bf16 in the same loop (no second pass over a buffer), with ordinary or streaming stores.
enum class Sink { kF32, kF32Stream, kF16, kBF16, kF16Stream, kBF16Stream };

// Streaming u16 stores need whole vectors of at least 16 bytes (x86 AVX2 and AVX-512).
constexpr bool kNarrowStream = HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2;

template <Sink kSink, class VecFn, class ScalarFn>
HWY_INLINE void StoreAll(void* out, std::int64_t n, VecFn vf_raw, ScalarFn sf_raw) {
  const hn::ScalableTag<float> d;
  const auto N = static_cast<std::int64_t>(hn::Lanes(d));
  // Every NaN written is the one quiet NaN 0x7FC00000 (f16 0x7E00, bf16 0x7FC0): which NaN
  // an operation returns when NaNs meet depends on operand order, which differs between
  // targets.
  constexpr float kQuiet = std::bit_cast<float>(0x7FC00000u);
  auto sf = [&](std::int64_t i) {
    const float v = sf_raw(i);
    return v != v ? kQuiet : v;
  };
  auto vf = [&](auto dd, std::int64_t i) {
    const auto v = vf_raw(dd, i);
    return hn::IfThenElse(hn::IsNaN(v), hn::Set(dd, kQuiet), v);
  };
  if constexpr (kSink == Sink::kF16 || kSink == Sink::kBF16) {
    // y is never the f32 input here (x was converted into a buffer), so a plain loop
    // vectorizes: the conversion is integer arithmetic.
    auto* HWY_RESTRICT y = static_cast<std::uint16_t*>(out);
    for (std::int64_t i = 0; i < n; ++i) y[i] = kSink == Sink::kF16 ? HalfBits(sf(i)) : BrainBits(sf(i));
  } else if constexpr (kSink == Sink::kF16Stream || kSink == Sink::kBF16Stream) {
    constexpr bool kHalf = kSink == Sink::kF16Stream;
    auto* y = static_cast<std::uint16_t*>(out);
    const hn::Rebind<std::uint16_t, decltype(d)> d16;
    const auto align = static_cast<std::uintptr_t>(N) * sizeof(std::uint16_t);
    std::int64_t i = 0;
    for (; i < n && reinterpret_cast<std::uintptr_t>(y + i) % align != 0; ++i) y[i] = kHalf ? HalfBits(sf(i)) : BrainBits(sf(i));
    for (; i + N <= n; i += N) {
      if constexpr (kHalf) hn::Stream(HalfBitsV(d, vf(d, i)), d16, y + i);
      else hn::Stream(BrainBitsV(d, vf(d, i)), d16, y + i);
    }
    for (; i < n; ++i) y[i] = kHalf ? HalfBits(sf(i)) : BrainBits(sf(i));
  } else {
    constexpr bool kStream = kSink == Sink::kF32Stream;
    auto* y = static_cast<float*>(out);
    std::int64_t i = 0;
    if constexpr (kStream) {
      const auto align = static_cast<std::uintptr_t>(N) * sizeof(float);
      for (; i < n && reinterpret_cast<std::uintptr_t>(y + i) % align != 0; ++i) y[i] = sf(i);
    }
    for (; i + N <= n; i += N) {
      if constexpr (kStream) hn::Stream(vf(d, i), d, y + i);
      else hn::StoreU(vf(d, i), d, y + i);
    }
    for (; i < n; ++i) y[i] = sf(i);
  }
}

// y = ((x - mh) - ml) * r [* g] [+ b]
template <Sink kSink, bool kGamma, bool kBeta>
HWY_NOINLINE void NormAffine(const float* x, void* y, const float* g, const float* b, std::int64_t n, float mh,
                             float ml, float r) {
  const hn::ScalableTag<float> d;
  const auto vmh = hn::Set(d, mh), vml = hn::Set(d, ml), vr = hn::Set(d, r);
  StoreAll<kSink>(
      y, n,
      [&](auto dd, std::int64_t i) {
        auto t = hn::Mul(hn::Sub(hn::Sub(hn::LoadU(dd, x + i), vmh), vml), vr);
        if constexpr (kGamma) t = hn::Mul(t, hn::LoadU(dd, g + i));
        if constexpr (kBeta) t = hn::Add(t, hn::LoadU(dd, b + i));
        return t;
      },
      [&](std::int64_t i) {
        float t = ((x[i] - mh) - ml) * r;
        if constexpr (kGamma) t = t * g[i];
        if constexpr (kBeta) t = t + b[i];
        return t;
      });
}

// y = ((x - mh) - ml) * a + b with one a, b for the run (a channel).
template <Sink kSink>
HWY_NOINLINE void NormChannel(const float* x, void* y, std::int64_t n, float mh, float ml, float a, float b) {
  const hn::ScalableTag<float> d;
  const auto vmh = hn::Set(d, mh), vml = hn::Set(d, ml), va = hn::Set(d, a), vb = hn::Set(d, b);
  StoreAll<kSink>(
      y, n, [&](auto dd, std::int64_t i) { return hn::Add(hn::Mul(hn::Sub(hn::Sub(hn::LoadU(dd, x + i), vmh), vml), va), vb); },
      [&](std::int64_t i) { return ((x[i] - mh) - ml) * a + b; });
}

// y = (x * r) [* g]
template <Sink kSink, bool kGamma>
HWY_NOINLINE void NormRms(const float* x, void* y, const float* g, std::int64_t n, float r) {
  const hn::ScalableTag<float> d;
  const auto vr = hn::Set(d, r);
  StoreAll<kSink>(
      y, n,
      [&](auto dd, std::int64_t i) {
        auto t = hn::Mul(hn::LoadU(dd, x + i), vr);
        if constexpr (kGamma) t = hn::Mul(t, hn::LoadU(dd, g + i));
        return t;
      },
      [&](std::int64_t i) {
        float t = x[i] * r;
        if constexpr (kGamma) t = t * g[i];
        return t;
      });
}

// ---- drivers ---------------------------------------------------------------------------

struct Buffers {
  alignas(64) float x[kNormChunk];
  alignas(64) float y[kNormChunk];
  alignas(64) float g[kNormChunk];
  alignas(64) float b[kNormChunk];
};

// Layer/rms norm: gamma and beta of positions [j, j + n) within the group.
template <Sink kS>
void NormPositions(const NormPlan& p, const float* xs, void* ys, std::int64_t j, std::int64_t n, const NormStats& st,
                   Buffers& bf) {
  const float* g = p.gamma.present() ? LoadRange(p.gamma, j, n, bf.g) : nullptr;
  if (p.kind == NormKind::kRms) {
    if (g != nullptr) NormRms<kS, true>(xs, ys, g, n, st.rstd);
    else NormRms<kS, false>(xs, ys, nullptr, n, st.rstd);
    return;
  }
  const float* b = p.beta.present() ? LoadRange(p.beta, j, n, bf.b) : nullptr;
  const float mh = st.mean_hi, ml = st.mean_lo, r = st.rstd;
  if (g != nullptr && b != nullptr) NormAffine<kS, true, true>(xs, ys, g, b, n, mh, ml, r);
  else if (g != nullptr) NormAffine<kS, true, false>(xs, ys, g, nullptr, n, mh, ml, r);
  else if (b != nullptr) NormAffine<kS, false, true>(xs, ys, nullptr, b, n, mh, ml, r);
  else NormAffine<kS, false, false>(xs, ys, nullptr, nullptr, n, mh, ml, r);
}

template <Sink kS>
void NormOneChannel(const NormPlan& p, const float* xs, void* ys, std::int64_t c, std::int64_t n,
                    const NormStats& st) {
  const float a = p.gamma.present() ? st.rstd * p.gamma.load(c) : st.rstd;
  const float b = p.beta.present() ? p.beta.load(c) : 0.0f;
  NormChannel<kS>(xs, ys, n, st.mean_hi, st.mean_lo, a, b);
}

// Normalizes flat elements [first, first + n) of group g (one chunk) into `ys` (kS's
// type); `xs` is the chunk's input as f32.
template <Sink kS>
void NormalizeInto(const NormPlan& p, std::int64_t g, std::int64_t first, std::int64_t n, const NormStats& st,
                   const float* xs, void* ys, Buffers& bf) {
  const std::int64_t j = first - g * p.group_step;  // position in the group (one segment)
  switch (p.kind) {
    case NormKind::kLayer:
    case NormKind::kRms: NormPositions<kS>(p, xs, ys, j, n, st, bf); break;
    case NormKind::kBatchInfer:
    case NormKind::kBatchTrain: NormOneChannel<kS>(p, xs, ys, g, n, st); break;
    case NormKind::kGroup: {
      // The chunk may span several channels of the group: one run per channel.
      constexpr std::int64_t kEs = kS == Sink::kF32 || kS == Sink::kF32Stream ? 4 : 2;
      const std::int64_t c0 = (g % p.group_count) * p.group_channels;
      for (std::int64_t i = 0; i < n;) {
        const std::int64_t pos = j + i;
        const std::int64_t run = std::min(n - i, p.spatial - pos % p.spatial);
        NormOneChannel<kS>(p, xs + i, static_cast<unsigned char*>(ys) + i * kEs, c0 + pos / p.spatial, run, st);
        i += run;
      }
      break;
    }
  }
}

// `xs`: the chunk already loaded as f32, or null to load it.
void NormalizeChunk(const NormPlan& p, std::int64_t g, std::int64_t first, std::int64_t n, const NormStats& st,
                    Buffers& bf, const float* xs = nullptr) {
  if (xs == nullptr) xs = LoadRange(p.x, first, n, bf.x);
  if (!p.y.dense) {
    NormalizeInto<Sink::kF32>(p, g, first, n, st, xs, bf.y, bf);
    StoreRange(p.y, first, n, bf.y);
    return;
  }
  void* ys = p.y.data + first * static_cast<std::int64_t>(dtype_size(p.y.dtype));
  if constexpr (kNarrowStream) {
    if (p.stream_y && p.y.dtype == DType::kF16) return NormalizeInto<Sink::kF16Stream>(p, g, first, n, st, xs, ys, bf);
    if (p.stream_y && p.y.dtype == DType::kBF16) return NormalizeInto<Sink::kBF16Stream>(p, g, first, n, st, xs, ys, bf);
  }
  if (p.y.dtype == DType::kF16) NormalizeInto<Sink::kF16>(p, g, first, n, st, xs, ys, bf);
  else if (p.y.dtype == DType::kBF16) NormalizeInto<Sink::kBF16>(p, g, first, n, st, xs, ys, bf);
  else if (p.stream_y) NormalizeInto<Sink::kF32Stream>(p, g, first, n, st, xs, ys, bf);
  else NormalizeInto<Sink::kF32>(p, g, first, n, st, xs, ys, bf);
}

// Makes the non-temporal stores of this block visible before it reports completion.
void StreamFence(const NormPlan& p) {
#if HWY_ARCH_X86
  if (p.stream_y) _mm_sfence();
#else
  (void)p;
#endif
}

// Asks the memory system for unit u's input (two units ahead of the one computed): the
// hardware prefetchers stop at 4 KiB page boundaries, so without this every row would start
// with a full memory latency.
// `level`: 3 = all cache levels (as a load), 2 = L2 and below.
void PrefetchUnit(const NormPlan& p, std::int64_t u, int level = 3) {
  if (!p.x.dense || u >= p.units()) return;
  std::int64_t first = 0, g = 0, n = 0;
  p.unit(u, &first, &g, &n);
  const auto es = static_cast<std::int64_t>(dtype_size(p.x.dtype));
  const unsigned char* base = p.x.data + first * es;
  if (level == 3)
    for (std::int64_t off = 0; off < n * es; off += 64) __builtin_prefetch(base + off, 0, 3);
  else
    for (std::int64_t off = 0; off < n * es; off += 64) __builtin_prefetch(base + off, 0, 2);
}

// Sequential prefetch: keeps [*ahead, from + kPrefetchBytes) requested, within [.., end).
constexpr std::int64_t kPrefetchBytes = 16384;
void PrefetchAhead(const NormPlan& p, std::int64_t from, std::int64_t end, std::int64_t* ahead) {
  const auto es = static_cast<std::int64_t>(dtype_size(p.x.dtype));
  const std::int64_t stop = std::min(end, from + kPrefetchBytes / es);
  if (*ahead < from) *ahead = from;
  for (; *ahead < stop; *ahead += 64 / es) __builtin_prefetch(p.x.data + *ahead * es, 0, 2);  // to L2
}

// Groups larger than this are read from memory again for normalization (not from cache).
constexpr std::int64_t kCachedGroupBytes = std::int64_t{512} << 10;

// Groups of one dense f32 chunk each (layer/rms norm over rows of up to kNormChunk),
// two at a time, pass by pass: each pass ends in a short serial computation (a lane
// fold, a division, a square root) that the next pass waits for; with the other row's
// pass in between, the core has independent work meanwhile. Every row is computed by the
// same calls as alone, so the same bits. One core, rows of 1024 from cache: 0.71-0.75x
// the AVX-512 loop before, 0.86-0.97x after.
void RunRowPairs(const NormPlan& p, std::int64_t g0, std::int64_t g1, Buffers& bf) {
  const bool rms = p.kind == NormKind::kRms;
  const float* x = reinterpret_cast<const float*>(p.x.data);
  const std::int64_t n = p.len;
  std::int64_t ahead = g0 * p.group_step;
  for (std::int64_t g = g0; g + 1 < g1; g += 2) {
    const float* xa = x + g * p.group_step;
    const float* xb = xa + p.group_step;
    if (p.prefetch_ahead) PrefetchAhead(p, (g + 2) * p.group_step, g1 * p.group_step, &ahead);
    const float sa = rms ? LaneSumSq(xa, n) : LaneSum(xa, n);
    const float sb = rms ? LaneSumSq(xb, n) : LaneSum(xb, n);
    const NormStats sta = norm_finish_group(p, g, FinishChunk(p.kind, xa, n, sa));
    const NormStats stb = norm_finish_group(p, g + 1, FinishChunk(p.kind, xb, n, sb));
    NormalizeChunk(p, g, g * p.group_step, n, sta, bf, xa);
    NormalizeChunk(p, g + 1, (g + 1) * p.group_step, n, stb, bf, xb);
  }
}

void RunGroups(const NormPlan& p, std::int64_t g0, std::int64_t g1) {
  const std::unique_ptr<Buffers> bf(new Buffers);  // uninitialized: no 64 KiB memset
  if (p.segs == 1 && p.chunks == 1 && p.batch_stats() && p.x.dense && p.x.dtype == DType::kF32) {
    RunRowPairs(p, g0, g1, *bf);
    g0 += (g1 - g0) / 2 * 2;  // an odd last row: below
  }
  const std::int64_t per = p.segs * p.chunks;
  // One segment per group and dense x: the blocks' groups are one sequential range,
  // prefetched a fixed distance ahead of the unit being computed.
  const bool sequential = p.x.dense && p.segs == 1;
  std::int64_t ahead = g0 * p.group_step;
  const bool reread = p.segs * p.len * static_cast<std::int64_t>(dtype_size(p.x.dtype)) > kCachedGroupBytes;
  for (std::int64_t g = g0; g < g1; ++g) {
    NormStats st;
    const float* loaded = nullptr;
    if (p.batch_stats()) {
      NormPartial acc;
      for (std::int64_t u = g * per; u < (g + 1) * per; ++u) {
        std::int64_t first = 0, gg = 0, n = 0;
        p.unit(u, &first, &gg, &n);
        if (!sequential) PrefetchUnit(p, u + 2);
        else if (p.prefetch_ahead) PrefetchAhead(p, first + n, g1 * p.group_step, &ahead);
        norm_merge(p.kind, &acc, ChunkPartial(p, first, n, bf->x, &loaded));
      }
      st = norm_finish_group(p, g, acc);
    } else {
      st = norm_running_stats(p, g);
    }
    for (std::int64_t u = g * per; u < (g + 1) * per; ++u) {
      std::int64_t first = 0, gg = 0, n = 0;
      p.unit(u, &first, &gg, &n);
      if (sequential && (reread || !p.batch_stats())) {
        if (p.prefetch_ahead) PrefetchAhead(p, first + n, g1 * p.group_step, &ahead);
      } else if (reread || !p.batch_stats()) {
        PrefetchUnit(p, u + 2);
      }
      // Normalizing from cache: meanwhile the next group (a strided channel, which the
      // sequential prefetch does not reach) comes into L2, chunk by chunk.
      else if (!sequential && g + 1 < g1) PrefetchUnit(p, u + per, 2);
      // A one-chunk group is still loaded (converted) from the statistics pass.
      NormalizeChunk(p, g, first, n, st, *bf, per == 1 ? loaded : nullptr);
    }
  }
  StreamFence(p);
}

void RunStatUnits(NormPlan& p, std::int64_t u0, std::int64_t u1) {
  const std::unique_ptr<Buffers> bf(new Buffers);  // uninitialized: no 64 KiB memset
  for (std::int64_t u = u0; u < u1; ++u) {
    std::int64_t first = 0, g = 0, n = 0;
    p.unit(u, &first, &g, &n);
    PrefetchUnit(p, u + 2);
    const float* loaded = nullptr;
    p.partials[static_cast<std::size_t>(u)] = ChunkPartial(p, first, n, bf->x, &loaded);
  }
}

void RunNormUnits(const NormPlan& p, std::int64_t u0, std::int64_t u1) {
  const std::unique_ptr<Buffers> bf(new Buffers);  // uninitialized: no 64 KiB memset
  std::int64_t have = -1;
  NormStats st;
  for (std::int64_t u = u0; u < u1; ++u) {
    std::int64_t first = 0, g = 0, n = 0;
    p.unit(u, &first, &g, &n);
    if (g != have) {
      st = p.batch_stats() ? p.stats[static_cast<std::size_t>(g)] : norm_running_stats(p, g);
      have = g;
    }
    PrefetchUnit(p, u + 2);
    NormalizeChunk(p, g, first, n, st, *bf);
  }
  StreamFence(p);
}

}  // namespace

// Exported per target.
void NormRunGroups(const NormPlan& p, std::int64_t g0, std::int64_t g1) { RunGroups(p, g0, g1); }
void NormRunStatUnits(NormPlan& p, std::int64_t u0, std::int64_t u1) { RunStatUnits(p, u0, u1); }
void NormRunNormUnits(const NormPlan& p, std::int64_t u0, std::int64_t u1) { RunNormUnits(p, u0, u1); }

}  // namespace vnpu::ops::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vnpu::ops::detail {

HWY_EXPORT(NormRunGroups);
HWY_EXPORT(NormRunStatUnits);
HWY_EXPORT(NormRunNormUnits);

void norm_run_groups(const NormPlan& p, std::int64_t g0, std::int64_t g1) { HWY_DYNAMIC_DISPATCH(NormRunGroups)(p, g0, g1); }
void norm_run_stat_units(NormPlan& p, std::int64_t u0, std::int64_t u1) {
  HWY_DYNAMIC_DISPATCH(NormRunStatUnits)(p, u0, u1);
}
void norm_run_norm_units(const NormPlan& p, std::int64_t u0, std::int64_t u1) {
  HWY_DYNAMIC_DISPATCH(NormRunNormUnits)(p, u0, u1);
}

}  // namespace vnpu::ops::detail
#endif
