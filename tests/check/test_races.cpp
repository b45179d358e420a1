// Checked mode (vnpu/check.hpp): races found from what the API orders, whatever ran when;
// correct programs give no finding.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "check/check_fixture.hpp"

namespace vnpu {
namespace {

using checker::Finding;
using checker::Kind;

using Check = test::CheckFixture;

TEST_F(Check, ACopyAndAKernelOnTwoStreamsWithoutAnEventRace) {
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  ASSERT_OK(a_.synchronize());  // it has run: the race is in the API order, not the schedule
  // ... but b's kernel was never ordered after a's copy by anything the program said?
  // It was: the host synchronized a first, then submitted to b. No finding.
  ASSERT_OK(kernel(b_, "consume", x_, y_));
  EXPECT_TRUE(checker::findings().empty()) << checker::report_text(checker::findings());

  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  ASSERT_OK(kernel(b_, "consume", x_, y_));  // nothing orders it after the copy
  const auto raw = of_kind(Kind::kReadAfterWrite);
  ASSERT_EQ(raw.size(), 1u) << checker::report_text(checker::findings());
  EXPECT_EQ(raw[0].lo, reinterpret_cast<std::uintptr_t>(x_));
  EXPECT_EQ(raw[0].hi, reinterpret_cast<std::uintptr_t>(x_) + kBytes);
  EXPECT_EQ(raw[0].alloc_base, reinterpret_cast<std::uintptr_t>(x_));
  EXPECT_NE(raw[0].first.what.find("memcpy"), std::string::npos) << raw[0].first.what;
  EXPECT_NE(raw[0].second.what.find("kernel 'consume'"), std::string::npos) << raw[0].second.what;
  EXPECT_NE(raw[0].first.where.find("stream " + std::to_string(a_.id())), std::string::npos) << raw[0].first.where;
  EXPECT_NE(raw[0].second.where.find("stream " + std::to_string(b_.id())), std::string::npos) << raw[0].second.where;
  EXPECT_NE(raw[0].missing.find("nothing orders"), std::string::npos);
}

TEST_F(Check, AnEventBetweenTheStreamsOrdersThem) {
  Event e = Event::create().value();
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  ASSERT_OK(a_.record(e));
  ASSERT_OK(b_.wait(e));
  ASSERT_OK(kernel(b_, "consume", x_, y_));
  EXPECT_TRUE(checker::findings().empty()) << checker::report_text(checker::findings());
}

TEST_F(Check, AnEventRecordedAfterTheWaitOrdersNothing) {
  Event e = Event::create().value();
  ASSERT_OK(b_.wait(e));  // no record yet
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  ASSERT_OK(a_.record(e));
  ASSERT_OK(kernel(b_, "consume", x_, y_));
  EXPECT_EQ(of_kind(Kind::kUnorderedWait).size(), 1u) << checker::report_text(checker::findings());
  EXPECT_EQ(of_kind(Kind::kReadAfterWrite).size(), 1u) << checker::report_text(checker::findings());
}

TEST_F(Check, TwoStreamsWritingTheSameBytesRace) {
  ASSERT_OK(kernel(a_, "first", y_, x_));
  ASSERT_OK(kernel(b_, "second", y_, x_));
  EXPECT_EQ(of_kind(Kind::kWriteAfterWrite).size(), 1u) << checker::report_text(checker::findings());
}

TEST_F(Check, AWriteAfterAnUnorderedReadRaces) {
  ASSERT_OK(kernel(a_, "reader", x_, y_));
  ASSERT_OK(b_.memset_async(x_, kBytes, 0, kBytes));
  const auto war = of_kind(Kind::kWriteAfterRead);
  ASSERT_EQ(war.size(), 1u) << checker::report_text(checker::findings());
  EXPECT_EQ(war[0].first.mode, AccessMode::kRead);
  EXPECT_EQ(war[0].second.mode, AccessMode::kWrite);
}

TEST_F(Check, DisjointBytesOfOneAllocationDoNotRace) {
  auto* x = static_cast<unsigned char*>(x_);
  ASSERT_OK(a_.memset_async(x, kBytes / 2, 1, kBytes / 2));
  ASSERT_OK(b_.memset_async(x + kBytes / 2, kBytes / 2, 2, kBytes / 2));
  EXPECT_TRUE(checker::findings().empty()) << checker::report_text(checker::findings());
  ASSERT_OK(b_.memset_async(x + kBytes / 2 - 1, 2, 3, 2));  // one byte of each half
  EXPECT_EQ(of_kind(Kind::kWriteAfterWrite).size(), 1u) << checker::report_text(checker::findings());
}

TEST_F(Check, FreeingMemoryQueuedWorkStillUsesIsReported) {
  void* z = dev_.malloc(kBytes).value();
  ASSERT_OK(kernel(a_, "user", x_, z));
  ASSERT_OK(vnpu::free(z));  // no synchronize: the kernel is not known to be done
  const auto uaf = of_kind(Kind::kUseAfterFree);
  ASSERT_EQ(uaf.size(), 1u) << checker::report_text(checker::findings());
  EXPECT_EQ(uaf[0].alloc_base, reinterpret_cast<std::uintptr_t>(z));
  EXPECT_NE(uaf[0].second.what.find("vnpu::free"), std::string::npos) << uaf[0].second.what;
}

TEST_F(Check, FreeingAfterSynchronizeIsFine) {
  void* z = dev_.malloc(kBytes).value();
  ASSERT_OK(kernel(a_, "user", x_, z));
  ASSERT_OK(a_.synchronize());
  ASSERT_OK(vnpu::free(z));
  void* w = dev_.malloc(kBytes).value();
  ASSERT_OK(kernel(b_, "user", x_, w));
  ASSERT_OK(dev_.synchronize());
  ASSERT_OK(vnpu::free(w));
  EXPECT_TRUE(checker::findings().empty()) << checker::report_text(checker::findings());
}

TEST_F(Check, AHostCopyBeforeSynchronizeReadsWhatAKernelStillWrites) {
  ASSERT_OK(kernel(a_, "producer", x_, y_));
  ASSERT_OK(vnpu::memcpy(host_, kBytes, y_, kBytes));  // the kernel may not have written y yet
  ASSERT_EQ(of_kind(Kind::kReadAfterWrite).size(), 1u) << checker::report_text(checker::findings());
  checker::clear_findings();
  Event done = Event::create().value();
  ASSERT_OK(kernel(a_, "producer", x_, y_));
  ASSERT_OK(a_.record(done));
  ASSERT_OK(done.synchronize());
  ASSERT_OK(vnpu::memcpy(host_, kBytes, y_, kBytes));
  EXPECT_TRUE(checker::findings().empty()) << checker::report_text(checker::findings());
}

TEST_F(Check, AHostFunctionActsAtItsPlaceInItsStream) {
  void* z = dev_.malloc(kBytes).value();
  ASSERT_OK(kernel(a_, "user", x_, z));
  // Frees z after the kernel on its own stream: ordered.
  ASSERT_OK(a_.host_func("free_z", [z] { (void)vnpu::free(z); }));
  ASSERT_OK(a_.synchronize());
  EXPECT_TRUE(checker::findings().empty()) << checker::report_text(checker::findings());
  // A host function on b frees memory a's kernel uses: nothing orders them.
  void* w = dev_.malloc(kBytes).value();
  ASSERT_OK(kernel(a_, "user", x_, w));
  ASSERT_OK(b_.host_func("free_w", [w] { (void)vnpu::free(w); }));
  ASSERT_OK(dev_.synchronize());
  EXPECT_EQ(of_kind(Kind::kUseAfterFree).size(), 1u) << checker::report_text(checker::findings());
}

TEST_F(Check, RepeatsFoldIntoOneFindingWithACount) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
    ASSERT_OK(kernel(b_, "consume", x_, y_));
  }
  const auto f = checker::findings();
  ASSERT_FALSE(f.empty());
  std::uint64_t total = 0;
  for (const Finding& x : f) total += x.count;
  EXPECT_LT(f.size(), 4u) << checker::report_text(f);
  EXPECT_GE(total, 10u);
}

TEST_F(Check, TheReportNamesBothTasksAndTheMissingEdge) {
  ASSERT_OK(a_.memcpy_async(x_, kBytes, host_, kBytes));
  ASSERT_OK(kernel(b_, "consume", x_, y_));
  const std::string text = checker::report_text(checker::findings());
  EXPECT_NE(text.find("read-after-write"), std::string::npos) << text;
  EXPECT_NE(text.find("kernel 'consume'"), std::string::npos) << text;
  EXPECT_NE(text.find("Stream::memcpy_async"), std::string::npos) << text;
  const std::string json = checker::report_json(checker::findings());
  EXPECT_NE(json.find("\"kind\": \"read-after-write\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"bytes\": 4096"), std::string::npos) << json;
}

TEST(CheckOneCore, ARaceIsFoundOnASingleCoreDeviceToo) {
  checker::enable();
  checker::clear_findings();
  DeviceConfig c;
  c.compute_cores = 1;
  c.copy_engines = 0;  // copies run on the one core: everything runs one after the other
  c.memory_bytes = std::size_t{16} << 20;
  Device d = Device::create(c).value();
  Stream a = d.create_stream().value();
  Stream b = d.create_stream().value();
  void* x = d.malloc(4096).value();
  void* y = d.malloc(4096).value();
  ASSERT_OK(a.memset_async(x, 4096, 1, 4096));
  ASSERT_OK(a.synchronize());  // even run to completion first...
  ASSERT_OK(b.memcpy_async(y, 4096, x, 4096));  // ...this is ordered (host sync) - fine
  ASSERT_OK(a.memset_async(x, 4096, 2, 4096));  // but this write races with b's read of x
  ASSERT_OK(d.synchronize());
  bool found = false;
  for (const Finding& f : checker::findings()) found = found || f.kind == Kind::kWriteAfterRead;
  EXPECT_TRUE(found) << checker::report_text(checker::findings());
  checker::clear_findings();
  ASSERT_OK(vnpu::free(x));
  ASSERT_OK(vnpu::free(y));
}

}  // namespace
}  // namespace vnpu
