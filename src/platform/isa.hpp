// Which SIMD target the operators dispatch to (Highway's runtime dispatch), and the
// VNPU_ISA override.
#pragma once

namespace vnpu::detail {

/// Applies VNPU_ISA once per process; every operator entry point calls this first.
void apply_isa_env() noexcept;

}  // namespace vnpu::detail
