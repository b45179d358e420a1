// tools/cli/op_convert.hpp — `vnpu op`'s element conversions between .npy arrays and
// the compute dtypes of the operators.
//
// Into the compute dtype (to_compute):
// - Every float conversion rounds once, to nearest with ties to even, from the exact
//   source value: f64 -> f32 is the hardware conversion; f64 -> f16/bf16 and integer ->
//   f16/bf16 first round to f32 *to odd* (truncate, then set the last bit if anything was
//   cut off), which keeps enough information for the final f32 -> f16/bf16 rounding
//   (vnpu::f32_to_f16, vnpu::f32_to_bf16) to equal a direct correct rounding: no double
//   rounding. Values beyond the target's range become ±inf; NaN stays NaN.
// - i32 takes integer inputs whose values fit, and float inputs whose values are all
//   integers within range; anything else is an error naming the first offending element
//   (never a silent truncation).
//
// Out of the operator (to_file): f32 -> <f4, f16 -> <f2, bf16 -> <f4 (widened exactly;
// NumPy has no bfloat16), f64 -> <f8, i32 -> <i4, i64 -> <i8, bool -> |b1. An f32 result of an f16 or
// bf16 computation is first rounded to that dtype, so the file always holds values of
// the compute dtype.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "npy.hpp"
#include "vnpu/dtype.hpp"

namespace vnpu::cli {

/// True for .npy element types the operators see as integers (i4, i8, u1, b1).
bool is_integer_npy(npy::NpyDtype t) noexcept;

/// The compute dtype for an input of `t` when --dtype is not given: f32 for float inputs,
/// i32 for integer ones.
DType default_compute_dtype(npy::NpyDtype t) noexcept;

/// The elements of `a` converted to `dtype` (f32, f16, bf16, f64 or i32), in C order.
/// Throws vnpu::Error(kInvalidDtype) when a value cannot be represented exactly in i32.
std::vector<std::byte> to_compute(const npy::Array& a, DType dtype);

/// An operator result ready for writing: its .npy dtype and bytes.
struct FileData {
  npy::NpyDtype dtype = npy::NpyDtype::kF32;
  std::vector<std::byte> bytes;
};

/// Converts `count` elements of `result` (of dtype `out`) for a computation in `compute`.
FileData to_file(std::span<const std::byte> result, std::size_t count, DType out, DType compute);

/// Rounds `v` to f32 with round-to-odd (exposed for tests).
float round_to_odd_f32(double v) noexcept;

}  // namespace vnpu::cli
