// The host side of softmax in CPU mode: a 1000 x 1024 matrix over 40 blocks.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.h"
#include "softmax_tiling.h"
#include "tikicpulib.h"

extern "C" __global__ __aicore__ void softmax(GM_ADDR x, GM_ADDR y, SoftmaxTiling tiling);

int main() {
  constexpr uint32_t kBlocks = 40;
  const SoftmaxTiling t{1000, 1024};
  const size_t n = size_t{t.rows} * t.cols;
  auto* x = static_cast<float*>(AscendC::GmAlloc(n * sizeof(float)));
  auto* y = static_cast<float*>(AscendC::GmAlloc(n * sizeof(float)));
  if (x == nullptr || y == nullptr) return 1;
  const std::vector<float> xs = example::random_values(n, -8.0f, 8.0f, 4);
  std::memcpy(x, xs.data(), n * sizeof(float));

  ICPU_RUN_KF(softmax, kBlocks, reinterpret_cast<GM_ADDR>(x), reinterpret_cast<GM_ADDR>(y), t);

  std::vector<double> want(n);
  for (uint32_t r = 0; r < t.rows; ++r) {
    const float* row = xs.data() + size_t{r} * t.cols;
    double max = row[0], sum = 0;
    for (uint32_t c = 0; c < t.cols; ++c) max = std::fmax(max, row[c]);
    for (uint32_t c = 0; c < t.cols; ++c) sum += std::exp(row[c] - max);
    for (uint32_t c = 0; c < t.cols; ++c) want[size_t{r} * t.cols + c] = std::exp(row[c] - max) / sum;
  }
  const int status = example::check("softmax", y, want, 1e-5, 1e-9);
  AscendC::GmFree(x);
  AscendC::GmFree(y);
  return status;
}
