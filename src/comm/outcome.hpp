// The element types, reduction operators and results of vnpu's collectives, shared by
// vnpu::Communicator and libhccl. Values equal HCCL's (hccl/hccl_types.h), so the C API
// converts by value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vnpu::comm {

enum class Type : std::uint8_t {
  kI8 = 0, kI16 = 1, kI32 = 2, kF16 = 3, kF32 = 4, kI64 = 5, kU64 = 6, kU8 = 7, kU16 = 8, kU32 = 9, kF64 = 10,
  kBF16 = 11,
};
constexpr int kTypeCount = 12;

enum class Op : std::uint8_t { kSum = 0, kProd = 1, kMax = 2, kMin = 3 };
constexpr int kOpCount = 4;

constexpr bool valid(Type t) noexcept { return static_cast<int>(t) < kTypeCount; }
constexpr bool valid(Op o) noexcept { return static_cast<int>(o) < kOpCount; }

std::size_t type_size(Type t) noexcept;
/// "int8", "int16", ..., "bfp16".
const char* type_name(Type t) noexcept;
/// "sum", "prod", "max", "min".
const char* op_name(Op o) noexcept;

/// A failure's kind: the values of HcclResult.
enum class Code : int {
  kOk = 0,
  kInvalid = 1,      // HCCL_E_PARA: a bad argument, or ranks that disagree
  kNullPointer = 2,  // HCCL_E_PTR
  kNoMemory = 3,     // HCCL_E_MEMORY
  kInternal = 4,     // HCCL_E_INTERNAL
  kNotSupported = 5, // HCCL_E_NOT_SUPPORT
  kUnavailable = 7,  // HCCL_E_UNAVAIL: the transport cannot start
  kTimeout = 9,      // HCCL_E_TIMEOUT
  kRuntime = 15,     // HCCL_E_RUNTIME: the stream refused the task
  kNetwork = 19,     // HCCL_E_NETWORK: the transport failed moving data
};

/// kOk, or a failure with its message.
struct Outcome {
  Code code = Code::kOk;
  std::string message;
  explicit operator bool() const noexcept { return code == Code::kOk; }
};

/// A failure; `fmt` is printf-style.
[[gnu::format(printf, 2, 3)]] Outcome failure(Code code, const char* fmt, ...);

}  // namespace vnpu::comm
