// The host side of add_custom in CPU mode: global memory from GmAlloc, the kernel launched
// over 8 blocks with ICPU_RUN_KF, the result checked against a float64 reference.
#include <cstdint>
#include <vector>

#include "add_custom_tiling.h"
#include "check.h"
#include "tikicpulib.h"

extern "C" __global__ __aicore__ void add_custom(GM_ADDR x, GM_ADDR y, GM_ADDR z, AddCustomTiling tiling);

int main() {
  constexpr uint32_t kBlocks = 8;
  constexpr uint32_t kTile = 2048;
  constexpr uint32_t kLength = kBlocks * 16 * kTile + 16 * 77;  // uneven: the last block gets less
  const AddCustomTiling tiling{kLength, kTile};
  const size_t bytes = kLength * sizeof(half);

  auto* x = static_cast<half*>(AscendC::GmAlloc(bytes));
  auto* y = static_cast<half*>(AscendC::GmAlloc(bytes));
  auto* z = static_cast<half*>(AscendC::GmAlloc(bytes));
  if (x == nullptr || y == nullptr || z == nullptr) return 1;
  const std::vector<float> xs = example::random_values(kLength, -100.0f, 100.0f, 1);
  const std::vector<float> ys = example::random_values(kLength, -100.0f, 100.0f, 2);
  std::vector<double> want(kLength);
  for (uint32_t i = 0; i < kLength; ++i) {
    x[i] = half(xs[i]);
    y[i] = half(ys[i]);
    want[i] = static_cast<double>(float(x[i])) + static_cast<double>(float(y[i]));
  }

  ICPU_RUN_KF(add_custom, kBlocks, reinterpret_cast<GM_ADDR>(x), reinterpret_cast<GM_ADDR>(y),
              reinterpret_cast<GM_ADDR>(z), tiling);

  // The exact sum rounded once to half: within half an ulp (2^-11 relative).
  const int status = example::check("add_custom", z, want, 1.0 / 2048, 0.0);
  AscendC::GmFree(x);
  AscendC::GmFree(y);
  AscendC::GmFree(z);
  return status;
}
