// tikicpulib.h — launching Ascend C kernels from host code in CPU-debug mode, as sample
// programs do: memory from GmAlloc, ICPU_RUN_KF to run a kernel over blockDim blocks.
//
// ICPU_RUN_KF(kernel, blockDim, args...) runs kernel(args...) once per block on the default
// device's compute cores (threads of this process; the blocks beyond the cores run as
// fibers, so every block is resident and SyncAll works up to the SoC profile's core count)
// and returns when all blocks are done. A kernel that fails (a broken limit, a failed
// assertion, an exception) makes it print what failed — kernel, block, reason — on stderr
// and exit the program with status 1, as the vendor's CPU mode stops at an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernel_operator.h"
#include "vnpu/status.hpp"

namespace AscendC {
/// Global memory for kernel arguments: `size` bytes of vnpu device memory (zeroed).
VNPU_ASCENDC_API void* GmAlloc(std::size_t size);
/// Frees GmAlloc memory.
VNPU_ASCENDC_API void GmFree(void* ptr);
}  // namespace AscendC

namespace vnpu::ascendc {
/// Runs `call` (a packed kernel, vnpu_ascendc/kernel_call.h) over `block_dim` blocks of
/// kernel `name` and waits; kSuccess, or the failure (its message in
/// vnpu::last_error_message()).
VNPU_ASCENDC_API vnpu::Status run_kernel(const char* name, std::uint32_t block_dim, const KernelCall& call);
/// As above with any callable as every block's body (tests and benchmarks).
VNPU_ASCENDC_API vnpu::Status run_kernel(const char* name, std::uint32_t block_dim, const std::function<void()>& body);
/// The message of the calling thread's last failure (a failed run_kernel's reason).
VNPU_ASCENDC_API const char* last_error_message();
/// ICPU_RUN_KF: run_kernel, and on failure print and exit(1).
VNPU_ASCENDC_API void cpu_run_kernel(const char* name, std::uint32_t block_dim, const KernelCall& call);
/// The SIMD instruction sets the vector instructions' kernels can use on this CPU, best
/// first, "scalar" (portable C++) last; and restricting them to one ("native" lifts the
/// restriction), as vnpu::set_isa and VNPU_ISA do — for tests and benchmarks. Every set
/// gives the same bits.
VNPU_ASCENDC_API std::vector<std::string> simd_isas();
VNPU_ASCENDC_API vnpu::Status set_simd_isa(const char* isa);
/// The tiling key of the next launches (ICPU_SET_TILING_KEY).
VNPU_ASCENDC_API void set_tiling_key(std::int32_t key);
}  // namespace vnpu::ascendc

namespace vnpu::ascendc {
/// ICPU_RUN_KF's body: the arguments converted to the kernel's parameter types once, at the
/// launch (PackedKernel, vnpu_ascendc/kernel_call.h); every block calls the kernel with
/// copies of them.
template <typename R, typename... P, typename... A>
void cpu_run_kf(const char* name, R (*kernel)(P...), std::uint32_t block_dim, A&&... args) {
  static_assert(sizeof...(P) == sizeof...(A), "ICPU_RUN_KF: the kernel takes a different number of arguments");
  if ((null_struct_address<std::decay_t<P>>(args) || ...)) {
    std::fprintf(stderr, "[ERROR] vnpu: ICPU_RUN_KF(%s): a by-value struct argument is given as a null address\n", name);
    std::exit(1);
  }
  const PackedKernel<R, P...> packed(kernel, std::forward<A>(args)...);
  cpu_run_kernel(name, block_dim, packed.call());
}
}  // namespace vnpu::ascendc

#define VNPU_ASCENDC_KERNEL_NAME(func, ...) #func
/// ICPU_RUN_KF(kernel, blockDim, args...): runs kernel(args...) over blockDim blocks and
/// returns when all are done; on a failure prints it and exits with status 1.
#define ICPU_RUN_KF(...) ::vnpu::ascendc::cpu_run_kf(VNPU_ASCENDC_KERNEL_NAME(__VA_ARGS__, 0), __VA_ARGS__)
#define ICPU_SET_TILING_KEY(tilingKey) ::vnpu::ascendc::set_tiling_key(static_cast<std::int32_t>(tilingKey))
