// Layer normalization over the rows of a float matrix:
//   y = (x - mean) / sqrt(var + epsilon) * gamma + beta,  mean and var over the row.
// gamma and beta are loaded once per block; each row passes through the UB once.
#include <cmath>

#include "block_range.h"
#include "kernel_operator.h"
#include "layer_norm_tiling.h"

namespace {

constexpr int32_t kBuffers = 2;

class KernelLayerNorm {
 public:
  __aicore__ inline void Init(GM_ADDR x, GM_ADDR gamma, GM_ADDR beta, GM_ADDR y, const LayerNormTiling& t) {
    cols_ = t.cols;
    epsilon_ = t.epsilon;
    const example::BlockRange r = example::block_range(t.rows, 1);  // this block's rows
    first_ = static_cast<uint32_t>(r.start);
    rows_ = static_cast<uint32_t>(r.length);
    xGm_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x), uint64_t{t.rows} * cols_);
    yGm_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(y), uint64_t{t.rows} * cols_);
    gammaGm_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(gamma), cols_);
    betaGm_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(beta), cols_);
    pipe_.InitBuffer(in_, kBuffers, cols_ * sizeof(float));
    pipe_.InitBuffer(out_, kBuffers, cols_ * sizeof(float));
    pipe_.InitBuffer(params_, 1, 2 * cols_ * sizeof(float));
    pipe_.InitBuffer(square_, cols_ * sizeof(float));
    pipe_.InitBuffer(work_, cols_ * sizeof(float));
    pipe_.InitBuffer(scalar_, 32);
  }
  __aicore__ inline void Process() {
    AscendC::LocalTensor<float> p = params_.AllocTensor<float>();
    AscendC::DataCopy(p, gammaGm_, cols_);
    AscendC::DataCopy(p[cols_], betaGm_, cols_);
    params_.EnQue(p);
    p = params_.DeQue<float>();
    for (uint32_t r = first_; r < first_ + rows_; ++r) {
      AscendC::LocalTensor<float> x = in_.AllocTensor<float>();
      AscendC::DataCopy(x, xGm_[uint64_t{r} * cols_], cols_);
      in_.EnQue(x);
      Compute(p, p[cols_]);
      AscendC::LocalTensor<float> y = out_.DeQue<float>();
      AscendC::DataCopy(yGm_[uint64_t{r} * cols_], y, cols_);
      out_.FreeTensor(y);
    }
    params_.FreeTensor(p);
  }

 private:
  __aicore__ inline float Sum(const AscendC::LocalTensor<float>& v) {
    AscendC::LocalTensor<float> s = scalar_.Get<float>();
    AscendC::ReduceSum(s, v, work_.Get<float>(), static_cast<int32_t>(cols_));
    AscendC::SetFlag<AscendC::HardEvent::V_S>(0);
    AscendC::WaitFlag<AscendC::HardEvent::V_S>(0);
    return s.GetValue(0);
  }
  __aicore__ inline void Compute(const AscendC::LocalTensor<float>& gamma, const AscendC::LocalTensor<float>& beta) {
    const int32_t n = static_cast<int32_t>(cols_);
    AscendC::LocalTensor<float> x = in_.DeQue<float>();
    AscendC::LocalTensor<float> y = out_.AllocTensor<float>();
    AscendC::LocalTensor<float> sq = square_.Get<float>();
    const float mean = Sum(x) / static_cast<float>(cols_);
    AscendC::Adds(y, x, -mean, n);  // centred
    AscendC::Mul(sq, y, y, n);
    const float var = Sum(sq) / static_cast<float>(cols_);
    const float rstd = 1.0f / std::sqrt(var + epsilon_);
    AscendC::Muls(y, y, rstd, n);
    AscendC::Mul(y, y, gamma, n);
    AscendC::Add(y, y, beta, n);
    out_.EnQue(y);
    in_.FreeTensor(x);
  }

  AscendC::TPipe pipe_;
  AscendC::TQue<AscendC::QuePosition::VECIN, kBuffers> in_;
  AscendC::TQue<AscendC::QuePosition::VECOUT, kBuffers> out_;
  AscendC::TQue<AscendC::QuePosition::VECIN, 1> params_;
  AscendC::TBuf<AscendC::QuePosition::VECCALC> square_, work_, scalar_;
  AscendC::GlobalTensor<float> xGm_, yGm_, gammaGm_, betaGm_;
  uint32_t cols_ = 0, first_ = 0, rows_ = 0;
  float epsilon_ = 0;
};

}  // namespace

extern "C" __global__ __aicore__ void layer_norm(GM_ADDR x, GM_ADDR gamma, GM_ADDR beta, GM_ADDR y,
                                                 LayerNormTiling tiling) {
  KernelLayerNorm op;
  op.Init(x, gamma, beta, y, tiling);
  op.Process();
}
