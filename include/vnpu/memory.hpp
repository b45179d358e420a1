// vnpu/memory.hpp — device memory, pinned host memory, synchronous copies and memsets.
//
// Device memory lives in the process's address space (a vnpu device is a set of CPU
// threads), so kernels dereference device pointers directly. What makes it "device"
// memory is the bookkeeping: every allocation is 64-byte aligned, belongs to one
// device, counts against that device's capacity, and is known to the copy checks.
// Pinned host memory (`Device::malloc_host`) is host memory the copy engines may read
// asynchronously; kernels may read and write it directly (zero-copy).
#pragma once

#include <cstddef>

#include "vnpu/status.hpp"

namespace vnpu {

/// Direction of a copy. Values match AscendCL's aclrtMemcpyKind; kDefault infers the
/// direction from the pointers.
enum class CopyKind : int {
  kHostToHost = 0,
  kHostToDevice = 1,
  kDeviceToHost = 2,
  kDeviceToDevice = 3,
  kDefault = 4,
};

/// What a pointer refers to, as far as vnpu knows.
enum class MemoryType : int {
  kPageable = 0,    ///< not allocated by vnpu: ordinary host memory
  kDevice = 1,      ///< inside a live device allocation
  kPinnedHost = 2,  ///< inside a live pinned host allocation
  /// Inside a device or pinned host allocation that was freed and whose block vnpu still
  /// holds in its cache (see `free()`): any use of it is a use after free. Copies, memsets
  /// and operators refuse such memory with kInvalidPointer. Once the block is allocated
  /// again the pointer is live memory again; once it has left the cache, kPageable.
  kFreed = 3,
};

/// What `pointer_info` knows of a pointer. For kFreed, the fields describe the freed
/// allocation as it was.
struct PointerInfo {
  MemoryType type = MemoryType::kPageable;
  int device = -1;          ///< owning device id (not for kPageable: -1)
  void* base = nullptr;     ///< start of the allocation containing the pointer
  std::size_t size = 0;     ///< size of that allocation in bytes, as requested
};

/// Classifies `p`: a pointer anywhere inside an allocation's requested bytes has its
/// type, device, base and size. Thread-safe; never fails.
PointerInfo pointer_info(const void* p) noexcept;

/// Frees device memory from `Device::malloc`.
///
/// Like an accelerator's caching allocator, vnpu keeps freed blocks reserved and reuses
/// them for later allocations of the same rounded size, the most recently freed first. A
/// freed address therefore never reaches other code, so a second free of it is reliably
/// kDoubleFree. The cache is bounded (65536 blocks); the oldest blocks leave it and are
/// then forgotten. Freed blocks keep their physical pages, so that reusing one costs no
/// page faults, up to 256 MiB in all: beyond that the oldest hand their pages back to the
/// OS and stay cached (blocks under 64 KiB leave the cache instead), and a block larger
/// than 256 MiB hands its pages back as it is freed.
///
/// While a freed block is cached, pointers into it are `MemoryType::kFreed`, and copies,
/// memsets and operators given one fail with kInvalidPointer (use after free).
///
/// Returns kInvalidArgument for null, kDoubleFree for an already freed allocation,
/// kInvalidPointer for a pointer vnpu did not allocate, a pinned host pointer, or an
/// interior pointer. Freeing memory that queued work still uses is the caller's bug, as
/// on any accelerator: synchronize first.
Status free(void* dev_ptr);

/// Frees pinned host memory from `Device::malloc_host`. Errors as for `free()`.
Status free_host(void* host_ptr);

/// Copies `count` bytes synchronously on the calling thread. Source and destination may
/// overlap (memmove semantics).
///
/// `dst_max` is the capacity of the destination; `count > dst_max` is kOutOfRange.
/// A zero `count` succeeds at once, even with null pointers. Otherwise a null pointer
/// is kInvalidArgument; a pointer into freed memory (`MemoryType::kFreed`) is
/// kInvalidPointer; a pointer inside a vnpu allocation whose range runs past that
/// allocation is kOutOfRange; a `kind` that contradicts the pointers (a device source for
/// kHostToDevice, say) is kInvalidCopyKind.
Status memcpy(void* dst, std::size_t dst_max, const void* src, std::size_t count,
              CopyKind kind = CopyKind::kDefault);

/// Copies a matrix synchronously: `height` rows of `width` bytes, row r read at
/// `src + r*spitch` and written at `dst + r*dpitch` (each row with memmove semantics, rows
/// in order). `width` or `height` 0 succeeds at once. `width` above either pitch is
/// kInvalidArgument; otherwise the checks of memcpy() apply to the rows' whole extent.
Status memcpy_2d(void* dst, std::size_t dpitch, const void* src, std::size_t spitch, std::size_t width,
                 std::size_t height, CopyKind kind = CopyKind::kDefault);

/// Sets `count` bytes at `dst` to `(unsigned char)value`, synchronously. `count >
/// max_count` is kOutOfRange; zero `count` succeeds at once; `dst` must be live device or
/// pinned host memory (kInvalidPointer otherwise, freed memory included).
Status memset(void* dst, std::size_t max_count, int value, std::size_t count);

}  // namespace vnpu
