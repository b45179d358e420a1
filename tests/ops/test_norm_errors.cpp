// Bad arguments of the normalizations (norm.hpp "Errors"): each gets its status and a
// message naming the problem, nothing is queued, and no output byte changes. Empty inputs
// succeed without writing.
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "ops/norm_support.hpp"

// Options are written as designated initializers naming only the fields a case sets; GCC
// warns about the others although they have default member initializers.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace vnpu {
namespace {

using namespace vnpu::test;

constexpr std::size_t kBytes = 64 * 1024;

// Device buffers with known contents; expect() runs a call that must fail and checks that
// status, message, the stream's task count and every buffer.
class NormErrors : public ::testing::Test {
 protected:
  NormErrors() : h_(2) {
    for (auto& b : bufs_) b = h_.alloc(kBytes, 0x5A);
  }

  float* f(int i) { return static_cast<float*>(bufs_[static_cast<std::size_t>(i)]); }

  void expect(Status want, const char* needle, const std::function<Status()>& call) {
    const std::uint64_t before = h_.stream().submitted();
    const Status got = call();
    EXPECT_EQ(got, want) << "message: " << last_error_message();
    EXPECT_NE(std::string(last_error_message()).find(needle), std::string::npos)
        << "message \"" << last_error_message() << "\" lacks \"" << needle << "\"";
    EXPECT_EQ(h_.stream().submitted(), before) << "work was queued";
    ASSERT_OK(h_.stream().synchronize());
    for (void* b : bufs_) {
      const std::vector<unsigned char> now = h_.download(b, kBytes);
      for (unsigned char v : now)
        if (v != 0x5A) {
          ADD_FAILURE() << "a buffer changed (" << needle << ")";
          return;
        }
    }
  }

  Harness h_;
  void* bufs_[6] = {};
};

TEST_F(NormErrors, XAndY) {
  Stream& s = h_.stream();
  const Tensor x(f(0), DType::kF32, {8, 16});
  const Tensor y(f(1), DType::kF32, {8, 16});
  const std::int64_t bad_dims[] = {4, -1};
  const Tensor invalid(f(0), DType::kF32, std::span<const std::int64_t>(bad_dims, 2));
  expect(Status::kInvalidShape, "invalid x", [&] { return ops::layer_norm(s, invalid, y); });
  expect(Status::kInvalidShape, "invalid y", [&] { return ops::rms_norm(s, x, invalid); });
  expect(Status::kInvalidShape, "y shape", [&] { return ops::layer_norm(s, x, Tensor(f(1), DType::kF32, {16, 8})); });
  expect(Status::kInvalidDtype, "x dtype i32", [&] {
    return ops::layer_norm(s, Tensor(f(0), DType::kI32, {8, 16}), Tensor(f(1), DType::kI32, {8, 16}));
  });
  expect(Status::kInvalidDtype, "y dtype f16", [&] { return ops::layer_norm(s, x, Tensor(f(1), DType::kF16, {8, 16})); });
  expect(Status::kInvalidArgument, "null data", [&] { return ops::layer_norm(s, Tensor(static_cast<void*>(nullptr), DType::kF32, {8, 16}), y); });
  expect(Status::kInvalidArgument, "y overlaps x", [&] { return ops::layer_norm(s, x, Tensor(f(0) + 3, DType::kF32, {8, 16})); });
  expect(Status::kInvalidArgument, "y overlaps x", [&] {
    return ops::layer_norm(s, x, Tensor(f(0), DType::kF32, {8, 16}, {1, 8}));  // same memory, another view
  });
  expect(Status::kInvalidArgument, "overlapping elements", [&] {
    return ops::layer_norm(s, x, Tensor(f(1), DType::kF32, {8, 16}, {0, 1}));
  });
  expect(Status::kOutOfRange, "outside", [&] {
    return ops::layer_norm(s, Tensor(f(0), DType::kF32, {8, 16}, {4096, 1}), y);
  });
  expect(Status::kInvalidHandle, "stream", [&] { return ops::group_norm(Stream(), x, y); });
}

TEST_F(NormErrors, FreedMemory) {
  // Freed device memory stays reserved in vnpu's cache, so a tensor on it is known stale.
  auto* freed = static_cast<float*>(h_.alloc(kBytes, 0));
  h_.release(freed);
  Stream& s = h_.stream();
  const Tensor x(f(0), DType::kF32, {8, 16}), y(f(1), DType::kF32, {8, 16});
  const Tensor stale(freed + 16, DType::kF32, {8, 16});
  expect(Status::kInvalidPointer, "use after free", [&] { return ops::layer_norm(s, stale, y); });
  expect(Status::kInvalidPointer, "use after free", [&] { return ops::rms_norm(x, stale); });
  ops::LayerNormOptions o;
  o.gamma = Tensor(freed, DType::kF32, {16});
  expect(Status::kInvalidPointer, "use after free", [&] { return ops::layer_norm(s, x, y, o); });
}

TEST_F(NormErrors, LayerAndRmsOptions) {
  Stream& s = h_.stream();
  const Tensor x(f(0), DType::kF32, {4, 6, 10});
  const Tensor y(f(1), DType::kF32, {4, 6, 10});
  for (int nd : {0, -1, 4}) {
    expect(Status::kInvalidShape, "normalized_ndim", [&] { return ops::layer_norm(s, x, y, {.normalized_ndim = nd}); });
    expect(Status::kInvalidShape, "normalized_ndim", [&] { return ops::rms_norm(s, x, y, {.normalized_ndim = nd}); });
  }
  for (double eps : {-1e-5, std::nan(""), std::numeric_limits<double>::infinity()}) {
    expect(Status::kInvalidArgument, "eps", [&] { return ops::layer_norm(s, x, y, {.eps = eps}); });
    expect(Status::kInvalidArgument, "eps", [&] { return ops::rms_norm(x, y, {.eps = eps}); });
  }
  ops::LayerNormOptions o;
  o.gamma = Tensor(f(2), DType::kF32, {6, 10});  // nd = 1 wants [10]
  expect(Status::kInvalidShape, "gamma shape", [&] { return ops::layer_norm(s, x, y, o); });
  o.gamma = Tensor(f(2), DType::kI32, {10});
  expect(Status::kInvalidDtype, "gamma dtype", [&] { return ops::layer_norm(s, x, y, o); });
  o.gamma = Tensor(f(2), DType::kF64, {10});  // f64: reductions only
  expect(Status::kInvalidDtype, "gamma dtype", [&] { return ops::layer_norm(s, x, y, o); });
  o.gamma.reset();
  {
    const Tensor x64(f(0), DType::kF64, {4, 6, 10}), y64(f(1), DType::kF64, {4, 6, 10});
    expect(Status::kInvalidDtype, "x dtype", [&] { return ops::layer_norm(s, x64, y64, {}); });
  }
  o.gamma.reset();
  o.beta = Tensor(f(2), DType::kF16, {9});
  expect(Status::kInvalidShape, "beta shape", [&] { return ops::layer_norm(s, x, y, o); });
  o.beta.reset();
  o.mean = Tensor(f(2), DType::kF32, {4, 6, 2});
  expect(Status::kInvalidShape, "mean shape", [&] { return ops::layer_norm(s, x, y, o); });
  o.mean = Tensor(f(2), DType::kI64, {4, 6});
  expect(Status::kInvalidDtype, "mean dtype", [&] { return ops::layer_norm(s, x, y, o); });
  o.mean = Tensor(f(0) + 5, DType::kF32, {4, 6});
  expect(Status::kInvalidArgument, "mean overlaps x", [&] { return ops::layer_norm(s, x, y, o); });
  o.mean = Tensor(f(2), DType::kF32, {4, 6});
  o.rstd = Tensor(f(2) + 23, DType::kF32, {4, 6, 1});
  expect(Status::kInvalidArgument, "rstd overlaps mean", [&] { return ops::layer_norm(s, x, y, o); });
  o.rstd.reset();
  o.gamma = Tensor(f(1) + 7, DType::kF32, {10});
  expect(Status::kInvalidArgument, "gamma overlaps y", [&] { return ops::layer_norm(s, x, y, o); });
  ops::RmsNormOptions r;
  r.rstd = Tensor(f(2), DType::kF32, {4});
  expect(Status::kInvalidShape, "rstd shape", [&] { return ops::rms_norm(s, x, y, r); });
}

TEST_F(NormErrors, BatchNormOptions) {
  Stream& s = h_.stream();
  const Tensor x(f(0), DType::kF32, {4, 3, 5});
  const Tensor y(f(1), DType::kF32, {4, 3, 5});
  const Tensor c3(f(2), DType::kF32, {3});
  const Tensor c3b(f(3), DType::kF32, {3});
  expect(Status::kInvalidShape, "rank >= 2", [&] {
    return ops::batch_norm(s, Tensor(f(0), DType::kF32, {12}), Tensor(f(1), DType::kF32, {12}), {.training = true});
  });
  expect(Status::kInvalidArgument, "running_mean and running_var", [&] { return ops::batch_norm(s, x, y); });
  expect(Status::kInvalidArgument, "running_mean and running_var",
         [&] { return ops::batch_norm(s, x, y, {.running_mean = c3}); });
  expect(Status::kInvalidArgument, "training outputs", [&] {
    return ops::batch_norm(s, x, y, {.running_mean = c3, .running_var = c3b, .save_mean = Tensor(f(4), DType::kF32, {3})});
  });
  for (double m : {-0.1, 1.5, std::nan("")})
    expect(Status::kInvalidArgument, "momentum", [&] { return ops::batch_norm(s, x, y, {.training = true, .momentum = m}); });
  expect(Status::kInvalidArgument, "eps", [&] { return ops::batch_norm(s, x, y, {.training = true, .eps = -1}); });
  expect(Status::kInvalidShape, "at least 2 elements", [&] {
    return ops::batch_norm(s, Tensor(f(0), DType::kF32, {1, 3}), Tensor(f(1), DType::kF32, {1, 3}), {.training = true});
  });
  expect(Status::kInvalidShape, "gamma shape",
         [&] { return ops::batch_norm(s, x, y, {.training = true, .gamma = Tensor(f(2), DType::kF32, {4})}); });
  expect(Status::kInvalidShape, "running_var shape", [&] {
    return ops::batch_norm(s, x, y, {.running_mean = c3, .running_var = Tensor(f(3), DType::kF32, {3, 1})});
  });
  expect(Status::kInvalidDtype, "save_invstd dtype",
         [&] { return ops::batch_norm(s, x, y, {.training = true, .save_invstd = Tensor(f(2), DType::kI32, {3})}); });
  expect(Status::kInvalidArgument, "running_var overlaps running_mean", [&] {
    return ops::batch_norm(s, x, y, {.training = true, .running_mean = c3, .running_var = Tensor(f(2) + 2, DType::kF32, {3})});
  });
  expect(Status::kInvalidArgument, "save_mean overlaps running_mean", [&] {
    return ops::batch_norm(s, x, y, {.training = true, .running_mean = c3, .save_mean = c3});
  });
}

TEST_F(NormErrors, GroupNormOptions) {
  Stream& s = h_.stream();
  const Tensor x(f(0), DType::kF32, {2, 6, 5});
  const Tensor y(f(1), DType::kF32, {2, 6, 5});
  for (int g : {0, -2, 4, 7})
    expect(Status::kInvalidShape, "divide the 6 channels", [&] { return ops::group_norm(s, x, y, {.groups = g}); });
  expect(Status::kInvalidShape, "rank >= 2", [&] {
    return ops::group_norm(s, Tensor(f(0), DType::kF32, {6}), Tensor(f(1), DType::kF32, {6}));
  });
  expect(Status::kInvalidShape, "mean shape",
         [&] { return ops::group_norm(s, x, y, {.groups = 3, .mean = Tensor(f(2), DType::kF32, {2, 6})}); });
  expect(Status::kInvalidShape, "beta shape",
         [&] { return ops::group_norm(s, x, y, {.groups = 3, .beta = Tensor(f(2), DType::kF32, {3})}); });
  expect(Status::kInvalidArgument, "eps", [&] { return ops::group_norm(x, y, {.groups = 3, .eps = std::nan("")}); });
  expect(Status::kInvalidArgument, "rstd overlaps x",
         [&] { return ops::group_norm(s, x, y, {.groups = 3, .rstd = Tensor(f(0), DType::kF32, {2, 3})}); });
}

TEST(NormEmpty, EmptyInputsSucceedAndWriteNothing) {
  Harness h(2);
  void* stats = h.alloc(64, 0x77);
  const Tensor x(static_cast<void*>(nullptr), DType::kF32, {0, 16});
  const Tensor y(static_cast<void*>(nullptr), DType::kF32, {0, 16});
  ops::LayerNormOptions lo;
  lo.mean = Tensor(stats, DType::kF32, {0});
  EXPECT_OK(ops::layer_norm(h.stream(), x, y, lo));
  EXPECT_OK(ops::rms_norm(x, y));
  const Tensor z(static_cast<void*>(nullptr), DType::kBF16, {4, 0});
  EXPECT_OK(ops::layer_norm(z, z));  // rows of no elements
  const Tensor e(static_cast<void*>(nullptr), DType::kF32, {0, 3, 4});
  const Tensor c3(stats, DType::kF32, {3});
  EXPECT_OK(ops::batch_norm(h.stream(), e, e, {.running_mean = c3, .running_var = c3}));
  EXPECT_OK(ops::group_norm(h.stream(), e, e, {.groups = 3}));
  // Training on an empty batch has no variance to take.
  EXPECT_EQ(ops::batch_norm(h.stream(), e, e, {.training = true}), Status::kInvalidShape);
  ASSERT_OK(h.stream().synchronize());
  for (unsigned char v : h.download(stats, 64)) ASSERT_EQ(v, 0x77);
}

}  // namespace
}  // namespace vnpu
