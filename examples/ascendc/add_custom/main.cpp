// The host side of add_custom, for both build modes: CPU mode launches the kernel over 8
// blocks with ICPU_RUN_KF; NPU mode through add_custom_do, the kernel file's <<<>>>
// wrapper, on a stream. The result is checked against a float64 reference.
#include <cstdint>
#include <vector>

#include "add_custom_tiling.h"
#include "check.h"
#include "host.h"
#include "kernel_operator.h"

#ifdef ASCENDC_CPU_DEBUG
extern "C" __global__ __aicore__ void add_custom(GM_ADDR x, GM_ADDR y, GM_ADDR z, AddCustomTiling tiling);
#else
void add_custom_do(uint32_t blockDim, void* l2ctrl, void* stream, uint8_t* x, uint8_t* y, uint8_t* z,
                   AddCustomTiling tiling);
#endif

int main() {
  constexpr uint32_t kBlocks = 8;
  constexpr uint32_t kTile = 2048;
  constexpr uint32_t kLength = kBlocks * 16 * kTile + 16 * 77;  // uneven: the last block gets less
  const AddCustomTiling tiling{kLength, kTile};

  example::Session session;
  example::GmBuffer<half> x(kLength), y(kLength), z(kLength);
  if (!session.ok() || !x.ok() || !y.ok() || !z.ok()) return 1;
  const std::vector<float> xs = example::random_values(kLength, -100.0f, 100.0f, 1);
  const std::vector<float> ys = example::random_values(kLength, -100.0f, 100.0f, 2);
  std::vector<half> xh(kLength), yh(kLength);
  std::vector<double> want(kLength);
  for (uint32_t i = 0; i < kLength; ++i) {
    xh[i] = half(xs[i]);
    yh[i] = half(ys[i]);
    want[i] = static_cast<double>(float(xh[i])) + static_cast<double>(float(yh[i]));
  }
  if (!x.upload(xh.data()) || !y.upload(yh.data())) return 1;

#ifdef ASCENDC_CPU_DEBUG
  ICPU_RUN_KF(add_custom, kBlocks, x.gm(), y.gm(), z.gm(), tiling);
#else
  add_custom_do(kBlocks, nullptr, session.stream(), x.gm(), y.gm(), z.gm(), tiling);
  if (session.sync("add_custom") != 0) return 1;
#endif

  // The exact sum rounded once to half: within half an ulp (2^-11 relative).
  const std::vector<half> got = z.download();
  if (got.size() != kLength) return 1;
  return example::check("add_custom", got.data(), want, 1.0 / 2048, 0.0);
}
