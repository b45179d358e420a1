// vnpu_ascendc/tensor.h — GlobalTensor (a view of global memory) and LocalTensor (a view of
// the unified buffer), with their extents checked on every access.
#pragma once

#include <cstdint>
#include <type_traits>

#include "vnpu_ascendc/common.h"
#include "vnpu_ascendc/half.h"

namespace AscendC {

/// Shape metadata a tensor may carry (vnpu keeps it; the API does not interpret it).
struct ShapeInfo {
  std::uint8_t shapeDim = 0;
  std::uint8_t originalShapeDim = 0;
  std::uint32_t shape[8] = {};
  std::uint32_t originalShape[8] = {};
};

/// A view of global memory: `SetGlobalBuffer(ptr, n)` gives it n elements; element access
/// and DataCopy check their ranges against that extent (and, for memory vnpu allocated,
/// against the allocation), failing the kernel instead of reading past it. In checked mode
/// every element access and copy notes its bytes (GetPhyAddr's raw pointer is not seen).
template <typename T>
class GlobalTensor {
 public:
  using PrimType = T;

  GlobalTensor() = default;
  void SetGlobalBuffer(__gm__ T* buffer, std::uint64_t bufferSize) {
    addr_ = buffer;
    size_ = bufferSize;
    sized_ = true;
  }
  /// Without a size: GetSize() is 0 and only the allocation bounds are checked.
  void SetGlobalBuffer(__gm__ T* buffer) {
    addr_ = buffer;
    size_ = 0;
    sized_ = false;
  }
  const __gm__ T* GetPhyAddr() const { return addr_; }
  __gm__ T* GetPhyAddr(const std::uint64_t offset) const {
    check(offset, 0, "GetPhyAddr");
    return addr_ + offset;
  }
  T GetValue(const std::uint64_t offset) const {
    check(offset, 1, "GetValue");
    if (vnpu::ascendc::checking()) vnpu::ascendc::note_gm(addr_ + offset, sizeof(T), vnpu::ascendc::kGmRead);
    return addr_[offset];
  }
  void SetValue(const std::uint64_t offset, T value) {
    check(offset, 1, "SetValue");
    if (vnpu::ascendc::checking()) vnpu::ascendc::note_gm(addr_ + offset, sizeof(T), vnpu::ascendc::kGmWrite);
    addr_[offset] = value;
  }
  /// The element itself: checked mode counts it as read and written (the reference may be
  /// used either way).
  __gm__ T& operator()(const std::uint64_t offset) const {
    check(offset, 1, "operator()");
    if (vnpu::ascendc::checking()) vnpu::ascendc::note_gm(addr_ + offset, sizeof(T), vnpu::ascendc::kGmReadWrite);
    return addr_[offset];
  }
  std::uint64_t GetSize() const { return sized_ ? size_ : 0; }
  /// The tensor from element `offset` on (its extent shrinks accordingly).
  GlobalTensor operator[](const std::uint64_t offset) const {
    check(offset, 0, "operator[]");
    GlobalTensor t = *this;
    t.addr_ = addr_ + offset;
    if (sized_) t.size_ = size_ - offset;
    return t;
  }
  template <typename U>
  GlobalTensor<U> ReinterpretCast() const {
    GlobalTensor<U> t;
    if (sized_) {
      t.SetGlobalBuffer(reinterpret_cast<__gm__ U*>(addr_), size_ * sizeof(T) / sizeof(U));
    } else {
      t.SetGlobalBuffer(reinterpret_cast<__gm__ U*>(addr_));
    }
    return t;
  }
  void SetShapeInfo(const ShapeInfo& s) { shape_ = s; }
  ShapeInfo GetShapeInfo() const { return shape_; }
  template <CacheRwMode rw = CacheRwMode::RW>
  void SetL2CacheHint(CacheMode) {}  // L2 policy: a hint the CPU's caches do not take

  /// Checks that elements [offset, offset + count) lie in the tensor (vnpu).
  void check(std::uint64_t offset, std::uint64_t count, const char* what) const {
    if (addr_ == nullptr) vnpu::ascendc::fail("GlobalTensor::%s on a tensor without SetGlobalBuffer", what);
    if (sized_ && (offset > size_ || count > size_ - offset))
      vnpu::ascendc::fail("GlobalTensor::%s: elements [%llu, %llu) are outside the %llu set by SetGlobalBuffer", what,
                          static_cast<unsigned long long>(offset), static_cast<unsigned long long>(offset + count),
                          static_cast<unsigned long long>(size_));
  }
  bool sized() const { return sized_; }

 private:
  __gm__ T* addr_ = nullptr;
  std::uint64_t size_ = 0;
  bool sized_ = false;
  ShapeInfo shape_{};
};

/// A view of the unified buffer: a tensor from a queue, a TBuf or a sub-tensor of one. It
/// knows the buffer it lies in, and element access, vector instructions and DataCopy may
/// not leave that buffer.
template <typename T>
class LocalTensor {
 public:
  using PrimType = T;

  LocalTensor() = default;
  /// A tensor at byte `addr` of the UB, `tileSize` elements (the static-tensor form).
  LocalTensor(TPosition pos, std::uint32_t addr, std::uint32_t tileSize) {
    vnpu::ascendc::BlockState& b = vnpu::ascendc::block();
    if (addr % ONE_BLK_SIZE != 0) vnpu::ascendc::fail("LocalTensor at UB byte %u: must be 32-byte aligned", addr);
    if (addr > b.ub_size || std::uint64_t{tileSize} * sizeof(T) > b.ub_size - addr)
      vnpu::ascendc::fail("LocalTensor of %u elements at UB byte %u does not fit the %zu-byte UB", tileSize, addr,
                          b.ub_size);
    init(reinterpret_cast<T*>(b.ub + addr), tileSize, pos, b.ub, b.ub + b.ub_size);
  }

  /// The operator forms of the vector instructions, `dst = a + b`, `dst = a < b`, ...:
  /// the instruction over the whole tensor (vnpu_ascendc/vector_binary.h, vector_compare.h).
  template <typename E, typename = typename E::vnpu_vector_expr>
  LocalTensor& operator=(const E& expr) {
    expr.assign_to(*this);
    return *this;
  }

  T GetValue(const std::uint32_t index) const {
    check(index, 1, "GetValue");
    return ptr_[index];
  }
  template <typename U>
  void SetValue(const std::uint32_t index, const U value) const {
    check(index, 1, "SetValue");
    ptr_[index] = static_cast<T>(value);
  }
  T& operator()(const std::uint32_t index) const {
    check(index, 1, "operator()");
    return ptr_[index];
  }
  /// The tensor from element `offset` on.
  LocalTensor operator[](const std::uint32_t offset) const {
    check(offset, 0, "operator[]");
    LocalTensor t = *this;
    t.ptr_ = ptr_ + offset;
    t.size_ = size_ - offset;
    return t;
  }
  template <typename U>
  LocalTensor<U> ReinterpretCast() const {
    LocalTensor<U> t;
    t.init(reinterpret_cast<U*>(ptr_), static_cast<std::uint32_t>(std::uint64_t{size_} * sizeof(T) / sizeof(U)), pos_,
           lo_, hi_);
    return t;
  }
  std::uint32_t GetSize() const { return size_; }
  void SetSize(const std::uint32_t size) {
    if (reinterpret_cast<unsigned char*>(ptr_) + std::uint64_t{size} * sizeof(T) > hi_)
      vnpu::ascendc::fail("LocalTensor::SetSize(%u): the tensor's buffer holds %zu elements from its start", size,
                          static_cast<std::size_t>(hi_ - reinterpret_cast<unsigned char*>(ptr_)) / sizeof(T));
    size_ = size;
  }
  std::uint32_t GetLength() const { return size_ * static_cast<std::uint32_t>(sizeof(T)); }
  void SetBufferLen(std::uint32_t len) { SetSize(len); }
  std::int32_t GetPosition() const { return static_cast<std::int32_t>(pos_); }
  /// The UB address as a host pointer (CPU-debug mode, as in Ascend C's CPU builds).
  T* GetPhyAddr() const { return ptr_; }
  T* GetPhyAddr(std::uint32_t offset) const {
    check(offset, 0, "GetPhyAddr");
    return ptr_ + offset;
  }
  void SetUserTag(const TTagType tag) { tag_ = tag; }
  TTagType GetUserTag() const { return tag_; }
  void SetShapeInfo(const ShapeInfo& s) { shape_ = s; }
  ShapeInfo GetShapeInfo() const { return shape_; }
  template <typename U>
  void SetAddrWithOffset(LocalTensor<U>& src, std::uint32_t offset) {
    *this = src.template ReinterpretCast<T>();
    ptr_ = reinterpret_cast<T*>(src.GetPhyAddr(offset));
  }

  // vnpu: the tensor's place, for the checks of the instructions that use it.
  void init(T* p, std::uint32_t n, TPosition pos, unsigned char* lo, unsigned char* hi) {
    ptr_ = p;
    size_ = n;
    pos_ = pos;
    lo_ = lo;
    hi_ = hi;
  }
  unsigned char* buffer_begin() const { return lo_; }
  unsigned char* buffer_end() const { return hi_; }
  TPosition position() const { return pos_; }
  /// Checks that elements [index, index + count) lie in the tensor's buffer.
  void check(std::uint64_t index, std::uint64_t count, const char* what) const {
    if (ptr_ == nullptr) vnpu::ascendc::fail("LocalTensor::%s on a tensor that holds no buffer", what);
    const auto* p = reinterpret_cast<const unsigned char*>(ptr_);
    const std::uint64_t room = static_cast<std::uint64_t>(hi_ - p) / sizeof(T);
    if (index > room || count > room - index)
      vnpu::ascendc::fail("LocalTensor::%s: elements [%llu, %llu) run past the tensor's buffer (%llu elements)", what,
                          static_cast<unsigned long long>(index), static_cast<unsigned long long>(index + count),
                          static_cast<unsigned long long>(room));
  }

 private:
  template <typename U>
  friend class LocalTensor;
  T* ptr_ = nullptr;
  std::uint32_t size_ = 0;
  TPosition pos_ = TPosition::VECCALC;
  unsigned char* lo_ = nullptr;  // the buffer the tensor lies in
  unsigned char* hi_ = nullptr;
  TTagType tag_ = 0;
  ShapeInfo shape_{};
};

}  // namespace AscendC
