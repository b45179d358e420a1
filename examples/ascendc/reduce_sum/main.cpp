// The host side of reduce_sum in CPU mode: a block per vector core of the chip (48 on the
// 910B1), the tiling in global memory, a zeroed workspace for the partial sums.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.h"
#include "reduce_sum_tiling.h"
#include "tikicpulib.h"
#include "tiling/platform/platform_ascendc.h"

extern "C" __global__ __aicore__ void reduce_sum(GM_ADDR x, GM_ADDR z, GM_ADDR workspace, GM_ADDR tiling);

int main() {
  // One block per vector core of the chip the program was built for (SOC_VERSION).
  const uint32_t blockDim = platform_ascendc::PlatformAscendCManager::GetInstance()->GetCoreNumAiv();
  constexpr uint32_t kTile = 4096;
  const uint32_t length = blockDim * 8 * kTile - 8 * 123;  // uneven: the last block gets less
  const ReduceSumTiling t{length, kTile};

  auto* x = static_cast<float*>(AscendC::GmAlloc(length * sizeof(float)));
  auto* z = static_cast<float*>(AscendC::GmAlloc(sizeof(float)));
  auto* workspace = static_cast<uint8_t*>(AscendC::GmAlloc(blockDim * kPartialStride * sizeof(float)));
  auto* tiling = static_cast<uint8_t*>(AscendC::GmAlloc(sizeof(ReduceSumTiling)));
  if (x == nullptr || z == nullptr || workspace == nullptr || tiling == nullptr) return 1;
  std::memcpy(tiling, &t, sizeof t);
  const std::vector<float> xs = example::random_values(length, -1.0f, 1.0f, 3);
  std::memcpy(x, xs.data(), length * sizeof(float));
  double exact = 0, magnitude = 0;
  for (float v : xs) {
    exact += v;
    magnitude += v < 0 ? -v : v;
  }

  ICPU_RUN_KF(reduce_sum, blockDim, reinterpret_cast<GM_ADDR>(x), reinterpret_cast<GM_ADDR>(z), workspace, tiling);

  // float sums of 1.5 M terms in a tree: well within 1e-6 of the sum of magnitudes.
  std::printf("reduce_sum: %u floats on %u blocks (%s)\n", length, blockDim,
              platform_ascendc::PlatformAscendCManager::GetInstance()->GetSocName());
  const int status = example::check("reduce_sum", z, {exact}, 0.0, 1e-6 * magnitude);
  AscendC::GmFree(x);
  AscendC::GmFree(z);
  AscendC::GmFree(workspace);
  AscendC::GmFree(tiling);
  return status;
}
