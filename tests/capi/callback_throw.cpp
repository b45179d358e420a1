// A C++ program on the C API whose aclrtLaunchCallback callbacks throw. The process must
// not terminate: a throwing callback is reported at the stream's next synchronize as
// ACL_ERROR_RT_AICORE_EXCEPTION, with the exception's text, once, as a failing kernel is;
// the stream and the processing thread go on. Exit status 0 when every check holds.
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "acl/acl.h"

namespace {

int g_failures = 0;

void expect(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "FAILED: %s (last message: %s)\n", what, aclGetRecentErrMsg());
  ++g_failures;
}

std::atomic<int> g_ran{0};

void throwing(void* user) {
  g_ran.fetch_add(1);
  throw std::runtime_error(static_cast<const char*>(user));
}

void throwing_int(void*) {
  g_ran.fetch_add(1);
  throw 42;
}

void counting(void*) { g_ran.fetch_add(1); }

}  // namespace

int main() {
  if (aclInit(nullptr) != ACL_SUCCESS || aclrtSetDevice(0) != ACL_SUCCESS) return 2;
  aclrtStream s = nullptr;
  expect(aclrtCreateStream(&s) == ACL_SUCCESS, "create stream");

  std::atomic<bool> stop{false};
  std::atomic<pthread_t> tid{};
  std::atomic<bool> subscribed{false};
  std::thread processor([&] {
    tid = pthread_self();
    expect(aclrtSubscribeReport(static_cast<std::uint64_t>(pthread_self()), s) == ACL_SUCCESS, "subscribe");
    subscribed = true;
    while (!stop) (void)aclrtProcessReport(10);
  });
  while (!subscribed) std::this_thread::yield();

  // A blocking callback that throws: the stream goes on after it, and reports it once.
  char message[] = "the blocking callback found a bad value";
  expect(aclrtLaunchCallback(throwing, message, ACL_CALLBACK_BLOCK, s) == ACL_SUCCESS, "launch blocking");
  expect(aclrtLaunchCallback(counting, nullptr, ACL_CALLBACK_BLOCK, s) == ACL_SUCCESS, "launch after it");
  expect(aclrtSynchronizeStream(s) == ACL_ERROR_RT_AICORE_EXCEPTION, "synchronize reports the throw");
  expect(std::strstr(aclGetRecentErrMsg(), "the blocking callback found a bad value") != nullptr,
         "the message carries the exception's text");
  expect(g_ran == 2, "the callback after the throwing one ran");
  expect(aclrtSynchronizeStream(s) == ACL_SUCCESS, "reported once");

  // Non-blocking callbacks, one throwing something that is not a std::exception; two
  // failures before a synchronize: the first is reported, the second counted.
  expect(aclrtLaunchCallback(throwing_int, nullptr, ACL_CALLBACK_NO_BLOCK, s) == ACL_SUCCESS, "launch int");
  char second[] = "second";
  expect(aclrtLaunchCallback(throwing, second, ACL_CALLBACK_BLOCK, s) == ACL_SUCCESS, "launch second");
  expect(aclrtSynchronizeStream(s) == ACL_ERROR_RT_AICORE_EXCEPTION, "synchronize reports the int");
  expect(std::strstr(aclGetRecentErrMsg(), "non-standard exception") != nullptr, "names a non-standard exception");
  expect(std::strstr(aclGetRecentErrMsg(), "and 1 more") != nullptr, "counts the second failure");

  // The device-wide synchronize reports a callback failure too.
  char third[] = "third";
  expect(aclrtLaunchCallback(throwing, third, ACL_CALLBACK_BLOCK, s) == ACL_SUCCESS, "launch third");
  expect(aclrtSynchronizeDevice() == ACL_ERROR_RT_AICORE_EXCEPTION, "device synchronize reports it");
  expect(aclrtSynchronizeDevice() == ACL_SUCCESS, "device synchronize: reported once");

  stop = true;
  processor.join();
  expect(aclrtDestroyStream(s) == ACL_SUCCESS, "destroy");
  expect(aclFinalize() == ACL_SUCCESS, "finalize");
  if (g_failures == 0) std::printf("callback_throw: all checks passed\n");
  return g_failures == 0 ? 0 : 1;
}
