// z = x + y over halves. Each block owns a contiguous slice; it streams the slice through
// the unified buffer in tiles (the last one shorter), two buffers per queue so that the
// copy-in of tile i+1, the addition of tile i and the copy-out of tile i-1 can overlap (on
// the chip; on a CPU core they run in order, with the same code).
#include "add_custom_tiling.h"
#include "block_range.h"
#include "kernel_operator.h"

namespace {

constexpr int32_t kBuffers = 2;  // double buffering

class KernelAdd {
 public:
  __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, GM_ADDR z, const AddCustomTiling& tiling) {
    const example::BlockRange r = example::block_range(tiling.totalLength, 16);  // 16 halves: 32 bytes
    length_ = static_cast<uint32_t>(r.length);
    tileLength_ = tiling.tileLength;
    tiles_ = (length_ + tileLength_ - 1) / tileLength_;
    xGm_.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(x) + r.start, r.length);
    yGm_.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(y) + r.start, r.length);
    zGm_.SetGlobalBuffer(reinterpret_cast<__gm__ half*>(z) + r.start, r.length);
    pipe_.InitBuffer(inX_, kBuffers, tileLength_ * sizeof(half));
    pipe_.InitBuffer(inY_, kBuffers, tileLength_ * sizeof(half));
    pipe_.InitBuffer(outZ_, kBuffers, tileLength_ * sizeof(half));
  }
  __aicore__ inline void Process() {
    for (uint32_t i = 0; i < tiles_; ++i) {
      const uint32_t n = i + 1 < tiles_ ? tileLength_ : length_ - i * tileLength_;
      CopyIn(i, n);
      Compute(n);
      CopyOut(i, n);
    }
  }

 private:
  __aicore__ inline void CopyIn(uint32_t i, uint32_t n) {
    AscendC::LocalTensor<half> x = inX_.AllocTensor<half>();
    AscendC::LocalTensor<half> y = inY_.AllocTensor<half>();
    AscendC::DataCopy(x, xGm_[i * tileLength_], n);
    AscendC::DataCopy(y, yGm_[i * tileLength_], n);
    inX_.EnQue(x);
    inY_.EnQue(y);
  }
  __aicore__ inline void Compute(uint32_t n) {
    AscendC::LocalTensor<half> x = inX_.DeQue<half>();
    AscendC::LocalTensor<half> y = inY_.DeQue<half>();
    AscendC::LocalTensor<half> z = outZ_.AllocTensor<half>();
    AscendC::Add(z, x, y, static_cast<int32_t>(n));
    outZ_.EnQue<half>(z);
    inX_.FreeTensor(x);
    inY_.FreeTensor(y);
  }
  __aicore__ inline void CopyOut(uint32_t i, uint32_t n) {
    AscendC::LocalTensor<half> z = outZ_.DeQue<half>();
    AscendC::DataCopy(zGm_[i * tileLength_], z, n);
    outZ_.FreeTensor(z);
  }

  AscendC::TPipe pipe_;
  AscendC::TQue<AscendC::QuePosition::VECIN, kBuffers> inX_, inY_;
  AscendC::TQue<AscendC::QuePosition::VECOUT, kBuffers> outZ_;
  AscendC::GlobalTensor<half> xGm_, yGm_, zGm_;
  uint32_t length_ = 0;
  uint32_t tileLength_ = 0;
  uint32_t tiles_ = 0;
};

}  // namespace

extern "C" __global__ __aicore__ void add_custom(GM_ADDR x, GM_ADDR y, GM_ADDR z, AddCustomTiling tiling) {
  KernelAdd op;
  op.Init(x, y, z, tiling);
  op.Process();
}

#ifndef ASCENDC_CPU_DEBUG
// The NPU launch style of the older samples: a host function in the kernel file that
// launches the kernel on a stream with <<<blockDim, l2ctrl, stream>>> and returns at once.
void add_custom_do(uint32_t blockDim, void* l2ctrl, void* stream, uint8_t* x, uint8_t* y, uint8_t* z,
                   AddCustomTiling tiling) {
  add_custom<<<blockDim, l2ctrl, stream>>>(x, y, z, tiling);
}
#endif
