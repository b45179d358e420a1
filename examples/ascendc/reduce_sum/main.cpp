// The host side of reduce_sum, for both build modes: a block per vector core of the chip
// (48 on the 910B1), the tiling in global memory, a zeroed workspace for the partial sums
// (ICPU_RUN_KF in CPU mode, ACLRT_LAUNCH_KERNEL on a stream in NPU mode).
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.h"
#include "host.h"
#include "kernel_operator.h"
#include "reduce_sum_tiling.h"
#include "tiling/platform/platform_ascendc.h"

#ifdef ASCENDC_CPU_DEBUG
extern "C" __global__ __aicore__ void reduce_sum(GM_ADDR x, GM_ADDR z, GM_ADDR workspace, GM_ADDR tiling);
#else
#include "aclrtlaunch_reduce_sum.h"
#endif

int main() {
  // One block per vector core of the chip the program was built for (SOC_VERSION).
  const uint32_t blockDim = platform_ascendc::PlatformAscendCManager::GetInstance()->GetCoreNumAiv();
  constexpr uint32_t kTile = 4096;
  const uint32_t length = blockDim * 8 * kTile - 8 * 123;  // uneven: the last block gets less
  const ReduceSumTiling t{length, kTile};

  example::Session session;
  example::GmBuffer<float> x(length), z(1), workspace(size_t{blockDim} * kPartialStride);
  example::GmBuffer<ReduceSumTiling> tiling(1);
  if (!session.ok() || !x.ok() || !z.ok() || !workspace.ok() || !tiling.ok()) return 1;
  const std::vector<float> xs = example::random_values(length, -1.0f, 1.0f, 3);
  if (!x.upload(xs.data()) || !tiling.upload(&t)) return 1;
  double exact = 0, magnitude = 0;
  for (float v : xs) {
    exact += v;
    magnitude += v < 0 ? -v : v;
  }

#ifdef ASCENDC_CPU_DEBUG
  ICPU_RUN_KF(reduce_sum, blockDim, x.gm(), z.gm(), workspace.gm(), tiling.gm());
#else
  if (example::acl_failed(
          ACLRT_LAUNCH_KERNEL(reduce_sum)(blockDim, session.stream(), x.gm(), z.gm(), workspace.gm(), tiling.gm()),
          "launch") ||
      session.sync("reduce_sum") != 0)
    return 1;
#endif

  // float sums of 1.5 M terms in a tree: well within 1e-6 of the sum of magnitudes.
  std::printf("reduce_sum: %u floats on %u blocks (%s)\n", length, blockDim,
              platform_ascendc::PlatformAscendCManager::GetInstance()->GetSocName());
  const std::vector<float> got = z.download();
  if (got.size() != 1) return 1;
  return example::check("reduce_sum", got.data(), {exact}, 0.0, 1e-6 * magnitude);
}
