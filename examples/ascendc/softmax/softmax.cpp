// Softmax over the rows of a float matrix: y = exp(x - max(x)) / sum(exp(x - max(x))).
// Each block takes a run of rows; each row passes through the UB once (double-buffered
// queues in and out): ReduceMax, Adds, Exp, ReduceSum, Muls.
#include "block_range.h"
#include "kernel_operator.h"
#include "softmax_tiling.h"

namespace {

constexpr int32_t kBuffers = 2;

class KernelSoftmax {
 public:
  __aicore__ inline void Init(GM_ADDR x, GM_ADDR y, const SoftmaxTiling& t) {
    cols_ = t.cols;
    const example::BlockRange r = example::block_range(t.rows, 1);  // this block's rows
    first_ = static_cast<uint32_t>(r.start);
    rows_ = static_cast<uint32_t>(r.length);
    xGm_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x), uint64_t{t.rows} * cols_);
    yGm_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(y), uint64_t{t.rows} * cols_);
    pipe_.InitBuffer(in_, kBuffers, cols_ * sizeof(float));
    pipe_.InitBuffer(out_, kBuffers, cols_ * sizeof(float));
    pipe_.InitBuffer(work_, cols_ * sizeof(float));
    pipe_.InitBuffer(scalar_, 32);
  }
  __aicore__ inline void Process() {
    for (uint32_t r = first_; r < first_ + rows_; ++r) {
      AscendC::LocalTensor<float> x = in_.AllocTensor<float>();
      AscendC::DataCopy(x, xGm_[uint64_t{r} * cols_], cols_);
      in_.EnQue(x);
      Compute();
      AscendC::LocalTensor<float> y = out_.DeQue<float>();
      AscendC::DataCopy(yGm_[uint64_t{r} * cols_], y, cols_);
      out_.FreeTensor(y);
    }
  }

 private:
  __aicore__ inline void Compute() {
    const int32_t n = static_cast<int32_t>(cols_);
    AscendC::LocalTensor<float> x = in_.DeQue<float>();
    AscendC::LocalTensor<float> y = out_.AllocTensor<float>();
    AscendC::LocalTensor<float> work = work_.Get<float>();
    AscendC::LocalTensor<float> s = scalar_.Get<float>();
    AscendC::ReduceMax(s, x, work, n);
    AscendC::SetFlag<AscendC::HardEvent::V_S>(0);
    AscendC::WaitFlag<AscendC::HardEvent::V_S>(0);
    const float max = s.GetValue(0);
    AscendC::Adds(y, x, -max, n);
    AscendC::Exp(y, y, n);
    AscendC::ReduceSum(s, y, work, n);
    AscendC::SetFlag<AscendC::HardEvent::V_S>(0);
    AscendC::WaitFlag<AscendC::HardEvent::V_S>(0);
    const float inv = 1.0f / s.GetValue(0);
    AscendC::Muls(y, y, inv, n);
    out_.EnQue(y);
    in_.FreeTensor(x);
  }

  AscendC::TPipe pipe_;
  AscendC::TQue<AscendC::QuePosition::VECIN, kBuffers> in_;
  AscendC::TQue<AscendC::QuePosition::VECOUT, kBuffers> out_;
  AscendC::TBuf<AscendC::QuePosition::VECCALC> work_, scalar_;
  AscendC::GlobalTensor<float> xGm_, yGm_;
  uint32_t cols_ = 0, first_ = 0, rows_ = 0;
};

}  // namespace

extern "C" __global__ __aicore__ void softmax(GM_ADDR x, GM_ADDR y, SoftmaxTiling tiling) {
  KernelSoftmax op;
  op.Init(x, y, tiling);
  op.Process();
}
