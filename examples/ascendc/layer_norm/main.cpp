// The host side of layer_norm, for both build modes: a 777 x 2048 matrix, a block per
// vector core (ICPU_RUN_KF in CPU mode, ACLRT_LAUNCH_KERNEL on a stream in NPU mode).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.h"
#include "host.h"
#include "kernel_operator.h"
#include "layer_norm_tiling.h"
#include "tiling/platform/platform_ascendc.h"

#ifdef ASCENDC_CPU_DEBUG
extern "C" __global__ __aicore__ void layer_norm(GM_ADDR x, GM_ADDR gamma, GM_ADDR beta, GM_ADDR y,
                                                 LayerNormTiling tiling);
#else
#include "aclrtlaunch_layer_norm.h"
#endif

int main() {
  // One block per vector core of the chip the program was built for (SOC_VERSION).
  const uint32_t blockDim = platform_ascendc::PlatformAscendCManager::GetInstance()->GetCoreNumAiv();
  const LayerNormTiling t{777, 2048, 1e-5f};
  const size_t n = size_t{t.rows} * t.cols;
  example::Session session;
  example::GmBuffer<float> x(n), y(n), gamma(t.cols), beta(t.cols);
  if (!session.ok() || !x.ok() || !y.ok() || !gamma.ok() || !beta.ok()) return 1;
  const std::vector<float> xs = example::random_values(n, -3.0f, 5.0f, 5);
  const std::vector<float> gs = example::random_values(t.cols, 0.5f, 1.5f, 6);
  const std::vector<float> bs = example::random_values(t.cols, -0.5f, 0.5f, 7);
  if (!x.upload(xs.data()) || !gamma.upload(gs.data()) || !beta.upload(bs.data())) return 1;

#ifdef ASCENDC_CPU_DEBUG
  ICPU_RUN_KF(layer_norm, blockDim, x.gm(), gamma.gm(), beta.gm(), y.gm(), t);
#else
  if (example::acl_failed(ACLRT_LAUNCH_KERNEL(layer_norm)(blockDim, session.stream(), x.gm(), gamma.gm(), beta.gm(),
                                                          y.gm(), &t),
                          "launch") ||
      session.sync("layer_norm") != 0)
    return 1;
#endif

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
  const std::vector<float> got = y.download();
  if (got.size() != n) return 1;
  return example::check("layer_norm", got.data(), want, 1e-5, 1e-5);
}
