// The arithmetic of partial results: identities, combining, finishing and storing.
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

Partial combine(Family f, bool is_int, const Partial& p, const Partial& q) noexcept {
  Partial r = p;
  switch (f) {
    case Family::kSum:
      if (is_int) r.i = static_cast<std::uint32_t>(static_cast<std::uint32_t>(p.i) + static_cast<std::uint32_t>(q.i));
      else r.a = p.a + q.a;
      break;
    case Family::kCount: r.a = p.a + q.a; break;
    case Family::kProd:
      if (is_int) r.i = static_cast<std::uint32_t>(static_cast<std::uint32_t>(p.i) * static_cast<std::uint32_t>(q.i));
      else r.a = p.a * q.a;
      break;
    case Family::kMax:
      if (is_int) r.i = q.i > p.i ? q.i : p.i;
      else r.a = std::isnan(p.a) ? p.a : std::isnan(q.a) ? q.a : (q.a > p.a ? q.a : p.a);
      break;
    case Family::kMin:
      if (is_int) r.i = q.i < p.i ? q.i : p.i;
      else r.a = std::isnan(p.a) ? p.a : std::isnan(q.a) ? q.a : (q.a < p.a ? q.a : p.a);
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
      if (p.i < 0 || (!std::isnan(p.a) && (std::isnan(q.a) || (f == Family::kArgMax ? q.a > p.a : q.a < p.a))))
        r = q;
      break;
    }
  }
  return r;
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
  }
}

void finish_outputs(const Plan& plan, std::int64_t o0, std::int64_t o1) {
  const bool is_int = plan.is_int();
  for (std::int64_t o = o0; o < o1; ++o) {
    Partial p = identity(plan.fam);
    const Partial* q = plan.partials.data() + o * plan.K;
    for (std::int64_t k = 0; k < plan.K; ++k) p = combine(plan.fam, is_int, p, q[k]);
    plan.write(plan.out_offset(o), p);
  }
}

}  // namespace vnpu::ops::detail
