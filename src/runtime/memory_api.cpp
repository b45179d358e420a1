// Public memory functions: free, classification and the synchronous copy/memset, plus
// the argument checks shared with the asynchronous forms.
#include <cstdlib>
#include <cstring>
#include <optional>

#include "check/checker.hpp"
#include "common/error.hpp"
#include "profiler/capture.hpp"
#include "runtime/device_impl.hpp"
#include "runtime/memory_registry.hpp"
#include "vnpu/memory.hpp"

namespace vnpu {
namespace detail {
namespace {

const char* kind_name(CopyKind k) {
  switch (k) {
    case CopyKind::kHostToHost: return "kHostToHost";
    case CopyKind::kHostToDevice: return "kHostToDevice";
    case CopyKind::kDeviceToHost: return "kDeviceToHost";
    case CopyKind::kDeviceToDevice: return "kDeviceToDevice";
    case CopyKind::kDefault: return "kDefault";
  }
  return "?";
}

// Classifies [p, p + count): kInvalidPointer if it starts in freed memory, kOutOfRange if
// it starts inside an allocation and runs past it.
Status classify(const void* p, std::size_t count, const char* who, const char* role, MemoryType* type) {
  const auto a = MemoryRegistry::instance().find(p);
  if (!a) {
    *type = MemoryType::kPageable;
    return Status::kSuccess;
  }
  const std::size_t offset = reinterpret_cast<std::uintptr_t>(p) - a->base;
  if (a->type == MemoryType::kFreed)
    return fail(Status::kInvalidPointer,
                "%s: the %s %p is at offset %zu of a %zu-byte allocation that was freed (use after free)", who, role, p,
                offset, a->size);
  if (count > a->size - offset)
    return fail(Status::kOutOfRange, "%s: %zu bytes at offset %zu of a %zu-byte allocation run past its end (%s)",
                who, count, offset, a->size, role);
  *type = a->type;
  return Status::kSuccess;
}

}  // namespace

const char* copy_name(CopyKind k) noexcept {
  switch (k) {
    case CopyKind::kHostToDevice: return "memcpy_h2d";
    case CopyKind::kDeviceToHost: return "memcpy_d2h";
    case CopyKind::kDeviceToDevice: return "memcpy_d2d";
    default: return "memcpy_h2h";
  }
}

namespace {

// The checks of every copy after its sizes: kind, null pointers, the extents ([dst,
// dst + dst_bytes) and [src, src + src_bytes)) against their allocations, and the kind
// against the pointers.
Status check_extents(void* dst, std::size_t dst_bytes, const void* src, std::size_t src_bytes, CopyKind kind,
                     const char* who, CopyKind* resolved, MemoryType* src_type) {
  const int k = static_cast<int>(kind);
  if (k < 0 || k > static_cast<int>(CopyKind::kDefault))
    return fail(Status::kInvalidArgument, "%s: unknown copy kind %d", who, k);
  if (dst == nullptr || src == nullptr)
    return fail(Status::kInvalidArgument, "%s: null %s pointer with %zu bytes to copy", who,
                dst == nullptr ? "destination" : "source", dst_bytes);
  MemoryType dt{}, st{};
  VNPU_TRY(classify(dst, dst_bytes, who, "destination", &dt));
  VNPU_TRY(classify(src, src_bytes, who, "source", &st));
  const bool dst_dev = dt == MemoryType::kDevice;
  const bool src_dev = st == MemoryType::kDevice;
  CopyKind actual = src_dev ? (dst_dev ? CopyKind::kDeviceToDevice : CopyKind::kDeviceToHost)
                            : (dst_dev ? CopyKind::kHostToDevice : CopyKind::kHostToHost);
  if (kind != CopyKind::kDefault && kind != actual)
    return fail(Status::kInvalidCopyKind, "%s: kind %s does not match the pointers (source is %s, destination is %s)",
                who, kind_name(kind), src_dev ? "device memory" : "host memory",
                dst_dev ? "device memory" : "host memory");
  *resolved = actual;
  *src_type = st;
  return Status::kSuccess;
}

// Bytes from the start of a 2-D region to the end of its last row, or nullopt on overflow.
std::optional<std::size_t> extent_2d(std::size_t pitch, std::size_t width, std::size_t height) {
  std::size_t span = 0;
  if (__builtin_mul_overflow(height - 1, pitch, &span) || __builtin_add_overflow(span, width, &span))
    return std::nullopt;
  return span;
}

}  // namespace

Status check_copy(void* dst, std::size_t dst_max, const void* src, std::size_t count, CopyKind kind,
                  const char* who, CopyKind* resolved, MemoryType* src_type) {
  if (count > dst_max)
    return fail(Status::kOutOfRange, "%s: count %zu exceeds the destination capacity %zu", who, count, dst_max);
  return check_extents(dst, count, src, count, kind, who, resolved, src_type);
}

Status check_copy_2d(void* dst, std::size_t dpitch, const void* src, std::size_t spitch, std::size_t width,
                     std::size_t height, CopyKind kind, const char* who, CopyKind* resolved, MemoryType* src_type) {
  if (width > dpitch || width > spitch)
    return fail(Status::kInvalidArgument, "%s: width %zu exceeds the %s pitch %zu", who, width,
                width > dpitch ? "destination" : "source", width > dpitch ? dpitch : spitch);
  const auto dst_bytes = extent_2d(dpitch, width, height);
  const auto src_bytes = extent_2d(spitch, width, height);
  if (!dst_bytes || !src_bytes)
    return fail(Status::kOutOfRange, "%s: %zu rows at a pitch of %zu bytes do not fit in the address space", who,
                height, !dst_bytes ? dpitch : spitch);
  return check_extents(dst, *dst_bytes, src, *src_bytes, kind, who, resolved, src_type);
}

void copy_rows(void* dst, std::size_t dpitch, const void* src, std::size_t spitch, std::size_t width,
               std::size_t first_row, std::size_t end_row) noexcept {
  auto* d = static_cast<unsigned char*>(dst) + first_row * dpitch;
  const auto* s = static_cast<const unsigned char*>(src) + first_row * spitch;
  if (dpitch == width && spitch == width) {
    std::memmove(d, s, (end_row - first_row) * width);  // dense rows: one move
    return;
  }
  for (std::size_t r = first_row; r < end_row; ++r, d += dpitch, s += spitch) std::memmove(d, s, width);
}

Status check_memset(void* dst, std::size_t max_count, std::size_t count, const char* who) {
  if (dst == nullptr) return fail(Status::kInvalidArgument, "%s: null destination with count %zu", who, count);
  if (count > max_count)
    return fail(Status::kOutOfRange, "%s: count %zu exceeds max_count %zu", who, count, max_count);
  MemoryType t{};
  VNPU_TRY(classify(dst, count, who, "destination", &t));
  if (t == MemoryType::kPageable)
    return fail(Status::kInvalidPointer, "%s: destination %p is not device or pinned host memory", who, dst);
  return Status::kSuccess;
}

namespace {

Status free_as(void* p, MemoryType type, const char* who, void* caller) {
  clear_error();
  Allocation a;
  switch (MemoryRegistry::instance().release(p, type, &a)) {
    case MemoryRegistry::Removed::kOk:
      if (check::on()) check::Checker::instance().on_free(a.base, a.size, who, caller);
      if (a.device != nullptr) a.device->deallocate(a);
      return Status::kSuccess;
    case MemoryRegistry::Removed::kNull: return fail(Status::kInvalidArgument, "%s: null pointer", who);
    case MemoryRegistry::Removed::kDoubleFree:
      return fail(Status::kDoubleFree, "%s: %p was already freed", who, p);
    case MemoryRegistry::Removed::kInterior:
      return fail(Status::kInvalidPointer, "%s: %p points inside an allocation that starts at %p", who, p,
                  reinterpret_cast<void*>(a.base));
    case MemoryRegistry::Removed::kWrongType:
      return fail(Status::kInvalidPointer, "%s: %p is %s memory; free it with %s", who, p,
                  a.type == MemoryType::kDevice ? "device" : "pinned host",
                  a.type == MemoryType::kDevice ? "vnpu::free" : "vnpu::free_host");
    case MemoryRegistry::Removed::kUnknown: break;
  }
  return fail(Status::kInvalidPointer, "%s: %p was not allocated by vnpu (or was freed long ago)", who, p);
}

}  // namespace
}  // namespace detail

using detail::fail;

PointerInfo pointer_info(const void* p) noexcept {
  PointerInfo info;
  try {
    if (const auto a = detail::MemoryRegistry::instance().find(p)) {
      info.type = a->type;
      info.device = a->device_id;
      info.base = reinterpret_cast<void*>(a->base);
      info.size = a->size;
    }
  } catch (...) {
  }
  return info;
}

Status free(void* dev_ptr) {
  return detail::free_as(dev_ptr, MemoryType::kDevice, "vnpu::free", __builtin_return_address(0));
}

Status free_host(void* host_ptr) {
  return detail::free_as(host_ptr, MemoryType::kPinnedHost, "vnpu::free_host", __builtin_return_address(0));
}

Status memcpy(void* dst, std::size_t dst_max, const void* src, std::size_t count, CopyKind kind) {
  detail::clear_error();
  if (count == 0) return Status::kSuccess;
  CopyKind resolved{};
  MemoryType src_type{};
  VNPU_TRY(detail::check_copy(dst, dst_max, src, count, kind, "vnpu::memcpy", &resolved, &src_type));
  detail::prof::ScopedSpan span;  // on the calling thread's lane
  if (detail::prof::begin_caller_span(span, detail::prof::SpanKind::kCopy, detail::copy_name(resolved)))
    span.record().bytes = count;
  if (detail::check::on()) {
    const Access acc[] = {{src, count, AccessMode::kRead}, {dst, count, AccessMode::kWrite}};
    detail::check::Checker::instance().on_host_access("vnpu::memcpy", __builtin_return_address(0), count, acc);
  }
  std::memmove(dst, src, count);
  return Status::kSuccess;
}

Status memcpy_2d(void* dst, std::size_t dpitch, const void* src, std::size_t spitch, std::size_t width,
                 std::size_t height, CopyKind kind) {
  detail::clear_error();
  if (width == 0 || height == 0) return Status::kSuccess;
  CopyKind resolved{};
  MemoryType src_type{};
  VNPU_TRY(detail::check_copy_2d(dst, dpitch, src, spitch, width, height, kind, "vnpu::memcpy_2d", &resolved,
                                 &src_type));
  detail::prof::ScopedSpan span;  // on the calling thread's lane
  if (detail::prof::begin_caller_span(span, detail::prof::SpanKind::kCopy, detail::copy_name(resolved)))
    span.record().bytes = width * height;
  detail::copy_rows(dst, dpitch, src, spitch, width, 0, height);
  return Status::kSuccess;
}

Status memset(void* dst, std::size_t max_count, int value, std::size_t count) {
  detail::clear_error();
  if (count == 0) return Status::kSuccess;
  VNPU_TRY(detail::check_memset(dst, max_count, count, "vnpu::memset"));
  detail::prof::ScopedSpan span;  // on the calling thread's lane
  if (detail::prof::begin_caller_span(span, detail::prof::SpanKind::kMemset, "memset")) span.record().bytes = count;
  if (detail::check::on()) {
    const Access acc[] = {{dst, count, AccessMode::kWrite}};
    detail::check::Checker::instance().on_host_access("vnpu::memset", __builtin_return_address(0), count, acc);
  }
  std::memset(dst, value, count);
  return Status::kSuccess;
}

}  // namespace vnpu
