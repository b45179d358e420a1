// The host side of softmax, for both build modes: a 1000 x 1024 matrix over 40 blocks
// (ICPU_RUN_KF in CPU mode, ACLRT_LAUNCH_KERNEL on a stream in NPU mode).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "check.h"
#include "host.h"
#include "kernel_operator.h"
#include "softmax_tiling.h"

#ifdef ASCENDC_CPU_DEBUG
extern "C" __global__ __aicore__ void softmax(GM_ADDR x, GM_ADDR y, SoftmaxTiling tiling);
#else
#include "aclrtlaunch_softmax.h"
#endif

int main() {
  constexpr uint32_t kBlocks = 40;
  const SoftmaxTiling t{1000, 1024};
  const size_t n = size_t{t.rows} * t.cols;
  example::Session session;
  example::GmBuffer<float> x(n), y(n);
  if (!session.ok() || !x.ok() || !y.ok()) return 1;
  const std::vector<float> xs = example::random_values(n, -8.0f, 8.0f, 4);
  if (!x.upload(xs.data())) return 1;

#ifdef ASCENDC_CPU_DEBUG
  ICPU_RUN_KF(softmax, kBlocks, x.gm(), y.gm(), t);
#else
  if (example::acl_failed(ACLRT_LAUNCH_KERNEL(softmax)(kBlocks, session.stream(), x.gm(), y.gm(), &t), "launch") ||
      session.sync("softmax") != 0)
    return 1;
#endif

  std::vector<double> want(n);
  for (uint32_t r = 0; r < t.rows; ++r) {
    const float* row = xs.data() + size_t{r} * t.cols;
    double max = row[0], sum = 0;
    for (uint32_t c = 0; c < t.cols; ++c) max = std::fmax(max, row[c]);
    for (uint32_t c = 0; c < t.cols; ++c) sum += std::exp(row[c] - max);
    for (uint32_t c = 0; c < t.cols; ++c) want[size_t{r} * t.cols + c] = std::exp(row[c] - max) / sum;
  }
  const std::vector<float> got = y.download();
  if (got.size() != n) return 1;
  return example::check("softmax", got.data(), want, 1e-5, 1e-9);
}
