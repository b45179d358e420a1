// The arithmetic of partial results: identities, combining, finishing and storing.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/reduce_plan.hpp"

namespace vnpu::ops::detail {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

Partial identity(Family f) noexcept {
  Partial p;
  switch (f) {
    case Family::kSum: p.a = -0.0; p.i = 0; break;  // -0: the exact additive identity
    case Family::kCount: p.a = 0; p.i = 0; break;
    case Family::kProd: p.a = 1; p.i = 1; break;
    case Family::kMax: p.a = -kInf; p.i = std::numeric_limits<std::int32_t>::min(); break;
    case Family::kMin: p.a = kInf; p.i = std::numeric_limits<std::int32_t>::max(); break;
    case Family::kLse: p.a = -kInf; p.b = 0; break;
    case Family::kVar: p.a = 0; p.b = 0; p.c = 0; break;
    case Family::kArgMax:
    case Family::kArgMin: p.a = 0; p.i = -1; break;
  }
  return p;
}

namespace {

// combine()'s body, inlined where the family is known (finish_outputs' loops).
[[gnu::always_inline]] inline Partial combine_inline(Family f, bool is_int, const Partial& p, const Partial& q,
                                                      bool last) noexcept {
  Partial r = p;
  switch (f) {
    case Family::kSum:
      if (is_int) r.i = static_cast<std::uint32_t>(static_cast<std::uint32_t>(p.i) + static_cast<std::uint32_t>(q.i));
      else r.a = combine_a<Family::kSum>(p.a, q.a);
      break;
    case Family::kCount: r.a = combine_a<Family::kCount>(p.a, q.a); break;
    case Family::kProd:
      if (is_int) r.i = static_cast<std::uint32_t>(static_cast<std::uint32_t>(p.i) * static_cast<std::uint32_t>(q.i));
      else r.a = combine_a<Family::kProd>(p.a, q.a);
      break;
    case Family::kMax:
      if (is_int) r.i = q.i > p.i ? q.i : p.i;
      else r.a = combine_a<Family::kMax>(p.a, q.a);
      break;
    case Family::kMin:
      if (is_int) r.i = q.i < p.i ? q.i : p.i;
      else r.a = combine_a<Family::kMin>(p.a, q.a);
      break;
    case Family::kLse: {
      if (std::isnan(p.a) || std::isnan(q.a)) {
        r.a = kNaN;
        r.b = 0;
        break;
      }
      const double m = q.a > p.a ? q.a : p.a;
      if (m == -kInf) {
        r.a = -kInf;
        r.b = 0;
        break;
      }
      const double sp = p.a == m ? p.b : p.b * std::exp(p.a - m);
      const double sq = q.a == m ? q.b : q.b * std::exp(q.a - m);
      r.a = m;
      r.b = sp + sq;
      break;
    }
    case Family::kVar: {
      // Chan et al.: merge (count, mean, M2) of two disjoint pieces.
      if (q.a == 0) break;
      if (p.a == 0) {
        r = q;
        break;
      }
      const double n = p.a + q.a;
      const double delta = q.b - p.b;
      r.a = n;
      r.b = p.b + delta * (q.a / n);
      r.c = p.c + q.c + delta * delta * (p.a * q.a / n);
      break;
    }
    case Family::kArgMax:
    case Family::kArgMin: {
      if (q.i < 0) break;
      // A later piece wins when strictly beyond (select_last_index: or equal); the first
      // NaN wins either way.
      const bool beyond = f == Family::kArgMax ? (last ? q.a >= p.a : q.a > p.a) : (last ? q.a <= p.a : q.a < p.a);
      if (p.i < 0 || (!std::isnan(p.a) && (std::isnan(q.a) || beyond))) r = q;
      break;
    }
  }
  return r;
}

}  // namespace

Partial combine(Family f, bool is_int, const Partial& p, const Partial& q, bool last) noexcept {
  return combine_inline(f, is_int, p, q, last);
}

void Plan::write(std::int64_t out_off, const Partial& p) const noexcept {
  const double n = static_cast<double>(L);
  double v = 0;
  std::int64_t iv = 0;
  bool integral = false;
  switch (op) {
    case ReduceOp::kSum:
    case ReduceOp::kSumSquares:
    case ReduceOp::kL1:
    case ReduceOp::kProd:
    case ReduceOp::kMax:
    case ReduceOp::kMin:
      // i32 keeps its (wrapped) 32-bit value in p.i.
      if (is_int()) {
        iv = static_cast<std::int32_t>(static_cast<std::uint32_t>(p.i));
        integral = true;
      } else {
        v = p.a;
      }
      break;
    case ReduceOp::kMean: v = p.a / n; break;
    case ReduceOp::kL2: v = std::sqrt(p.a); break;
    case ReduceOp::kLogSum: v = std::log(p.a); break;
    case ReduceOp::kLogSumExp: v = std::isnan(p.a) ? kNaN : p.a == -kInf || p.a == kInf ? p.a : p.a + std::log(p.b); break;
    case ReduceOp::kVar:
    case ReduceOp::kStd: {
      const double dof = p.a - correction;
      v = dof <= 0 ? kNaN : p.c / dof;
      if (op == ReduceOp::kStd) v = std::sqrt(v);
      break;
    }
    case ReduceOp::kArgMax:
    case ReduceOp::kArgMin:
      iv = p.i < 0 ? 0 : p.i;
      integral = true;
      break;
    case ReduceOp::kAll:
      iv = p.a == n ? 1 : 0;
      integral = true;
      break;
    case ReduceOp::kAny:
      iv = p.a > 0 ? 1 : 0;
      integral = true;
      break;
  }
  // No elements sum to +0, not to the -0 the sums start from (finish_f32 alike).
  if (L == 0 && fam == Family::kSum && !integral) v = v == 0 ? 0.0 : v;
  unsigned char* dst = out + out_off * static_cast<std::int64_t>(dtype_size(out_t));
  if (integral && !is_floating(out_t)) {
    switch (out_t) {
      case DType::kI32: {
        const auto x = static_cast<std::int32_t>(iv);
        std::memcpy(dst, &x, 4);
        return;
      }
      case DType::kI64: std::memcpy(dst, &iv, 8); return;
      case DType::kBool: *dst = iv != 0 ? 1 : 0; return;
      default: break;
    }
  }
  if (integral) v = static_cast<double>(iv);
  if (out_t == DType::kF64) {
    const double d = v != v ? std::bit_cast<double>(0x7FF8000000000000ull) : v;  // one NaN, as canonical_nan
    std::memcpy(dst, &d, 8);
    return;
  }
  const float f = canonical_nan(static_cast<float>(v));
  switch (out_t) {
    case DType::kF32: std::memcpy(dst, &f, 4); break;
    case DType::kF16: {
      const std::uint16_t h = f32_to_f16(f);
      std::memcpy(dst, &h, 2);
      break;
    }
    case DType::kBF16: {
      const std::uint16_t h = f32_to_bf16(f);
      std::memcpy(dst, &h, 2);
      break;
    }
    case DType::kI32: {
      const auto x = static_cast<std::int32_t>(v);
      std::memcpy(dst, &x, 4);
      break;
    }
    case DType::kI64: {
      const auto x = static_cast<std::int64_t>(v);
      std::memcpy(dst, &x, 8);
      break;
    }
    case DType::kBool: *dst = v != 0 ? 1 : 0; break;
    case DType::kF64: break;  // written above
  }
}

namespace {

// Outputs [o0, o1) for a known family: the combining inlined, and outer-layout offsets
// stepped column by column (out_offset() divides twice per output). A few nanoseconds per
// output: the calling thread finishes every output of a synchronous reduction alone.
template <Family kFam>
void finish_range(const Plan& plan, std::int64_t o0, std::int64_t o1) {
  const bool is_int = plan.is_int();
  const Partial id = identity(kFam);
  const Partial* q = plan.partials.data() + o0 * plan.K;
  auto one = [&] {
    Partial p = id;
    for (std::int64_t k = 0; k < plan.K; ++k) p = combine_inline(kFam, is_int, p, q[k], plan.last_index);
    q += plan.K;
    return p;
  };
  if (plan.layout != Layout::kOuter) {
    for (std::int64_t o = o0; o < o1; ++o) plan.write(plan.out_offset(o), one());
    return;
  }
  std::int64_t a = o0 / plan.C, c = o0 % plan.C;
  for (std::int64_t o = o0; o < o1; a++, c = 0) {
    std::int64_t off = plan.out_offset(o);
    for (; c < plan.C && o < o1; ++c, ++o, off += plan.col_out_stride) plan.write(off, one());
  }
}

// An f32_columns plan: the K f64 partials of each column (segment-major), combined in
// segment order over batches of columns, then finished and stored as f32.
template <Family kFam>
void finish_columns(const Plan& plan, std::int64_t o0, std::int64_t o1) {
  constexpr std::int64_t kBatch = 256;
  const std::int64_t outputs = plan.outputs();
  const double id = identity(kFam).a;
  const auto count = static_cast<double>(plan.L);
  auto* out = reinterpret_cast<float*>(plan.out);
  double v[kBatch];
  std::int64_t a = o0 / plan.C, c = o0 % plan.C;
  std::int64_t off = plan.out_offset(o0);
  for (std::int64_t b = o0; b < o1; b += kBatch) {
    const std::int64_t n = std::min(kBatch, o1 - b);
    for (std::int64_t j = 0; j < n; ++j) v[j] = id;
    for (std::int64_t k = 0; k < plan.K; ++k) {
      const double* q = plan.col_partials.get() + k * outputs + b;
      for (std::int64_t j = 0; j < n; ++j) v[j] = combine_a<kFam>(v[j], q[j]);
    }
    for (std::int64_t j = 0; j < n; ++j) {
      out[off] = finish_f32(plan.op, v[j], count);
      off += plan.col_out_stride;
      if (++c == plan.C && b + j + 1 < o1) {
        c = 0;
        off = plan.out_offset(++a * plan.C);
      }
    }
  }
}

}  // namespace

void finish_outputs(const Plan& plan, std::int64_t o0, std::int64_t o1) {
  if (plan.f32_columns) {
    switch (plan.fam) {
      case Family::kSum: finish_columns<Family::kSum>(plan, o0, o1); return;
      case Family::kProd: finish_columns<Family::kProd>(plan, o0, o1); return;
      case Family::kMax: finish_columns<Family::kMax>(plan, o0, o1); return;
      case Family::kMin: finish_columns<Family::kMin>(plan, o0, o1); return;
      default: break;  // f32_columns holds for these families only
    }
  }
  switch (plan.fam) {
    case Family::kSum: finish_range<Family::kSum>(plan, o0, o1); break;
    case Family::kCount: finish_range<Family::kCount>(plan, o0, o1); break;
    case Family::kProd: finish_range<Family::kProd>(plan, o0, o1); break;
    case Family::kMax: finish_range<Family::kMax>(plan, o0, o1); break;
    case Family::kMin: finish_range<Family::kMin>(plan, o0, o1); break;
    case Family::kLse: finish_range<Family::kLse>(plan, o0, o1); break;
    case Family::kVar: finish_range<Family::kVar>(plan, o0, o1); break;
    case Family::kArgMax: finish_range<Family::kArgMax>(plan, o0, o1); break;
    case Family::kArgMin: finish_range<Family::kArgMin>(plan, o0, o1); break;
  }
}

}  // namespace vnpu::ops::detail
