// The public reduction API: validation, output shapes, and the launch of the plan.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "ops/driver.hpp"
#include "ops/reduce_plan.hpp"
#include "ops/tensor_check.hpp"
#include "platform/isa.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/stream_impl.hpp"
#include "vnpu/device.hpp"
#include "vnpu/memory.hpp"

namespace vnpu::ops {

using vnpu::detail::fail;

namespace {

constexpr const char* kOpNames[] = {"sum", "mean",      "max", "min", "prod",   "sum_sq", "l1",  "l2",
                                    "logsumexp", "var", "std", "argmax", "argmin", "all", "any", "log_sum"};
constexpr int kNumOps = static_cast<int>(sizeof(kOpNames) / sizeof(kOpNames[0]));

bool valid_op(ReduceOp op) noexcept { return static_cast<int>(op) >= 0 && static_cast<int>(op) < kNumOps; }

bool int_allowed(ReduceOp op) noexcept {
  switch (op) {
    case ReduceOp::kSum:
    case ReduceOp::kProd:
    case ReduceOp::kMax:
    case ReduceOp::kMin:
    case ReduceOp::kArgMax:
    case ReduceOp::kArgMin:
    case ReduceOp::kAll:
    case ReduceOp::kAny: return true;
    default: return false;
  }
}

DType default_out(ReduceOp op, DType in) noexcept {
  if (op == ReduceOp::kArgMax || op == ReduceOp::kArgMin) return DType::kI64;
  if (op == ReduceOp::kAll || op == ReduceOp::kAny) return DType::kBool;
  return in;
}

// The validated request: normalized reduce mask and output shape.
struct Checked {
  bool reduce[kMaxRank] = {};
  ReduceShape shape;
  std::int64_t reduced_count = 1;
};

Status check_request(ReduceOp op, const Tensor& in, const ReduceOptions& o, Checked* c) {
  if (!valid_op(op)) return fail(Status::kInvalidArgument, "reduce: unknown op %d", static_cast<int>(op));
  const char* name = kOpNames[static_cast<int>(op)];
  if (!in.valid()) return fail(Status::kInvalidShape, "reduce %s: invalid input tensor: %s", name, in.invalid_reason());
  const DType t = in.dtype();
  if (!is_valid(t) || !(is_floating(t) || t == DType::kI32))
    return fail(Status::kInvalidDtype, "reduce %s: input dtype %s is not supported (f32, f16, bf16, f64, i32)", name,
                dtype_name(t));
  if (t == DType::kI32 && !int_allowed(op))
    return fail(Status::kInvalidDtype,
                "reduce %s: i32 input is supported by sum, prod, max, min, argmax, argmin, all and any only", name);
  if (!std::isfinite(o.correction) || o.correction < 0)
    return fail(Status::kInvalidArgument, "reduce %s: correction must be finite and >= 0 (got %g)", name,
                o.correction);
  const int rank = in.rank();
  if (o.axes.is_all()) {
    for (int k = 0; k < rank; ++k) c->reduce[k] = true;
  } else {
    for (int a : o.axes.list()) {
      if (a < -rank || a >= rank)
        return fail(Status::kInvalidShape, "reduce %s: axis %d is out of range for a rank-%d tensor", name, a, rank);
      const int k = a < 0 ? a + rank : a;
      if (c->reduce[k]) return fail(Status::kInvalidShape, "reduce %s: axis %d is repeated", name, a);
      c->reduce[k] = true;
    }
  }
  std::int64_t outputs = 1;
  for (int k = 0; k < rank; ++k) {
    if (c->reduce[k]) {
      c->reduced_count *= in.dim(k);
      if (o.keep_dims) c->shape.dims[c->shape.rank++] = 1;
    } else {
      outputs *= in.dim(k);
      c->shape.dims[c->shape.rank++] = in.dim(k);
    }
  }
  const bool arg = op == ReduceOp::kArgMax || op == ReduceOp::kArgMin;
  if (arg && !o.axes.is_all() && o.axes.list().size() > 1 && static_cast<int>(o.axes.list().size()) != rank)
    return fail(Status::kInvalidShape, "reduce %s: takes one axis or all of them (got %zu of %d axes)", name,
                o.axes.list().size(), rank);
  if (arg && c->reduced_count == 0 && outputs > 0)
    return fail(Status::kInvalidShape, "reduce %s: the reduced axes are empty, so there is no index to return", name);
  c->shape.dtype = default_out(op, t);
  // The count fits (a product of the input's dims), the bytes may not: argmax of f16 is i64.
  std::int64_t out_bytes = 0;
  if (__builtin_mul_overflow(outputs, static_cast<std::int64_t>(dtype_size(c->shape.dtype)), &out_bytes))
    return fail(Status::kInvalidShape, "reduce %s: the output %s of %s is too large: its byte size overflows 64 bits",
                name, vnpu::detail::shape_string(c->shape.shape()).c_str(), dtype_name(c->shape.dtype));
  return Status::kSuccess;
}

Status check_output(ReduceOp op, const Tensor& in, const Tensor& out, const Checked& c) {
  const char* name = kOpNames[static_cast<int>(op)];
  if (!out.valid()) return fail(Status::kInvalidShape, "reduce %s: invalid output tensor: %s", name, out.invalid_reason());
  bool same = out.rank() == c.shape.rank;
  for (int k = 0; same && k < out.rank(); ++k) same = out.dim(k) == c.shape.dims[k];
  if (!same) {
    return fail(Status::kInvalidShape, "reduce %s: output shape %s does not match the expected %s", name,
                vnpu::detail::shape_string(out.shape()).c_str(), vnpu::detail::shape_string(c.shape.shape()).c_str());
  }
  const DType want = c.shape.dtype;
  const bool ok = out.dtype() == want || (is_floating(want) && want != DType::kF32 && out.dtype() == DType::kF32);
  if (!ok)
    return fail(Status::kInvalidDtype, "reduce %s: output dtype %s is not allowed for %s input (use %s%s)", name,
                dtype_name(out.dtype()), dtype_name(in.dtype()), dtype_name(want),
                is_floating(want) && want != DType::kF32 ? " or f32" : "");
  const vnpu::detail::Extent ein = vnpu::detail::tensor_extent(in), eout = vnpu::detail::tensor_extent(out);
  VNPU_TRY(vnpu::detail::check_tensor_memory(in, ein, "input", name));
  VNPU_TRY(vnpu::detail::check_tensor_memory(out, eout, "output", name));
  if (vnpu::detail::extents_overlap(in, ein, out, eout))
    return fail(Status::kInvalidArgument, "reduce %s: the output overlaps the input", name);
  return Status::kSuccess;
}

}  // namespace

const char* reduce_op_name(ReduceOp op) noexcept { return valid_op(op) ? kOpNames[static_cast<int>(op)] : "?"; }

std::optional<ReduceOp> parse_reduce_op(std::string_view name) noexcept {
  for (int i = 0; i < kNumOps; ++i)
    if (name == kOpNames[i]) return static_cast<ReduceOp>(i);
  return std::nullopt;
}

Expected<ReduceShape> reduce_output_shape(ReduceOp op, const Tensor& in, const ReduceOptions& options) {
  vnpu::detail::clear_error();
  Checked c;
  VNPU_TRY(check_request(op, in, options, &c));
  return c.shape;
}

namespace {

// Validates the request and builds its plan for `stream`'s device; a null plan means
// there is nothing to compute (an empty output).
Status prepare(const Stream& stream, ReduceOp op, const Tensor& in, const Tensor& out, const ReduceOptions& options,
               std::shared_ptr<detail::Plan>* plan) {
  if (!stream) return fail(Status::kInvalidHandle, "reduce: empty stream handle");
  vnpu::detail::apply_isa_env();
  Checked c;
  VNPU_TRY(check_request(op, in, options, &c));
  VNPU_TRY(check_output(op, in, out, c));
  const int cores = stream.impl()->device()->info().compute_cores;
  try {
    *plan = detail::make_plan(op, in, out, options, cores);
  } catch (const std::bad_alloc&) {
    return fail(Status::kOutOfMemory, "reduce %s: no memory for the plan's partial results", reduce_op_name(op));
  }
  return Status::kSuccess;
}

// The kernel's name: "reduce_" and the op's name, built once from kOpNames.
const char* kernel_name(ReduceOp op) {  // op validated
  static const std::array<std::string, kNumOps> names = [] {
    std::array<std::string, kNumOps> n;
    for (int i = 0; i < kNumOps; ++i) n[static_cast<std::size_t>(i)] = std::string("reduce_") + kOpNames[i];
    return n;
  }();
  return names[static_cast<std::size_t>(op)].c_str();
}

// Phase 1 of block b: its share of the units, then (claim > 0) help with the others'.
void run_block(const detail::Plan& plan, std::uint32_t b) {
  if (plan.claim == 0) {
    std::int64_t u0 = 0, u1 = 0;
    detail::split(plan.units, plan.blocks, b, &u0, &u1);
    detail::run_units(plan, u0, u1);
    return;
  }
  detail::run_owned(plan.blocks, b, plan.units, plan.claim, plan.next_unit,
                    [&plan](std::int64_t u0, std::int64_t u1) { detail::run_units(plan, u0, u1); });
}


}  // namespace

Status reduce(const Stream& stream, ReduceOp op, const Tensor& in, const Tensor& out, const ReduceOptions& options) {
  vnpu::detail::clear_error();
  std::shared_ptr<detail::Plan> plan;
  VNPU_TRY(prepare(stream, op, in, out, options, &plan));
  if (plan == nullptr) return Status::kSuccess;
  const detail::OpCall call(kernel_name(op), __builtin_return_address(0), in, out);
  return detail::queue_op(stream, call, plan->blocks, plan->K > 1 && plan->blocks > 1, [plan](const KernelContext& ctx) {
    run_block(*plan, ctx.block_idx());
    if (plan->K > 1) {
      // Every partial must be written before any output combines them.
      if (plan->blocks > 1) ctx.sync_all();
      std::int64_t o0 = 0, o1 = 0;
      detail::split(plan->outputs(), plan->blocks, ctx.block_idx(), &o0, &o1);
      detail::finish_outputs(*plan, o0, o1);
    }
  });
}

// The synchronous form joins in: once the default stream has drained, the calling thread
// reduces block 0's units itself while blocks 1..B-1 run on the compute cores, then combines
// the partials. A one-block plan never leaves the calling thread. Nothing sleeps on the
// critical path: the caller is busy while the cores work, and waking a parked thread costs
// more than a small reduction.
Status reduce(ReduceOp op, const Tensor& in, const Tensor& out, const ReduceOptions& options) {
  vnpu::detail::clear_error();
  Expected<Device> dev = detail::sync_device(in.data());
  if (!dev) return dev.status();
  const Stream s = dev->default_stream();
  std::shared_ptr<detail::Plan> plan;
  VNPU_TRY(prepare(s, op, in, out, options, &plan));
  if (plan == nullptr) return s.synchronize();
  const detail::OpCall call(kernel_name(op), __builtin_return_address(0), in, out);
  return detail::run_op(
      s, call, plan->blocks, [&plan](std::uint32_t b, const KernelContext*) { run_block(*plan, b); },
      [&plan] {
        if (plan->K > 1) detail::finish_outputs(*plan, 0, plan->outputs());
      });
}

Expected<std::vector<std::int64_t>> reduce_block_work(ReduceOp op, const Tensor& in, const ReduceOptions& options,
                                                      int cores) {
  vnpu::detail::clear_error();
  if (cores < 1) return fail(Status::kInvalidArgument, "reduce_block_work: cores must be >= 1 (got %d)", cores);
  Checked c;
  VNPU_TRY(check_request(op, in, options, &c));
  std::vector<std::int64_t> work;
  std::int64_t dims[kMaxRank];
  for (int k = 0; k < c.shape.rank; ++k) dims[k] = c.shape.dims[k];
  // A dense output of the right shape at a dummy address: only the plan's shape is used.
  alignas(64) static unsigned char dummy[64];
  const Tensor out(static_cast<void*>(dummy), c.shape.dtype, std::span<const std::int64_t>(dims, c.shape.rank));
  std::unique_ptr<detail::Plan> plan = detail::make_plan(op, in, out, options, cores);
  if (plan == nullptr) return work;
  for (std::uint32_t b = 0; b < plan->blocks; ++b) {
    std::int64_t u0 = 0, u1 = 0;
    detail::split(plan->units, plan->blocks, b, &u0, &u1);
    std::int64_t n = 0;
    for (std::int64_t u = u0; u < u1; ++u) n += plan->unit_elements(u);
    work.push_back(n);
  }
  return work;
}

}  // namespace vnpu::ops
