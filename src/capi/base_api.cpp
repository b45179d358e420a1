// aclDataBuffer, element sizes and half-precision conversions.
#include <mutex>
#include <new>
#include <unordered_set>

#include "capi/capi.hpp"
#include "vnpu/dtype.hpp"

struct aclDataBuffer {
  void* data;
  size_t size;
};

namespace {

// Live descriptors, so that a destroyed or foreign pointer is refused, not dereferenced.
struct Buffers {
  std::mutex mu;
  std::unordered_set<const aclDataBuffer*> live;  // guarded by mu
};

Buffers& buffers() {
  static Buffers* b = new Buffers();  // leaked: descriptors may outlive static destruction
  return *b;
}

// Copies a live descriptor's fields under the lock (aclUpdateDataBuffer may write them).
bool read_live(const aclDataBuffer* b, aclDataBuffer* out) {
  Buffers& bs = buffers();
  std::lock_guard lock(bs.mu);
  if (!bs.live.contains(b)) return false;
  *out = *b;
  return true;
}

}  // namespace

using namespace vnpu::capi;

extern "C" {

aclDataBuffer* aclCreateDataBuffer(void* data, size_t size) {
  aclDataBuffer* out = nullptr;
  guard("aclCreateDataBuffer", [&]() -> aclError {
    if (data == nullptr && size != 0) return fail(ACL_ERROR_INVALID_PARAM, "data is null with size %zu", size);
    auto* b = new aclDataBuffer{data, size};
    Buffers& bs = buffers();
    {
      std::lock_guard lock(bs.mu);
      try {
        bs.live.insert(b);
      } catch (...) {
        delete b;
        throw;
      }
    }
    out = b;
    return ACL_SUCCESS;
  });
  return out;
}

aclError aclDestroyDataBuffer(const aclDataBuffer* dataBuffer) {
  return guard("aclDestroyDataBuffer", [&]() -> aclError {
    VNPU_ACL_REQUIRE(dataBuffer);
    Buffers& bs = buffers();
    {
      std::lock_guard lock(bs.mu);
      if (bs.live.erase(dataBuffer) == 0)
        return fail(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live aclDataBuffer (destroyed, or never created)",
                    static_cast<const void*>(dataBuffer));
    }
    delete dataBuffer;
    return ACL_SUCCESS;
  });
}

void* aclGetDataBufferAddr(const aclDataBuffer* dataBuffer) {
  void* out = nullptr;
  guard("aclGetDataBufferAddr", [&]() -> aclError {
    VNPU_ACL_REQUIRE(dataBuffer);
    aclDataBuffer b;
    if (!read_live(dataBuffer, &b))
      return fail(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live aclDataBuffer",
                  static_cast<const void*>(dataBuffer));
    out = b.data;
    return ACL_SUCCESS;
  });
  return out;
}

size_t aclGetDataBufferSizeV2(const aclDataBuffer* dataBuffer) {
  size_t out = 0;
  guard("aclGetDataBufferSizeV2", [&]() -> aclError {
    VNPU_ACL_REQUIRE(dataBuffer);
    aclDataBuffer b;
    if (!read_live(dataBuffer, &b))
      return fail(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live aclDataBuffer",
                  static_cast<const void*>(dataBuffer));
    out = b.size;
    return ACL_SUCCESS;
  });
  return out;
}

uint32_t aclGetDataBufferSize(const aclDataBuffer* dataBuffer) {
  return static_cast<uint32_t>(aclGetDataBufferSizeV2(dataBuffer));
}

aclError aclUpdateDataBuffer(aclDataBuffer* dataBuffer, void* data, size_t size) {
  return guard("aclUpdateDataBuffer", [&]() -> aclError {
    VNPU_ACL_REQUIRE(dataBuffer);
    if (data == nullptr && size != 0) return fail(ACL_ERROR_INVALID_PARAM, "data is null with size %zu", size);
    Buffers& bs = buffers();
    std::lock_guard lock(bs.mu);  // held while writing, so a concurrent destroy cannot free it meanwhile
    if (!bs.live.contains(dataBuffer))
      return fail(ACL_ERROR_INVALID_RESOURCE_HANDLE, "%p is not a live aclDataBuffer", static_cast<void*>(dataBuffer));
    dataBuffer->data = data;
    dataBuffer->size = size;
    return ACL_SUCCESS;
  });
}

size_t aclDataTypeSize(aclDataType dataType) {
  switch (enum_value(dataType)) {
    case ACL_INT8:
    case ACL_UINT8:
    case ACL_BOOL:
    case ACL_HIFLOAT8:
    case ACL_FLOAT8_E5M2:
    case ACL_FLOAT8_E4M3FN:
    case ACL_FLOAT8_E8M0: return 1;
    case ACL_FLOAT16:
    case ACL_BF16:
    case ACL_INT16:
    case ACL_UINT16: return 2;
    case ACL_FLOAT:
    case ACL_INT32:
    case ACL_UINT32:
    case ACL_COMPLEX32: return 4;
    case ACL_INT64:
    case ACL_UINT64:
    case ACL_DOUBLE:
    case ACL_COMPLEX64: return 8;
    case ACL_COMPLEX128: return 16;
    default: return 0;  // undefined, strings (variable length), sub-byte types, unknown values
  }
}

float aclFloat16ToFloat(aclFloat16 value) { return vnpu::f16_to_f32(value); }

aclFloat16 aclFloatToFloat16(float value) { return vnpu::f32_to_f16(value); }

}  // extern "C"
