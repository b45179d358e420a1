/* fuzz/acl_enum_calls.c — C wrappers that pass any int as an enum argument, as C callers
 * may: in C an enum parameter is an int, while C++ (acl_fuzz.cpp) may not form an enum value
 * outside its enumerators' range. */
#include "acl/acl.h"

aclError fuzz_malloc(void **p, size_t size, int policy) {
  return aclrtMalloc(p, size, (aclrtMemMallocPolicy)policy);
}
aclError fuzz_memcpy(void *dst, size_t dest_max, const void *src, size_t count, int kind) {
  return aclrtMemcpy(dst, dest_max, src, count, (aclrtMemcpyKind)kind);
}
aclError fuzz_memcpy_async(void *dst, size_t dest_max, const void *src, size_t count, int kind, aclrtStream s) {
  return aclrtMemcpyAsync(dst, dest_max, src, count, (aclrtMemcpyKind)kind, s);
}
aclError fuzz_mem_info(int attr, size_t *free_bytes, size_t *total) {
  return aclrtGetMemInfo((aclrtMemAttr)attr, free_bytes, total);
}
aclError fuzz_memcpy_2d(void *dst, size_t dpitch, const void *src, size_t spitch, size_t width, size_t height,
                        int kind, aclrtStream s, int async) {
  return async ? aclrtMemcpy2dAsync(dst, dpitch, src, spitch, width, height, (aclrtMemcpyKind)kind, s)
               : aclrtMemcpy2d(dst, dpitch, src, spitch, width, height, (aclrtMemcpyKind)kind);
}
aclError fuzz_malloc_align32(void **p, size_t size, int policy) {
  return aclrtMallocAlign32(p, size, (aclrtMemMallocPolicy)policy);
}
aclError fuzz_launch_callback(aclrtCallback fn, void *user, int type, aclrtStream s) {
  return aclrtLaunchCallback(fn, user, (aclrtCallbackBlockType)type, s);
}
