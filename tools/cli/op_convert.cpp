// tools/cli/op_convert.cpp — element conversions of `vnpu op` (see op_convert.hpp).
#include "op_convert.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include <fmt/core.h>

#include "vnpu/status.hpp"

namespace vnpu::cli {

namespace {

template <class T>
T load(const std::byte* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

template <class T>
void store(std::byte* p, T v) noexcept {
  std::memcpy(p, &v, sizeof v);
}

// int64 -> double rounded to odd: exact below 2^53, else the top 53 bits with the last one
// set when any bit below them is.
double round_to_odd_f64(std::int64_t v) noexcept {
  const std::uint64_t mag = v < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  double d = 0;
  if (mag < (std::uint64_t{1} << 53)) {
    d = static_cast<double>(mag);
  } else {
    const int cut = static_cast<int>(std::bit_width(mag)) - 53;
    const std::uint64_t kept = (mag >> cut) | ((mag & ((std::uint64_t{1} << cut) - 1)) != 0 ? 1u : 0u);
    d = std::ldexp(static_cast<double>(kept), cut);
  }
  return v < 0 ? -d : d;
}

// "(1, 2)": the position of flat element `i` in `shape`, for messages.
std::string position(std::size_t i, std::span<const std::int64_t> shape) {
  std::vector<std::int64_t> index(shape.size());
  auto rest = static_cast<std::int64_t>(i);
  for (std::size_t k = shape.size(); k-- > 0;) {
    index[k] = shape[k] > 0 ? rest % shape[k] : 0;
    rest = shape[k] > 0 ? rest / shape[k] : 0;
  }
  return npy::format_shape(index);
}

[[noreturn]] void not_i32(const npy::Array& a, std::size_t i, const std::string& value, const char* why) {
  const std::string message = fmt::format(
      "--dtype i32: input element {} is {}, {}; reduce it in floating point instead (--dtype f32)",
      position(i, a.shape), value, why);
  throw Error(Status::kInvalidDtype, std::string(status_name(Status::kInvalidDtype)) + ": " + message);
}

// Calls f(i, value) for every element of a float array, with the value exact as a double.
template <class F>
void for_each_float(const npy::Array& a, F&& f) {
  const std::byte* p = a.data.data();
  const std::size_t n = a.data.size() / npy::dtype_size(a.dtype);
  switch (a.dtype) {
    case npy::NpyDtype::kF16:
      for (std::size_t i = 0; i < n; ++i) f(i, static_cast<double>(f16_to_f32(load<std::uint16_t>(p + 2 * i))));
      break;
    case npy::NpyDtype::kF32:
      for (std::size_t i = 0; i < n; ++i) f(i, static_cast<double>(load<float>(p + 4 * i)));
      break;
    case npy::NpyDtype::kF64:
      for (std::size_t i = 0; i < n; ++i) f(i, load<double>(p + 8 * i));
      break;
    default: break;
  }
}

// Calls f(i, value) for every element of an integer or bool array.
template <class F>
void for_each_int(const npy::Array& a, F&& f) {
  const std::byte* p = a.data.data();
  const std::size_t n = a.data.size() / npy::dtype_size(a.dtype);
  switch (a.dtype) {
    case npy::NpyDtype::kI32:
      for (std::size_t i = 0; i < n; ++i) f(i, static_cast<std::int64_t>(load<std::int32_t>(p + 4 * i)));
      break;
    case npy::NpyDtype::kI64:
      for (std::size_t i = 0; i < n; ++i) f(i, load<std::int64_t>(p + 8 * i));
      break;
    case npy::NpyDtype::kU8:
      for (std::size_t i = 0; i < n; ++i) f(i, static_cast<std::int64_t>(load<std::uint8_t>(p + i)));
      break;
    case npy::NpyDtype::kBool:  // NumPy bools are 0 or 1; any other byte counts as true
      for (std::size_t i = 0; i < n; ++i) f(i, std::int64_t{load<std::uint8_t>(p + i) != 0});
      break;
    default: break;
  }
}

}  // namespace

float round_to_odd_f32(double v) noexcept {
  if (!std::isfinite(v)) return static_cast<float>(v);
  float t = static_cast<float>(v);  // to nearest; may overflow to inf
  if (static_cast<double>(t) == v) return t;
  if (std::fabs(static_cast<double>(t)) > std::fabs(v)) t = std::nextafter(t, 0.0f);  // now truncated
  return std::bit_cast<float>(std::bit_cast<std::uint32_t>(t) | 1u);
}

bool is_integer_npy(npy::NpyDtype t) noexcept {
  return t == npy::NpyDtype::kI32 || t == npy::NpyDtype::kI64 || t == npy::NpyDtype::kU8 ||
         t == npy::NpyDtype::kBool;
}

DType default_compute_dtype(npy::NpyDtype t) noexcept { return is_integer_npy(t) ? DType::kI32 : DType::kF32; }

std::vector<std::byte> to_compute(const npy::Array& a, DType dtype) {
  const std::size_t n = a.data.size() / npy::dtype_size(a.dtype);
  std::vector<std::byte> out(n * dtype_size(dtype));
  std::byte* o = out.data();
  if (is_integer_npy(a.dtype)) {
    for_each_int(a, [&](std::size_t i, std::int64_t v) {
      switch (dtype) {
        case DType::kF32: store(o + 4 * i, static_cast<float>(v)); break;  // one rounding
        case DType::kF64: store(o + 8 * i, static_cast<double>(v)); break;  // one rounding
        case DType::kF16: store(o + 2 * i, f32_to_f16(round_to_odd_f32(round_to_odd_f64(v)))); break;
        case DType::kBF16: store(o + 2 * i, f32_to_bf16(round_to_odd_f32(round_to_odd_f64(v)))); break;
        case DType::kI32:
          if (v < INT32_MIN || v > INT32_MAX) not_i32(a, i, std::to_string(v), "outside the i32 range");
          store(o + 4 * i, static_cast<std::int32_t>(v));
          break;
        default: break;
      }
    });
  } else {
    for_each_float(a, [&](std::size_t i, double v) {
      switch (dtype) {
        case DType::kF32: store(o + 4 * i, static_cast<float>(v)); break;  // one rounding
        case DType::kF64: store(o + 8 * i, v); break;                       // exact
        case DType::kF16: store(o + 2 * i, f32_to_f16(round_to_odd_f32(v))); break;
        case DType::kBF16: store(o + 2 * i, f32_to_bf16(round_to_odd_f32(v))); break;
        case DType::kI32:
          if (!(v >= -2147483648.0 && v <= 2147483647.0)) {
            not_i32(a, i, fmt::format("{}", v), std::isnan(v) ? "not a number" : "outside the i32 range");
          }
          if (v != std::trunc(v)) not_i32(a, i, fmt::format("{}", v), "not an integer");
          store(o + 4 * i, static_cast<std::int32_t>(v));
          break;
        default: break;
      }
    });
  }
  return out;
}

FileData to_file(std::span<const std::byte> result, std::size_t count, DType out, DType compute) {
  FileData f;
  const std::byte* p = result.data();
  auto copy = [&](npy::NpyDtype t) {
    f.dtype = t;
    f.bytes.assign(p, p + count * npy::dtype_size(t));
  };
  auto widen_bf16 = [&](auto bits_at) {  // bf16 values written as exact f32
    f.dtype = npy::NpyDtype::kF32;
    f.bytes.resize(count * 4);
    for (std::size_t i = 0; i < count; ++i) store(f.bytes.data() + 4 * i, bf16_to_f32(bits_at(i)));
  };
  switch (out) {
    case DType::kF32:
      if (compute == DType::kF16) {
        f.dtype = npy::NpyDtype::kF16;
        f.bytes.resize(count * 2);
        for (std::size_t i = 0; i < count; ++i) store(f.bytes.data() + 2 * i, f32_to_f16(load<float>(p + 4 * i)));
      } else if (compute == DType::kBF16) {
        widen_bf16([&](std::size_t i) { return f32_to_bf16(load<float>(p + 4 * i)); });
      } else {
        copy(npy::NpyDtype::kF32);
      }
      break;
    case DType::kF16: copy(npy::NpyDtype::kF16); break;
    case DType::kBF16: widen_bf16([&](std::size_t i) { return load<std::uint16_t>(p + 2 * i); }); break;
    case DType::kI32: copy(npy::NpyDtype::kI32); break;
    case DType::kI64: copy(npy::NpyDtype::kI64); break;
    case DType::kBool: copy(npy::NpyDtype::kBool); break;
    case DType::kF64: copy(npy::NpyDtype::kF64); break;
  }
  return f;
}

}  // namespace vnpu::cli
