#include "ops/norm_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "ops/tensor_check.hpp"

namespace vnpu::ops::detail {

using vnpu::detail::fail;
using vnpu::detail::shape_string;

namespace {

using Dims = std::vector<std::int64_t>;

bool same_view(const Tensor& a, const Tensor& b) {
  if (a.data() != b.data() || a.dtype() != b.dtype() || a.rank() != b.rank()) return false;
  for (int k = 0; k < a.rank(); ++k)
    if (a.dim(k) != b.dim(k) || (a.dim(k) > 1 && a.stride(k) != b.stride(k))) return false;
  return true;
}

// True when two elements of the view share memory (a zero or too small stride). Checks the
// dims in order of stride: each must step past everything the smaller ones span.
bool self_overlapping(const Tensor& t) {
  if (t.numel() <= 1) return false;
  std::vector<std::pair<std::int64_t, std::int64_t>> d;  // |stride|, size
  for (int k = 0; k < t.rank(); ++k)
    if (t.dim(k) > 1) d.emplace_back(std::llabs(t.stride(k)), t.dim(k));
  std::sort(d.begin(), d.end());
  std::int64_t extent = 1;
  for (const auto& [stride, size] : d) {
    if (stride < extent) return true;
    extent += stride * (size - 1);
  }
  return false;
}

struct Role {
  const Tensor* t;
  const char* name;
  bool output;
};

// Collects the request's tensors and checks each, then every pair that must not overlap.
class Checker {
 public:
  explicit Checker(const char* op) : op_(op) {}

  Status x_y(const Tensor& x, const Tensor& y) {
    if (!x.valid()) return fail(Status::kInvalidShape, "%s: invalid x tensor: %s", op_, x.invalid_reason());
    if (!y.valid()) return fail(Status::kInvalidShape, "%s: invalid y tensor: %s", op_, y.invalid_reason());
    if (!is_valid(x.dtype()) || !is_floating(x.dtype()) || x.dtype() == DType::kF64)
      return fail(Status::kInvalidDtype, "%s: x dtype %s is not supported (f32, f16, bf16)", op_, dtype_name(x.dtype()));
    if (y.dtype() != x.dtype())
      return fail(Status::kInvalidDtype, "%s: y dtype %s differs from x dtype %s", op_, dtype_name(y.dtype()),
                  dtype_name(x.dtype()));
    if (!std::equal(x.shape().begin(), x.shape().end(), y.shape().begin(), y.shape().end()))
      return fail(Status::kInvalidShape, "%s: y shape %s differs from x shape %s", op_, shape_string(y.shape()).c_str(),
                  shape_string(x.shape()).c_str());
    x_ = &x;
    y_ = &y;
    roles_.push_back({&x, "x", false});
    roles_.push_back({&y, "y", true});
    return Status::kSuccess;
  }

  /// An optional parameter or statistics tensor that must have shape `want` (or, when
  /// `alt` is non-empty, that one).
  Status tensor(const std::optional<Tensor>& t, const char* name, bool output, std::span<const std::int64_t> want,
                std::span<const std::int64_t> alt = {}) {
    if (!t) return Status::kSuccess;
    if (!t->valid()) return fail(Status::kInvalidShape, "%s: invalid %s tensor: %s", op_, name, t->invalid_reason());
    if (!is_valid(t->dtype()) || !is_floating(t->dtype()) || t->dtype() == DType::kF64)
      return fail(Status::kInvalidDtype, "%s: %s dtype %s is not supported (f32, f16, bf16)", op_, name,
                  dtype_name(t->dtype()));
    const auto sh = t->shape();
    const bool ok = std::equal(sh.begin(), sh.end(), want.begin(), want.end()) ||
                    (!alt.empty() && std::equal(sh.begin(), sh.end(), alt.begin(), alt.end()));
    if (!ok) {
      std::string expect = shape_string(want);
      if (!alt.empty()) expect += " or " + shape_string(alt);
      return fail(Status::kInvalidShape, "%s: %s shape %s does not match the expected %s", op_, name,
                  shape_string(sh).c_str(), expect.c_str());
    }
    roles_.push_back({&*t, name, output});
    return Status::kSuccess;
  }

  /// Memory extents of every tensor, then overlaps: an output may share no byte with any
  /// other tensor, except y being exactly x (in place).
  Status memory() const {
    for (const Role& r : roles_) VNPU_TRY(vnpu::detail::check_tensor_memory(*r.t, r.name, op_));
    for (std::size_t i = 0; i < roles_.size(); ++i) {
      const Role& a = roles_[i];
      if (a.output && self_overlapping(*a.t))
        return fail(Status::kInvalidArgument, "%s: the %s view has overlapping elements (a zero or too small stride)",
                    op_, a.name);
      for (std::size_t j = 0; j < i; ++j) {
        const Role& b = roles_[j];
        if (!a.output && !b.output) continue;
        if (a.t == y_ && b.t == x_ && same_view(*x_, *y_)) continue;
        if (vnpu::detail::tensors_overlap(*a.t, *b.t))
          return fail(Status::kInvalidArgument, "%s: %s overlaps %s%s", op_, a.name, b.name,
                      a.t == y_ && b.t == x_ ? " (in place, y must be exactly the view x)" : "");
      }
    }
    return Status::kSuccess;
  }

  Status eps(double e) const {
    if (!std::isfinite(e) || e < 0) return fail(Status::kInvalidArgument, "%s: eps must be finite and >= 0 (got %g)", op_, e);
    return Status::kSuccess;
  }

  const char* op() const { return op_; }

 private:
  const char* op_;
  const Tensor* x_ = nullptr;
  const Tensor* y_ = nullptr;
  std::vector<Role> roles_;
};

void set_views(NormPlan* p, const Tensor& x, const Tensor& y, const std::optional<Tensor>& gamma,
               const std::optional<Tensor>& beta) {
  p->x = NormView(x);
  p->y = NormView(y);
  if (gamma) p->gamma = NormView(*gamma);
  if (beta) p->beta = NormView(*beta);
}

// Layer and rms norm share the geometry: rows of the trailing nd dims.
Status check_rows(Checker& c, const Tensor& x, const Tensor& y, int nd, double eps,
                  const std::optional<Tensor>& gamma, const std::optional<Tensor>& beta,
                  const std::optional<Tensor>& mean, const std::optional<Tensor>& rstd, NormPlan* p) {
  VNPU_TRY(c.x_y(x, y));
  const int rank = x.rank();
  if (nd < 1 || nd > rank)
    return fail(Status::kInvalidShape, "%s: normalized_ndim %d is outside [1, %d] for x of shape %s", c.op(), nd, rank,
                shape_string(x.shape()).c_str());
  VNPU_TRY(c.eps(eps));
  const Dims trailing(x.shape().end() - nd, x.shape().end());
  const Dims leading(x.shape().begin(), x.shape().end() - nd);
  Dims keep = leading;
  keep.insert(keep.end(), static_cast<std::size_t>(nd), 1);
  VNPU_TRY(c.tensor(gamma, "gamma", false, trailing));
  VNPU_TRY(c.tensor(beta, "beta", false, trailing));
  VNPU_TRY(c.tensor(mean, "mean", true, leading, keep));
  VNPU_TRY(c.tensor(rstd, "rstd", true, leading, keep));
  VNPU_TRY(c.memory());
  set_views(p, x, y, gamma, beta);
  if (mean) p->mean_out = NormView(*mean);
  if (rstd) p->rstd_out = NormView(*rstd);
  p->eps = eps;
  std::int64_t m = 1;
  for (std::int64_t d : trailing) m *= d;
  p->len = m;
  p->groups = m == 0 ? 0 : x.numel() / m;
  p->group_step = m;
  return Status::kSuccess;
}

// x is [N, C, ...]: C and the product of the dims after it.
Status channels(const Checker& c, const Tensor& x, std::int64_t* ch, std::int64_t* spatial) {
  if (x.rank() < 2)
    return fail(Status::kInvalidShape, "%s: x must have rank >= 2 ([N, C, ...]), got shape %s", c.op(),
                shape_string(x.shape()).c_str());
  *ch = x.dim(1);
  *spatial = 1;
  for (int k = 2; k < x.rank(); ++k) *spatial *= x.dim(k);
  return Status::kSuccess;
}

}  // namespace

Status check_layer_norm(const Tensor& x, const Tensor& y, const LayerNormOptions& o, NormPlan* p) {
  Checker c("layer_norm");
  p->kind = NormKind::kLayer;
  p->name = "layer_norm";
  return check_rows(c, x, y, o.normalized_ndim, o.eps, o.gamma, o.beta, o.mean, o.rstd, p);
}

Status check_rms_norm(const Tensor& x, const Tensor& y, const RmsNormOptions& o, NormPlan* p) {
  Checker c("rms_norm");
  p->kind = NormKind::kRms;
  p->name = "rms_norm";
  return check_rows(c, x, y, o.normalized_ndim, o.eps, o.gamma, std::nullopt, std::nullopt, o.rstd, p);
}

Status check_batch_norm(const Tensor& x, const Tensor& y, const BatchNormOptions& o, NormPlan* p) {
  Checker c("batch_norm");
  VNPU_TRY(c.x_y(x, y));
  std::int64_t ch = 0, spatial = 0;
  VNPU_TRY(channels(c, x, &ch, &spatial));
  VNPU_TRY(c.eps(o.eps));
  if (!std::isfinite(o.momentum) || o.momentum < 0 || o.momentum > 1)
    return fail(Status::kInvalidArgument, "batch_norm: momentum must be finite and in [0, 1] (got %g)", o.momentum);
  if (!o.training && (!o.running_mean || !o.running_var))
    return fail(Status::kInvalidArgument, "batch_norm: inference (training = false) needs running_mean and running_var");
  if (!o.training && (o.save_mean || o.save_invstd || o.save_var))
    return fail(Status::kInvalidArgument,
                "batch_norm: save_mean, save_invstd and save_var are training outputs (training = false)");
  const std::int64_t per_channel = x.dim(0) * spatial;
  if (o.training && ch > 0 && per_channel < 2)
    return fail(Status::kInvalidShape,
                "batch_norm: training needs at least 2 elements per channel for the unbiased variance (x shape %s)",
                shape_string(x.shape()).c_str());
  const Dims cdim{ch};
  VNPU_TRY(c.tensor(o.gamma, "gamma", false, cdim));
  VNPU_TRY(c.tensor(o.beta, "beta", false, cdim));
  VNPU_TRY(c.tensor(o.running_mean, "running_mean", o.training, cdim));
  VNPU_TRY(c.tensor(o.running_var, "running_var", o.training, cdim));
  VNPU_TRY(c.tensor(o.save_mean, "save_mean", true, cdim));
  VNPU_TRY(c.tensor(o.save_invstd, "save_invstd", true, cdim));
  VNPU_TRY(c.tensor(o.save_var, "save_var", true, cdim));
  VNPU_TRY(c.memory());
  p->kind = o.training ? NormKind::kBatchTrain : NormKind::kBatchInfer;
  p->name = "batch_norm";
  set_views(p, x, y, o.gamma, o.beta);
  if (o.running_mean) p->running_mean = NormView(*o.running_mean);
  if (o.running_var) p->running_var = NormView(*o.running_var);
  if (o.save_mean) p->mean_out = NormView(*o.save_mean);
  if (o.save_invstd) p->rstd_out = NormView(*o.save_invstd);
  if (o.save_var) p->var_out = NormView(*o.save_var);
  p->eps = o.eps;
  p->momentum = o.momentum;
  p->groups = x.numel() == 0 ? 0 : ch;
  p->segs = x.dim(0);
  p->len = spatial;
  p->group_step = spatial;
  p->seg_step = ch * spatial;
  return Status::kSuccess;
}

Status check_group_norm(const Tensor& x, const Tensor& y, const GroupNormOptions& o, NormPlan* p) {
  Checker c("group_norm");
  VNPU_TRY(c.x_y(x, y));
  std::int64_t ch = 0, spatial = 0;
  VNPU_TRY(channels(c, x, &ch, &spatial));
  if (o.groups < 1 || ch % o.groups != 0)
    return fail(Status::kInvalidShape, "group_norm: groups = %d must be >= 1 and divide the %lld channels", o.groups,
                static_cast<long long>(ch));
  VNPU_TRY(c.eps(o.eps));
  const Dims cdim{ch};
  const Dims ng{x.dim(0), o.groups};
  VNPU_TRY(c.tensor(o.gamma, "gamma", false, cdim));
  VNPU_TRY(c.tensor(o.beta, "beta", false, cdim));
  VNPU_TRY(c.tensor(o.mean, "mean", true, ng));
  VNPU_TRY(c.tensor(o.rstd, "rstd", true, ng));
  VNPU_TRY(c.memory());
  p->kind = NormKind::kGroup;
  p->name = "group_norm";
  set_views(p, x, y, o.gamma, o.beta);
  if (o.mean) p->mean_out = NormView(*o.mean);
  if (o.rstd) p->rstd_out = NormView(*o.rstd);
  p->eps = o.eps;
  p->group_count = o.groups;
  p->group_channels = ch / o.groups;
  p->spatial = spatial;
  p->len = p->group_channels * spatial;
  p->groups = x.numel() == 0 ? 0 : x.dim(0) * o.groups;
  p->group_step = p->len;
  return Status::kSuccess;
}

}  // namespace vnpu::ops::detail
