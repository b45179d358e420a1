// Argument checks of the normalizations (norm.hpp "Common rules") and the plan geometry of
// a valid request. Nothing is read from or written to tensor memory here.
#pragma once

#include "ops/norm_plan.hpp"
#include "vnpu/ops/norm.hpp"

namespace vnpu::ops::detail {

Status check_layer_norm(const Tensor& x, const Tensor& y, const LayerNormOptions& o, NormPlan* p);
Status check_rms_norm(const Tensor& x, const Tensor& y, const RmsNormOptions& o, NormPlan* p);
Status check_batch_norm(const Tensor& x, const Tensor& y, const BatchNormOptions& o, NormPlan* p);
Status check_group_norm(const Tensor& x, const Tensor& y, const GroupNormOptions& o, NormPlan* p);

}  // namespace vnpu::ops::detail
