#include "platform/isa.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include <hwy/highway.h>
#include <hwy/targets.h>

#include "common/error.hpp"
#include "vnpu/platform.hpp"

namespace vnpu {

namespace {

struct Isa {
  const char* name;
  std::int64_t bits;  // Highway targets that count as this ISA
};

constexpr Isa kIsas[] = {
    {"avx512", HWY_AVX3 | HWY_AVX3_DL},
    {"avx2", HWY_AVX2},
    {"sse4", HWY_SSE4},
    {"sve2", HWY_SVE2 | HWY_SVE2_128},
    {"sve", HWY_SVE | HWY_SVE_256},
    {"neon", HWY_NEON},
    {"scalar", HWY_SCALAR | HWY_EMU128},
};

// The targets this CPU runs and this build compiled, read before any override.
std::int64_t native_targets() {
  static const std::int64_t t = hwy::SupportedTargets() & (HWY_TARGETS | HWY_STATIC_TARGET | HWY_SCALAR);
  return t;
}

std::mutex& isa_mutex() {
  static std::mutex m;
  return m;
}

const Isa* find(std::string_view name) {
  for (const Isa& i : kIsas)
    if (name == i.name) return &i;
  return nullptr;
}

// The best target of `isa` this build has (lowest bit = best on every architecture).
std::int64_t best_bit(std::int64_t bits) { return bits & -bits; }

Status set_isa_locked(std::string_view name) {
  (void)native_targets();
  if (name == "native") {
    hwy::SetSupportedTargetsForTest(0);
    return Status::kSuccess;
  }
  const Isa* isa = find(name);
  const std::int64_t have = isa == nullptr ? 0 : (isa->bits & native_targets());
  if (have == 0) {
    std::string choices;
    for (const std::string& s : available_isas()) choices += (choices.empty() ? "" : ", ") + s;
    return detail::fail(Status::kInvalidArgument, "set_isa: '%.*s' is not available on this CPU (choose from: %s, native)",
                        static_cast<int>(name.size()), name.data(), choices.c_str());
  }
  // The scalar fallback is always compiled; keep it as the last resort under a forced ISA.
  hwy::SetSupportedTargetsForTest(best_bit(have) | HWY_SCALAR);
  return Status::kSuccess;
}

}  // namespace

std::vector<std::string> available_isas() {
  std::vector<std::string> out;
  const std::int64_t t = native_targets();
  for (const Isa& i : kIsas)
    if ((i.bits & t) != 0 || std::string_view(i.name) == "scalar") out.emplace_back(i.name);
  return out;
}

std::string active_isa() {
  detail::apply_isa_env();
  const std::int64_t t = hwy::SupportedTargets() & (HWY_TARGETS | HWY_SCALAR);
  const std::int64_t best = best_bit(t);
  for (const Isa& i : kIsas)
    if ((i.bits & best) != 0) return i.name;
  return "scalar";
}

Status set_isa(std::string_view isa) {
  detail::clear_error();
  detail::apply_isa_env();
  std::lock_guard lock(isa_mutex());
  return set_isa_locked(isa);
}

namespace detail {

void apply_isa_env() noexcept {
  static std::once_flag once;
  std::call_once(once, [] {
    const char* v = std::getenv("VNPU_ISA");
    if (v == nullptr || *v == '\0') return;
    std::lock_guard lock(isa_mutex());
    if (set_isa_locked(v) != Status::kSuccess)
      std::fprintf(stderr, "vnpu: ignoring VNPU_ISA: %s\n", last_error_message());
    clear_error();
  });
}

}  // namespace detail

}  // namespace vnpu
