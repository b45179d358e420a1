// Reductions against the float64 reference: every op × dtype (f32, f16, bf16; i32 where
// reduce.hpp allows it) × ISA of this machine, each over the shape/axes table of
// reduce_cases.hpp with and without keep_dims (var/std with corrections 0, 1 and 2), and
// f16/bf16 results written both in the input dtype and in f32. The accuracy rule and the
// error floors are described in reduce_support.hpp.
#include <algorithm>
#include <string>
#include <vector>

#include "ops/reduce_cases.hpp"
#include "ops/reduce_support.hpp"

namespace vnpu {
namespace {

using namespace vnpu::test;

struct MatrixParam {
  ReduceOp op;
  DType dtype;
  std::string isa;
};

void PrintTo(const MatrixParam& p, std::ostream* os) {
  *os << op_label(p.op) << " " << dtype_name(p.dtype) << " " << p.isa;
}

std::vector<MatrixParam> matrix_params() {
  std::vector<MatrixParam> v;
  for (const std::string& isa : available_isas())
    for (DType dt : {DType::kF32, DType::kF16, DType::kBF16, DType::kI32, DType::kF64})
      for (ReduceOp op : kAllReduceOps)
        if (op_supports(op, dt)) v.push_back({op, dt, isa});
  return v;
}

std::string param_name(const ::testing::TestParamInfo<MatrixParam>& info) {
  return std::string(op_label(info.param.op)) + "_" + dtype_name(info.param.dtype) + "_" + info.param.isa;
}

/// argmax/argmin reduce one axis or all of them (reduce.hpp); several-but-not-all axes
/// and an explicitly empty list are not specified for them and are not run.
bool arg_axes_specified(const ReduceCase& rc) {
  if (!rc.axes) return true;
  const auto rank = static_cast<int>(rc.shape.size());
  if (rc.axes->size() == 1) return true;
  if (rc.axes->empty()) return false;
  const std::vector<bool> m = reduce_mask(rank, rc.axes);
  return std::all_of(m.begin(), m.end(), [](bool b) { return b; });
}

/// Runs every case of `cases` for `p` on `h`; returns the number of cases run and adds a
/// failure for each of the first 12 that fail.
int run_cases(const MatrixParam& p, const std::vector<ReduceCase>& cases, Harness& h, int& failures) {
  const bool best_isa = p.isa == available_isas().front();
  const bool sanitizer = kAddressSanitizer || kThreadSanitizer;
  int runs = 0;
  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    const ReduceCase& rc = cases[ci];
    if (rc.large && (!best_isa || (sanitizer && product(rc.shape) > (std::int64_t{2} << 20)))) continue;
    if (is_arg_op(p.op) && !arg_axes_specified(rc)) continue;
    const std::vector<bool> mask = reduce_mask(static_cast<int>(rc.shape.size()), rc.axes);
    std::int64_t reduce_len = 1;
    for (std::size_t d = 0; d < rc.shape.size(); ++d)
      if (mask[d]) reduce_len *= rc.shape[d];
    const bool empty_reduction = reduce_len == 0;
    // The minimum and maximum of no i32 values are not specified (no infinities).
    if (empty_reduction && p.dtype == DType::kI32 && (p.op == ReduceOp::kMax || p.op == ReduceOp::kMin)) continue;

    std::vector<bool> keeps = {false, true};
    if (rc.large) keeps = {false};
    std::vector<double> corrections = {1.0};
    if ((p.op == ReduceOp::kVar || p.op == ReduceOp::kStd) && !rc.large) corrections = {0.0, 1.0, 2.0};

    for (bool keep : keeps) {
      for (double corr : corrections) {
        CaseSpec c;
        c.op = p.op;
        c.dtype = p.dtype;
        c.shape = rc.shape;
        c.axes = rc.axes;
        c.keep_dims = keep;
        c.correction = corr;
        c.seed = ci * 7 + (keep ? 1 : 0);
        // f16, bf16 and f64 results alternate between the input dtype and f32.
        if (p.dtype == DType::kF16 || p.dtype == DType::kBF16 || p.dtype == DType::kF64) {
          if (!is_arg_op(p.op) && p.op != ReduceOp::kAll && p.op != ReduceOp::kAny)
            c.out_dtype = (ci + (keep ? 1 : 0)) % 2 == 0 ? p.dtype : DType::kF32;
        }
        ++runs;
        std::string err;
        if (empty_reduction && is_arg_op(p.op)) {
          // argmax/argmin of an empty axis: kInvalidShape, from the shape query and the op.
          std::vector<unsigned char> dummy(64);
          const Tensor in(h.alloc(64), p.dtype, rc.shape);
          const std::vector<std::int64_t> oshape = expected_out_shape(rc.shape, mask, keep);
          const Tensor out(dummy.data(), DType::kI64, oshape);
          ops::ReduceOptions o;
          o.axes = to_axes(rc.axes);
          o.keep_dims = keep;
          const Status s1 = ops::reduce_output_shape(p.op, in, o).status();
          const Status s2 = ops::reduce(h.stream(), p.op, in, out, o);
          if (s1 != Status::kInvalidShape || s2 != Status::kInvalidShape)
            err = describe(c) + ": empty axis gave " + status_name(s1) + " / " + status_name(s2) +
                  ", expected kInvalidShape";
        } else {
          err = run_case(h, c);
        }
        if (!err.empty() && ++failures <= 12) ADD_FAILURE() << err;
      }
    }
  }
  return runs;
}

class ReduceAccuracy : public ::testing::TestWithParam<MatrixParam> {};

TEST_P(ReduceAccuracy, MatchesFloat64Reference) {
  const MatrixParam& p = GetParam();
  ScopedIsa isa(p.isa);
  ASSERT_TRUE(isa.ok()) << "set_isa(" << p.isa << "): " << last_error_message();
  ASSERT_EQ(active_isa(), p.isa);
  Harness h(2);
  int failures = 0;
  const int runs = run_cases(p, accuracy_cases(), h, failures);
  EXPECT_EQ(failures, 0) << failures << " of " << runs << " cases failed (the first 12 are listed)";
  EXPECT_GT(runs, 100);
}

// Zero-sized dims in a suite of their own, so that a crash there cannot hide the results
// above; one test per op and dtype, every ISA inside.
class ReduceEmpty : public ::testing::TestWithParam<MatrixParam> {};

TEST_P(ReduceEmpty, GivesIdentitiesAndEmptyOutputs) {
  MatrixParam p = GetParam();
  Harness h(2);
  int failures = 0;
  for (const std::string& isa_name : available_isas()) {
    ScopedIsa isa(isa_name);
    ASSERT_TRUE(isa.ok()) << "set_isa(" << isa_name << "): " << last_error_message();
    p.isa = isa_name;
    run_cases(p, empty_cases(), h, failures);
  }
  EXPECT_EQ(failures, 0) << failures << " cases failed (the first 12 are listed)";
}

std::vector<MatrixParam> op_dtype_params() {
  std::vector<MatrixParam> v;
  for (const MatrixParam& p : matrix_params())
    if (p.isa == available_isas().front()) v.push_back(p);
  return v;
}

std::string op_dtype_name(const ::testing::TestParamInfo<MatrixParam>& info) {
  return std::string(op_label(info.param.op)) + "_" + dtype_name(info.param.dtype);
}

INSTANTIATE_TEST_SUITE_P(Ops, ReduceEmpty, ::testing::ValuesIn(op_dtype_params()), op_dtype_name);

INSTANTIATE_TEST_SUITE_P(Ops, ReduceAccuracy, ::testing::ValuesIn(matrix_params()), param_name);

}  // namespace
}  // namespace vnpu
