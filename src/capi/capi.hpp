// Internals of the AscendCL-compatible C API: error recording, the guard every entry
// point runs its body in, and the mapping from vnpu::Status to aclError.
//
// Every extern "C" function of src/capi/ is written as
//
//     aclError aclrtFoo(...) {
//       return capi::guard("aclrtFoo", [&]() -> aclError { ...; return ACL_SUCCESS; });
//     }
//
// guard() names the API for the messages, and turns any exception into a code: nothing
// ever propagates into C callers.
#pragma once

#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <type_traits>
#include <vector>

#include "acl/acl.h"
#include "vnpu/acl_ext.h"
#include "vnpu/check.hpp"
#include "check/checker.hpp"
#include "vnpu/status.hpp"

namespace vnpu::capi {

/// Which family a failed runtime call belongs to, for codes that differ by family.
enum class Site { kGeneric, kFree, kEvent, kOp };

/// Records "<api>: <message> (<CODE_NAME> <code>)" as the thread's recent error and returns
/// `code`. printf-style.
[[gnu::format(printf, 2, 3)]] aclError fail(aclError code, const char* fmt, ...) noexcept;

/// Maps a failed vnpu status to its aclError, records `what` with vnpu's own message for
/// the thread (vnpu::last_error_message()) and returns the code.
aclError fail_status(vnpu::Status status, const char* what, Site site = Site::kGeneric) noexcept;

/// The aclError for a vnpu status (ACL_SUCCESS for kSuccess).
aclError to_acl(vnpu::Status status, Site site = Site::kGeneric) noexcept;

/// Symbolic name of an aclError ("ACL_ERROR_INVALID_PARAM"), "ACL_SUCCESS" for 0.
const char* code_name(aclError code) noexcept;

/// The API name guard() set for the calling thread.
const char* current_api() noexcept;

namespace detail {
/// Sets the API name of the calling thread, returning the previous one.
const char* enter_api(const char* name) noexcept;
aclError unexpected_exception(const char* what) noexcept;
/// Restores the previous API name when an entry point returns (a callback run inside an
/// entry point may call other entry points).
struct ApiScope {
  explicit ApiScope(const char* name) noexcept : previous(enter_api(name)) {}
  ~ApiScope() { enter_api(previous); }
  ApiScope(const ApiScope&) = delete;
  ApiScope& operator=(const ApiScope&) = delete;
  const char* previous;
};
}  // namespace detail

/// Runs `body` (returning aclError) as the entry point `api`: exceptions become
/// ACL_ERROR_BAD_ALLOC (out of host memory) or ACL_ERROR_INTERNAL_ERROR. `caller`, the
/// entry point's return address (the default argument is evaluated in the entry point),
/// attributes the call's submissions to the program's call site in checked mode.
template <class F>
aclError guard(const char* api, F&& body, void* caller = __builtin_return_address(0)) noexcept {
  const detail::ApiScope scope(api);
  const vnpu::detail::check::ApiSite site(caller, api);
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return fail(ACL_ERROR_BAD_ALLOC, "out of host memory");
  } catch (const std::exception& e) {
    return detail::unexpected_exception(e.what());
  } catch (...) {
    return detail::unexpected_exception("a non-standard exception");
  }
}

/// The integer a C caller passed as an enum argument. C may pass any int; in C++ reading an
/// enum outside its enumerators' range is undefined, so the bytes are read as an int.
template <class E>
int enum_value(const E& e) noexcept {
  static_assert(std::is_enum_v<E> && sizeof(E) == sizeof(int));
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

/// ACL_SUCCESS for a timeout argument of -1 (forever) or >= 0 milliseconds, else
/// ACL_ERROR_INVALID_PARAM (recorded, naming the parameter).
inline aclError check_timeout(std::int32_t ms, const char* param) noexcept {
  if (ms >= -1) return ACL_SUCCESS;
  return fail(ACL_ERROR_INVALID_PARAM, "%s %d (use -1 to wait forever, or >= 0)", param, ms);
}

/// The C form of declared accesses (vnpuAccess, acl_ext.h) as vnpu::Access; ACL_ERROR_INVALID_PARAM
/// (recorded) for a null array with a count, more than 65536 entries, an unknown mode or a null
/// range with bytes.
aclError to_accesses(const vnpuAccess* accesses, std::size_t count, std::vector<vnpu::Access>* out);

/// Returns from the enclosing lambda if `expr` (an aclError) is not ACL_SUCCESS.
#define VNPU_ACL_TRY(expr)                          \
  do {                                              \
    const aclError vnpu_acl_try_ = (expr);          \
    if (vnpu_acl_try_ != ACL_SUCCESS) return vnpu_acl_try_; \
  } while (0)

/// Fails with ACL_ERROR_INVALID_PARAM when `ptr` is null.
#define VNPU_ACL_REQUIRE(ptr)                                                          \
  do {                                                                                 \
    if ((ptr) == nullptr) return ::vnpu::capi::fail(ACL_ERROR_INVALID_PARAM, "%s is null", #ptr); \
  } while (0)

}  // namespace vnpu::capi
