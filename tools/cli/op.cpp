// tools/cli/op.cpp — `vnpu op`: one operator from .npy files to a .npy file.
//
//   vnpu op REDUCTION [--axes 0,-1] [--keep-dims] [--dtype f32|f16|bf16|i32] [--correction N]
//           [--select-last-index] X.npy -o Y.npy
//   vnpu op softmax|log_softmax --axis A [--dtype f32|f16|bf16] X.npy -o Y.npy
//   vnpu op layer_norm --normalized-ndim K [--eps E] [--mean M.npy] [--rstd R.npy]
//           X.npy [GAMMA.npy [BETA.npy]] -o Y.npy
//   vnpu op rms_norm --normalized-ndim K [--eps E] X.npy [GAMMA.npy] -o Y.npy
//   vnpu op batch_norm [--eps E] X.npy MEAN.npy VAR.npy [GAMMA.npy BETA.npy] -o Y.npy
//   vnpu op batch_norm --training [--eps E] [--save-mean M.npy] [--save-var V.npy]
//           X.npy [GAMMA.npy BETA.npy] -o Y.npy
//   vnpu op group_norm --groups G [--eps E] X.npy [GAMMA.npy BETA.npy] -o Y.npy
//
// This file picks the op's family and rejects options that belong to another one (say
// --axes for softmax); op_reduce.cpp, op_softmax.cpp and op_norm.cpp do the rest. Every
// input file is converted to the compute dtype (op_convert.hpp) and copied into device
// memory; the op runs synchronously and its result is written in NumPy's own format
// (tools/npy). Nothing is printed on success.
#include <algorithm>
#include <array>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "op_common.hpp"
#include "vnpu/ops/reduce.hpp"

namespace vnpu::cli {

namespace {

constexpr std::array<std::string_view, 2> kSoftmaxOps = {"softmax", "log_softmax"};
constexpr std::array<std::string_view, 4> kNormOps = {"layer_norm", "rms_norm", "batch_norm", "group_norm"};

bool is_one_of(std::string_view name, std::span<const std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string op_names() {
  std::string names;
  for (int i = 0; ops::parse_reduce_op(ops::reduce_op_name(static_cast<ops::ReduceOp>(i))); ++i) {
    names += ops::reduce_op_name(static_cast<ops::ReduceOp>(i));
    names += ' ';
  }
  for (std::string_view n : kSoftmaxOps) fmt::format_to(std::back_inserter(names), "{} ", n);
  for (std::string_view n : kNormOps) fmt::format_to(std::back_inserter(names), "{} ", n);
  names.pop_back();
  return names;
}

// The family-specific options `name` accepts (--dtype applies to every op).
std::vector<std::string_view> accepted_options(std::string_view name) {
  if (is_one_of(name, kSoftmaxOps)) return {"--axis"};
  if (name == "layer_norm") return {"--normalized-ndim", "--eps", "--mean", "--rstd"};
  if (name == "rms_norm") return {"--normalized-ndim", "--eps"};
  if (name == "batch_norm") return {"--eps", "--training", "--save-mean", "--save-var"};
  if (name == "group_norm") return {"--groups", "--eps"};
  return {"--axes", "--keep-dims", "--correction", "--select-last-index"};
}

std::vector<std::string_view> given_options(const OpOptions& o) {
  std::vector<std::string_view> given;
  if (o.axes) given.push_back("--axes");
  if (o.keep_dims) given.push_back("--keep-dims");
  if (o.correction) given.push_back("--correction");
  if (o.axis) given.push_back("--axis");
  if (o.normalized_ndim) given.push_back("--normalized-ndim");
  if (o.eps) given.push_back("--eps");
  if (o.groups) given.push_back("--groups");
  if (o.select_last_index) given.push_back("--select-last-index");
  if (o.training) given.push_back("--training");
  if (o.save_mean) given.push_back("--save-mean");
  if (o.save_var) given.push_back("--save-var");
  if (o.mean_out) given.push_back("--mean");
  if (o.rstd_out) given.push_back("--rstd");
  return given;
}

}  // namespace

int run_op(const OpOptions& options) {
  const bool reduction = ops::parse_reduce_op(options.name).has_value();
  const bool softmax = is_one_of(options.name, kSoftmaxOps);
  const bool norm = is_one_of(options.name, kNormOps);
  if (!reduction && !softmax && !norm) {
    fail(Status::kInvalidArgument, fmt::format("unknown op '{}' (ops: {})", options.name, op_names()));
  }
  const std::vector<std::string_view> accepted = accepted_options(options.name);
  for (std::string_view flag : given_options(options)) {
    if (!is_one_of(flag, accepted)) {
      fail(Status::kInvalidArgument, fmt::format("{} does not apply to {} (its options: {} --dtype)", flag,
                                                 options.name, fmt::join(accepted, " ")));
    }
  }
  if (softmax) return run_softmax_op(options);
  if (norm) return run_norm_op(options);
  return run_reduce_op(options);
}

}  // namespace vnpu::cli
