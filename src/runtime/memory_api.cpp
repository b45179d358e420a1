// Public memory functions: free, classification and the synchronous copy/memset, plus
// the argument checks shared with the asynchronous forms.
#include <cstdlib>
#include <cstring>

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

Status check_copy(void* dst, std::size_t dst_max, const void* src, std::size_t count, CopyKind kind,
                  const char* who, CopyKind* resolved, MemoryType* src_type) {
  const int k = static_cast<int>(kind);
  if (k < 0 || k > static_cast<int>(CopyKind::kDefault))
    return fail(Status::kInvalidArgument, "%s: unknown copy kind %d", who, k);
  if (dst == nullptr || src == nullptr)
    return fail(Status::kInvalidArgument, "%s: null %s pointer with count %zu", who,
                dst == nullptr ? "destination" : "source", count);
  if (count > dst_max)
    return fail(Status::kOutOfRange, "%s: count %zu exceeds the destination capacity %zu", who, count, dst_max);
  MemoryType dt{}, st{};
  VNPU_TRY(classify(dst, count, who, "destination", &dt));
  VNPU_TRY(classify(src, count, who, "source", &st));
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

Status free_as(void* p, MemoryType type, const char* who) {
  clear_error();
  Allocation a;
  switch (MemoryRegistry::instance().release(p, type, &a)) {
    case MemoryRegistry::Removed::kOk:
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

Status free(void* dev_ptr) { return detail::free_as(dev_ptr, MemoryType::kDevice, "vnpu::free"); }

Status free_host(void* host_ptr) { return detail::free_as(host_ptr, MemoryType::kPinnedHost, "vnpu::free_host"); }

Status memcpy(void* dst, std::size_t dst_max, const void* src, std::size_t count, CopyKind kind) {
  detail::clear_error();
  if (count == 0) return Status::kSuccess;
  CopyKind resolved{};
  MemoryType src_type{};
  VNPU_TRY(detail::check_copy(dst, dst_max, src, count, kind, "vnpu::memcpy", &resolved, &src_type));
  detail::prof::ScopedSpan span;  // on the calling thread's lane
  if (detail::prof::begin_caller_span(span, detail::prof::SpanKind::kCopy, detail::copy_name(resolved)))
    span.record().bytes = count;
  std::memmove(dst, src, count);
  return Status::kSuccess;
}

Status memset(void* dst, std::size_t max_count, int value, std::size_t count) {
  detail::clear_error();
  if (count == 0) return Status::kSuccess;
  VNPU_TRY(detail::check_memset(dst, max_count, count, "vnpu::memset"));
  detail::prof::ScopedSpan span;  // on the calling thread's lane
  if (detail::prof::begin_caller_span(span, detail::prof::SpanKind::kMemset, "memset")) span.record().bytes = count;
  std::memset(dst, value, count);
  return Status::kSuccess;
}

}  // namespace vnpu
