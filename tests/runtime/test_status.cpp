// Status names, the per-thread error message, check() and Expected<T>.
#include <cstring>
#include <string>
#include <thread>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

TEST(Status, NamesAreStableIdentifiers) {
  EXPECT_STREQ(status_name(Status::kSuccess), "kSuccess");
  EXPECT_STREQ(status_name(Status::kInvalidArgument), "kInvalidArgument");
  EXPECT_STREQ(status_name(Status::kInvalidHandle), "kInvalidHandle");
  EXPECT_STREQ(status_name(Status::kInvalidPointer), "kInvalidPointer");
  EXPECT_STREQ(status_name(Status::kDoubleFree), "kDoubleFree");
  EXPECT_STREQ(status_name(Status::kOutOfMemory), "kOutOfMemory");
  EXPECT_STREQ(status_name(Status::kOutOfRange), "kOutOfRange");
  EXPECT_STREQ(status_name(Status::kInvalidCopyKind), "kInvalidCopyKind");
  EXPECT_STREQ(status_name(Status::kNotReady), "kNotReady");
  EXPECT_STREQ(status_name(Status::kTimeout), "kTimeout");
  EXPECT_STREQ(status_name(Status::kTaskFailed), "kTaskFailed");
  EXPECT_STREQ(status_name(Status::kNotPermitted), "kNotPermitted");
  EXPECT_STREQ(status_name(Status::kNotSupported), "kNotSupported");
  EXPECT_STREQ(status_name(Status::kScratchOverflow), "kScratchOverflow");
  EXPECT_STREQ(status_name(Status::kEventNotRecorded), "kEventNotRecorded");
  EXPECT_STREQ(status_name(Status::kInternal), "kInternal");
  EXPECT_STREQ(status_name(Status::kInvalidDevice), "kInvalidDevice");
}

TEST(Status, UnknownValueHasANonNullName) {
  const char* name = status_name(static_cast<Status>(9999));
  ASSERT_NE(name, nullptr);
  EXPECT_GT(std::strlen(name), 0u);
}

TEST(Status, LastErrorMessageIsSetOnFailureAndClearedOnSuccess) {
  int on_stack = 0;
  EXPECT_EQ(vnpu::free(&on_stack), Status::kInvalidPointer);
  EXPECT_GT(std::strlen(last_error_message()), 0u);

  Device dev = Device::get(0).value();
  void* p = dev.malloc(64).value();
  EXPECT_STREQ(last_error_message(), "");
  EXPECT_EQ(vnpu::free(nullptr), Status::kInvalidArgument);
  EXPECT_GT(std::strlen(last_error_message()), 0u);
  EXPECT_OK(vnpu::free(p));
  EXPECT_STREQ(last_error_message(), "");
}

TEST(Status, LastErrorMessageIsPerThread) {
  int on_stack = 0;
  EXPECT_EQ(vnpu::free(&on_stack), Status::kInvalidPointer);
  std::string other;
  std::thread t([&] {
    EXPECT_OK(vnpu::memcpy(nullptr, 0, nullptr, 0, CopyKind::kHostToHost));
    other = last_error_message();
  });
  t.join();
  EXPECT_EQ(other, "");
  EXPECT_GT(std::strlen(last_error_message()), 0u);
}

TEST(Status, CheckThrowsErrorCarryingTheStatus) {
  EXPECT_NO_THROW(check(Status::kSuccess));
  try {
    check(Status::kOutOfRange);
    FAIL() << "check() did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::kOutOfRange);
  }
}

TEST(Status, ExpectedHoldsValueOrStatus) {
  Expected<int> ok(7);
  EXPECT_TRUE(ok.has_value());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(ok.status(), Status::kSuccess);
  EXPECT_EQ(ok.value(), 7);

  Expected<int> bad(Status::kTimeout);
  EXPECT_FALSE(bad.has_value());
  EXPECT_EQ(bad.status(), Status::kTimeout);
  try {
    (void)bad.value();
    FAIL() << "value() of a failure did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), Status::kTimeout);
  }

  // A "failure" built from kSuccess must not look like a value.
  Expected<int> odd(Status::kSuccess);
  EXPECT_FALSE(odd.has_value());
  EXPECT_EQ(odd.status(), Status::kInternal);
}

TEST(Status, FailedCallThrowsThroughValue) {
  Device empty;
  Expected<Stream> s = empty.create_stream();
  EXPECT_EQ(s.status(), Status::kInvalidHandle);
  EXPECT_THROW((void)s.value(), Error);
}

}  // namespace
}  // namespace vnpu
