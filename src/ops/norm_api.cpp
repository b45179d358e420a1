// The public normalization API: checks, then the plan's launch on a stream, or (the
// synchronous forms) a direct computation on the calling thread for small inputs.
#include <memory>
#include <new>

#include "common/error.hpp"
#include "ops/driver.hpp"
#include "ops/norm_check.hpp"
#include "ops/norm_plan.hpp"
#include "platform/isa.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/stream_impl.hpp"
#include "vnpu/device.hpp"
#include "vnpu/memory.hpp"
#include "vnpu/ops/norm.hpp"

namespace vnpu::ops {

using vnpu::detail::fail;

namespace {

using detail::NormPlan;
using detail::NormView;
using Plan = std::shared_ptr<NormPlan>;

template <class Check, class Options>
Status make(Check check, const Tensor& x, const Tensor& y, const Options& o, Plan* plan) {
  vnpu::detail::apply_isa_env();
  try {
    *plan = std::make_shared<NormPlan>();
  } catch (const std::bad_alloc&) {
    return fail(Status::kOutOfMemory, "normalization: no memory for the plan");
  }
  return check(x, y, o, plan->get());
}

Status plan_for(const Plan& plan, int cores) {
  try {
    detail::plan_work(plan.get(), cores);
  } catch (const std::bad_alloc&) {
    return fail(Status::kOutOfMemory, "%s: no memory for the partial statistics", plan->name);
  }
  return Status::kSuccess;
}

// What the plan reads and writes, beside x and y: the checker's operands.
detail::OpCall call_of(const Plan& plan, void* caller, const Tensor& x, const Tensor& y) {
  detail::OpCall call(plan->name, caller, x, y);
  const auto add = [&call](const NormView& v, AccessMode mode) {
    if (v.present()) call.add(detail::OperandView{v.data, dtype_size(v.dtype), v.rank, v.size, v.stride, mode});
  };
  add(plan->gamma, AccessMode::kRead);
  add(plan->beta, AccessMode::kRead);
  // Training updates the running statistics; inference reads them.
  const AccessMode running = plan->kind == detail::NormKind::kBatchTrain ? AccessMode::kReadWrite : AccessMode::kRead;
  add(plan->running_mean, running);
  add(plan->running_var, running);
  add(plan->mean_out, AccessMode::kWrite);
  add(plan->rstd_out, AccessMode::kWrite);
  add(plan->var_out, AccessMode::kWrite);
  return call;
}

auto plan_kernel(Plan plan) {
  return [plan = std::move(plan)](const KernelContext& ctx) { detail::norm_run_block(*plan, ctx); };
}

template <class Check, class Options>
Status run_async(const Stream& stream, Check check, const Tensor& x, const Tensor& y, const Options& o, void* caller) {
  vnpu::detail::clear_error();
  if (!stream) return fail(Status::kInvalidHandle, "normalization: empty stream handle");
  Plan plan;
  VNPU_TRY(make(check, x, y, o, &plan));
  if (plan->groups == 0) return Status::kSuccess;  // empty x: nothing to write
  VNPU_TRY(plan_for(plan, stream.impl()->device()->info().compute_cores));
  const detail::OpCall call = call_of(plan, caller, x, y);
  const bool cooperative = !plan->by_group && plan->blocks > 1;
  const std::uint32_t blocks = plan->blocks;
  return detail::queue_op(stream, call, blocks, cooperative, plan_kernel(std::move(plan)));
}

// As if queued on the default stream of x's device and waited for (detail::run_op):
// the calling thread computes block 0 (a one-block plan: all of it) beside the compute
// cores. A plan whose blocks share groups needs barriers, so every block runs on a core.
template <class Check, class Options>
Status run_sync(Check check, const Tensor& x, const Tensor& y, const Options& o, void* caller) {
  vnpu::detail::clear_error();
  Expected<Device> dev = detail::sync_device(x.data());
  if (!dev) return dev.status();
  const Stream s = dev->default_stream();
  Plan plan;
  VNPU_TRY(make(check, x, y, o, &plan));
  if (plan->groups == 0) return s.synchronize();
  VNPU_TRY(plan_for(plan, dev->info().compute_cores));
  const detail::OpCall call = call_of(plan, caller, x, y);
  if (!plan->by_group && plan->blocks > 1) {
    const std::uint32_t blocks = plan->blocks;
    return detail::run_op_queued(s, call, blocks, plan_kernel(std::move(plan)));
  }
  const int id = dev->info().id;
  return detail::run_op(s, call, plan->blocks, [&plan, id](std::uint32_t b, const KernelContext* ctx) {
    if (ctx == nullptr) {
      detail::norm_run_block(*plan, KernelContext(b, plan->blocks, 0, id));
    } else {
      detail::norm_run_block(*plan, KernelContext(b, plan->blocks, ctx->core(), id, &ctx->scratch(), &ctx->dma()));
    }
  });
}

}  // namespace

// The asynchronous and synchronous entry points of each op.
#define VNPU_NORM_ENTRY_POINTS(op, Options)                                                  \
  Status op(const Stream& stream, const Tensor& x, const Tensor& y, const Options& options) { \
    return run_async(stream, detail::check_##op, x, y, options, __builtin_return_address(0));                         \
  }                                                                                           \
  Status op(const Tensor& x, const Tensor& y, const Options& options) {                       \
    return run_sync(detail::check_##op, x, y, options, __builtin_return_address(0));                         \
  }

VNPU_NORM_ENTRY_POINTS(layer_norm, LayerNormOptions)
VNPU_NORM_ENTRY_POINTS(rms_norm, RmsNormOptions)
VNPU_NORM_ENTRY_POINTS(batch_norm, BatchNormOptions)
VNPU_NORM_ENTRY_POINTS(group_norm, GroupNormOptions)

#undef VNPU_NORM_ENTRY_POINTS

}  // namespace vnpu::ops
