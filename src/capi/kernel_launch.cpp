// vnpuLaunchKernel, vnpuLaunchKernelWithArgs, vnpuKernelFail and the block accessors.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "capi/tensor.hpp"

namespace vnpu::capi {
namespace {

// The block running on this thread (set around the C kernel's call), and a failure it
// reported with vnpuKernelFail, checked when the block returns.
struct BlockState {
  bool in_kernel = false;
  bool failed = false;
  std::uint32_t idx = 0;
  std::uint32_t dim = 0;
  std::string message;
};
thread_local BlockState t_block;

constexpr std::size_t kMaxArgsBytes = std::size_t{1} << 20;

// The argument block of a vnpuLaunchKernelWithArgs launch: one 64-byte aligned copy shared
// by the blocks, freed with the task.
struct ArgsCopy {
  void operator()(void* p) const noexcept { std::free(p); }
};

// Queues `fn` over `block_dim` blocks, called with `args`; `owner` (if any) keeps the
// argument block alive until the task is gone.
template <class Owner>
aclError launch(vnpuKernelFunc fn, std::uint32_t block_dim, aclrtStream stream, void* args, Owner owner) {
  VNPU_ACL_REQUIRE(fn);
  if (block_dim == 0) return fail(ACL_ERROR_INVALID_PARAM, "blockDim 0");
  StreamPtr s;
  VNPU_ACL_TRY(op_stream(stream, &s));
  const vnpu::Status st =
      s->stream.launch("vnpuKernel", block_dim, [fn, args, owner = std::move(owner)](const vnpu::KernelContext& k) {
        BlockState& b = t_block;
        b.in_kernel = true;
        b.failed = false;
        b.idx = k.block_idx();
        b.dim = k.block_dim();
        fn(k.block_idx(), k.block_dim(), args);
        b.in_kernel = false;
        b.idx = b.dim = 0;
        if (b.failed) {
          b.failed = false;
          throw vnpu::Error(vnpu::Status::kTaskFailed, "block " + std::to_string(k.block_idx()) + " of " +
                                                           std::to_string(k.block_dim()) + ": " + b.message);
        }
      });
  return op_result(st, "queueing the kernel");
}

}  // namespace
}  // namespace vnpu::capi

using namespace vnpu::capi;

extern "C" {

aclError vnpuLaunchKernel(vnpuKernelFunc fn, uint32_t blockDim, void* args, aclrtStream stream) {
  return guard("vnpuLaunchKernel", [&]() -> aclError {
    return launch(fn, blockDim, stream, args, nullptr);  // the caller owns `args`
  });
}

aclError vnpuLaunchKernelWithArgs(vnpuKernelFunc fn, uint32_t blockDim, const void* args, size_t argsSize,
                                  aclrtStream stream) {
  return guard("vnpuLaunchKernelWithArgs", [&]() -> aclError {
    if (args == nullptr && argsSize != 0)
      return fail(ACL_ERROR_INVALID_PARAM, "args is null with argsSize %zu", argsSize);
    if (argsSize > kMaxArgsBytes)
      return fail(ACL_ERROR_INVALID_PARAM, "argsSize %zu exceeds the %zu-byte limit of an argument block", argsSize,
                  kMaxArgsBytes);
    std::unique_ptr<void, ArgsCopy> copy;
    if (argsSize != 0) {
      copy.reset(std::aligned_alloc(64, (argsSize + 63) / 64 * 64));
      if (!copy) return fail(ACL_ERROR_BAD_ALLOC, "no host memory to copy a %zu-byte argument block", argsSize);
      std::memcpy(copy.get(), args, argsSize);
    }
    void* block = copy.get();
    return launch(fn, blockDim, stream, block, std::move(copy));
  });
}

void vnpuKernelFail(const char* message) {
  BlockState& b = t_block;
  if (!b.in_kernel) return;
  try {
    b.message = message != nullptr ? message : "the kernel reported a failure";
  } catch (...) {
    b.message.clear();
  }
  b.failed = true;
}

uint32_t vnpuGetBlockIdx(void) { return t_block.in_kernel ? t_block.idx : 0; }

uint32_t vnpuGetBlockDim(void) { return t_block.in_kernel ? t_block.dim : 0; }

}  // extern "C"
