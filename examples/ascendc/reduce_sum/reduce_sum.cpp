// The sum of a float vector over many blocks, as a multi-level reduction:
//  1. each block streams its slice through the UB and adds every tile into a vector
//     accumulator (element-wise, so each lane sums one column of the tiles);
//  2. it reduces the accumulator with ReduceSum and writes its partial to a GM workspace,
//     each partial in its own 64-byte line;
//  3. SyncAll: every partial is in GM;
//  4. block 0 reads the partials back and reduces them to the result.
#include "block_range.h"
#include "kernel_operator.h"
#include "reduce_sum_tiling.h"

namespace {

constexpr int32_t kBuffers = 2;

class KernelReduceSum {
 public:
  __aicore__ inline void Init(GM_ADDR x, GM_ADDR z, GM_ADDR workspace, const ReduceSumTiling& t) {
    blocks_ = static_cast<uint32_t>(AscendC::GetBlockNum());
    block_ = static_cast<uint32_t>(AscendC::GetBlockIdx());
    tileLength_ = t.tileLength;
    const example::BlockRange r = example::block_range(t.totalLength, 8);  // 8 floats: 32 bytes
    length_ = static_cast<uint32_t>(r.length);
    tiles_ = (length_ + tileLength_ - 1) / tileLength_;
    xGm_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(x) + r.start, r.length);
    zGm_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(z), 1);
    partialGm_.SetGlobalBuffer(reinterpret_cast<__gm__ float*>(workspace), uint64_t{blocks_} * kPartialStride);
    pipe_.InitBuffer(inX_, kBuffers, tileLength_ * sizeof(float));
    pipe_.InitBuffer(out_, 1, blocks_ * kPartialStride * sizeof(float));
    pipe_.InitBuffer(in_, 1, blocks_ * kPartialStride * sizeof(float));
    pipe_.InitBuffer(acc_, tileLength_ * sizeof(float));
    pipe_.InitBuffer(work_, tileLength_ * sizeof(float));
  }

  __aicore__ inline void Process() {
    AscendC::LocalTensor<float> acc = acc_.Get<float>();
    AscendC::Duplicate(acc, 0.0f, static_cast<int32_t>(tileLength_));
    for (uint32_t i = 0; i < tiles_; ++i) {
      const uint32_t n = i + 1 < tiles_ ? tileLength_ : length_ - i * tileLength_;  // the last tile may be short
      AscendC::LocalTensor<float> x = inX_.AllocTensor<float>();
      AscendC::DataCopy(x, xGm_[uint64_t{i} * tileLength_], n);
      inX_.EnQue(x);
      x = inX_.DeQue<float>();
      AscendC::Add(acc, acc, x, static_cast<int32_t>(n));
      inX_.FreeTensor(x);
    }
    WritePartial(acc);
    AscendC::SyncAll();
    if (block_ == 0) Aggregate();
  }

 private:
  // The block's partial, alone in its 64-byte slot (the rest of the slot zero).
  __aicore__ inline void WritePartial(const AscendC::LocalTensor<float>& acc) {
    AscendC::LocalTensor<float> work = work_.Get<float>();
    AscendC::LocalTensor<float> slot = out_.AllocTensor<float>();
    AscendC::Duplicate(slot, 0.0f, static_cast<int32_t>(kPartialStride));
    AscendC::ReduceSum(slot, acc, work, static_cast<int32_t>(tileLength_));  // into slot[0]
    out_.EnQue(slot);
    slot = out_.DeQue<float>();
    AscendC::DataCopy(partialGm_[uint64_t{block_} * kPartialStride], slot, kPartialStride);
    out_.FreeTensor(slot);
  }

  // Block 0: every block's slot, reduced (the zeros between the partials add nothing).
  __aicore__ inline void Aggregate() {
    const uint32_t n = blocks_ * kPartialStride;
    AscendC::LocalTensor<float> parts = in_.AllocTensor<float>();
    AscendC::DataCopy(parts, partialGm_, n);
    in_.EnQue(parts);
    parts = in_.DeQue<float>();
    AscendC::LocalTensor<float> work = work_.Get<float>();
    AscendC::LocalTensor<float> sum = acc_.Get<float>();
    AscendC::ReduceSum(sum, parts, work, static_cast<int32_t>(n));
    in_.FreeTensor(parts);
    AscendC::SetFlag<AscendC::HardEvent::V_MTE3>(0);
    AscendC::WaitFlag<AscendC::HardEvent::V_MTE3>(0);
    AscendC::DataCopyExtParams one{1, sizeof(float), 0, 0, 0};
    AscendC::DataCopyPad(zGm_, sum, one);
  }

  AscendC::TPipe pipe_;
  AscendC::TQue<AscendC::QuePosition::VECIN, kBuffers> inX_;
  AscendC::TQue<AscendC::QuePosition::VECOUT, 1> out_;
  AscendC::TQue<AscendC::QuePosition::VECIN, 1> in_;
  AscendC::TBuf<AscendC::QuePosition::VECCALC> acc_, work_;
  AscendC::GlobalTensor<float> xGm_, zGm_, partialGm_;
  uint32_t blocks_ = 0, block_ = 0, length_ = 0, tileLength_ = 0, tiles_ = 0;
};

}  // namespace

extern "C" __global__ __aicore__ void reduce_sum(GM_ADDR x, GM_ADDR z, GM_ADDR workspace, GM_ADDR tiling) {
  REGISTER_TILING_DEFAULT(ReduceSumTiling);
  GET_TILING_DATA(tilingData, tiling);
  KernelReduceSum op;
  op.Init(x, z, workspace, tilingData);
  op.Process();
}
