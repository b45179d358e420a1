// The host side of layer_norm in CPU mode: a 777 x 2048 matrix, a block per vector core.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.h"
#include "layer_norm_tiling.h"
#include "tikicpulib.h"
#include "tiling/platform/platform_ascendc.h"

extern "C" __global__ __aicore__ void layer_norm(GM_ADDR x, GM_ADDR gamma, GM_ADDR beta, GM_ADDR y,
                                                 LayerNormTiling tiling);

int main() {
  // One block per vector core of the chip the program was built for (SOC_VERSION).
  const uint32_t blockDim = platform_ascendc::PlatformAscendCManager::GetInstance()->GetCoreNumAiv();
  const LayerNormTiling t{777, 2048, 1e-5f};
  const size_t n = size_t{t.rows} * t.cols;
  auto* x = static_cast<float*>(AscendC::GmAlloc(n * sizeof(float)));
  auto* y = static_cast<float*>(AscendC::GmAlloc(n * sizeof(float)));
  auto* gamma = static_cast<float*>(AscendC::GmAlloc(t.cols * sizeof(float)));
  auto* beta = static_cast<float*>(AscendC::GmAlloc(t.cols * sizeof(float)));
  if (x == nullptr || y == nullptr || gamma == nullptr || beta == nullptr) return 1;
  const std::vector<float> xs = example::random_values(n, -3.0f, 5.0f, 5);
  const std::vector<float> gs = example::random_values(t.cols, 0.5f, 1.5f, 6);
  const std::vector<float> bs = example::random_values(t.cols, -0.5f, 0.5f, 7);
  std::memcpy(x, xs.data(), n * sizeof(float));
  std::memcpy(gamma, gs.data(), t.cols * sizeof(float));
  std::memcpy(beta, bs.data(), t.cols * sizeof(float));

  ICPU_RUN_KF(layer_norm, blockDim, reinterpret_cast<GM_ADDR>(x), reinterpret_cast<GM_ADDR>(gamma),
              reinterpret_cast<GM_ADDR>(beta), reinterpret_cast<GM_ADDR>(y), t);

  std::vector<double> want(n);
  for (uint32_t r = 0; r < t.rows; ++r) {
    const float* row = xs.data() + size_t{r} * t.cols;
    double mean = 0, var = 0;
    for (uint32_t c = 0; c < t.cols; ++c) mean += row[c];
    mean /= t.cols;
    for (uint32_t c = 0; c < t.cols; ++c) var += (row[c] - mean) * (row[c] - mean);
    var /= t.cols;
    const double rstd = 1.0 / std::sqrt(var + t.epsilon);
    for (uint32_t c = 0; c < t.cols; ++c)
      want[size_t{r} * t.cols + c] = (row[c] - mean) * rstd * gs[c] + bs[c];
  }
  const int status = example::check("layer_norm", y, want, 1e-5, 1e-5);
  AscendC::GmFree(x);
  AscendC::GmFree(y);
  AscendC::GmFree(gamma);
  AscendC::GmFree(beta);
  return status;
}
