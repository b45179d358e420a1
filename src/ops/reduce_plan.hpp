// The plan of one reduction: what is reduced, how the work is cut, and the arithmetic
// that combines partial results.
//
// Every op belongs to a *family* that fixes its partial result (a Partial) and how two
// partials of consecutive pieces combine. The input is canonicalized (size-1 dims dropped,
// mergeable dims merged) and handled in one of three layouts:
//   inner  — the reduced elements of each output are one contiguous run of L elements;
//   outer  — [A, R, C]: R reduced rows of C contiguous kept columns; the rows are the
//            reduced dims in row-major order, one dim (any stride) or several with kept
//            dims between them (NCHW over {0,2} with W kept: rows (n, h));
//   runs   — the innermost dim is reduced and contiguous, other reduced dims lie between
//            kept ones (NCHW over {0,2,3} or {1,3}): the input is read in memory order as
//            runs of that innermost dim, each reduced and combined into its output's
//            partial; units are ranges of the outermost dim;
//   gather — anything else: the reduced elements are gathered in row-major order.
// Work is cut into *units* whose size depends only on the shape: inner/gather rows are
// cut into K segments of at most kSegment elements, each reduced as chunks of kChunk
// elements; outer inputs into slabs of about kSlab columns × K segments of rows, each
// reduced as row-blocks of kRowBlock rows. Units of one plan differ by at most one element
// per dimension. A unit's partial is combined with the others of its
// output in unit order, so the result never depends on how units are spread over cores.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "ops/split.hpp"
#include "vnpu/ops/reduce.hpp"

namespace vnpu::ops::detail {

inline constexpr std::int64_t kChunk = 4096;       // elements reduced in one fixed-order step
inline constexpr std::int64_t kSegment = 65536;    // at most this many elements in an inner/gather unit
inline constexpr std::int64_t kSlab = 128;         // at most this many columns in an outer unit
inline constexpr std::int64_t kRowBlock = 64;      // rows accumulated in f32 before widening
inline constexpr std::int64_t kMinBlockElems = 65536;  // below this, one core does it all
inline constexpr std::int64_t kShortRow = 4096;         // outer rows of at most this many columns...
inline constexpr std::int64_t kShortRowSegments = 4;    // ...are cut into this many row segments

enum class Family : std::uint8_t { kSum, kProd, kMax, kMin, kLse, kVar, kArgMax, kArgMin, kCount };
/// Every NaN result is stored as this one value: which NaN an IEEE operation returns when
/// several meet depends on operand order, which vector code may swap, so the payload would
/// otherwise differ between ISAs.
inline float canonical_nan(float x) noexcept { return x != x ? std::bit_cast<float>(0x7FC00000u) : x; }

/// Element-wise map applied before a kSum/kCount family accumulates.
enum class Map : std::uint8_t { kIdentity, kSquare, kAbs };
enum class Layout : std::uint8_t { kInner, kOuter, kRuns, kGather };

/// A partial result (meaning per family):
///   kSum, kCount: a = sum         kProd: a = product        kMax/kMin: a = value (NaN wins)
///   kLse: a = max, b = sum(exp(x - max))   kVar: a = count, b = mean, c = sum of squared deviations
///   kArgMax/kArgMin: a = value, i = flat index (-1: no element yet)
/// i32 inputs: kSum/kProd keep the wrapped 32-bit value in i; kMax/kMin the value in i.
struct Partial {
  double a = 0, b = 0, c = 0;
  std::int64_t i = 0;
};

/// The partial of no elements (for i32, kMax/kMin keep INT32_MIN/INT32_MAX in i).
Partial identity(Family f) noexcept;
/// Combines `p` (earlier elements) with `q` (later ones). `last`: argmax/argmin ties go to
/// q (select_last_index).
Partial combine(Family f, bool is_int, const Partial& p, const Partial& q, bool last = false) noexcept;
/// combine()'s rule for the families whose float partial is one value (its `a`): sum,
/// count, prod, and max or min (a NaN wins).
template <Family kFam>
[[gnu::always_inline]] inline double combine_a(double p, double q) noexcept {
  if constexpr (kFam == Family::kSum || kFam == Family::kCount) return p + q;
  else if constexpr (kFam == Family::kProd) return p * q;
  else if constexpr (kFam == Family::kMax) return std::isnan(p) ? p : std::isnan(q) ? q : (q > p ? q : p);
  else return std::isnan(p) ? p : std::isnan(q) ? q : (q < p ? q : p);
}

/// Kept dims of an output, for turning an output's row-major index into offsets.
struct Mapper {
  int n = 0;
  std::int64_t size[kMaxRank] = {};
  std::int64_t in_stride[kMaxRank] = {};
  std::int64_t out_stride[kMaxRank] = {};
  void offsets(std::int64_t m, std::int64_t* in_off, std::int64_t* out_off) const noexcept {
    if (n <= 1) {  // the common case, without divisions
      *in_off = n == 0 ? 0 : m * in_stride[0];
      *out_off = n == 0 ? 0 : m * out_stride[0];
      return;
    }
    std::int64_t io = 0, oo = 0;
    for (int k = n - 1; k >= 0; --k) {
      const std::int64_t idx = m % size[k];
      m /= size[k];
      io += idx * in_stride[k];
      oo += idx * out_stride[k];
    }
    *in_off = io;
    *out_off = oo;
  }
};

struct Plan {
  ReduceOp op = ReduceOp::kSum;
  Family fam = Family::kSum;
  Map map = Map::kIdentity;
  DType in_t = DType::kF32;
  DType out_t = DType::kF32;
  double correction = 1.0;
  bool last_index = false;  // argmax/argmin: ties give the last index
  Layout layout = Layout::kInner;
  const unsigned char* in = nullptr;
  unsigned char* out = nullptr;

  std::int64_t L = 0;  // reduced elements per output
  // inner / gather: M outputs, one per kept index.
  Mapper kept;
  std::int64_t M = 0;
  // gather and outer: the reduced dims, coalesced, in row-major order.
  int nred = 0;
  std::int64_t red_size[kMaxRank] = {};
  std::int64_t red_stride[kMaxRank] = {};
  // outer: [A, R, C] with A the kept dims before C (mapped by `batch`).
  Mapper batch;
  std::int64_t A = 0, R = 0, C = 0;
  std::int64_t row_stride = 0;    // input elements between rows (one reduced dim)
  std::int64_t col_out_stride = 0;  // output elements between columns
  std::int64_t slabs = 0;  // column groups of about kSlab columns

  // runs: the dims around the innermost run (row-major, size-1 dims dropped, neighbours of
  // one kind merged): size, input stride, weight in the output index (kept dims, else 0)
  // and in the reduced flat index (reduced dims, else 0). Units split dim 0.
  int nrun = 0;
  std::int64_t run_size[kMaxRank] = {};
  std::int64_t run_in[kMaxRank] = {};
  std::int64_t run_out_w[kMaxRank] = {};
  std::int64_t run_red_w[kMaxRank] = {};
  std::int64_t run_len = 0;    // elements of a run
  std::int64_t run_count = 0;  // runs in the input
  bool run_d0_kept = false;  // dim 0 kept: a unit owns its outputs; else K = units

  std::int64_t K = 1;  // segments per output (inner/gather), per column (outer), units (runs)
  std::int64_t units = 0;
  std::uint32_t blocks = 1;
  /// claim > 0: each block claims runs of `claim` units of its share (split()) from
  /// next_unit, then helps the others (run_owned of split.hpp), so a block slowed down by
  /// another thread on its CPU leaves the rest of its share to the others. claim == 0
  /// (outer layout): each block runs exactly its share. A unit's bits do not depend on
  /// who computes it.
  ShareCounters next_unit;
  std::int64_t claim = 0;
  std::vector<Partial> partials;  // K > 1: one per (output, segment), output-major
  // Outer layout, f32 output, and a family whose partial is one f64 (sum, sum_sq, l1,
  // mean, l2, max, min, prod on floats): column results go straight to f32, and when
  // K > 1 the partials are kept as f64 in `col_partials` (segment-major) instead.
  bool f32_columns = false;
  std::unique_ptr<double[]> col_partials;

  bool is_int() const noexcept { return in_t == DType::kI32; }
  /// Inner layout with at most one kept dim: elements between consecutive rows of the
  /// input, and between their results in the output.
  std::int64_t row_in_stride() const noexcept { return kept.n == 0 ? 0 : kept.in_stride[0]; }
  std::int64_t row_out_stride() const noexcept { return kept.n == 0 ? 0 : kept.out_stride[0]; }
  /// First element (inner/gather) or row (outer) of segment k; k == K gives the end.
  /// Segments differ in length by at most one.
  std::int64_t seg_begin(std::int64_t k) const noexcept {
    const std::int64_t n = layout == Layout::kOuter ? R : L;
    return k * (n / K) + k * (n % K) / K;  // k * n / K without overflow (k <= K << 2^31)
  }
  /// First column of slab s (outer); s == slabs gives C. Slabs differ by at most one column.
  std::int64_t col_begin(std::int64_t s) const noexcept { return s * (C / slabs) + s * (C % slabs) / slabs; }
  /// First index of dim 0 in unit u (runs); u == units gives its size.
  std::int64_t run_begin(std::int64_t u) const noexcept {
    const std::int64_t n = run_size[0];
    return u * (n / units) + u * (n % units) / units;
  }
  std::int64_t outputs() const noexcept { return layout == Layout::kOuter ? A * C : M; }
  /// Output `o`'s offset (elements) in the output tensor.
  std::int64_t out_offset(std::int64_t o) const noexcept {
    std::int64_t io = 0, oo = 0;
    if (layout == Layout::kOuter) {
      batch.offsets(o / C, &io, &oo);
      return oo + (o % C) * col_out_stride;
    }
    kept.offsets(o, &io, &oo);
    return oo;
  }
  /// Input elements of unit `u`.
  std::int64_t unit_elements(std::int64_t u) const noexcept;
  /// Writes the finished partial of one output.
  void write(std::int64_t out_off, const Partial& p) const noexcept;
};

/// Outer layout: the input offset (elements, from the column start) of row r. One reduced
/// dim is a multiplication; several walk an odometer, so rows asked for in order cost an
/// add each (a seek, with divisions, only when a row is not the one after the last).
class RowCursor {
 public:
  explicit RowCursor(const Plan& p) noexcept : p_(p) {}
  std::int64_t operator()(std::int64_t r) noexcept {
    if (p_.nred <= 1) return r * p_.row_stride;
    if (r != next_) seek(r);
    const std::int64_t off = off_;
    for (int k = p_.nred - 1; k >= 0; --k) {
      off_ += p_.red_stride[k];
      if (++idx_[k] < p_.red_size[k]) break;
      off_ -= idx_[k] * p_.red_stride[k];
      idx_[k] = 0;
    }
    next_ = r + 1;
    return off;
  }

 private:
  void seek(std::int64_t r) noexcept {
    off_ = 0;
    for (int k = p_.nred - 1; k >= 0; --k) {
      idx_[k] = r % p_.red_size[k];
      r /= p_.red_size[k];
      off_ += idx_[k] * p_.red_stride[k];
    }
  }
  const Plan& p_;
  std::int64_t next_ = -1;
  std::int64_t off_ = 0;
  std::int64_t idx_[kMaxRank] = {};
};

/// Builds the plan (validation already done) for `cores` compute cores.
std::unique_ptr<Plan> make_plan(ReduceOp op, const Tensor& in, const Tensor& out, const ReduceOptions& options,
                                int cores);

/// Phase 1, per ISA (reduce_kernels.cpp): reduces units [u0, u1): writes the outputs of
/// whole-output units, or the partials when K > 1.
void run_units(const Plan& plan, std::int64_t u0, std::int64_t u1);
/// Phase 2 (K > 1): combines the partials of outputs [o0, o1) and writes them.
void finish_outputs(const Plan& plan, std::int64_t o0, std::int64_t o1);

/// Plan::write's arithmetic for an f32_columns plan's finished f64 value. An empty sum
/// is +0 (its -0 identity keeps a sum of -0 elements -0, but no elements sum to +0).
inline float finish_f32(ReduceOp op, double v, double count) noexcept {
  if (count == 0 && v == 0) v = 0.0;
  if (op == ReduceOp::kMean) v = v / count;
  else if (op == ReduceOp::kL2) v = std::sqrt(v);
  else if (op == ReduceOp::kLogSum) v = std::log(v);
  return canonical_nan(static_cast<float>(v));
}

}  // namespace vnpu::ops::detail
