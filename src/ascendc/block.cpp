// The Ascend C block: its state, identity, failures, warnings and debug output.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "ascendc/launch.hpp"
#include "kernel_operator.h"
#include "vnpu/kernel.hpp"
#include "vnpu/soc.hpp"
#include "vnpu/status.hpp"

std::int32_t g_coreType = AscendC::AIV;

namespace AscendC {

void SetKernelMode(KernelMode mode) {
  g_coreType = mode == KernelMode::AIC_MODE ? AIC : (mode == KernelMode::MIX_MODE ? MIX : AIV);
}

std::int64_t GetBlockIdx() { return vnpu::ascendc::block().block_idx; }
std::int64_t GetBlockNum() { return vnpu::ascendc::block().block_num; }
std::int64_t GetSubBlockIdx() { return 0; }
std::int64_t GetSubBlockNum() { return 1; }
std::int64_t GetTaskRatio() { return 1; }

}  // namespace AscendC

namespace vnpu::ascendc {

BlockState& block() {
  const vnpu::KernelContext* ctx = vnpu::current_kernel_context();
  auto* b = ctx != nullptr ? static_cast<LaunchBlock*>(ctx->layer_data()) : nullptr;
  if (b == nullptr || b->magic != LaunchBlock::kMagic)
    throw vnpu::Error(vnpu::Status::kInvalidArgument,
                      "an Ascend C kernel API was called outside an Ascend C kernel (launch it with ICPU_RUN_KF or on "
                      "a stream)");
  return b->state;
}

void fail(const char* fmt, ...) {
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  const vnpu::KernelContext* ctx = vnpu::current_kernel_context();
  char head[96] = "";
  if (ctx != nullptr) std::snprintf(head, sizeof head, "block %u of %u: ", ctx->block_idx(), ctx->block_dim());
  throw vnpu::Error(vnpu::Status::kTaskFailed, std::string(head) + text);
}

bool strict() {
  static const bool on = [] {
    const char* v = std::getenv("VNPU_ASCENDC_STRICT");
    return v != nullptr && *v != '\0' && *v != '0';
  }();
  return on;
}

void warn_once(const void* site, const char* fmt, ...) {
  static std::mutex mu;
  static std::set<std::pair<std::uint64_t, const void*>> seen;
  const std::uint64_t launch = current_launch_id();
  {
    std::lock_guard lock(mu);
    if (!seen.insert({launch, site}).second) return;
    if (seen.size() > 4096) seen.clear();
  }
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  const BlockState& b = block();
  std::fprintf(stderr, "[WARNING] vnpu: kernel '%s' block %u of %u: %s\n", b.kernel, b.block_idx, b.block_num, text);
}

void check_ub_range(const void* p, std::size_t bytes, const char* what) {
  const BlockState& b = block();
  const auto* c = static_cast<const unsigned char*>(p);
  if (c < b.ub || c > b.ub + b.ub_size || bytes > static_cast<std::size_t>(b.ub + b.ub_size - c))
    fail("%s: %zu bytes at %p are outside the block's %zu-byte unified buffer", what, bytes, p, b.ub_size);
}

std::int32_t tiling_key() { return block().tiling_key; }

void register_tiling_class(const char*, const char*, std::size_t) {}

void print_record(const char* text) {
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fputs(text, stdout);
  std::fflush(stdout);
}

void dump_values(const void* data, std::uint32_t count, int kind, std::uint32_t elem_size, std::uint32_t desc,
                 const char* position) {
  static const char* const kNames[] = {"?", "float16", "bfloat16", "float", "int", "uint"};
  const char* type = kind >= 1 && kind <= 5 ? kNames[kind] : "?";
  std::string out = "DumpTensor: desc=" + std::to_string(desc) + ", data_type=" + type + std::to_string(elem_size * 8) +
                    ", position=" + position + ", dump_size=" + std::to_string(count) + "\n[";
  const auto* p = static_cast<const unsigned char*>(data);
  char num[64];
  for (std::uint32_t i = 0; i < count; ++i) {
    const unsigned char* e = p + std::size_t{i} * elem_size;
    switch (kind) {
      case 1: std::snprintf(num, sizeof num, "%.6f", static_cast<double>(float(*reinterpret_cast<const half*>(e)))); break;
      case 2: std::snprintf(num, sizeof num, "%.6f", static_cast<double>(float(*reinterpret_cast<const bfloat16_t*>(e)))); break;
      case 3:
        std::snprintf(num, sizeof num, "%.6f",
                      elem_size == 8 ? *reinterpret_cast<const double*>(e) : static_cast<double>(*reinterpret_cast<const float*>(e)));
        break;
      case 4: {
        long long v = elem_size == 1 ? *reinterpret_cast<const std::int8_t*>(e)
                      : elem_size == 2 ? *reinterpret_cast<const std::int16_t*>(e)
                      : elem_size == 4 ? *reinterpret_cast<const std::int32_t*>(e)
                                       : *reinterpret_cast<const std::int64_t*>(e);
        std::snprintf(num, sizeof num, "%lld", v);
        break;
      }
      default: {
        unsigned long long v = elem_size == 1 ? *e
                               : elem_size == 2 ? *reinterpret_cast<const std::uint16_t*>(e)
                               : elem_size == 4 ? *reinterpret_cast<const std::uint32_t*>(e)
                                                : *reinterpret_cast<const std::uint64_t*>(e);
        std::snprintf(num, sizeof num, "%llu", v);
      }
    }
    if (i != 0) out += ", ";
    out += num;
  }
  out += "]\n";
  print_record(out.c_str());
}

void assertion_failed(const char* file, int line, const char* expr, const char* message) {
  char text[1536];
  std::snprintf(text, sizeof text, "[ASSERT] %s:%d: Assertion `%s' %s\n", file, line, expr, message);
  print_record(text);
  fail("assertion failed at %s:%d: %s %s", file, line, expr, message);
}

}  // namespace vnpu::ascendc
