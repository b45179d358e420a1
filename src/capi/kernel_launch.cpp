// vnpuLaunchKernel, vnpuLaunchKernelWithArgs, vnpuKernelFail and the block accessors.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

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


// The argument block of a launch, copied (64-byte aligned) into *out.
aclError copy_args(const void* args, std::size_t bytes, std::unique_ptr<void, ArgsCopy>* out) {
  if (args == nullptr && bytes != 0) return fail(ACL_ERROR_INVALID_PARAM, "args is null with argsSize %zu", bytes);
  if (bytes > kMaxArgsBytes)
    return fail(ACL_ERROR_INVALID_PARAM, "argsSize %zu exceeds the %zu-byte limit of an argument block", bytes,
                kMaxArgsBytes);
  if (bytes == 0) return ACL_SUCCESS;
  out->reset(std::aligned_alloc(64, (bytes + 63) / 64 * 64));
  if (!*out) return fail(ACL_ERROR_BAD_ALLOC, "no host memory to copy a %zu-byte argument block", bytes);
  std::memcpy(out->get(), args, bytes);
  return ACL_SUCCESS;
}

// Queues `fn` over `block_dim` blocks, called with `args`; `owner` (if any) keeps the
// argument block alive until the task is gone.
template <class Owner>
aclError launch(vnpuKernelFunc fn, std::uint32_t block_dim, aclrtStream stream, void* args, Owner owner,
                std::span<const vnpu::Access> accesses = {}) {
  VNPU_ACL_REQUIRE(fn);
  if (block_dim == 0) return fail(ACL_ERROR_INVALID_PARAM, "blockDim 0");
  StreamPtr s;
  VNPU_ACL_TRY(op_stream(stream, &s));
  vnpu::LaunchOptions lo;
  lo.accesses = accesses;
  const vnpu::Status st =
      s->stream.launch("vnpuKernel", block_dim, lo, [fn, args, owner = std::move(owner)](const vnpu::KernelContext& k) {
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
    std::unique_ptr<void, ArgsCopy> copy;
    VNPU_ACL_TRY(copy_args(args, argsSize, &copy));
    void* block = copy.get();
    return launch(fn, blockDim, stream, block, std::move(copy));
  });
}

aclError vnpuLaunchKernelWithAccesses(vnpuKernelFunc fn, uint32_t blockDim, const void* args, size_t argsSize,
                                      const vnpuAccess* accesses, size_t accessCount, aclrtStream stream) {
  return guard("vnpuLaunchKernelWithAccesses", [&]() -> aclError {
    std::vector<vnpu::Access> acc;
    VNPU_ACL_TRY(to_accesses(accesses, accessCount, &acc));
    std::unique_ptr<void, ArgsCopy> copy;
    VNPU_ACL_TRY(copy_args(args, argsSize, &copy));
    void* block = copy.get();
    return launch(fn, blockDim, stream, block, std::move(copy), acc);
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

namespace vnpu::capi {

aclError to_accesses(const vnpuAccess* accesses, std::size_t count, std::vector<vnpu::Access>* out) {
  constexpr std::size_t kMaxAccesses = std::size_t{1} << 16;
  if (accesses == nullptr && count != 0) return fail(ACL_ERROR_INVALID_PARAM, "accesses is null with accessCount %zu", count);
  if (count > kMaxAccesses) return fail(ACL_ERROR_INVALID_PARAM, "accessCount %zu exceeds %zu", count, kMaxAccesses);
  out->resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    const vnpuAccess& a = accesses[i];
    if (a.mode != VNPU_ACCESS_READ && a.mode != VNPU_ACCESS_WRITE && a.mode != VNPU_ACCESS_READ_WRITE)
      return fail(ACL_ERROR_INVALID_PARAM, "accesses[%zu]: unknown mode %d", i, static_cast<int>(a.mode));
    if (a.ptr == nullptr && a.bytes != 0)
      return fail(ACL_ERROR_INVALID_PARAM, "accesses[%zu]: null pointer with %zu bytes", i, a.bytes);
    (*out)[i] = vnpu::Access{a.ptr, a.bytes, static_cast<vnpu::AccessMode>(a.mode)};
  }
  return ACL_SUCCESS;
}

}  // namespace vnpu::capi
