#include "comm/outcome.hpp"

#include <cstdarg>
#include <cstdio>

namespace vnpu::comm {

std::size_t type_size(Type t) noexcept {
  switch (t) {
    case Type::kI8: case Type::kU8: return 1;
    case Type::kI16: case Type::kU16: case Type::kF16: case Type::kBF16: return 2;
    case Type::kI32: case Type::kU32: case Type::kF32: return 4;
    case Type::kI64: case Type::kU64: case Type::kF64: return 8;
  }
  return 0;
}

const char* type_name(Type t) noexcept {
  static const char* const kNames[kTypeCount] = {"int8",  "int16",  "int32",  "fp16",   "fp32", "int64",
                                                 "uint64", "uint8", "uint16", "uint32", "fp64", "bfp16"};
  return valid(t) ? kNames[static_cast<int>(t)] : "?";
}

const char* op_name(Op o) noexcept {
  static const char* const kNames[kOpCount] = {"sum", "prod", "max", "min"};
  return valid(o) ? kNames[static_cast<int>(o)] : "?";
}

Outcome failure(Code code, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return Outcome{code, buf};
}

}  // namespace vnpu::comm
