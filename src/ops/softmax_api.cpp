// The public softmax API: validation, the launch of a plan on a stream, and the
// synchronous forms (computed on the calling thread when the default stream is idle and
// the input fits one block).
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "common/error.hpp"
#include "ops/driver.hpp"
#include "ops/softmax_plan.hpp"
#include "ops/split.hpp"
#include "ops/tensor_check.hpp"
#include "platform/isa.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/stream_impl.hpp"
#include "vnpu/device.hpp"
#include "vnpu/memory.hpp"
#include "vnpu/ops/softmax.hpp"

namespace vnpu::ops {

using vnpu::detail::fail;

namespace {

const char* op_name(bool log) { return log ? "log_softmax" : "softmax"; }

bool same_view(const Tensor& a, const Tensor& b) {
  if (a.data() != b.data() || a.rank() != b.rank()) return false;
  for (int k = 0; k < a.rank(); ++k)
    if (a.stride(k) != b.stride(k) && a.dim(k) > 1) return false;
  return true;
}

// Every check of softmax.hpp, in the documented order; `axis` receives the normalized axis.
Status check_request(bool log, const Tensor& in, const Tensor& out, const SoftmaxOptions& o, int* axis) {
  const char* name = op_name(log);
  if (!in.valid()) return fail(Status::kInvalidShape, "%s: invalid input tensor: %s", name, in.invalid_reason());
  if (!out.valid()) return fail(Status::kInvalidShape, "%s: invalid output tensor: %s", name, out.invalid_reason());
  const int rank = in.rank();
  if (rank == 0) return fail(Status::kInvalidShape, "%s: the input has rank 0 (there is no axis to run along)", name);
  if (o.axis < -rank || o.axis >= rank)
    return fail(Status::kInvalidShape, "%s: axis %d is out of range for a rank-%d tensor (valid: %d..%d)", name, o.axis,
                rank, -rank, rank - 1);
  *axis = o.axis < 0 ? o.axis + rank : o.axis;
  const DType t = in.dtype();
  if (!is_valid(t) || !is_floating(t) || t == DType::kF64)
    return fail(Status::kInvalidDtype, "%s: input dtype %s is not supported (f32, f16, bf16)", name, dtype_name(t));
  if (out.dtype() != t)
    return fail(Status::kInvalidDtype, "%s: output dtype %s differs from the input dtype %s", name,
                dtype_name(out.dtype()), dtype_name(t));
  bool same = out.rank() == rank;
  for (int k = 0; same && k < rank; ++k) same = out.dim(k) == in.dim(k);
  if (!same)
    return fail(Status::kInvalidShape, "%s: output shape %s differs from the input shape %s", name,
                vnpu::detail::shape_string(out.shape()).c_str(), vnpu::detail::shape_string(in.shape()).c_str());
  for (int k = 0; k < rank; ++k)
    if (out.stride(k) == 0 && out.dim(k) > 1 && out.numel() > 0)
      return fail(Status::kInvalidArgument,
                  "%s: the output has stride 0 on dimension %d (size %lld): several results would land on one "
                  "element",
                  name, k, static_cast<long long>(out.dim(k)));
  const vnpu::detail::Extent ein = vnpu::detail::tensor_extent(in), eout = vnpu::detail::tensor_extent(out);
  VNPU_TRY(vnpu::detail::check_tensor_memory(in, ein, "input", name));
  VNPU_TRY(vnpu::detail::check_tensor_memory(out, eout, "output", name));
  if (vnpu::detail::extents_overlap(in, ein, out, eout) && !same_view(in, out))
    return fail(Status::kInvalidArgument,
                "%s: the output overlaps the input without being the same view (in place needs the same data "
                "pointer and strides)",
                name);
  return Status::kSuccess;
}

// Runs a block's share of the plan; `work` holds plan.scratch_bytes().
void run_block(const detail::SoftmaxPlan& plan, std::uint32_t b, float* work, const KernelContext* ctx) {
  if (plan.fused) {
    detail::run_owned(plan.blocks, b, plan.units, plan.claim, plan.next_unit,
                      [&](std::int64_t u0, std::int64_t u1) { detail::run_softmax_fused(plan, u0, u1, work); });
    return;
  }
  std::int64_t u0 = 0, u1 = 0;
  detail::split(plan.units, plan.blocks, b, &u0, &u1);
  detail::run_softmax_chunks(plan, u0, u1, work);
  // Every chunk partial must be written before any row combines them.
  if (plan.blocks > 1 && ctx != nullptr) ctx->sync_all();
  detail::run_softmax_write(plan, u0, u1, work);
}

// The plan shared by the blocks of a launch (one allocation); null for an empty tensor.
std::shared_ptr<detail::SoftmaxPlan> plan_for(bool log, const Tensor& in, const Tensor& out, int axis,
                                              const vnpu::detail::DeviceImpl& dev) {
  auto plan = std::make_shared<detail::SoftmaxPlan>();
  if (!detail::fill_softmax_plan(*plan, log, in, out, axis, dev.info().compute_cores, dev.info().scratch_bytes))
    return nullptr;
  return plan;
}

float* direct_work(std::size_t bytes);

// Working memory of a block on a compute core: its scratch, or when the device's scratch
// is smaller than the plan's working area, memory of the block's own — a buffer kept by
// the core's thread from call to call (direct_work) when the block runs to its end
// without a barrier (`alone`: no other block can run on this thread meanwhile), else a
// fresh allocation. (An allocation of a MiB or two per call cost a tall column softmax
// page faults on every call.)
float* core_work(const KernelContext& ctx, std::size_t bytes, bool alone, std::unique_ptr<float[]>* heap) {
  auto* work = static_cast<float*>(ctx.scratch().try_allocate(bytes));
  if (work != nullptr) return work;
  if (alone) return direct_work(bytes);
  heap->reset(new float[bytes / sizeof(float) + 16]);
  return heap->get();
}

// The kernel of a plan's launch: each block's share, in its scratch.
auto plan_kernel(std::shared_ptr<detail::SoftmaxPlan> plan) {
  return [plan = std::move(plan)](const KernelContext& ctx) {
    std::unique_ptr<float[]> heap;
    run_block(*plan, ctx.block_idx(), core_work(ctx, plan->scratch_bytes(), plan->fused, &heap), &ctx);
  };
}

Status launch(bool log, const Stream& stream, const Tensor& in, const Tensor& out, const SoftmaxOptions& options,
              void* caller) {
  vnpu::detail::clear_error();
  if (!stream) return fail(Status::kInvalidHandle, "%s: empty stream handle", op_name(log));
  vnpu::detail::apply_isa_env();
  int axis = 0;
  VNPU_TRY(check_request(log, in, out, options, &axis));
  std::shared_ptr<detail::SoftmaxPlan> plan;
  try {
    plan = plan_for(log, in, out, axis, *stream.impl()->device());
  } catch (const std::bad_alloc&) {
    return fail(Status::kOutOfMemory, "%s: no memory for the plan's chunk partials", op_name(log));
  }
  if (plan == nullptr) return Status::kSuccess;  // empty tensor
  const detail::OpCall call(op_name(log), caller, in, out);
  const bool cooperative = !plan->fused && plan->blocks > 1;
  const std::uint32_t blocks = plan->blocks;
  return detail::queue_op(stream, call, blocks, cooperative, plan_kernel(std::move(plan)));
}

// This thread's working memory, kept from call to call: the calling thread's for direct
// (launch-free) calls, a core's for blocks without barriers whose scratch is too small.
float* direct_work(std::size_t bytes) {
  struct Buf {
    std::unique_ptr<float[]> p;
    std::size_t bytes = 0;
  };
  thread_local Buf buf;
  if (buf.bytes < bytes) {
    buf.p.reset(new float[bytes / sizeof(float) + 16]);
    buf.bytes = bytes;
  }
  return buf.p.get();
}

// As if queued on the default stream of in's device and waited for (detail::run_joined):
// the calling thread computes block 0 — all of a one-block input, whose plan then lives on
// this stack — beside the compute cores. Chunked rows meet at a barrier, so every block of
// a multi-block chunked plan runs on a core.
Status run_sync(bool log, const Tensor& in, const Tensor& out, const SoftmaxOptions& options, void* caller) {
  vnpu::detail::clear_error();
  vnpu::detail::apply_isa_env();
  Expected<Device> dev = detail::sync_device(in.data());
  if (!dev) return dev.status();
  const Stream s = dev->default_stream();
  int axis = 0;
  VNPU_TRY(check_request(log, in, out, options, &axis));
  const detail::OpCall call(op_name(log), caller, in, out);
  const DeviceInfo& di = dev->info();
  if (in.numel() < 2 * detail::kSmMinBlockElems) {
    detail::SoftmaxPlan small;
    if (!detail::fill_softmax_plan(small, log, in, out, axis, di.compute_cores, di.scratch_bytes))
      return detail::run_op(s, call, 0, {});  // empty: only earlier failures to report
    if (small.blocks == 1) {
      return detail::run_op(s, call, 1, [&small](std::uint32_t, const KernelContext*) {
        run_block(small, 0, direct_work(small.scratch_bytes()), nullptr);
      });
    }
  }
  std::shared_ptr<detail::SoftmaxPlan> plan;
  try {
    plan = plan_for(log, in, out, axis, *dev->impl());
  } catch (const std::bad_alloc&) {
    return fail(Status::kOutOfMemory, "%s: no memory for the plan's chunk partials", op_name(log));
  }
  if (plan == nullptr) return detail::run_op(s, call, 0, {});
  if (!plan->fused && plan->blocks > 1) {
    const std::uint32_t blocks = plan->blocks;
    return detail::run_op_queued(s, call, blocks, plan_kernel(std::move(plan)));
  }
  return detail::run_op(s, call, plan->blocks, [&plan](std::uint32_t b, const KernelContext* ctx) {
    std::unique_ptr<float[]> heap;
    float* work =
        ctx != nullptr ? core_work(*ctx, plan->scratch_bytes(), true, &heap) : direct_work(plan->scratch_bytes());
    run_block(*plan, b, work, nullptr);  // fused (or one block): no barrier
  });
}

}  // namespace

Status softmax(const Stream& stream, const Tensor& in, const Tensor& out, const SoftmaxOptions& options) {
  return launch(false, stream, in, out, options, __builtin_return_address(0));
}

Status log_softmax(const Stream& stream, const Tensor& in, const Tensor& out, const SoftmaxOptions& options) {
  return launch(true, stream, in, out, options, __builtin_return_address(0));
}

Status softmax(const Tensor& in, const Tensor& out, const SoftmaxOptions& options) {
  return run_sync(false, in, out, options, __builtin_return_address(0));
}

Status log_softmax(const Tensor& in, const Tensor& out, const SoftmaxOptions& options) {
  return run_sync(true, in, out, options, __builtin_return_address(0));
}

}  // namespace vnpu::ops
