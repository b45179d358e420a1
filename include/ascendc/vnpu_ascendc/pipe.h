// vnpu_ascendc/pipe.h — TPipe, TQueBind, TQue and TBuf: the unified buffer handed out in
// blocks, and the queues that pass them between the stages of a kernel.
//
// The chip's limits are checked: the SoC profile's UB capacity (192 KiB on the 910B class)
// for all InitBuffer calls together, 64 buffers per kernel, 8 tensors in use per position;
// and misuse fails the kernel with a message — a DeQue of an empty queue or an AllocTensor
// with every buffer in use (both would hang the chip), a FreeTensor or EnQue of a tensor
// that is not the queue's.
#pragma once

#include <cstdint>

#include "vnpu_ascendc/tensor.h"

namespace AscendC {

class TPipe;

namespace impl {
/// Where a queue's tensors count against the 8-per-position limit.
constexpr TPosition queue_position(TPosition src, TPosition dst) { return src == TPosition::GM ? dst : src; }
}  // namespace impl

template <TPosition src, TPosition dst, std::int32_t depth, auto mask = 0>
class TQueBind {
 public:
  static constexpr std::uint32_t kMaxBuffers = 32;
  TQueBind() = default;

  template <typename T>
  LocalTensor<T> AllocTensor() {
    const std::uint32_t i = take_free();
    LocalTensor<T> t;
    t.init(reinterpret_cast<T*>(block_at(i)), static_cast<std::uint32_t>(len_ / sizeof(T)), impl::queue_position(src, dst), block_at(i),
           block_at(i) + len_);
    return t;
  }
  template <typename T>
  void AllocTensor(LocalTensor<T>& tensor) {
    tensor = AllocTensor<T>();
  }
  template <typename T>
  bool EnQue(const LocalTensor<T>& tensor) {
    const std::uint32_t i = own(tensor.buffer_begin(), "EnQue");
    if (count_ == capacity()) return false;
    ring_[(head_ + count_) % capacity()] = static_cast<std::uint8_t>(i);
    ++count_;
    return true;
  }
  template <TPosition srcUserPos, TPosition dstUserPos, typename T>
  bool EnQue(const LocalTensor<T>& tensor) {
    return EnQue(tensor);
  }
  template <typename T>
  LocalTensor<T> DeQue() {
    if (count_ == 0)
      vnpu::ascendc::fail(
          "DeQue on an empty queue: nothing was EnQue'd since (on the chip the core would wait forever)");
    const std::uint32_t i = ring_[head_];
    head_ = (head_ + 1) % capacity();
    --count_;
    LocalTensor<T> t;
    t.init(reinterpret_cast<T*>(block_at(i)), static_cast<std::uint32_t>(len_ / sizeof(T)), impl::queue_position(src, dst), block_at(i),
           block_at(i) + len_);
    return t;
  }
  template <typename T>
  void DeQue(LocalTensor<T>& tensor) {
    tensor = DeQue<T>();
  }
  template <TPosition srcUserPos, TPosition dstUserPos, typename T>
  LocalTensor<T> DeQue() {
    return DeQue<T>();
  }
  template <typename T>
  void FreeTensor(LocalTensor<T>& tensor) {
    const std::uint32_t i = own(tensor.buffer_begin(), "FreeTensor");
    if ((in_use_ & (1u << i)) == 0)
      vnpu::ascendc::fail("FreeTensor of a tensor whose buffer was already freed (or never allocated)");
    in_use_ &= ~(1u << i);
    --vnpu::ascendc::block().queued[static_cast<int>(impl::queue_position(src, dst))];
  }
  bool VacantInQue() const { return count_ < capacity(); }
  bool HasTensorInQue() const { return count_ > 0; }
  std::int32_t GetTensorCountInQue() const { return static_cast<std::int32_t>(count_); }
  bool HasIdleBuffer() const { return num_ != 0 && (in_use_ | ~((1u << num_) - 1)) != ~0u; }
  void FreeAllEvent() {}

  // vnpu: set up by TPipe::InitBuffer.
  void init_buffers(unsigned char* base, std::uint32_t num, std::uint32_t len) {
    base_ = base;
    num_ = num;
    len_ = len;
    in_use_ = 0;
    head_ = count_ = 0;
  }

 private:
  std::uint32_t capacity() const { return depth > 0 ? static_cast<std::uint32_t>(depth) : num_; }
  unsigned char* block_at(std::uint32_t i) const { return base_ + std::size_t{i} * len_; }
  std::uint32_t take_free() {
    if (num_ == 0) vnpu::ascendc::fail("AllocTensor on a queue that has no buffers (TPipe::InitBuffer first)");
    for (std::uint32_t i = 0; i < num_; ++i) {
      if ((in_use_ & (1u << i)) != 0) continue;
      std::uint8_t& n = vnpu::ascendc::block().queued[static_cast<int>(impl::queue_position(src, dst))];
      if (n >= 8)
        vnpu::ascendc::fail("AllocTensor: 8 tensors of this position are in use already, the most the chip's event "
                            "flags allow (free some first)");
      ++n;
      in_use_ |= 1u << i;
      return i;
    }
    vnpu::ascendc::fail("AllocTensor: all %u buffers of the queue are in use (on the chip the core would wait "
                        "forever); FreeTensor the ones you are done with",
                        num_);
  }
  std::uint32_t own(const unsigned char* p, const char* what) const {
    if (num_ != 0 && p >= base_ && p < block_at(num_) && (p - base_) % len_ == 0)
      return static_cast<std::uint32_t>((p - base_) / len_);
    vnpu::ascendc::fail("%s of a tensor that was not allocated from this queue", what);
  }

  unsigned char* base_ = nullptr;
  std::uint32_t num_ = 0;
  std::uint32_t len_ = 0;
  std::uint32_t in_use_ = 0;  // a bit per buffer
  std::uint8_t ring_[kMaxBuffers] = {};
  std::uint32_t head_ = 0;
  std::uint32_t count_ = 0;
};

/// A queue between the memory engines and the vector unit (VECIN, VECOUT, ...).
template <TPosition pos, std::int32_t depth, auto mask = 0>
class TQue : public TQueBind<(pos == TPosition::VECOUT || pos == TPosition::CO2) ? pos : TPosition::GM,
                             (pos == TPosition::VECOUT || pos == TPosition::CO2) ? TPosition::GM : pos, depth, mask> {
};

/// A single block of UB for scratch values (no queue).
template <TPosition pos = TPosition::LCM>
class TBuf {
 public:
  TBuf() = default;
  template <typename T>
  LocalTensor<T> Get() {
    return Get<T>(static_cast<std::uint32_t>(len_ / sizeof(T)));
  }
  template <typename T>
  LocalTensor<T> Get(std::uint32_t len) {
    if (base_ == nullptr) vnpu::ascendc::fail("TBuf::Get on a buffer without TPipe::InitBuffer");
    if (std::uint64_t{len} * sizeof(T) > len_)
      vnpu::ascendc::fail("TBuf::Get(%u): %llu bytes exceed the buffer's %u", len,
                          static_cast<unsigned long long>(std::uint64_t{len} * sizeof(T)), len_);
    LocalTensor<T> t;
    t.init(reinterpret_cast<T*>(base_), len, pos, base_, base_ + len_);
    return t;
  }
  template <typename T>
  LocalTensor<T> GetWithOffset(std::uint32_t size, std::uint32_t bufOffset) {
    if (base_ == nullptr) vnpu::ascendc::fail("TBuf::GetWithOffset on a buffer without TPipe::InitBuffer");
    if (bufOffset % ONE_BLK_SIZE != 0)
      vnpu::ascendc::fail("TBuf::GetWithOffset: offset %u must be a multiple of 32 bytes", bufOffset);
    if (bufOffset > len_ || std::uint64_t{size} * sizeof(T) > len_ - bufOffset)
      vnpu::ascendc::fail("TBuf::GetWithOffset(%u, %u): the buffer holds %u bytes", size, bufOffset, len_);
    LocalTensor<T> t;
    t.init(reinterpret_cast<T*>(base_ + bufOffset), size, pos, base_, base_ + len_);
    return t;
  }
  void init_buffers(unsigned char* base, std::uint32_t len) {
    base_ = base;
    len_ = len;
  }

 private:
  unsigned char* base_ = nullptr;
  std::uint32_t len_ = 0;
};

/// The block's UB manager: buffers for queues and TBufs, and event IDs. One per kernel
/// call at a time.
class VNPU_ASCENDC_API TPipe {
 public:
  TPipe();
  ~TPipe();
  TPipe(const TPipe&) = delete;
  TPipe& operator=(const TPipe&) = delete;

  /// `num` buffers of `len` bytes each (rounded up to 32) for `que`.
  template <class Q>
  bool InitBuffer(Q& que, std::uint8_t num, std::uint32_t len) {
    if (num == 0 || num > Q::kMaxBuffers)
      vnpu::ascendc::fail("InitBuffer: %u buffers for a queue (1..%u)", num, Q::kMaxBuffers);
    const std::uint32_t rounded = round_up(len);
    que.init_buffers(take(num, rounded, "a queue"), num, rounded);
    return true;
  }
  template <TPosition bufPos>
  bool InitBuffer(TBuf<bufPos>& buf, std::uint32_t len) {
    const std::uint32_t rounded = round_up(len);
    buf.init_buffers(take(1, rounded, "a TBuf"), rounded);
    return true;
  }
  void Init();
  void Destroy();
  /// Frees every buffer: InitBuffer may be called again.
  void Reset();
  template <HardEvent evt>
  TEventID AllocEventID() {
    return alloc_event(static_cast<int>(evt));
  }
  template <HardEvent evt>
  void ReleaseEventID(TEventID id) {
    release_event(static_cast<int>(evt), id);
  }
  template <HardEvent evt>
  TEventID FetchEventID() {
    return fetch_event(static_cast<int>(evt));
  }
  TEventID FetchEventID(HardEvent evt) { return fetch_event(static_cast<int>(evt)); }
  /// The host address where a position's memory starts (CPU-debug mode): the UB for the
  /// vector positions.
  std::uint8_t* GetBaseAddr(std::int8_t logicPos);

 private:
  static std::uint32_t round_up(std::uint32_t len) { return (len + ONE_BLK_SIZE - 1) / ONE_BLK_SIZE * ONE_BLK_SIZE; }
  unsigned char* take(std::uint32_t num, std::uint32_t len, const char* what);
  TEventID alloc_event(int evt);
  void release_event(int evt, TEventID id);
  TEventID fetch_event(int evt);

  std::uint8_t events_[static_cast<int>(HardEvent::MAX)] = {};  // a bit per reserved event id
  bool live_ = false;
};

/// The live TPipe of the block (null if none).
VNPU_ASCENDC_API TPipe* GetTPipePtr();

}  // namespace AscendC
