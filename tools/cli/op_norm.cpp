// tools/cli/op_norm.cpp — `vnpu op` for the normalizations (ops/norm.hpp).
//
//   vnpu op layer_norm --normalized-ndim K [--eps E] [--mean M.npy] [--rstd R.npy]
//           X.npy [GAMMA.npy [BETA.npy]] -o Y.npy
//   vnpu op rms_norm --normalized-ndim K [--eps E] X.npy [GAMMA.npy] -o Y.npy
//   vnpu op batch_norm [--eps E] X.npy MEAN.npy VAR.npy [GAMMA.npy BETA.npy] -o Y.npy
//   vnpu op batch_norm --training [--eps E] [--save-mean M.npy] [--save-var V.npy]
//           X.npy [GAMMA.npy BETA.npy] -o Y.npy
//   vnpu op group_norm --groups G [--eps E] X.npy [GAMMA.npy BETA.npy] -o Y.npy
//
// batch_norm without --training is the inference form: it normalizes with the running
// statistics MEAN and VAR. With --training it normalizes with the batch's own statistics
// (per channel, axis 1, over every other axis; the variance biased, divided by n), as
// ops::batch_norm's training mode does, and can write them. layer_norm can write the
// mean and rstd = 1 / sqrt(var + eps) of each group (shape: x's leading dims). Every
// input file is converted to the compute dtype (--dtype, default f32); Y has X's shape
// and dtype; statistics files are <f4 (the library's f32 results, whatever the compute
// dtype). The shapes of the parameter files are checked here, so a message names the
// file and the shape it should have; the operator checks everything else (eps, dtypes).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>

#include "op_common.hpp"
#include "vnpu/ops/norm.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

namespace {

// The files an op reads after X, and how many of them it needs.
struct FileRule {
  std::string_view name;
  std::vector<std::string_view> params;  ///< names of the files after X, in order
  std::vector<std::size_t> counts;       ///< accepted numbers of files after X
  std::string_view usage;
};

const FileRule& file_rule(std::string_view name, bool training) {
  static const FileRule kTraining = {"batch_norm", {"GAMMA", "BETA"}, {0, 2}, "--training X.npy [GAMMA.npy BETA.npy]"};
  if (training) return kTraining;
  static const FileRule kRules[] = {
      {"layer_norm", {"GAMMA", "BETA"}, {0, 1, 2}, "X.npy [GAMMA.npy [BETA.npy]]"},
      {"rms_norm", {"GAMMA"}, {0, 1}, "X.npy [GAMMA.npy]"},
      {"batch_norm", {"MEAN", "VAR", "GAMMA", "BETA"}, {2, 4}, "X.npy MEAN.npy VAR.npy [GAMMA.npy BETA.npy]"},
      {"group_norm", {"GAMMA", "BETA"}, {0, 2}, "X.npy [GAMMA.npy BETA.npy]"},
  };
  for (const FileRule& r : kRules) {
    if (r.name == name) return r;
  }
  return kRules[0];
}

// The shape every parameter file of the op must have, given X's shape.
std::vector<std::int64_t> param_shape(const OpOptions& o, const std::vector<std::int64_t>& x, int normalized_ndim,
                                      int groups) {
  const auto rank = static_cast<int>(x.size());
  if (o.name == "layer_norm" || o.name == "rms_norm") {
    if (normalized_ndim < 1 || normalized_ndim > rank) {
      fail(Status::kInvalidShape, fmt::format("--normalized-ndim {}: expected 1..{} for x of shape {}",
                                              normalized_ndim, rank, npy::format_shape(x)));
    }
    return {x.end() - normalized_ndim, x.end()};
  }
  if (rank < 2) {
    fail(Status::kInvalidShape,
         fmt::format("{} needs x of shape (N, C, ...), got {}", o.name, npy::format_shape(x)));
  }
  if (o.name == "group_norm" && x[1] % groups != 0) {
    fail(Status::kInvalidShape,
         fmt::format("--groups {} does not divide the {} channels of x {}", groups, x[1], npy::format_shape(x)));
  }
  return {x[1]};
}

std::string param_rule(const OpOptions& o, int normalized_ndim) {
  if (o.name == "layer_norm" || o.name == "rms_norm") {
    if (normalized_ndim == 1) return "the last axis of x (--normalized-ndim 1)";
    return fmt::format("the last {} axes of x (--normalized-ndim {})", normalized_ndim, normalized_ndim);
  }
  return "the channels of x (axis 1)";
}

}  // namespace

int run_norm_op(const OpOptions& options) {
  const bool by_trailing_axes = options.name == "layer_norm" || options.name == "rms_norm";
  if (by_trailing_axes && !options.normalized_ndim) {
    fail(Status::kInvalidArgument,
         fmt::format("{} needs --normalized-ndim K (1 normalizes over the last axis)", options.name));
  }
  if (options.name == "group_norm" && !options.groups) {
    fail(Status::kInvalidArgument, "group_norm needs --groups G (G divides the channels, axis 1)");
  }
  const int normalized_ndim =
      options.normalized_ndim ? parse_int_option("--normalized-ndim", *options.normalized_ndim) : 1;
  const int groups = options.groups ? parse_int_option("--groups", *options.groups) : 1;
  if (groups < 1) fail(Status::kInvalidArgument, fmt::format("--groups {}: expected a positive count", groups));
  const double eps = options.eps ? parse_double_option("--eps", *options.eps) : 0.0;
  const DType compute = parse_float_dtype(options.name, options.dtype);
  if ((options.save_mean || options.save_var) && !options.training) {
    fail(Status::kInvalidArgument, "--save-mean and --save-var are batch_norm --training outputs (add --training)");
  }
  const FileRule& rule = file_rule(options.name, options.training);
  const std::size_t params = options.inputs.empty() ? 0 : options.inputs.size() - 1;
  if (options.inputs.empty() || std::find(rule.counts.begin(), rule.counts.end(), params) == rule.counts.end()) {
    fail(Status::kInvalidArgument, fmt::format("{} takes {} -o Y.npy; got {} input file{}", options.name, rule.usage,
                                               options.inputs.size(), options.inputs.size() == 1 ? "" : "s"));
  }

  std::vector<npy::Array> files;
  for (const std::string& path : options.inputs) files.push_back(read_input(path));
  const std::vector<std::int64_t> want = param_shape(options, files[0].shape, normalized_ndim, groups);
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].shape != want) {
      fail(Status::kInvalidShape,
           fmt::format("{} ({}) has shape {}; {} over {} needs {}", rule.params[i - 1], options.inputs[i],
                       npy::format_shape(files[i].shape), options.name, param_rule(options, normalized_ndim),
                       npy::format_shape(want)));
    }
  }

  const Device dev = Device::get(0).value();
  std::vector<std::optional<DeviceArray>> arrays(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) arrays[i].emplace(dev, files[i], compute);
  // The i-th parameter file's tensor, if it was given.
  auto param = [&](std::size_t i) -> std::optional<Tensor> {
    if (i + 1 >= arrays.size()) return std::nullopt;
    return arrays[i + 1]->tensor();
  };
  const DeviceArray& x = *arrays[0];
  const DeviceBuffer out_buffer = shape_buffer(dev, x.shape(), compute, "the output");
  const Tensor y(out_buffer.get(), compute, std::span<const std::int64_t>(x.shape()));

  // Statistics outputs: f32 device buffers of `shape`, written to their files at the end.
  struct StatFile {
    std::string path;
    std::vector<std::int64_t> shape;
    std::unique_ptr<DeviceBuffer> buffer;  // DeviceBuffer does not move
  };
  std::vector<StatFile> stat_files;
  auto stat_output = [&](const std::optional<std::string>& path, const std::vector<std::int64_t>& shape,
                         const char* what) -> std::optional<Tensor> {
    if (!path) return std::nullopt;
    StatFile& f = stat_files.emplace_back(
        StatFile{*path, shape, std::unique_ptr<DeviceBuffer>(new DeviceBuffer(shape_buffer(dev, shape, DType::kF32, what)))});
    return Tensor(f.buffer->get(), DType::kF32, std::span<const std::int64_t>(f.shape));
  };
  // eps when given, gamma and beta from the files at `first` and `first + 1`.
  auto common = [&](auto o, std::size_t first) {
    if (options.eps) o.eps = eps;
    o.gamma = param(first);
    if constexpr (requires { o.beta; }) o.beta = param(first + 1);
    return o;
  };
  if (options.name == "layer_norm") {
    ops::LayerNormOptions o;
    o.normalized_ndim = normalized_ndim;
    const std::vector<std::int64_t> rows(x.shape().begin(), x.shape().end() - normalized_ndim);
    o.mean = stat_output(options.mean_out, rows, "the --mean output");
    o.rstd = stat_output(options.rstd_out, rows, "the --rstd output");
    check(ops::layer_norm(x.tensor(), y, common(o, 0)));
  } else if (options.name == "rms_norm") {
    ops::RmsNormOptions o;
    o.normalized_ndim = normalized_ndim;
    check(ops::rms_norm(x.tensor(), y, common(o, 0)));
  } else if (options.name == "batch_norm" && options.training) {
    ops::BatchNormOptions o;  // training: the batch's own statistics
    o.training = true;
    const std::vector<std::int64_t> channels = {x.shape()[1]};
    o.save_mean = stat_output(options.save_mean, channels, "the --save-mean output");
    o.save_var = stat_output(options.save_var, channels, "the --save-var output");
    check(ops::batch_norm(x.tensor(), y, common(o, 0)));
  } else if (options.name == "batch_norm") {
    ops::BatchNormOptions o;  // inference: normalize with the running statistics
    o.running_mean = param(0);
    o.running_var = param(1);
    check(ops::batch_norm(x.tensor(), y, common(o, 2)));
  } else {
    ops::GroupNormOptions o;
    o.groups = groups;
    check(ops::group_norm(x.tensor(), y, common(o, 0)));
  }
  write_result(options.output, out_buffer, compute, compute, x.shape());
  for (const StatFile& f : stat_files) write_result(f.path, *f.buffer, DType::kF32, DType::kF32, f.shape);
  return 0;
}

}  // namespace vnpu::cli
