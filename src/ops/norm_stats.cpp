// Statistics arithmetic of the normalizations (see norm_plan.hpp): merging chunk partials,
// finishing a group, and the stat outputs. Plain f64 scalar code, built without
// contraction into fused multiply-adds so that it rounds the same way everywhere.
#include <cmath>

#include "ops/norm_plan.hpp"

namespace vnpu::ops::detail {

void norm_merge(NormKind kind, NormPartial* acc, const NormPartial& q) noexcept {
  if (acc->count == 0) {
    *acc = q;
    return;
  }
  const double n = acc->count + q.count;
  if (kind == NormKind::kRms) {
    acc->m2 += q.m2;
  } else {
    // Chan et al.: the mean moves by delta * nb / n; M2 gains delta² * na * nb / n.
    const double delta = q.mean - acc->mean;
    acc->mean = acc->mean + delta * (q.count / n);
    acc->m2 = acc->m2 + q.m2 + delta * delta * (acc->count * q.count / n);
  }
  acc->count = n;
}

NormStats norm_finish_group(const NormPlan& p, std::int64_t g, const NormPartial& total) noexcept {
  NormStats s;
  if (p.kind == NormKind::kRms) {
    const double rstd = 1.0 / std::sqrt(total.m2 / total.count + p.eps);
    s.rstd = static_cast<float>(rstd);
    if (p.rstd_out.present()) p.rstd_out.store(g, rstd);
    return s;
  }
  const double var = total.m2 / total.count;
  const double rstd = 1.0 / std::sqrt(var + p.eps);
  s.mean_hi = static_cast<float>(total.mean);
  s.mean_lo = static_cast<float>(total.mean - static_cast<double>(s.mean_hi));
  s.rstd = static_cast<float>(rstd);
  if (p.mean_out.present()) p.mean_out.store(g, total.mean);
  if (p.rstd_out.present()) p.rstd_out.store(g, rstd);
  if (p.var_out.present()) p.var_out.store(g, var);
  if (p.kind == NormKind::kBatchTrain) {
    const double m = p.momentum;
    if (p.running_mean.present()) {
      const double r = p.running_mean.load(g);
      p.running_mean.store(g, (1.0 - m) * r + m * total.mean);
    }
    if (p.running_var.present()) {
      const double r = p.running_var.load(g);
      p.running_var.store(g, (1.0 - m) * r + m * (total.m2 / (total.count - 1.0)));
    }
  }
  return s;
}

NormStats norm_running_stats(const NormPlan& p, std::int64_t c) noexcept {
  NormStats s;
  s.mean_hi = p.running_mean.load(c);
  s.mean_lo = 0.0f;
  s.rstd = static_cast<float>(1.0 / std::sqrt(static_cast<double>(p.running_var.load(c)) + p.eps));
  return s;
}

void norm_finish_groups(NormPlan& p, std::int64_t g0, std::int64_t g1) noexcept {
  const std::int64_t per = p.segs * p.chunks;
  for (std::int64_t g = g0; g < g1; ++g) {
    NormPartial acc;
    for (std::int64_t u = g * per; u < (g + 1) * per; ++u) norm_merge(p.kind, &acc, p.partials[static_cast<std::size_t>(u)]);
    p.stats[static_cast<std::size_t>(g)] = norm_finish_group(p, g, acc);
  }
}

}  // namespace vnpu::ops::detail
