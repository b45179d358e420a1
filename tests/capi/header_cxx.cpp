// The public C headers compile as C++ and declare C linkage: this file is built, never run.
#include <acl/acl.h>
#include <vnpu/acl_ext.h>

#include <cstdint>
#include <type_traits>

static_assert(std::is_same_v<aclError, int>);
static_assert(std::is_same_v<aclrtStream, void*>);
static_assert(std::is_same_v<aclFloat16, uint16_t>);
static_assert(ACL_ERROR_RT_STREAM_SYNC_TIMEOUT == 507046);
static_assert(std::is_same_v<decltype(&aclrtLaunchCallback),
                             aclError (*)(aclrtCallback, void*, aclrtCallbackBlockType, aclrtStream)>);
int vnpu_header_cxx_check();
int vnpu_header_cxx_check() { return aclrtSynchronizeDevice(); }
