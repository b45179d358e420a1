// vnpu_ascendc/debug.h — printf, DumpTensor, assertions and Trap inside kernels.
//
// printf follows C's printf (half and bfloat16_t print as floats with %f); DumpTensor
// prints a header and the values. A failed assertion or a Trap fails the kernel (reported
// at the next synchronize, or by ICPU_RUN_KF) instead of stopping the process.
#pragma once

#include <cstdint>
#include <cstdio>
#include <type_traits>
#include <utility>

#include "vnpu_ascendc/tensor.h"

namespace vnpu::ascendc {

// printf arguments: 16-bit floats become doubles, as float arguments do in C.
template <typename A>
decltype(auto) printf_arg(A&& a) {
  if constexpr (std::is_same_v<std::decay_t<A>, half> || std::is_same_v<std::decay_t<A>, bfloat16_t>) {
    return static_cast<double>(static_cast<float>(a));
  } else {
    return std::forward<A>(a);
  }
}

/// Writes one formatted record of the running block to stdout (whole, never interleaved).
VNPU_ASCENDC_API void print_record(const char* text);
VNPU_ASCENDC_API void dump_values(const void* data, std::uint32_t count, int kind, std::uint32_t elem_size,
                                  std::uint32_t desc, const char* position);
[[noreturn]] VNPU_ASCENDC_API void assertion_failed(const char* file, int line, const char* expr, const char* message);

template <typename... Args>
void format_record(const char* fmt, Args&&... args) {
  char text[4096];
  if constexpr (sizeof...(Args) == 0) {
    std::snprintf(text, sizeof text, "%s", fmt);
  } else {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
    std::snprintf(text, sizeof text, fmt, printf_arg(std::forward<Args>(args))...);
#pragma GCC diagnostic pop
  }
  print_record(text);
}

template <typename T>
constexpr int dump_kind() {
  if constexpr (std::is_same_v<T, half>) return 1;
  if constexpr (std::is_same_v<T, bfloat16_t>) return 2;
  if constexpr (std::is_floating_point_v<T>) return 3;
  if constexpr (std::is_signed_v<T>) return 4;
  return 5;
}

}  // namespace vnpu::ascendc

namespace AscendC {

template <class... Args>
void printf(__gm__ const char* fmt, Args&&... args) {
  vnpu::ascendc::format_record(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void PRINTF(__gm__ const char* fmt, Args&&... args) {
  vnpu::ascendc::format_record(fmt, std::forward<Args>(args)...);
}

/// Prints "DumpTensor: desc=<desc>, ..." and the first `dumpSize` elements.
template <typename T>
void DumpTensor(const LocalTensor<T>& tensor, std::uint32_t desc, std::uint32_t dumpSize) {
  tensor.check(0, dumpSize, "DumpTensor");
  vnpu::ascendc::dump_values(tensor.GetPhyAddr(), dumpSize, vnpu::ascendc::dump_kind<T>(), sizeof(T), desc, "UB");
}
template <typename T>
void DumpTensor(const GlobalTensor<T>& tensor, std::uint32_t desc, std::uint32_t dumpSize) {
  tensor.check(0, dumpSize, "DumpTensor");
  if (vnpu::ascendc::checking())
    vnpu::ascendc::note_gm(tensor.GetPhyAddr(), std::uint64_t{dumpSize} * sizeof(T), vnpu::ascendc::kGmRead);
  vnpu::ascendc::dump_values(tensor.GetPhyAddr(), dumpSize, vnpu::ascendc::dump_kind<T>(), sizeof(T), desc, "GM");
}
template <typename T>
void DumpTensor(const LocalTensor<T>& tensor, std::uint32_t desc, std::uint32_t dumpSize, const ShapeInfo&) {
  DumpTensor(tensor, desc, dumpSize);
}
template <typename T>
void DumpTensor(const GlobalTensor<T>& tensor, std::uint32_t desc, std::uint32_t dumpSize, const ShapeInfo&) {
  DumpTensor(tensor, desc, dumpSize);
}
template <typename T>
void DumpAccChkPoint(const LocalTensor<T>& tensor, std::uint32_t index, std::uint32_t countOff,
                     std::uint32_t dumpSize) {
  DumpTensor(tensor[countOff], index, dumpSize);
}
template <typename T>
void DumpAccChkPoint(const GlobalTensor<T>& tensor, std::uint32_t index, std::uint32_t countOff,
                     std::uint32_t dumpSize) {
  DumpTensor(tensor[countOff], index, dumpSize);
}

/// Stops the kernel: it fails, with the block named.
[[noreturn]] inline void Trap() { vnpu::ascendc::fail("Trap() called"); }

}  // namespace AscendC

namespace vnpu::ascendc {
// A failed assertion: `expr` the condition's text; then the condition (again) and an
// optional printf-style message.
template <typename Cond, typename... Args>
[[noreturn]] void assert_failed_fmt(const char* file, int line, const char* expr, Cond&&, const char* fmt,
                                    Args&&... args) {
  char text[1024];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
  std::snprintf(text, sizeof text, fmt, printf_arg(std::forward<Args>(args))...);
#pragma GCC diagnostic pop
  assertion_failed(file, line, expr, text);
}
template <typename Cond>
[[noreturn]] void assert_failed_fmt(const char* file, int line, const char* expr, Cond&&) {
  assertion_failed(file, line, expr, "");
}
}  // namespace vnpu::ascendc

#define VNPU_ASCENDC_FIRST(first, ...) first
#define VNPU_ASCENDC_FIRST_TEXT(first, ...) #first
/// ascendc_assert(expr) / ascendc_assert(expr, fmt, args...): on failure prints
/// "[ASSERT] file:line: Assertion `expr' message" and fails the kernel (C++17: no
/// __VA_OPT__; the message's arguments are evaluated only on failure).
#define ascendc_assert(...)                                                                         \
  (VNPU_ASCENDC_FIRST(__VA_ARGS__, 0)                                                               \
       ? (void)0                                                                                    \
       : ::vnpu::ascendc::assert_failed_fmt(__FILE__, __LINE__, VNPU_ASCENDC_FIRST_TEXT(__VA_ARGS__, 0), \
                                            __VA_ARGS__))
/// The older spelling.
#define ASSERT(...) ascendc_assert(__VA_ARGS__)
// Kernels use assert as Ascend C defines it (with an optional message); a program that
// includes <cassert> after this header gets the standard one back.
#ifndef assert
#define assert(...) ascendc_assert(__VA_ARGS__)
#endif
