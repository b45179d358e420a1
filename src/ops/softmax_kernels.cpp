// Softmax kernels, compiled once per SIMD target (Highway's foreach_target) and picked at
// run time. See softmax_plan.hpp for the layouts and methods, softmax_vec-inl.hpp for the
// vector bodies and softmax_plain-inl.hpp for their plain twins.
//
// Numerics, identical on every target: loops of IEEE operations in a fixed order, and
// fused multiply-adds only where written (exp_neg_f32 and its vector twin ExpNegV), which
// round once whether done in hardware or by std::fma; the file is built with
// -ffp-contract=off so the compiler adds no others.
// - Row sums: element e of a row (or chunk) goes to lane e % 64 of an f32 accumulator;
//   the 64 lanes fold by halves (a[i] += a[i + w], w = 32, 16, ..., 1).
// - Column sums: each column adds its rows in order in f32, in blocks of kColBlock rows
//   whose sums are added in f64.
// - Chunk partials (max m_k, sum s_k of exp(x - m_k)) combine in chunk order in f64:
//   M = max m_k, S = sum s_k * exp(m_k - M).
// - softmax writes exp(x - M) * (1 / S), log_softmax (x - M) - ln S; f16 and bf16 are
//   rounded once, to nearest even, from that f32 value.
// Special values: the maximum pass sees NaN (it sticks) and infinities; a row or column
// whose maximum is NaN, +inf or -inf (all -inf) is NaN (a chunk of them gets a NaN or 0
// sum without an exp pass), so the exp only ever sees arguments in [-inf, 0]; a -inf
// entry of a finite row gives exp(-inf) = 0 (log_softmax: -inf).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "ops/softmax_plan.hpp"
#include "ops/softmax_probe.hpp"
#include "ops/simd/exp.hpp"
#include "ops/simd/log.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ops/softmax_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/cache_control.h>
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace vnpu::ops::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Memory to prefetch during an exp pass (see vec::ExpSum): the next row's (or chunk's)
// input, es bytes per element; null: none. (Prefetching the next output for writing as
// well measured no better.)
struct Ahead {
  const unsigned char* in = nullptr;
  std::int64_t es = 0;
};

// The running maximum step: NaN, once seen, sticks (every comparison with it is false).
HWY_INLINE float MaxOne(float m, float v) { return (v > m || v != v) ? v : m; }

#include "ops/simd/convert-inl.hpp"
#include "ops/simd/exp-inl.hpp"
#include "ops/simd/fold-inl.hpp"
#include "ops/softmax_plain-inl.hpp"
#undef SM_VEC
#include "ops/softmax_vec-inl.hpp"

// The row and column bodies the passes use: the vector ones where the target has a
// compile-time lane count, else their plain twins (the same bits either way).
#if SM_VEC
namespace sm = vec;
#else
namespace sm = plain;
#endif

namespace {

constexpr std::int64_t kColBlock = 64;
constexpr std::int64_t kEmitBlock = 256;  // elements converted at a time on the way out
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// ---- dtype conversions -----------------------------------------------------------------

// f16/bf16 <-> f32: simd/convert-inl.hpp's HalfValue, BrainValue, HalfBits and BrainBits
// (exact widening; rounding to nearest even, NaN to a quiet NaN), and their vector forms.

// n elements of `t` read `step` elements apart from `src`, as f32 into dst.
void Load(DType t, const unsigned char* src, std::int64_t step, std::int64_t n, float* HWY_RESTRICT dst) {
  if (t == DType::kF32) {
    const auto* s = reinterpret_cast<const float*>(src);
    if (step == 1) std::memcpy(dst, s, static_cast<std::size_t>(n) * sizeof(float));
    else
      for (std::int64_t i = 0; i < n; ++i) dst[i] = s[i * step];
    return;
  }
  if (step == 1) {  // converted in registers where the target has vectors
    if (t == DType::kBF16) sm::RowFrom<2>(src, n, dst);
    else sm::RowFrom<1>(src, n, dst);
    return;
  }
  const auto* s = reinterpret_cast<const std::uint16_t*>(src);
  if (t == DType::kBF16)
    for (std::int64_t i = 0; i < n; ++i) dst[i] = BrainValue(s[i * step]);
  else
    for (std::int64_t i = 0; i < n; ++i) dst[i] = HalfValue(s[i * step]);
}

// n f32 values into elements of `t` `step` apart at dst.
void Store(DType t, const float* HWY_RESTRICT y, std::int64_t n, unsigned char* dst, std::int64_t step) {
  if (t == DType::kF32) {
    auto* d = reinterpret_cast<float*>(dst);
    if (step == 1) std::memcpy(d, y, static_cast<std::size_t>(n) * sizeof(float));
    else
      for (std::int64_t i = 0; i < n; ++i) d[i * step] = y[i];
    return;
  }
  if (step == 1) {  // converted in registers where the target has vectors
    if (t == DType::kBF16) sm::RowTo<2>(y, n, dst);
    else sm::RowTo<1>(y, n, dst);
    return;
  }
  auto* d = reinterpret_cast<std::uint16_t*>(dst);
  if (t == DType::kBF16)
    for (std::int64_t i = 0; i < n; ++i) d[i * step] = BrainBits(y[i]);
  else
    for (std::int64_t i = 0; i < n; ++i) d[i * step] = HalfBits(y[i]);
}

// ---- row passes ------------------------------------------------------------------------

// The largest element, or NaN if there is one.
HWY_NOINLINE float RowMax(const float* HWY_RESTRICT x, std::int64_t n) { return sm::Max(x, n); }

// The largest element when the row holds no NaN; with a NaN it may be any element (see
// vec::MaxPlain). The fused rows, which use it, find NaN rows by their exp sum.
HWY_INLINE float RowMaxPlain(const float* HWY_RESTRICT x, std::int64_t n) { return sm::MaxPlain(x, n); }

// Sum of exp(x - m); with kStore, exp(x - m) is also written to e (which may be x).
// With kBelowMax, only the elements below m add. `ahead`: memory to prefetch meanwhile.
template <bool kStore, bool kBelowMax = false>
HWY_INLINE float ExpSum(const float* x, std::int64_t n, float m, float* e, const Ahead& ahead = {}) {
  return sm::ExpSum<kStore, kBelowMax>(x, n, m, e, ahead);
}

// ---- ln S near 1 (log_softmax) -----------------------------------------------------------
//
// S = sum of exp(x - M) is at least 1 (the maximum's own term). When the maximum dominates,
// S is 1 + t with t tiny, and ln S from an f32 S keeps only the bits of t that survived
// beside the 1: the log_softmax of the largest element, -ln S ~ -t, would have a large
// relative error. So whenever S < 2, ln S is computed again as log1p((c - 1) + t), with c
// the number of elements equal to M and t the sum over the others, both without the 1s.
// (For S >= 2, ln S >= 0.69 and the plain f32 ln is accurate.)
constexpr double kNearOne = 2.0;

HWY_INLINE float LogNearOne(double count, double below) {
  return static_cast<float>(std::log1p((count - 1.0) + below));
}

// Elements of x[0, n) equal to m.
HWY_INLINE double CountEqual(const float* HWY_RESTRICT x, std::int64_t n, float m) {
  std::int64_t c = 0;
  for (std::int64_t i = 0; i < n; ++i) c += x[i] == m ? 1 : 0;
  return static_cast<double>(c);
}

// The final element-wise step. kScale: y = s * a. kExpScale: y = exp(s - a) * b.
// kShift: y = (s - a) - b.
enum class Emit : std::uint8_t { kScale, kExpScale, kShift };

template <Emit kOp>
HWY_INLINE void EmitF32(const float* s, std::int64_t n, float a, float b, float* y) {
  sm::Map<static_cast<int>(kOp)>(s, n, a, b, y);
}

// The final step into n output elements of `t`, `step` apart.
template <Emit kOp>
HWY_NOINLINE void EmitRow(DType t, const float* s, std::int64_t n, float a, float b, unsigned char* dst,
                          std::int64_t step) {
  if (t == DType::kF32 && step == 1) {
    EmitF32<kOp>(s, n, a, b, reinterpret_cast<float*>(dst));
    return;
  }
  alignas(64) float tmp[kEmitBlock];
  const auto es = static_cast<std::int64_t>(dtype_size(t));
  for (std::int64_t i = 0; i < n; i += kEmitBlock) {
    const std::int64_t len = std::min(kEmitBlock, n - i);
    EmitF32<kOp>(s + i, len, a, b, tmp);
    Store(t, tmp, len, dst + i * step * es, step);
  }
}

// ---- rows layout -----------------------------------------------------------------------

struct RowPtrs {
  const unsigned char* in;
  unsigned char* out;
};

HWY_INLINE RowPtrs RowAt(const SoftmaxPlan& p, std::int64_t r) {
  std::int64_t io = 0, oo = 0;
  p.outer.offsets(r, &io, &oo);
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  return {p.in + io * es, p.out + oo * es};
}

// Whether outputs go to memory with non-temporal stores: for outputs too large to be read
// back from the cache anyway.
HWY_INLINE bool StreamOut(const SoftmaxPlan& p) {
  return p.rows * p.C * p.L * static_cast<std::int64_t>(dtype_size(p.dtype)) >= (std::int64_t{16} << 20);
}

#if SM_VEC
// softmax of a contiguous f16 (kT 1) or bf16 (kT 2) row: the maximum and the exp pass read
// the row itself, converting in registers; exp(x - m) goes to `work` as f32, and the
// output pass scales it and converts it on the way out (large outputs: non-temporal
// stores). The same operations as FusedRow's, so the same bits.
template <int kT>
void HalfRow(const SoftmaxPlan& p, RowPtrs row, const Ahead& next, float* work) {
  const std::int64_t n = p.L;
  const float m = vec::MaxPlain<kT>(row.in, n);
  if (!std::isfinite(m)) {  // a NaN row (see FusedRow)
    Load(p.dtype, row.in, 1, n, work);
    EmitRow<Emit::kScale>(p.dtype, work, n, std::numeric_limits<float>::quiet_NaN(), 0.0f, row.out, 1);
    return;
  }
  const float s = vec::ExpSum<true, false, kT>(row.in, n, m, work, next);
  vec::ScaleTo<kT>(work, n, 1.0f / s, row.out, StreamOut(p));
}
#endif

// One whole row: read once (into `work` unless it is f32 and contiguous), then the max,
// exp-sum and output passes run on data in cache while the next row is prefetched.
void FusedRow(const SoftmaxPlan& p, RowPtrs row, const Ahead& next, float* work) {
#if SM_VEC
  if (!p.log && p.dtype != DType::kF32 && p.in_step == 1 && p.out_step == 1) {
    if (p.dtype == DType::kBF16) HalfRow<2>(p, row, next, work);
    else HalfRow<1>(p, row, next, work);
    return;
  }
#endif
  const std::int64_t n = p.L;
  const bool f32_in = p.dtype == DType::kF32 && p.in_step == 1;
  const bool f32_out = p.dtype == DType::kF32 && p.out_step == 1;
  const float* x = f32_in ? reinterpret_cast<const float*>(row.in) : work;
  if (!f32_in) Load(p.dtype, row.in, p.in_step, n, work);
  // A row holding NaN or +inf, or of only -inf, is NaN everywhere. +inf and -inf show in
  // the maximum (no exp pass then); a NaN may not, but then exp(NaN - m) makes the sum S
  // NaN, and with it 1 / S or ln S and every output (log_f32(NaN) is NaN; the stored
  // exps of e are scaled by NaN, also when e is x in place).
  const float m = RowMaxPlain(x, n);
  if (!std::isfinite(m)) {
    EmitRow<Emit::kScale>(p.dtype, x, n, std::numeric_limits<float>::quiet_NaN(), 0.0f, row.out, p.out_step);
    return;
  }
  if (p.log) {
    const float s = ExpSum<false>(x, n, m, nullptr, next);
    const float ls = s < kNearOne ? LogNearOne(CountEqual(x, n, m), ExpSum<false, true>(x, n, m, nullptr))
                                  : log_f32(s);
    EmitRow<Emit::kShift>(p.dtype, x, n, m, ls, row.out, p.out_step);
    return;
  }
  float* e = f32_out ? reinterpret_cast<float*>(row.out) : work;
  const float s = ExpSum<true>(x, n, m, e, next);
  EmitRow<Emit::kScale>(p.dtype, e, n, 1.0f / s, 0.0f, row.out, p.out_step);
}

// Chunk k of a long row, as f32: the input itself when it is contiguous f32, else
// converted into `work`.
struct RowChunkF32 {
  const float* x;
  std::int64_t c0;           // its first element in the row
  std::int64_t n;            // its length
  const unsigned char* src;  // its first input byte
};

RowChunkF32 ChunkOf(const SoftmaxPlan& p, const RowPtrs& row, std::int64_t k, float* work) {
  const std::int64_t c0 = k * kSmChunk;
  const std::int64_t n = std::min(kSmChunk, p.L - c0);
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  const unsigned char* src = row.in + c0 * p.in_step * es;
  const float* x = work;
  if (p.dtype == DType::kF32 && p.in_step == 1) x = reinterpret_cast<const float*>(src);
  else Load(p.dtype, src, p.in_step, n, work);
  return {x, c0, n, src};
}

// Chunk k of a long row: its (max, sum of exp(x - max)). The sum of a chunk of only
// -inf is 0; a chunk holding NaN or +inf has a NaN sum (its row is NaN).
void RowChunk(const SoftmaxPlan& p, std::int64_t r, std::int64_t k, float* work) {
  const auto [x, c0, n, src] = ChunkOf(p, RowAt(p, r), k, work);
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  const float m = RowMax(x, n);
  float s = 0.0f;
  // Prefetch the next chunk of a contiguous row while this one is summed.
  const Ahead next{p.in_step == 1 && k + 1 < p.chunks ? src + n * es : nullptr, es};
  if (std::isfinite(m)) s = ExpSum<false>(x, n, m, nullptr, next);
  else if (m != kNegInf) s = std::numeric_limits<float>::quiet_NaN();
  float* q = const_cast<float*>(p.partials.data()) + (r * p.chunks + k) * 2;
  q[0] = m;
  q[1] = s;
}

// A row's M and S from its chunk partials, in chunk order.
void CombineRow(const SoftmaxPlan& p, std::int64_t r, float* M, double* S) {
  const float* q = p.partials.data() + r * p.chunks * 2;
  float m = kNegInf;
  for (std::int64_t k = 0; k < p.chunks; ++k) m = MaxOne(m, q[2 * k]);
  double s = std::numeric_limits<double>::quiet_NaN();  // NaN, +inf or all -inf: a NaN row
  if (std::isfinite(m)) {
    s = 0.0;
    for (std::int64_t k = 0; k < p.chunks; ++k)
      s += static_cast<double>(q[2 * k + 1]) * static_cast<double>(exp_f32(q[2 * k] - m));
  }
  *M = m;
  *S = s;
}

// ln S of row r (maximum m) near 1, from its chunks read again in order.
float RowLogNearOne(const SoftmaxPlan& p, std::int64_t r, float m, float* work) {
  const RowPtrs row = RowAt(p, r);
  double count = 0.0, below = 0.0;
  for (std::int64_t k = 0; k < p.chunks; ++k) {
    const RowChunkF32 c = ChunkOf(p, row, k, work);
    count += CountEqual(c.x, c.n, m);
    below += static_cast<double>(ExpSum<false, true>(c.x, c.n, m, nullptr));
  }
  return LogNearOne(count, below);
}

void RowWrite(const SoftmaxPlan& p, std::int64_t u0, std::int64_t u1, float* work) {
  std::int64_t cached = -1;
  float m = 0.0f, a = 0.0f;
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  for (std::int64_t u = u0; u < u1; ++u) {
    const std::int64_t r = u / p.chunks, k = u % p.chunks;
    if (r != cached) {
      double s = 0.0;
      CombineRow(p, r, &m, &s);
      if (!p.log) a = static_cast<float>(1.0 / s);
      else if (s < kNearOne) a = RowLogNearOne(p, r, m, work);
      else a = log_f32(static_cast<float>(s));
      cached = r;
    }
    const RowPtrs row = RowAt(p, r);
    const auto [x, c0, n, src] = ChunkOf(p, row, k, work);
    unsigned char* dst = row.out + c0 * p.out_step * es;
    if (p.log) EmitRow<Emit::kShift>(p.dtype, x, n, m, a, dst, p.out_step);
    else EmitRow<Emit::kExpScale>(p.dtype, x, n, m, a, dst, p.out_step);
  }
}

// ---- columns layout --------------------------------------------------------------------

struct Tile {
  const unsigned char* in;  // element (row 0, first column of the tile)
  unsigned char* out;
  std::int64_t w;  // columns
};

HWY_INLINE Tile TileAt(const SoftmaxPlan& p, std::int64_t slab, std::int64_t t) {
  std::int64_t io = 0, oo = 0;
  p.outer.offsets(slab, &io, &oo);
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  const std::int64_t c0 = t * p.tile;
  return {p.in + (io + c0) * es, p.out + (oo + c0) * es, std::min(p.tile, p.C - c0)};
}

// f32 rows of a tile: row r at base + (r - r0) * stride. Either the input itself (f32)
// or rows converted into the working area (w apart).
struct Rows {
  const float* base;
  std::int64_t stride;
  std::int64_t r0;
  const float* operator()(std::int64_t r) const { return base + (r - r0) * stride; }
};

// Rows [r0, r1) of tile t as f32: the input when it is f32, else converted once into area.
[[maybe_unused]] Rows TileRows(const SoftmaxPlan& p, const Tile& t, std::int64_t r0, std::int64_t r1, float* area) {
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  if (p.dtype == DType::kF32) return {reinterpret_cast<const float*>(t.in + r0 * p.in_step * es), p.in_step, r0};
  for (std::int64_t r = r0; r < r1; ++r) Load(p.dtype, t.in + r * p.in_step * es, 1, t.w, area + (r - r0) * t.w);
  return {area, t.w, r0};
}

[[maybe_unused]] void ColMax(const Rows& x, std::int64_t r0, std::int64_t r1, std::int64_t w, float* mx) {
  for (std::int64_t c = 0; c < w; ++c) mx[c] = kNegInf;
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* HWY_RESTRICT xr = x(r);
    sm::MaxCols(xr, w, mx);
  }
}

// Sums of exp(x - m) per column over rows [r0, r1): f32 within blocks of kColBlock rows
// (from r0), blocks added in f64. With kStore, exp(x - m) is also written to row r of
// e (e may alias x: each element is read before it is written).
template <bool kStore>
void ColExpSum(const Rows& x, std::int64_t r0, std::int64_t r1, std::int64_t w, const float* m, float* acc,
               double* sum, float* e, std::int64_t e_stride) {
  for (std::int64_t c = 0; c < w; ++c) sum[c] = 0.0;
  for (std::int64_t b = r0; b < r1; b += kColBlock) {
    const std::int64_t be = std::min(r1, b + kColBlock);
    for (std::int64_t c = 0; c < w; ++c) acc[c] = 0.0f;
    for (std::int64_t r = b; r < be; ++r) {
      const float* xr = x(r);
      sm::ExpAccCols<kStore>(xr, w, m, acc, kStore ? e + (r - r0) * e_stride : nullptr);
    }
    for (std::int64_t c = 0; c < w; ++c) sum[c] += static_cast<double>(acc[c]);
  }
}

// Writes rows [r0, r1) of a tile from the f32 rows s with per-column m and a:
// kScale: y = s * a; kExpScale: y = exp(s - m) * a; kShift: y = (s - m) - a.
template <Emit kOp>
void ColEmit(const SoftmaxPlan& p, const Tile& t, std::int64_t r0, std::int64_t r1, const Rows& s, const float* m,
             const float* a, float* rowbuf) {
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* sr = s(r);
    unsigned char* dst = t.out + r * p.out_step * es;
    float* y = p.dtype == DType::kF32 ? reinterpret_cast<float*>(dst) : rowbuf;
    sm::MapCols<static_cast<int>(kOp)>(sr, t.w, m, a, y);
    if (p.dtype != DType::kF32) Store(p.dtype, rowbuf, t.w, dst, 1);
  }
}

// Per-column work arrays carved from `work` after an area of `area` floats.
struct ColArrays {
  float* area;
  float* rowbuf;
  float* m;
  float* a;
  float* acc;
  double* sum;
};

// Each array is padded to a whole number of 16 floats: the vector passes read and write
// whole vectors past a tile's last column (lanes that are then dropped).
ColArrays Carve(float* work, std::int64_t area, std::int64_t tile) {
  const std::int64_t t = (tile + 15) / 16 * 16;
  ColArrays c{};
  c.area = work;
  c.rowbuf = work + area;
  c.m = c.rowbuf + t;
  c.a = c.m + t;
  c.acc = c.a + t;
  auto addr = reinterpret_cast<std::uintptr_t>(c.acc + t);
  addr = (addr + 7) / 8 * 8;
  c.sum = reinterpret_cast<double*>(addr);
  return c;
}

// ln S of column c of tile t (maximum m) near 1, from the input read again row by row.
float ColumnLogNearOne(const SoftmaxPlan& p, const Tile& t, std::int64_t c, float m) {
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  double count = 0.0, below = 0.0;
  for (std::int64_t r = 0; r < p.L; ++r) {
    float x = 0.0f;
    Load(p.dtype, t.in + (r * p.in_step + c) * es, 1, 1, &x);
    if (x == m) count += 1.0;
    else below += static_cast<double>(exp_neg_f32(x - m));
  }
  return LogNearOne(count, below);
}

// a = 1 / S (softmax) or ln S (log_softmax) per column; NaN for a column whose maximum
// is NaN, +inf or -inf (all -inf): its exps were computed from a meaningless max.
void FinishColumns(const SoftmaxPlan& p, const Tile& t, const float* m, double* sum, float* a) {
  const std::int64_t w = t.w;
  for (std::int64_t c = 0; c < w; ++c)
    if (!std::isfinite(m[c])) sum[c] = std::numeric_limits<double>::quiet_NaN();
  if (p.log) {
    for (std::int64_t c = 0; c < w; ++c)
      a[c] = sum[c] < kNearOne ? ColumnLogNearOne(p, t, c, m[c]) : log_f32(static_cast<float>(sum[c]));
  } else {
    for (std::int64_t c = 0; c < w; ++c) a[c] = static_cast<float>(1.0 / sum[c]);
  }
}

// Rows of a tile ahead of the one being read that are prefetched: about 8 KiB ahead.
HWY_INLINE std::int64_t RowsAhead(std::int64_t row_bytes) {
  return std::clamp<std::int64_t>(8192 / std::max<std::int64_t>(row_bytes, 1), 1, 64);
}


#if SM_VEC
template <int kT>
void FusedTileAs(const SoftmaxPlan& p, const Tile& t, const Tile* next, const ColArrays& ca) {
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  const vec::TileGeo g{t.in, t.out, p.in_step * es, p.out_step * es, p.L, t.w};
  const std::int64_t ahead = RowsAhead(t.w * es);
  vec::NextTile nt;
  if (next != nullptr) nt = {next->in, p.in_step * es, next->w * es};
  vec::TileStageMax<kT>(g, ahead, ca.m, ca.area);
  if (p.log) {
    vec::StageExpSum<kColBlock, false>(ca.area, p.L, t.w, ca.m, ca.sum, nt, es);
    FinishColumns(p, t, ca.m, ca.sum, ca.a);
    vec::TileEmit<kT, 2>(g, ca.area, ahead, ca.m, ca.a, StreamOut(p));
  } else {
    // The stage keeps exp(x - m) for the output pass.
    vec::StageExpSum<kColBlock, true>(ca.area, p.L, t.w, ca.m, ca.sum, nt, es);
    FinishColumns(p, t, ca.m, ca.sum, ca.a);
    vec::TileEmit<kT, 0>(g, ca.area, ahead, ca.m, ca.a, StreamOut(p));
  }
}
#endif

// FusedTileAs' operations through the plain loops, one row at a time through rowbuf
// (read from the input for each pass): the tile pass of the targets without a
// compile-time lane count.
[[maybe_unused]] void FusedTilePlain(const SoftmaxPlan& p, const Tile& t, const ColArrays& ca) {
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  const std::int64_t w = t.w;
  auto row_in = [&](std::int64_t r) {
    Load(p.dtype, t.in + r * p.in_step * es, 1, w, ca.rowbuf);
    return ca.rowbuf;
  };
  for (std::int64_t c = 0; c < w; ++c) ca.m[c] = kNegInf;
  for (std::int64_t r = 0; r < p.L; ++r) {
    const float* x = row_in(r);
    for (std::int64_t c = 0; c < w; ++c) ca.m[c] = MaxOne(ca.m[c], x[c]);
  }
  for (std::int64_t c = 0; c < w; ++c) ca.sum[c] = 0.0;
  for (std::int64_t b = 0; b < p.L; b += kColBlock) {
    for (std::int64_t c = 0; c < w; ++c) ca.acc[c] = 0.0f;
    for (std::int64_t r = b; r < std::min(p.L, b + kColBlock); ++r) {
      const float* x = row_in(r);
      for (std::int64_t c = 0; c < w; ++c) ca.acc[c] += exp_neg_f32(x[c] - ca.m[c]);
    }
    for (std::int64_t c = 0; c < w; ++c) ca.sum[c] += static_cast<double>(ca.acc[c]);
  }
  FinishColumns(p, t, ca.m, ca.sum, ca.a);
  for (std::int64_t r = 0; r < p.L; ++r) {
    float* x = row_in(r);
    for (std::int64_t c = 0; c < w; ++c)
      x[c] = p.log ? (x[c] - ca.m[c]) - ca.a[c] : exp_neg_f32(x[c] - ca.m[c]) * ca.a[c];
    Store(p.dtype, x, w, t.out + r * p.out_step * es, 1);
  }
}

// A whole tile, in three passes over its rows (vec::TileStageMax and what follows): the
// column maxima (reading the tile from memory into an f32 stage), the sums of exp(x - m)
// (softmax: stored over the stage), and the output, exp(x - m) * (1 / S) or
// (x - m) - ln S, from the stage. f16 and bf16 are converted in registers.
// `next` (null: none): the tile this block works on next, prefetched meanwhile.
void FusedTile(const SoftmaxPlan& p, const Tile& t, const Tile* next, float* work) {
  const ColArrays ca = Carve(work, p.L * ((p.tile + 15) / 16 * 16), p.tile);
#if SM_VEC
  switch (p.dtype) {
    case DType::kF16: FusedTileAs<1>(p, t, next, ca); return;
    case DType::kBF16: FusedTileAs<2>(p, t, next, ca); return;
    default: FusedTileAs<0>(p, t, next, ca); return;
  }
#else
  (void)next;
  FusedTilePlain(p, t, ca);
#endif
}

// ColChunk's maxima and sums of rows [r0, r1) of tile t through the plain column loops
// (rows converted once into ca.area): the targets without a compile-time lane count.
[[maybe_unused]] void ColChunkPlain(const SoftmaxPlan& p, const Tile& t, std::int64_t r0, std::int64_t r1,
                                    const ColArrays& ca) {
  const Rows x = TileRows(p, t, r0, r1, ca.area);
  ColMax(x, r0, r1, t.w, ca.m);
  for (std::int64_t c = 0; c < t.w; ++c) ca.a[c] = ca.m[c] == kNegInf ? 0.0f : ca.m[c];
  ColExpSum<false>(x, r0, r1, t.w, ca.a, ca.acc, ca.sum, nullptr, 0);
}

// ColWrite's output of rows [r0, r1) of tile t through the plain column loops.
[[maybe_unused]] void ColWritePlain(const SoftmaxPlan& p, const Tile& t, std::int64_t r0, std::int64_t r1,
                                    const ColArrays& ca) {
  const Rows x = TileRows(p, t, r0, r1, ca.area);
  if (p.log) ColEmit<Emit::kShift>(p, t, r0, r1, x, ca.m, ca.a, ca.rowbuf);
  else ColEmit<Emit::kExpScale>(p, t, r0, r1, x, ca.m, ca.a, ca.rowbuf);
}

void ColChunk(const SoftmaxPlan& p, std::int64_t u, float* work) {
  const std::int64_t k = u % p.chunks;
  const std::int64_t t_idx = (u / p.chunks) % p.tiles;
  const std::int64_t slab = u / p.chunks / p.tiles;
  const Tile t = TileAt(p, slab, t_idx);
  const ColArrays ca = Carve(work, kSmColChunk * ((p.tile + 15) / 16 * 16), p.tile);
  const std::int64_t r0 = k * kSmColChunk, r1 = std::min(p.L, r0 + kSmColChunk);
  // A column chunk of only -inf sums exp(-inf - 0) = 0; one whose max is NaN or +inf gets
  // a NaN sum (its column is NaN).
#if SM_VEC
  const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
  const vec::TileGeo g{t.in + r0 * p.in_step * es, nullptr, p.in_step * es, 0, r1 - r0, t.w};
  switch (p.dtype) {
    case DType::kF16: vec::TileStageMax<1>(g, RowsAhead(t.w * es), ca.m, ca.area); break;
    case DType::kBF16: vec::TileStageMax<2>(g, RowsAhead(t.w * es), ca.m, ca.area); break;
    default: vec::TileStageMax<0>(g, RowsAhead(t.w * es), ca.m, ca.area); break;
  }
  for (std::int64_t c = 0; c < vec::StageRow(t.w); ++c) ca.a[c] = ca.m[c] == kNegInf ? 0.0f : ca.m[c];
  vec::StageExpSum<kColBlock, false>(ca.area, r1 - r0, t.w, ca.a, ca.sum);
#else
  ColChunkPlain(p, t, r0, r1, ca);
#endif
  float* q = const_cast<float*>(p.partials.data()) + ((slab * p.chunks + k) * p.C + t_idx * p.tile) * 2;
  for (std::int64_t c = 0; c < t.w; ++c) {
    const float m = ca.m[c];
    q[2 * c] = m;
    q[2 * c + 1] = std::isfinite(m) || m == kNegInf ? static_cast<float>(ca.sum[c]) : std::numeric_limits<float>::quiet_NaN();
  }
}

// M and S of each column of a tile from its chunk partials, in chunk order.
void CombineColumns(const SoftmaxPlan& p, std::int64_t slab, std::int64_t t_idx, std::int64_t w, float* m,
                    double* sum) {
  const float* q0 = p.partials.data() + (slab * p.chunks * p.C + t_idx * p.tile) * 2;
  const std::int64_t kstride = p.C * 2;
  for (std::int64_t c = 0; c < w; ++c) m[c] = kNegInf;
  for (std::int64_t j = 0; j < p.chunks; ++j) {
    const float* q = q0 + j * kstride;
    for (std::int64_t c = 0; c < w; ++c) m[c] = MaxOne(m[c], q[2 * c]);
  }
  for (std::int64_t c = 0; c < w; ++c) sum[c] = 0.0;
  for (std::int64_t j = 0; j < p.chunks; ++j) {
    const float* q = q0 + j * kstride;
    for (std::int64_t c = 0; c < w; ++c)
      sum[c] += static_cast<double>(q[2 * c + 1]) * static_cast<double>(exp_f32(q[2 * c] - m[c]));
  }
}

void ColWrite(const SoftmaxPlan& p, std::int64_t u0, std::int64_t u1, float* work) {
  const ColArrays ca = Carve(work, kSmColChunk * ((p.tile + 15) / 16 * 16), p.tile);
  std::int64_t cached = -1;
  for (std::int64_t u = u0; u < u1; ++u) {
    const std::int64_t k = u % p.chunks;
    const std::int64_t st = u / p.chunks;  // slab * tiles + tile
    const std::int64_t t_idx = st % p.tiles, slab = st / p.tiles;
    const Tile t = TileAt(p, slab, t_idx);
    if (st != cached) {
      CombineColumns(p, slab, t_idx, t.w, ca.m, ca.sum);
      FinishColumns(p, t, ca.m, ca.sum, ca.a);
      cached = st;
    }
    const std::int64_t r0 = k * kSmColChunk, r1 = std::min(p.L, r0 + kSmColChunk);
#if SM_VEC
    const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
    const vec::TileGeo g{t.in + r0 * p.in_step * es, t.out + r0 * p.out_step * es, p.in_step * es, p.out_step * es,
                         r1 - r0, t.w};
    const std::int64_t ahead = RowsAhead(t.w * es);
    switch (static_cast<int>(p.dtype) * 2 + (p.log ? 1 : 0)) {
      case 2: vec::TileEmit<1, 1>(g, nullptr, ahead, ca.m, ca.a, StreamOut(p)); break;
      case 3: vec::TileEmit<1, 2>(g, nullptr, ahead, ca.m, ca.a, StreamOut(p)); break;
      case 4: vec::TileEmit<2, 1>(g, nullptr, ahead, ca.m, ca.a, StreamOut(p)); break;
      case 5: vec::TileEmit<2, 2>(g, nullptr, ahead, ca.m, ca.a, StreamOut(p)); break;
      case 1: vec::TileEmit<0, 2>(g, nullptr, ahead, ca.m, ca.a, StreamOut(p)); break;
      default: vec::TileEmit<0, 1>(g, nullptr, ahead, ca.m, ca.a, StreamOut(p)); break;
    }
#else
    ColWritePlain(p, t, r0, r1, ca);
#endif
  }
}

// Contiguous f32 rows, as FusedRow computes them (the same operations, the same bits),
// but with the next row's maximum pass issued between this row's exp and output passes:
// it then overlaps the latency of the sum's fold and of 1 / S or ln S, which on short rows
// is a good part of a row's time. (In place too: a row's output is its own input only.)
void F32Rows(const SoftmaxPlan& p, std::int64_t u0, std::int64_t u1) {
  const std::int64_t n = p.L;
  constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
  RowPtrs row = RowAt(p, u0);
  float m = RowMaxPlain(reinterpret_cast<const float*>(row.in), n);
  for (std::int64_t r = u0; r < u1; ++r) {
    const RowPtrs nxt = r + 1 < u1 ? RowAt(p, r + 1) : RowPtrs{nullptr, nullptr};
    const auto* x = reinterpret_cast<const float*>(row.in);
    auto* y = reinterpret_cast<float*>(row.out);
    const Ahead ahead{nxt.in, 4};
    // A NaN or infinite maximum, or a NaN sum (a NaN the maximum missed), gives a NaN
    // scale and so a NaN row, as in FusedRow.
    const bool finite = std::isfinite(m);
    float s = kNaN;
    if (finite) s = p.log ? ExpSum<false>(x, n, m, nullptr, ahead) : ExpSum<true>(x, n, m, y, ahead);
    const float m_next = nxt.in != nullptr ? RowMaxPlain(reinterpret_cast<const float*>(nxt.in), n) : 0.0f;
    if (p.log) {
      // NaN s: not below kNearOne, and log_f32(NaN) is NaN.
      const float ls =
          s < kNearOne ? LogNearOne(CountEqual(x, n, m), ExpSum<false, true>(x, n, m, nullptr)) : log_f32(s);
      EmitF32<Emit::kShift>(x, n, finite ? m : 0.0f, ls, y);
    } else {
      EmitF32<Emit::kScale>(finite ? y : x, n, 1.0f / s, 0.0f, y);
    }
    m = m_next;
    row = nxt;
  }
}

}  // namespace

// ---- test probe (softmax_probe.hpp): each form of the bodies on the same input ---------

namespace probe_plain {
namespace sm = plain;
#include "ops/softmax_probe-inl.hpp"
}  // namespace probe_plain
#if SM_VEC
namespace probe_vec {
namespace sm = vec;
#include "ops/softmax_probe-inl.hpp"
}  // namespace probe_vec
#endif

bool ProbeSoftmax(bool plain_form, const float* x, std::int64_t n, float a, float b, std::int64_t w,
                  SoftmaxProbe* out) {
  if (plain_form) {
    probe_plain::Probe(x, n, a, b, w, out);
    return true;
  }
#if SM_VEC
  probe_vec::Probe(x, n, a, b, w, out);
  return true;
#else
  return false;
#endif
}

void SoftmaxFused(const SoftmaxPlan& p, std::int64_t u0, std::int64_t u1, float* work) {
  if (p.layout == SmLayout::kRows && p.dtype == DType::kF32 && p.in_step == 1 && p.out_step == 1) {
    F32Rows(p, u0, u1);
    return;
  }
  if (p.layout == SmLayout::kRows) {
    // Contiguous rows prefetch the next row's input during their exp pass.
    const auto es = static_cast<std::int64_t>(dtype_size(p.dtype));
    RowPtrs row = RowAt(p, u0);
    for (std::int64_t r = u0; r < u1; ++r) {
      const RowPtrs nxt = r + 1 < u1 ? RowAt(p, r + 1) : RowPtrs{nullptr, nullptr};
      FusedRow(p, row, Ahead{p.in_step == 1 ? nxt.in : nullptr, es}, work);
      row = nxt;
    }
    hwy::FlushStream();  // HalfRow's non-temporal stores are done before the block is
    return;
  }
  // Each tile's exp pass prefetches the next tile's input (a block's tiles are in order).
  Tile t = TileAt(p, u0 / p.tiles, u0 % p.tiles);
  for (std::int64_t u = u0; u < u1; ++u) {
    const bool more = u + 1 < u1;
    const Tile next = more ? TileAt(p, (u + 1) / p.tiles, (u + 1) % p.tiles) : Tile{};
    FusedTile(p, t, more ? &next : nullptr, work);
    t = next;
  }
  hwy::FlushStream();  // non-temporal stores (StreamOut) are done before the block is
}

void SoftmaxChunks(const SoftmaxPlan& p, std::int64_t u0, std::int64_t u1, float* work) {
  for (std::int64_t u = u0; u < u1; ++u) {
    if (p.layout == SmLayout::kRows) RowChunk(p, u / p.chunks, u % p.chunks, work);
    else ColChunk(p, u, work);
  }
}

void SoftmaxWrite(const SoftmaxPlan& p, std::int64_t u0, std::int64_t u1, float* work) {
  if (p.layout == SmLayout::kRows) {
    RowWrite(p, u0, u1, work);
  } else {
    ColWrite(p, u0, u1, work);
    hwy::FlushStream();
  }
}

}  // namespace vnpu::ops::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vnpu::ops::detail {

HWY_EXPORT(SoftmaxFused);
HWY_EXPORT(SoftmaxChunks);
HWY_EXPORT(SoftmaxWrite);
HWY_EXPORT(ProbeSoftmax);

void run_softmax_fused(const SoftmaxPlan& plan, std::int64_t u0, std::int64_t u1, float* work) {
  HWY_DYNAMIC_DISPATCH(SoftmaxFused)(plan, u0, u1, work);
}
void run_softmax_chunks(const SoftmaxPlan& plan, std::int64_t u0, std::int64_t u1, float* work) {
  HWY_DYNAMIC_DISPATCH(SoftmaxChunks)(plan, u0, u1, work);
}
void run_softmax_write(const SoftmaxPlan& plan, std::int64_t u0, std::int64_t u1, float* work) {
  HWY_DYNAMIC_DISPATCH(SoftmaxWrite)(plan, u0, u1, work);
}
bool probe_softmax(bool plain, const float* x, std::int64_t n, float a, float b, std::int64_t w, SoftmaxProbe* out) {
  return HWY_DYNAMIC_DISPATCH(ProbeSoftmax)(plain, x, n, a, b, w, out);
}

}  // namespace vnpu::ops::detail
#endif
