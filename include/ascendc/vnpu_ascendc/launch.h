// vnpu_ascendc/launch.h — launching Ascend C kernels the NPU way: on an aclrtStream,
// asynchronously, as `ACLRT_LAUNCH_KERNEL(k)(blockDim, stream, args...)` and
// `k<<<blockDim, l2ctrl, stream>>>(args...)` do on the chip.
//
// The launchers that ascendc_library (ascendc.cmake) and vnpu-cc generate, and the
// rewritten `<<<>>>` launches, call the templates below. A launch queues the kernel on the
// stream and returns at once: its blocks run on the device's compute cores, in order with
// the stream's other tasks, beside copies and other streams. Up to the SoC profile's
// vector cores, every block is resident (SyncAll works on any machine). A block that fails
// — a broken limit, Trap, a failed assert, an exception — fails the task: the stream's next
// synchronize returns ACL_ERROR_RT_AICORE_EXCEPTION and aclGetRecentErrMsg names the
// kernel, the block and the reason; the stream stays usable.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "vnpu_ascendc/common.h"
#include "vnpu_ascendc/kernel_call.h"

namespace vnpu::ascendc {

/// Queues `call` over `block_dim` blocks of kernel `name` on `stream` (an aclrtStream;
/// null: the current context's default stream) and returns at once; the call's argument
/// bytes are copied, `name` must live as long as the launch (the launchers pass the
/// kernel's name as a literal). The return value is
/// an aclError: 0 when queued; ACL_ERROR_INVALID_PARAM for a blockDim of 0,
/// ACL_ERROR_RT_STREAM_CONTEXT / ACL_ERROR_RT_INVALID_HANDLE and the like for a stream that
/// cannot take work, ACL_ERROR_UNINITIALIZE before aclInit (aclGetRecentErrMsg says why).
VNPU_ASCENDC_API std::uint32_t launch_async(const char* name, std::uint32_t block_dim, void* stream,
                                            const KernelCall& call) noexcept;

/// The SoC profile this program was built for (see vnpu::set_build_soc): the CMake targets
/// tikicpulib::<SOC> and ascendc_library define VNPU_ASCENDC_SOC, applied at startup here.
VNPU_ASCENDC_API bool select_soc(const char* name);
#ifdef VNPU_ASCENDC_SOC
inline const bool kBuiltForSoc = select_soc(VNPU_ASCENDC_SOC);
#endif

/// Records why a launch of kernel `name` was refused and returns ACL_ERROR_INVALID_PARAM.
VNPU_ASCENDC_API std::uint32_t refuse_launch(const char* name, const char* why) noexcept;

/// ACLRT_LAUNCH_KERNEL's launchers: queue kernel(args...) over `block_dim` blocks on `stream`.
template <typename R, typename... P, typename... A>
std::uint32_t launch_kernel(const char* name, R (*kernel)(P...), std::uint32_t block_dim, void* stream, A&&... args) {
  if ((null_struct_address<std::decay_t<P>>(args) || ...))
    return refuse_launch(name, "a by-value struct argument is given as a null host address");
  const PackedKernel<R, P...> packed(kernel, std::forward<A>(args)...);
  return launch_async(name, block_dim, stream, packed.call());
}

/// Prints a failed `<<<>>>` launch's error (nothing for 0).
VNPU_ASCENDC_API void report_launch(const char* name, std::uint32_t error) noexcept;

/// `kernel<<<blockDim, l2ctrl, stream>>>(args...)`, rewritten by ascendc_library and vnpu-cc
/// into `::vnpu::ascendc::chevron(kernel, "kernel", blockDim, l2ctrl, stream)(args...)`.
/// The second value is the reserved l2ctrl pointer of older releases (nullptr) or the
/// dynamic UB size of newer ones (every block has the whole UB here; a size beyond it is
/// warned about). Like the chip's launch, the call returns nothing:
/// a launch that cannot be queued is recorded (aclGetRecentErrMsg) and reported on stderr.
template <typename R, typename... P>
struct Chevron {
  const char* name;
  R (*kernel)(P...);
  std::uint32_t block_dim;
  void* stream;

  template <typename... A>
  void operator()(A&&... args) const {
    report_launch(name, launch_kernel(name, kernel, block_dim, stream, std::forward<A>(args)...));
  }
};

/// Warns (once per kernel) when a `<<<>>>` launch's dynamic UB size exceeds the UB.
VNPU_ASCENDC_API void check_dynamic_ub(const char* name, std::uint64_t bytes) noexcept;

template <typename R, typename... P, typename Second, typename Stream>
Chevron<R, P...> chevron(R (*kernel)(P...), const char* name, std::uint32_t block_dim, Second&& second, Stream&& stream) {
  using S = std::decay_t<Second>;
  if constexpr (std::is_integral_v<S>) {
    check_dynamic_ub(name, static_cast<std::uint64_t>(second));
  } else {
    static_assert(std::is_pointer_v<S> || std::is_null_pointer_v<S>,
                  "<<<blockDim, l2ctrl, stream>>>: the second value is a pointer (l2ctrl) or a size (dynamic UB)");
    (void)second;
  }
  return Chevron<R, P...>{name, kernel, block_dim, static_cast<void*>(stream)};
}

}  // namespace vnpu::ascendc
