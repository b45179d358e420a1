// Reduction kernels, compiled once per SIMD target (Highway's foreach_target) and picked
// at run time. run_units() reduces a range of a plan's units; see reduce_plan.hpp for
// the layouts and the order of operations.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "ops/reduce_f64.hpp"
#include "ops/reduce_plan.hpp"
#include "ops/simd/exp.hpp"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ops/reduce_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace vnpu::ops::detail::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#include "ops/simd/convert-inl.hpp"
#include "ops/simd/fold-inl.hpp"
#include "ops/reduce_chunk-inl.hpp"
#include "ops/reduce_half-inl.hpp"

namespace {

// ---- loading any input dtype as f32 ----------------------------------------------------

// n contiguous input elements of `t` at `p` as f32: the input itself for f32, else
// converted into `buf`.
HWY_INLINE const float* AsF32(DType t, const unsigned char* p, std::int64_t n, float* buf) {
  if (t == DType::kF32) return reinterpret_cast<const float*>(p);
  if (t == DType::kBF16) half::Widen<true>(reinterpret_cast<const std::uint16_t*>(p), buf, n);
  else half::Widen<false>(reinterpret_cast<const std::uint16_t*>(p), buf, n);
  return buf;
}

HWY_INLINE float LoadOne(DType t, const unsigned char* p) {
  switch (t) {
    case DType::kF16: {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      return HalfValue(h);
    }
    case DType::kBF16: {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      return BrainValue(h);
    }
    default: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
  }
}

// The result of unit u of an inner/gather plan: the output itself when the unit is a whole
// output (K == 1), else its partial, combined in phase 2.
void FinishUnit(const Plan& p, std::int64_t u, std::int64_t out_off, const Partial& q) {
  if (p.K == 1) p.write(out_off, q);
  else const_cast<Plan&>(p).partials[static_cast<std::size_t>(u)] = q;
}

// ---- inner: contiguous runs ------------------------------------------------------------

// Reduces n contiguous elements at element offset `off` (flat index `base` within the
// output) chunk by chunk.
Partial ReduceRun(const Plan& p, std::int64_t off, std::int64_t n, std::int64_t base) {
  const bool is_int = p.is_int();
  // Sums of f16/bf16 convert as they load: no widening pass over a buffer.
  const bool half_sum = p.fam == Family::kSum && (p.in_t == DType::kF16 || p.in_t == DType::kBF16);
  Partial acc = identity(p.fam);
  alignas(64) float buf[kChunk];
  const std::size_t es = dtype_size(p.in_t);
  for (std::int64_t c = 0; c < n; c += kChunk) {
    const std::int64_t len = std::min(kChunk, n - c);
    const unsigned char* src = p.in + (off + c) * static_cast<std::int64_t>(es);
    Partial q;
    if (is_int) {
      q = chunk::I32(p.fam, reinterpret_cast<const std::int32_t*>(src), len, base + c, p.last_index);
    } else if (p.in_t == DType::kF64) {
      q = f64::chunk(p.fam, p.map, reinterpret_cast<const double*>(src), len, base + c, p.last_index);
    } else if (half_sum) {
      const auto* h = reinterpret_cast<const std::uint16_t*>(src);
      q.a = p.in_t == DType::kBF16 ? half::SumAny<true>(p.map, h, len) : half::SumAny<false>(p.map, h, len);
    } else if (p.fam == Family::kLse && p.in_t == DType::kF32 && len > 16) {
      // The exp pass, bound by arithmetic, prefetches what follows the chunk in memory
      // (the run's next chunk or, past its end, usually the next run): memory and
      // arithmetic overlap. (chunk::F32 picks this same kernel for chunks over 16.)
      q = chunk::LseF32(reinterpret_cast<const float*>(src), len, src + len * 4);
    } else {
      q = chunk::F32(p.fam, p.map, AsF32(p.in_t, src, len, buf), len, base + c, p.last_index);
    }
    acc = combine(p.fam, is_int, acc, q, p.last_index);
  }
  return acc;
}

// Rows of at most 16 f32 elements summed 16 rows at a time: each row's lanes fold by
// adjacent pairs exactly as FoldPairs<16> does for a short chunk (lane l holds -0 + x[l] = x[l],
// the other lanes -0). The
// 16 rows sit in registers; each level pairs neighbouring lanes across two vectors
// (ConcatEven + ConcatOdd), which keeps the rows in order.
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
using D16 = hn::CappedTag<float, 16>;
constexpr std::size_t kPer16 = 16 / hn::MaxLanes(D16());  // vectors per row of 16

// Keeps a loaded vector in a register of its own: the compiler may not fold its load into
// the shuffle that first uses it, so the 16 rows are read in address order. Folded, the
// loads followed the shuffle tree (offsets 0, 0x300, 0x80, 0x380, ...), which the hardware
// prefetchers follow poorly: [1048576,16] over axis 1 on one core ran at 14-16 GB/s, with
// software prefetches 8 KB ahead, against 19-20 GB/s in address order without them.
template <class V>
HWY_INLINE void InOrder(V& v) {
#if HWY_ARCH_X86 && HWY_TARGET != HWY_EMU128 && (defined(__GNUC__) || defined(__clang__))
  asm volatile("" : "+v"(v.raw));
#else
  (void)v;
#endif
}

// kFull: rows of exactly 16 elements; kDense: and back to back (stride 16, known here,
// so the 16 row addresses are constant offsets instead of 16 computed pointers).
template <Map kMap, bool kFull, bool kDense>
HWY_INLINE void ShortRows16(const Plan& p, const float* in, std::int64_t in_stride,
                            hn::Vec<D16> (&res)[kPer16]) {
  const D16 d;
  constexpr std::size_t N = hn::MaxLanes(d);
  constexpr std::size_t kVecs = 16 * kPer16;
  using V = hn::Vec<D16>;
  const std::int64_t stride = kDense ? 16 : in_stride;
  V v[kVecs];
#pragma GCC unroll 64
  for (std::size_t row = 0; row < 16; ++row) {
    const float* x = in + static_cast<std::int64_t>(row) * stride;
    // A short row is copied into a buffer padded with -0 (the additive identity that
    // keeps a -0 sum -0): loading past its end could fault.
    alignas(64) float padded[16];
    if constexpr (!kFull) {
      std::fill(padded, padded + 16, -0.0f);
      std::memcpy(padded, x, static_cast<std::size_t>(p.L) * sizeof(float));
      x = padded;
    }
#pragma GCC unroll 16
    for (std::size_t j = 0; j < kPer16; ++j) {
      v[row * kPer16 + j] = chunk::MapV<kMap>(hn::LoadU(d, x + j * N));
      InOrder(v[row * kPer16 + j]);
    }
  }
#pragma GCC unroll 8
  for (std::size_t cnt = kVecs; cnt > kPer16; cnt /= 2) {
#pragma GCC unroll 64
    for (std::size_t i = 0; i < cnt / 2; ++i)
      v[i] = hn::Add(hn::ConcatEven(d, v[2 * i + 1], v[2 * i]), hn::ConcatOdd(d, v[2 * i + 1], v[2 * i]));
  }
#pragma GCC unroll 16
  for (std::size_t j = 0; j < kPer16; ++j) res[j] = v[j];
}

template <Map kMap, bool kFull, bool kDense>
void ShortRowsLoop(const Plan& p, std::int64_t r0, std::int64_t r1) {
  const D16 d;
  constexpr std::size_t N = hn::MaxLanes(d);
  using V = hn::Vec<D16>;
  const std::int64_t in_stride = p.row_in_stride(), out_stride = p.row_out_stride();
  const auto* in = reinterpret_cast<const float*>(p.in);
  auto* out = reinterpret_cast<float*>(p.out);
  const V count = hn::Set(d, static_cast<float>(p.L));
  const V nan = hn::Set(d, canonical_nan(std::numeric_limits<float>::quiet_NaN()));
  std::int64_t r = r0;
  for (; r + 16 <= r1; r += 16) {
    V res[kPer16];
    ShortRows16<kMap, kFull, kDense>(p, in + r * in_stride, in_stride, res);
    float* o = out + r * out_stride;
    for (std::size_t j = 0; j < kPer16; ++j) {
      // The same finishing arithmetic as Plan::write (f32 division and square root round
      // exactly like their f64 versions rounded to f32).
      V x = res[j];
      if (p.op == ReduceOp::kMean) x = hn::Div(x, count);
      else if (p.op == ReduceOp::kL2) x = hn::Sqrt(x);
      x = hn::IfThenElse(hn::IsNaN(x), nan, x);
      if (out_stride == 1) {
        hn::StoreU(x, d, o + j * N);
      } else {
        alignas(64) float lanes[N];
        hn::Store(x, d, lanes);
        for (std::size_t k = 0; k < N; ++k) o[static_cast<std::int64_t>(j * N + k) * out_stride] = lanes[k];
      }
    }
  }
  for (; r < r1; ++r) {
    std::int64_t io = 0, oo = 0;
    p.kept.offsets(r, &io, &oo);
    p.write(oo, ReduceRun(p, io, p.L, 0));
  }
}

template <Map kMap>
void ShortRowsSum(const Plan& p, std::int64_t r0, std::int64_t r1) {
  if (p.L != 16) ShortRowsLoop<kMap, false, false>(p, r0, r1);
  else if (p.row_in_stride() == 16) ShortRowsLoop<kMap, true, true>(p, r0, r1);
  else ShortRowsLoop<kMap, true, false>(p, r0, r1);
}
#endif

#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
bool ShortRowsApply(const Plan& p) {
  if (hn::MaxLanes(hn::CappedTag<float, 16>()) < 4) return false;
  return p.layout == Layout::kInner && p.K == 1 && p.L <= 16 && p.L > 0 && p.in_t == DType::kF32 &&
         p.out_t == DType::kF32 && p.fam == Family::kSum && p.kept.n <= 1 &&
         (p.op == ReduceOp::kSum || p.op == ReduceOp::kMean || p.op == ReduceOp::kSumSquares ||
          p.op == ReduceOp::kL1 || p.op == ReduceOp::kL2);
}
#endif

// Whole contiguous rows (K == 1) reduced and written straight to the output: ReduceRun and
// Plan::write's arithmetic (chunks combined in f64 in order, the finishing step in f64),
// without building, combining and dispatching Partials per row, which cost a
// cache-resident row of 1024 elements a third of its time. f32 rows: the sum family, max
// and min; f16/bf16 rows: the sum family (converted as they load). Written as f32, or in
// the input's own half type.
bool RowsApply(const Plan& p) {
  if (p.layout != Layout::kInner || p.K != 1 || p.kept.n > 1) return false;
  if (p.out_t != DType::kF32 && p.out_t != p.in_t) return false;
  const bool half = p.in_t == DType::kF16 || p.in_t == DType::kBF16;
  if (p.in_t != DType::kF32 && !half) return false;
  switch (p.op) {
    case ReduceOp::kSum:
    case ReduceOp::kMean:
    case ReduceOp::kSumSquares:
    case ReduceOp::kL1:
    case ReduceOp::kL2:
    case ReduceOp::kLogSum: return true;
    case ReduceOp::kMax:
    case ReduceOp::kMin: return !half;
    default: return false;
  }
}

// One chunk of a row: its f32 partial (kSum with kMap, kMax or kMin).
template <DType kIn, Family kFam, Map kMap>
HWY_INLINE float RowChunk(const unsigned char* src, std::int64_t len) {
  if constexpr (kIn != DType::kF32) {
    static_assert(kFam == Family::kSum, "f16/bf16 rows: the sum family only");
    return half::SumAny<kIn == DType::kBF16>(kMap, reinterpret_cast<const std::uint16_t*>(src), len);
  } else {
    const auto* x = reinterpret_cast<const float*>(src);
    if constexpr (kFam == Family::kSum) {
      if (len <= 16) return chunk::SumF32<kMap, 16>(x, len);
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
      return chunk::SumLanes<kMap>(x, len);
#else
      return chunk::SumF32<kMap>(x, len);
#endif
    } else {
      constexpr bool kMax = kFam == Family::kMax;
      return len <= 16 ? chunk::ExtremeF32<kMax, 16>(x, len) : chunk::ExtremeF32<kMax>(x, len);
    }
  }
}

template <DType kIn, Family kFam, Map kMap>
void Rows(const Plan& p, std::int64_t r0, std::int64_t r1) {
  constexpr std::int64_t es = kIn == DType::kF32 ? 4 : 2;
  const std::int64_t L = p.L;
  const std::int64_t in_stride = p.row_in_stride(), out_stride = p.row_out_stride();
  const auto n = static_cast<double>(L);
  const double id = identity(kFam).a;
  for (std::int64_t r = r0; r < r1; ++r) {
    const unsigned char* x = p.in + r * in_stride * es;
    double acc = id;
    for (std::int64_t c = 0; c < L; c += kChunk)
      acc = combine_a<kFam>(acc, RowChunk<kIn, kFam, kMap>(x + c * es, std::min(kChunk, L - c)));
    const float f = finish_f32(p.op, acc, n);
    if (kIn == DType::kF32 || p.out_t == DType::kF32) {
      reinterpret_cast<float*>(p.out)[r * out_stride] = f;
    } else {
      const std::uint16_t h = kIn == DType::kBF16 ? BrainBits(f) : HalfBits(f);
      std::memcpy(p.out + r * out_stride * 2, &h, 2);
    }
  }
}

template <DType kIn>
void RowsOf(const Plan& p, std::int64_t r0, std::int64_t r1) {
  if constexpr (kIn == DType::kF32) {
    if (p.fam == Family::kMax) return Rows<kIn, Family::kMax, Map::kIdentity>(p, r0, r1);
    if (p.fam == Family::kMin) return Rows<kIn, Family::kMin, Map::kIdentity>(p, r0, r1);
  }
  if (p.map == Map::kSquare) Rows<kIn, Family::kSum, Map::kSquare>(p, r0, r1);
  else if (p.map == Map::kAbs) Rows<kIn, Family::kSum, Map::kAbs>(p, r0, r1);
  else Rows<kIn, Family::kSum, Map::kIdentity>(p, r0, r1);
}

void RowsAny(const Plan& p, std::int64_t r0, std::int64_t r1) {
  if (p.in_t == DType::kBF16) RowsOf<DType::kBF16>(p, r0, r1);
  else if (p.in_t == DType::kF16) RowsOf<DType::kF16>(p, r0, r1);
  else RowsOf<DType::kF32>(p, r0, r1);
}

void RunInner(const Plan& p, std::int64_t u0, std::int64_t u1) {
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
  if (ShortRowsApply(p)) {
    if (p.map == Map::kSquare) ShortRowsSum<Map::kSquare>(p, u0, u1);
    else if (p.map == Map::kAbs) ShortRowsSum<Map::kAbs>(p, u0, u1);
    else ShortRowsSum<Map::kIdentity>(p, u0, u1);
    return;
  }
#endif
  if (RowsApply(p)) {
    RowsAny(p, u0, u1);
    return;
  }
  for (std::int64_t u = u0; u < u1; ++u) {
    const std::int64_t m = u / p.K, seg = u % p.K;
    std::int64_t io = 0, oo = 0;
    p.kept.offsets(m, &io, &oo);
    const std::int64_t start = p.seg_begin(seg);
    const std::int64_t n = p.seg_begin(seg + 1) - start;
    const Partial q = ReduceRun(p, io + start, n, start);
    FinishUnit(p, u, oo, q);
  }
}

// ---- runs: the innermost reduced dim contiguous, other reduced dims between kept ones ----

// Unit u: dim 0 indices [run_begin(u), run_begin(u + 1)), its runs in memory order, each
// reduced as ReduceRun does and combined into its output's partial (in `acc`, indexed from
// the unit's first output). An output's runs come in its reduced row-major order.
void RunRuns(const Plan& p, std::int64_t u0, std::int64_t u1) {
  const bool is_int = p.is_int();
  const std::int64_t per_d0 = p.run_d0_kept ? p.M / p.run_size[0] : 0;  // outputs per dim-0 index
  // f32 sums of runs of one chunk: the run's f32 sum added to the output's f64 partial.
  const bool f32_sum = p.fam == Family::kSum && p.in_t == DType::kF32 && p.run_len <= kChunk;
  std::vector<Partial> acc;
  for (std::int64_t u = u0; u < u1; ++u) {
    const std::int64_t d0 = p.run_begin(u), d1 = p.run_begin(u + 1);
    const std::int64_t first = p.run_d0_kept ? d0 * per_d0 : 0;
    const std::int64_t count = p.run_d0_kept ? (d1 - d0) * per_d0 : p.M;
    acc.assign(static_cast<std::size_t>(count), identity(p.fam));
    std::int64_t idx[kMaxRank] = {};
    idx[0] = d0;
    std::int64_t off = d0 * p.run_in[0], out = d0 * p.run_out_w[0] - first, base = d0 * p.run_red_w[0];
    const std::int64_t runs = (d1 - d0) * (p.run_count / p.run_size[0]);
    for (std::int64_t j = 0; j < runs; ++j) {
      Partial& a = acc[static_cast<std::size_t>(out)];
      if (f32_sum) {  // ReduceRun and combine() inlined: the same additions
        a.a += static_cast<double>(
            chunk::F32(p.fam, p.map, reinterpret_cast<const float*>(p.in) + off, p.run_len, 0, false).a);
      } else {
        a = combine(p.fam, is_int, a, ReduceRun(p, off, p.run_len, base), p.last_index);
      }
      for (int k = p.nrun - 1; k >= 0; --k) {
        off += p.run_in[k];
        out += p.run_out_w[k];
        base += p.run_red_w[k];
        if (++idx[k] < p.run_size[k] || k == 0) break;
        off -= idx[k] * p.run_in[k];
        out -= idx[k] * p.run_out_w[k];
        base -= idx[k] * p.run_red_w[k];
        idx[k] = 0;
      }
    }
    auto& partials = const_cast<Plan&>(p).partials;
    for (std::int64_t o = 0; o < count; ++o) {
      if (p.K == 1) p.write(p.out_offset(first + o), acc[static_cast<std::size_t>(o)]);
      else partials[static_cast<std::size_t>(o * p.K + u)] = acc[static_cast<std::size_t>(o)];
    }
  }
}

// ---- gather: any strides ---------------------------------------------------------------

void RunGather(const Plan& p, std::int64_t u0, std::int64_t u1) {
  const bool is_int = p.is_int();
  const std::int64_t es = static_cast<std::int64_t>(dtype_size(p.in_t));
  alignas(64) float fbuf[kChunk];
  alignas(64) std::int32_t ibuf[kChunk];
  std::vector<double> dbuf(p.in_t == DType::kF64 ? kChunk : 0);
  const bool is_f64 = p.in_t == DType::kF64;
  for (std::int64_t u = u0; u < u1; ++u) {
    const std::int64_t m = u / p.K, seg = u % p.K;
    std::int64_t io = 0, oo = 0;
    p.kept.offsets(m, &io, &oo);
    const std::int64_t start = p.seg_begin(seg);
    const std::int64_t n = p.seg_begin(seg + 1) - start;
    Partial acc = identity(p.fam);
    if (n == 0) {  // an empty reduced axis: the identity
      FinishUnit(p, u, oo, acc);
      continue;
    }
    // Odometer over the reduced dims, starting at flat index `start`.
    std::int64_t idx[kMaxRank] = {};
    std::int64_t rest = start, off = io;
    for (int k = p.nred - 1; k >= 0; --k) {
      idx[k] = rest % p.red_size[k];
      rest /= p.red_size[k];
      off += idx[k] * p.red_stride[k];
    }
    // Moves the odometer `t` elements on within the innermost reduced dim (t == 1, or a
    // run that ends at most at that dim's end). No reduced dim (n == 1): nothing to move.
    const int last = p.nred - 1;
    auto advance = [&](std::int64_t t) {
      if (last < 0) return;
      idx[last] += t;
      off += t * p.red_stride[last];
      if (idx[last] < p.red_size[last]) return;
      off -= idx[last] * p.red_stride[last];
      idx[last] = 0;
      for (int k = last - 1; k >= 0; --k) {
        off += p.red_stride[k];
        if (++idx[k] < p.red_size[k]) break;
        off -= idx[k] * p.red_stride[k];
        idx[k] = 0;
      }
    };
    // A contiguous innermost reduced dim is copied (or widened) run by run into the chunk.
    const bool runs = last >= 0 && p.red_stride[last] == 1;
    for (std::int64_t c = 0; c < n; c += kChunk) {
      const std::int64_t len = std::min(kChunk, n - c);
      for (std::int64_t i = 0; i < len;) {
        const unsigned char* src = p.in + off * es;
        if (runs) {
          const std::int64_t t = std::min(len - i, p.red_size[last] - idx[last]);
          if (is_int) std::memcpy(&ibuf[i], src, static_cast<std::size_t>(t) * 4);
          else if (is_f64) std::memcpy(&dbuf[static_cast<std::size_t>(i)], src, static_cast<std::size_t>(t) * 8);
          else if (p.in_t == DType::kF32) std::memcpy(&fbuf[i], src, static_cast<std::size_t>(t) * 4);
          else AsF32(p.in_t, src, t, fbuf + i);
          i += t;
          advance(t);
        } else {
          if (is_int) std::memcpy(&ibuf[i], src, 4);
          else if (is_f64) std::memcpy(&dbuf[static_cast<std::size_t>(i)], src, 8);
          else fbuf[i] = LoadOne(p.in_t, src);
          ++i;
          advance(1);
        }
      }
      const Partial q = is_int   ? chunk::I32(p.fam, ibuf, len, start + c, p.last_index)
                        : is_f64 ? f64::chunk(p.fam, p.map, dbuf.data(), len, start + c, p.last_index)
                                 : chunk::F32(p.fam, p.map, fbuf, len, start + c, p.last_index);
      acc = combine(p.fam, is_int, acc, q, p.last_index);
    }
    FinishUnit(p, u, oo, acc);
  }
}

// ---- outer: reduce rows, columns contiguous --------------------------------------------

// Columns accumulated at once: wide enough that a core reads whole rows of most tensors as
// one contiguous stream (the per-column buffers then live in L2).
constexpr std::int64_t kColTile = 16384;

template <Map kMap>
HWY_INLINE float MapOne(float x) {
  return chunk::MapF<kMap>(x);
}

// AddFourRows' vector load of f16 (kBF16 false) or bf16 elements as f32 (SIMD targets only).
template <bool kBF16>
struct HalfVec {
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
  template <class D>
  HWY_INLINE hn::Vec<D> operator()(D d, const std::uint16_t* q) const {
    return half::Load<kBF16>(d, q);
  }
#endif
};

// acc[c] += (m(x0[c]) + m(x1[c])) + (m(x2[c]) + m(x3[c])) for four rows: vectors of `load(d, ptr)` (f32 from the element type, widened
// in registers: f16/bf16 rows are not converted into a buffer first), then `one(x)` per
// element.
template <Map kMap, bool kCount, class T, class LoadV, class LoadS>
HWY_INLINE void AddFourRows(float* HWY_RESTRICT acc, const T* HWY_RESTRICT x0, const T* HWY_RESTRICT x1,
                            const T* HWY_RESTRICT x2, const T* HWY_RESTRICT x3, std::int64_t cw,
                            [[maybe_unused]] LoadV load, LoadS one) {
  auto m = [&](T v) {
    const float f = one(v);
    if constexpr (kCount) return f != 0.0f ? 1.0f : 0.0f;
    else return MapOne<kMap>(f);
  };
  std::int64_t c = 0;
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
  // Four row streams, no software prefetches: the hardware prefetchers keep up with
  // them. Vectors of at most 256 bits, as in the contiguous sums (chunk::DStream):
  // against 512-bit vectors with the next four rows' lines prefetched, [16,1048576]
  // over axis 0 on two cores went from 17-25 to 25-32 GB/s, [8192,8192] from 19-25
  // to 24-28, and the cache-resident [4096,1024] from 47-90 to 68-121.
  const chunk::DStream d;
  constexpr std::int64_t N = static_cast<std::int64_t>(hn::MaxLanes(d));
  auto mv = [&](auto v) {
    if constexpr (kCount) return hn::IfThenZeroElse(hn::Eq(v, hn::Zero(d)), hn::Set(d, 1.0f));  // NaN counts
    else return chunk::MapV<kMap>(v);
  };
  for (; c + N <= cw; c += N) {
    const auto sum = hn::Add(hn::Add(mv(load(d, x0 + c)), mv(load(d, x1 + c))),
                             hn::Add(mv(load(d, x2 + c)), mv(load(d, x3 + c))));
    hn::Store(hn::Add(hn::Load(d, acc + c), sum), d, acc + c);
  }
#endif
  for (; c < cw; ++c) acc[c] += (m(x0[c]) + m(x1[c])) + (m(x2[c]) + m(x3[c]));
}

// The prefetch of the outer layout's rows when they span several reduced dims: rows of
// at most 4 KiB that jump between runs of memory (a sum over {0, 2} of [64,64,128,128]
// reads 64 KiB runs of 512 B rows, 4 MiB apart) are followed poorly by the hardware
// prefetchers, so the column kernels ask for the row kAhead rows beyond the one they
// read. Rows of one reduced dim are equally spaced, which the hardware follows alone.
// Called with each row index as it is read, in increasing order; `base` and `bytes` give
// the columns read of each row.
class RowsAhead {
 public:
  static constexpr std::int64_t kAhead = 16;
  RowsAhead(const Plan& p, const unsigned char* base, std::int64_t es, std::int64_t bytes, std::int64_t r1) noexcept
      : at_(p), base_(base), es_(es), bytes_(p.nred > 1 && bytes <= 4096 ? bytes : 0), r1_(r1) {}
  void operator()(std::int64_t r) noexcept {
    const std::int64_t a = r + kAhead;
    if (bytes_ == 0 || a >= r1_) return;
    const unsigned char* q = base_ + at_(a) * es_;
    for (std::int64_t b = 0; b < bytes_; b += 64) __builtin_prefetch(q + b, 0, 3);
  }

 private:
  RowCursor at_;
  const unsigned char* base_;
  std::int64_t es_, bytes_, r1_;
};

// Column partials of rows [r0, r1) × columns [c0, c0 + cw) of batch `a`, into out[0..cw).
// Per column: rows in blocks of kRowBlock from r0, each block reduced in f32 in row
// order, block results combined in f64 in order.
template <Map kMap, bool kCount>
void OuterSum(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
              double* out) {
  alignas(64) float acc[kColTile];
  alignas(64) float rowbuf[kColTile];
  const std::int64_t es = static_cast<std::int64_t>(dtype_size(p.in_t));
  auto m = [](float v) {
    if constexpr (kCount) return v != 0.0f ? 1.0f : 0.0f;
    else return MapOne<kMap>(v);
  };
  RowCursor at(p);
  RowsAhead ahead(p, base, es, cw * es, r1);
  auto row = [&](std::int64_t r) { return AsF32(p.in_t, base + at(r) * es, cw, rowbuf); };
  for (std::int64_t c = 0; c < cw; ++c) out[c] = -0.0;
  for (std::int64_t rb = r0; rb < r1; rb += kRowBlock) {
    const std::int64_t re = std::min(r1, rb + kRowBlock);
    std::fill(acc, acc + cw, -0.0f);
    // Rows in fours from the block start, (x0 + x1) + (x2 + x3), then one by one: a
    // quarter of the accumulator traffic, and four independent adds per column.
    std::int64_t r = rb;
    for (; r + 4 <= re; r += 4) {
      const unsigned char* x[4];
      for (int k = 0; k < 4; ++k) {
        x[k] = base + at(r + k) * es;
        ahead(r + k);
      }
      const auto h = [&](int k) { return reinterpret_cast<const std::uint16_t*>(x[k]); };
      if (p.in_t == DType::kBF16) {
        AddFourRows<kMap, kCount>(acc, h(0), h(1), h(2), h(3), cw, HalfVec<true>{},
                                  [](std::uint16_t v) { return half::Scalar<true>(v); });
      } else if (p.in_t == DType::kF16) {
        AddFourRows<kMap, kCount>(acc, h(0), h(1), h(2), h(3), cw, HalfVec<false>{},
                                  [](std::uint16_t v) { return half::Scalar<false>(v); });
      } else {
        const auto f = [&](int k) { return reinterpret_cast<const float*>(x[k]); };
        AddFourRows<kMap, kCount>(acc, f(0), f(1), f(2), f(3), cw,
                                  [](auto d, const float* q) { return hn::LoadU(d, q); }, [](float v) { return v; });
      }
    }
    for (; r < re; ++r) {
      const float* HWY_RESTRICT x = row(r);
      for (std::int64_t c = 0; c < cw; ++c) acc[c] += m(x[c]);
    }
    for (std::int64_t c = 0; c < cw; ++c) out[c] += static_cast<double>(acc[c]);
  }
}

template <bool kMax>
void OuterExtreme(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
                  double* out) {
  alignas(64) float acc[kColTile];
  alignas(64) std::int32_t nan[kColTile];
  alignas(64) float rowbuf[kColTile];
  const std::int64_t es = static_cast<std::int64_t>(dtype_size(p.in_t));
  RowCursor at(p);
  RowsAhead ahead(p, base, es, cw * es, r1);
  std::fill(acc, acc + cw, kMax ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity());
  std::fill(nan, nan + cw, 0);
  // The rule per element: a value replaces the column's extreme only when strictly beyond
  // it, and a NaN marks its column.
  auto take = [&](std::int64_t c, float v) {
    acc[c] = kMax ? (v > acc[c] ? v : acc[c]) : (v < acc[c] ? v : acc[c]);
    nan[c] |= v != v ? 1 : 0;
  };
  std::int64_t r = r0;
#if HWY_TARGET != HWY_SCALAR && !HWY_HAVE_SCALABLE
  // `take` on vectors, four rows at a time (four independent row streams, as in
  // OuterSum), rows in order, so which of -0 and +0 stays does not depend on the ISA.
  // The plain loop, one row at a time, read the columns of [8192,8192] at 13 GB/s on two
  // cores, where a column sum reads 30+.
  if (p.in_t == DType::kF32) {
    const chunk::DStream d;
    const hn::RebindToSigned<decltype(d)> di;
    constexpr std::int64_t N = static_cast<std::int64_t>(hn::MaxLanes(d));
    auto pick = [](auto v, auto a) {
      if constexpr (kMax) return hn::IfThenElse(hn::Gt(v, a), v, a);
      else return hn::IfThenElse(hn::Lt(v, a), v, a);
    };
    for (; r + 4 <= r1; r += 4) {
      const auto* x0 = reinterpret_cast<const float*>(base + at(r) * es);
      const auto* x1 = reinterpret_cast<const float*>(base + at(r + 1) * es);
      const auto* x2 = reinterpret_cast<const float*>(base + at(r + 2) * es);
      const auto* x3 = reinterpret_cast<const float*>(base + at(r + 3) * es);
      for (int k = 0; k < 4; ++k) ahead(r + k);
      std::int64_t c = 0;
      for (; c + N <= cw; c += N) {
        const auto v0 = hn::LoadU(d, x0 + c), v1 = hn::LoadU(d, x1 + c);
        const auto v2 = hn::LoadU(d, x2 + c), v3 = hn::LoadU(d, x3 + c);
        hn::Store(pick(v3, pick(v2, pick(v1, pick(v0, hn::Load(d, acc + c))))), d, acc + c);
        const auto any_nan = hn::Or(hn::Or(hn::IsNaN(v0), hn::IsNaN(v1)), hn::Or(hn::IsNaN(v2), hn::IsNaN(v3)));
        hn::Store(hn::IfThenElse(hn::RebindMask(di, any_nan), hn::Set(di, 1), hn::Load(di, nan + c)), di, nan + c);
      }
      for (; c < cw; ++c)
        for (const float* x : {x0, x1, x2, x3}) take(c, x[c]);
    }
  }
#endif
  for (; r < r1; ++r) {
    ahead(r);
    const float* x = AsF32(p.in_t, base + at(r) * es, cw, rowbuf);
    for (std::int64_t c = 0; c < cw; ++c) take(c, x[c]);
  }
  for (std::int64_t c = 0; c < cw; ++c) out[c] = nan[c] != 0 ? std::numeric_limits<double>::quiet_NaN() : acc[c];
}

void OuterProd(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
               double* out) {
  alignas(64) double acc[kColTile];
  alignas(64) float rowbuf[kColTile];
  const std::int64_t es = static_cast<std::int64_t>(dtype_size(p.in_t));
  RowCursor at(p);
  std::fill(acc, acc + cw, 1.0);
  for (std::int64_t r = r0; r < r1; ++r) {
    const float* x = AsF32(p.in_t, base + at(r) * es, cw, rowbuf);
    for (std::int64_t c = 0; c < cw; ++c) acc[c] *= static_cast<double>(x[c]);
  }
  for (std::int64_t c = 0; c < cw; ++c) out[c] = acc[c];
}

// log-sum-exp of each column: two passes per block of kRowBlock rows (the block stays in
// cache), the max then the sum of exp(x - max); block partials combine in order.
void OuterLse(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
              Partial* out) {
  constexpr std::int64_t kTile = 512;  // narrower columns: a block of rows must stay in L2
  alignas(64) float first[kTile];
  alignas(64) float second[kTile];
  alignas(64) std::int32_t nan[kTile];
  alignas(64) float rowbuf[kTile];
  const std::int64_t es = static_cast<std::int64_t>(dtype_size(p.in_t));
  RowCursor at(p);
  for (std::int64_t c0 = 0; c0 < cw; c0 += kTile) {
    const std::int64_t w = std::min(kTile, cw - c0);
    for (std::int64_t c = 0; c < w; ++c) out[c0 + c] = identity(Family::kLse);
    for (std::int64_t rb = r0; rb < r1; rb += kRowBlock) {
      const std::int64_t re = std::min(r1, rb + kRowBlock);
      auto row = [&](std::int64_t r) { return AsF32(p.in_t, base + (at(r) + c0) * es, w, rowbuf); };
      std::fill(first, first + w, -std::numeric_limits<float>::infinity());
      std::fill(nan, nan + w, 0);
      for (std::int64_t r = rb; r < re; ++r) {
        const float* x = row(r);
        for (std::int64_t c = 0; c < w; ++c) {
          first[c] = x[c] > first[c] ? x[c] : first[c];
          nan[c] |= x[c] != x[c] ? 1 : 0;
        }
      }
      std::fill(second, second + w, 0.0f);
      for (std::int64_t r = rb; r < re; ++r) {
        const float* x = row(r);
        // A column whose max is infinite is settled by the max alone (exp(inf - inf)
        // would be NaN); its sum is ignored below.
        for (std::int64_t c = 0; c < w; ++c) second[c] += exp_neg_f32(x[c] - first[c]);
      }
      for (std::int64_t c = 0; c < w; ++c) {
        Partial q;
        if (nan[c] != 0) {
          q.a = std::numeric_limits<double>::quiet_NaN();
        } else {
          q.a = first[c];
          q.b = std::isinf(first[c]) ? (first[c] > 0 ? 1.0 : 0.0) : second[c];
        }
        out[c0 + c] = combine(Family::kLse, false, out[c0 + c], q);
      }
    }
  }
}

// (count, mean, M2) of each column in one pass: per block of kVarRows rows, the sums of
// d = x - s and d² in f32, shifted by the block's first row s (mean = s + sum(d) / n,
// M2 = sum(d²) - sum(d)² / n). As s is one of the block's values, (s - mean)² <= M2, so
// the cancellation costs at most a factor n + 1 in relative error. The blocks merge in
// order (Chan's formula, combine()'s arithmetic) in f64. Rows four at a time,
// (d0 + d1) + (d2 + d3): four streams from memory, as the column sums read them (the
// two-pass form, 64 rows of 2 KB re-read from L2, ran [8192,8192] at a third of the
// column sum's speed).
void OuterVar(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
              Partial* out) {
  constexpr std::int64_t kTile = 2048;
  constexpr std::int64_t kVarRows = 32;
  alignas(64) float shift[kTile];
  alignas(64) float dsum[kTile];
  alignas(64) float dsq[kTile];
  alignas(64) float rowbuf[kTile];
  alignas(64) double bmean[kTile];  // the block's (mean, M2)
  alignas(64) double bm2[kTile];
  alignas(64) double vmean[kTile];  // the blocks' so far
  alignas(64) double vm2[kTile];
  const std::int64_t es = static_cast<std::int64_t>(dtype_size(p.in_t));
  RowCursor at(p);
  for (std::int64_t c0 = 0; c0 < cw; c0 += kTile) {
    const std::int64_t w = std::min(kTile, cw - c0);
    auto row = [&](std::int64_t r) { return AsF32(p.in_t, base + (at(r) + c0) * es, w, rowbuf); };
    RowsAhead ahead(p, base + c0 * es, es, w * es, r1);
    double done = 0;
    for (std::int64_t rb = r0; rb < r1; rb += kVarRows) {
      const std::int64_t re = std::min(r1, rb + kVarRows);
      const auto rows = static_cast<double>(re - rb);
      std::copy_n(row(rb), w, shift);
      std::fill(dsum, dsum + w, 0.0f);
      std::fill(dsq, dsq + w, 0.0f);
      std::int64_t r = rb;
      if (p.in_t == DType::kF32) {
        for (; r + 4 <= re; r += 4) {
          const auto* HWY_RESTRICT x0 = reinterpret_cast<const float*>(base + (at(r) + c0) * es);
          const auto* HWY_RESTRICT x1 = reinterpret_cast<const float*>(base + (at(r + 1) + c0) * es);
          const auto* HWY_RESTRICT x2 = reinterpret_cast<const float*>(base + (at(r + 2) + c0) * es);
          const auto* HWY_RESTRICT x3 = reinterpret_cast<const float*>(base + (at(r + 3) + c0) * es);
          for (int k = 0; k < 4; ++k) ahead(r + k);
          for (std::int64_t c = 0; c < w; ++c) {
            const float d0 = x0[c] - shift[c], d1 = x1[c] - shift[c];
            const float d2 = x2[c] - shift[c], d3 = x3[c] - shift[c];
            dsum[c] += (d0 + d1) + (d2 + d3);
            dsq[c] += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3);
          }
        }
      }
      for (; r < re; ++r) {
        const float* x = row(r);
        for (std::int64_t c = 0; c < w; ++c) {
          const float d = x[c] - shift[c];
          dsum[c] += d;
          dsq[c] += d * d;
        }
      }
      int overflow = 0;
      for (std::int64_t c = 0; c < w; ++c) {
        const auto t1 = static_cast<double>(dsum[c]);
        const double m2 = static_cast<double>(dsq[c]) - t1 * t1 / rows;
        bm2[c] = m2 < 0 ? 0.0 : m2;  // rounding may leave a tiny negative; NaN stays NaN
        bmean[c] = static_cast<double>(shift[c]) + t1 / rows;
        overflow |= std::isfinite(dsq[c]) && std::isfinite(dsum[c]) ? 0 : 1;
      }
      // Squared deviations beyond the f32 range (or an inf or NaN met): such a column's
      // block again in f64, in row order (chunk::VarF64, as the contiguous chunks do).
      if (overflow != 0) {
        for (std::int64_t c = 0; c < w; ++c) {
          if (std::isfinite(dsq[c]) && std::isfinite(dsum[c])) continue;
          const Partial q = chunk::VarF64(
              [&](std::int64_t k) { return LoadOne(p.in_t, base + (at(rb + k) + c0 + c) * es); }, re - rb);
          bmean[c] = q.b;
          bm2[c] = q.c;
        }
      }
      const double n = done + rows;
      for (std::int64_t c = 0; c < w; ++c) {
        if (done == 0) {
          vmean[c] = bmean[c];
          vm2[c] = bm2[c];
        } else {
          const double delta = bmean[c] - vmean[c];
          vmean[c] = vmean[c] + delta * (rows / n);
          vm2[c] = vm2[c] + bm2[c] + delta * delta * (done * rows / n);
        }
      }
      done = n;
    }
    for (std::int64_t c = 0; c < w; ++c) {
      Partial q;
      if (done > 0) {
        q.a = done;
        q.b = vmean[c];
        q.c = vm2[c];
      }
      out[c0 + c] = q;
    }
  }
}

// First row index of each column's maximum (kMax) or minimum; the first NaN wins. Rows
// in order, so ties keep the earliest (p.last_index: the latest).
template <bool kMax, class T>
void OuterArg(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
              double* outa, std::int64_t* outi) {
  constexpr std::int64_t kNone = -1;
  alignas(64) T best[kColTile];
  alignas(64) std::int64_t idx[kColTile];
  alignas(64) std::int64_t nan[kColTile];
  alignas(64) float rowbuf[kColTile];
  const std::int64_t es = static_cast<std::int64_t>(dtype_size(p.in_t));
  for (std::int64_t c = 0; c < cw; ++c) {
    idx[c] = kNone;
    nan[c] = kNone;
    best[c] = T{};
  }
  RowCursor at(p);
  const bool last = p.last_index;
  for (std::int64_t r = r0; r < r1; ++r) {
    const unsigned char* src = base + at(r) * es;
    const T* x;
    if constexpr (std::is_same_v<T, float>) x = AsF32(p.in_t, src, cw, rowbuf);
    else x = reinterpret_cast<const T*>(src);
    for (std::int64_t c = 0; c < cw; ++c) {
      const T v = x[c];
      const bool beyond = kMax ? v > best[c] : v < best[c];
      const bool better = idx[c] == kNone || beyond || (last && v == best[c]);
      best[c] = better ? v : best[c];
      idx[c] = better ? r : idx[c];
      if constexpr (std::is_floating_point_v<T>) nan[c] = (v != v && nan[c] == kNone) ? r : nan[c];
    }
  }
  for (std::int64_t c = 0; c < cw; ++c) {
    const bool is_nan = nan[c] != kNone;
    outa[c] = is_nan ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(best[c]);
    outi[c] = is_nan ? nan[c] : idx[c];
  }
}

template <Family kFam>
void OuterInt(const Plan& p, const unsigned char* base, std::int64_t r0, std::int64_t r1, std::int64_t cw,
              double* outa, std::int64_t* outi) {
  alignas(64) std::int64_t acc[kColTile];
  const Partial id = identity(kFam);
  std::fill(acc, acc + cw, kFam == Family::kCount ? 0 : id.i);
  RowCursor at(p);
  for (std::int64_t r = r0; r < r1; ++r) {
    const auto* x = reinterpret_cast<const std::int32_t*>(base + at(r) * 4);
    for (std::int64_t c = 0; c < cw; ++c) {
      if constexpr (kFam == Family::kSum)
        acc[c] = static_cast<std::uint32_t>(static_cast<std::uint32_t>(acc[c]) + static_cast<std::uint32_t>(x[c]));
      else if constexpr (kFam == Family::kProd)
        acc[c] = static_cast<std::uint32_t>(static_cast<std::uint32_t>(acc[c]) * static_cast<std::uint32_t>(x[c]));
      else if constexpr (kFam == Family::kMax) acc[c] = std::max<std::int64_t>(acc[c], x[c]);
      else if constexpr (kFam == Family::kMin) acc[c] = std::min<std::int64_t>(acc[c], x[c]);
      else acc[c] += x[c] != 0 ? 1 : 0;
    }
  }
  for (std::int64_t c = 0; c < cw; ++c) {
    if (kFam == Family::kCount) outa[c] = static_cast<double>(acc[c]);
    else outi[c] = acc[c];
  }
}

// Per-column results of a tile: one f64 (or i64) per column for the one-value families,
// a whole Partial for logsumexp and var.
// Sized for the plan's widest tile and left uninitialized: zeroing 16384 Partials (512 KB)
// on every call cost a cache-resident [4096,1024] column sum a tenth of its time.
struct ColumnTile {
  explicit ColumnTile(const Plan& p)
      : width(std::min(kColTile, p.C)),
        a(std::make_unique_for_overwrite<double[]>(static_cast<std::size_t>(width))),
        i(std::make_unique_for_overwrite<std::int64_t[]>(static_cast<std::size_t>(width))) {
    if (whole(p)) full = std::make_unique_for_overwrite<Partial[]>(static_cast<std::size_t>(width));
  }
  std::int64_t width;
  std::unique_ptr<double[]> a;
  std::unique_ptr<std::int64_t[]> i;
  std::unique_ptr<Partial[]> full;  // logsumexp, var and f64 inputs only

  /// Whether the tile holds whole Partials.
  static bool whole(const Plan& p) {
    return p.fam == Family::kLse || p.fam == Family::kVar || p.in_t == DType::kF64;
  }
  Partial get(const Plan& p, std::int64_t j) const {
    if (whole(p)) return full[j];
    Partial q;
    if (p.fam == Family::kArgMax || p.fam == Family::kArgMin) {
      q.a = a[j];
      q.i = i[j];
      return q;
    }
    if (p.is_int() && p.fam != Family::kCount) q.i = i[j];
    else q.a = a[j];
    return q;
  }
};

// Columns [c0, c1) of batch a over rows [r0, r1): results into tile[0 .. c1 - c0).
void OuterRange(const Plan& p, std::int64_t a, std::int64_t c0, std::int64_t c1, std::int64_t r0, std::int64_t r1,
                ColumnTile& tile) {
  std::int64_t io = 0, oo = 0;
  p.batch.offsets(a, &io, &oo);
  const std::int64_t es = static_cast<std::int64_t>(dtype_size(p.in_t));
  const std::int64_t cw = c1 - c0;  // <= kColTile
  const unsigned char* base = p.in + (io + c0) * es;
  double* oa = tile.a.get();
  std::int64_t* oi = tile.i.get();
  if (p.in_t == DType::kF64) {
    f64::columns(p, base, r0, r1, cw, tile.full.get());
    return;
  }
  if (p.fam == Family::kArgMax || p.fam == Family::kArgMin) {
    const bool mx = p.fam == Family::kArgMax;
    if (p.is_int()) {
      if (mx) OuterArg<true, std::int32_t>(p, base, r0, r1, cw, oa, oi);
      else OuterArg<false, std::int32_t>(p, base, r0, r1, cw, oa, oi);
    } else {
      if (mx) OuterArg<true, float>(p, base, r0, r1, cw, oa, oi);
      else OuterArg<false, float>(p, base, r0, r1, cw, oa, oi);
    }
    return;
  }
  if (p.is_int()) {
    switch (p.fam) {
      case Family::kSum: OuterInt<Family::kSum>(p, base, r0, r1, cw, oa, oi); break;
      case Family::kProd: OuterInt<Family::kProd>(p, base, r0, r1, cw, oa, oi); break;
      case Family::kMax: OuterInt<Family::kMax>(p, base, r0, r1, cw, oa, oi); break;
      case Family::kMin: OuterInt<Family::kMin>(p, base, r0, r1, cw, oa, oi); break;
      default: OuterInt<Family::kCount>(p, base, r0, r1, cw, oa, oi); break;
    }
    return;
  }
  switch (p.fam) {
    case Family::kSum:
      if (p.map == Map::kSquare) OuterSum<Map::kSquare, false>(p, base, r0, r1, cw, oa);
      else if (p.map == Map::kAbs) OuterSum<Map::kAbs, false>(p, base, r0, r1, cw, oa);
      else OuterSum<Map::kIdentity, false>(p, base, r0, r1, cw, oa);
      break;
    case Family::kCount: OuterSum<Map::kIdentity, true>(p, base, r0, r1, cw, oa); break;
    case Family::kProd: OuterProd(p, base, r0, r1, cw, oa); break;
    case Family::kMax: OuterExtreme<true>(p, base, r0, r1, cw, oa); break;
    case Family::kMin: OuterExtreme<false>(p, base, r0, r1, cw, oa); break;
    case Family::kLse: OuterLse(p, base, r0, r1, cw, tile.full.get()); break;
    case Family::kVar: OuterVar(p, base, r0, r1, cw, tile.full.get()); break;
    default: break;  // argmax/argmin are handled above
  }
}

// An f32_columns plan's finished columns, f64 to f32 as Plan::write does.
void FinishColumnsF32(const Plan& p, const double* a, std::int64_t n, float* out, std::int64_t stride) {
  const auto count = static_cast<double>(p.L);
  for (std::int64_t j = 0; j < n; ++j) out[j * stride] = finish_f32(p.op, a[j], count);
}

void RunOuter(const Plan& p, std::int64_t u0, std::int64_t u1) {
  ColumnTile tile(p);  // on the heap: too large for a stack
  auto& partials = const_cast<Plan&>(p).partials;
  const std::int64_t outputs = p.outputs();
  std::int64_t u = u0;
  while (u < u1) {
    // Unit u = (a * K + seg) * slabs + slab: the block's consecutive slabs of one batch and
    // segment are done together, so every row is read as one contiguous run.
    const std::int64_t slab = u % p.slabs;
    const std::int64_t seg = (u / p.slabs) % p.K;
    const std::int64_t a = u / p.slabs / p.K;
    std::int64_t last = u + 1;
    while (last < u1 && last / p.slabs == u / p.slabs) ++last;
    const std::int64_t slab_end = slab + (last - u);
    const std::int64_t c0 = p.col_begin(slab), c1 = p.col_begin(slab_end);
    const std::int64_t r0 = p.seg_begin(seg), r1 = p.seg_begin(seg + 1);
    for (std::int64_t c = c0; c < c1; c += kColTile) {
      const std::int64_t ce = std::min(c1, c + kColTile);
      OuterRange(p, a, c, ce, r0, r1, tile);
      if (p.f32_columns && p.K == 1) {
        auto* out = reinterpret_cast<float*>(p.out) + p.out_offset(a * p.C + c);
        FinishColumnsF32(p, tile.a.get(), ce - c, out, p.col_out_stride);
        continue;
      }
      if (p.f32_columns) {
        std::copy(tile.a.get(), tile.a.get() + (ce - c), p.col_partials.get() + seg * outputs + a * p.C + c);
        continue;
      }
      for (std::int64_t j = c; j < ce; ++j) {
        const std::int64_t o = a * p.C + j;
        const Partial q = tile.get(p, j - c);
        if (p.K == 1) p.write(p.out_offset(o), q);
        else partials[static_cast<std::size_t>(o * p.K + seg)] = q;
      }
    }
    u = last;
  }
}

}  // namespace

void RunUnits(const Plan& p, std::int64_t u0, std::int64_t u1) {
  switch (p.layout) {
    case Layout::kInner: RunInner(p, u0, u1); break;
    case Layout::kOuter: RunOuter(p, u0, u1); break;
    case Layout::kRuns: RunRuns(p, u0, u1); break;
    case Layout::kGather: RunGather(p, u0, u1); break;
  }
}

}  // namespace vnpu::ops::detail::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vnpu::ops::detail {

HWY_EXPORT(RunUnits);

void run_units(const Plan& plan, std::int64_t u0, std::int64_t u1) { HWY_DYNAMIC_DISPATCH(RunUnits)(plan, u0, u1); }

}  // namespace vnpu::ops::detail
#endif
