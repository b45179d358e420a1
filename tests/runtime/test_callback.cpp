// Host callbacks: run once and in order, blocking vs non-blocking, failures, and runtime
// calls made from inside a callback (they work or return kNotPermitted, never deadlock).
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace vnpu {
namespace {

class Callback : public ::testing::Test {
 protected:
  void SetUp() override {
    dev_ = test::make_device(2).value();
    s_ = dev_.create_stream().value();
  }
  Device dev_;
  Stream s_;
};

TEST_F(Callback, RunOnceInStreamOrder) {
  const int n = test::scaled(500, 50);
  std::mutex mu;
  std::vector<int> log;
  std::atomic<int> kernel_seen{0};
  std::atomic<int> bad{0};
  for (int i = 0; i < n; ++i) {
    if (i % 3 == 0) {
      ASSERT_OK(s_.launch("k", 2, [&, i](const KernelContext& k) {
        if (k.block_idx() != 0) return;
        std::lock_guard<std::mutex> lock(mu);
        log.push_back(i);
      }));
    } else {
      CallbackMode mode = (i % 3 == 1) ? CallbackMode::kBlocking : CallbackMode::kNonBlocking;
      ASSERT_OK(s_.host_func("cb", [&, i] {
        std::lock_guard<std::mutex> lock(mu);
        log.push_back(i);
      }, mode));
    }
  }
  ASSERT_OK(s_.host_func("last", [&] { kernel_seen.store(1); }));
  EXPECT_OK(s_.synchronize());
  EXPECT_TRUE(test::wait_until([&] { return kernel_seen.load() == 1; }));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(log.size(), static_cast<std::size_t>(n));
  // Blocking callbacks and kernels keep full stream order. Non-blocking callbacks keep
  // their order relative to the stream's other callbacks and to everything before them.
  std::vector<int> callbacks;
  for (int v : log)
    if (v % 3 != 0) callbacks.push_back(v);
  for (std::size_t i = 1; i < callbacks.size(); ++i) EXPECT_LT(callbacks[i - 1], callbacks[i]);
  for (std::size_t i = 0; i < log.size(); ++i) {
    for (std::size_t j = i + 1; j < log.size(); ++j) {
      // Everything submitted before a blocking callback or a kernel ran before it.
      if (log[j] % 3 != 2 && log[i] > log[j]) bad.fetch_add(1);
    }
  }
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(Callback, RunsExactlyOnce) {
  std::atomic<int> count{0};
  for (int i = 0; i < 100; ++i) ASSERT_OK(s_.host_func("once", [&] { count.fetch_add(1); }));
  EXPECT_OK(s_.synchronize());
  EXPECT_EQ(count.load(), 100);
  EXPECT_OK(s_.synchronize());
  EXPECT_EQ(count.load(), 100);
}

TEST_F(Callback, BlockingCallbackHoldsLaterWork) {
  std::atomic<bool> cb_returned{false};
  std::atomic<bool> kernel_started{false};
  std::atomic<int> violations{0};
  ASSERT_OK(s_.host_func("slow_blocking", [&] {
    // If the kernel after us started now, the blocking mode is broken.
    if (test::wait_until([&] { return kernel_started.load(); }, std::chrono::milliseconds(200)))
      violations.fetch_add(1);
    cb_returned.store(true);
  }, CallbackMode::kBlocking));
  ASSERT_OK(s_.launch("after_cb", 1, [&](const KernelContext&) {
    kernel_started.store(true);
    if (!cb_returned.load()) violations.fetch_add(1);
  }));
  EXPECT_OK(s_.synchronize());
  EXPECT_TRUE(cb_returned.load());
  EXPECT_TRUE(kernel_started.load());
  EXPECT_EQ(violations.load(), 0);
}

TEST_F(Callback, BlockingCallbackHoldsCopies) {
  constexpr std::size_t n = 4096;
  auto* d = static_cast<unsigned char*>(dev_.malloc(n).value());
  std::vector<unsigned char> back(n, 0);
  ASSERT_OK(vnpu::memset(d, n, 1, n));
  ASSERT_OK(s_.host_func("writes_device_memory", [d] { std::memset(d, 9, n); }, CallbackMode::kBlocking));
  ASSERT_OK(s_.memcpy_async(back.data(), n, d, n, CopyKind::kDeviceToHost));
  EXPECT_OK(s_.synchronize());
  EXPECT_TRUE(back == std::vector<unsigned char>(n, 9));
  EXPECT_OK(vnpu::free(d));
}

TEST_F(Callback, NonBlockingCallbackLetsLaterWorkRun) {
  test::Flag kernel_ran, cb_saw_kernel, cb_done;
  ASSERT_OK(s_.host_func("waits_for_later_kernel", [=] {
    if (kernel_ran.wait()) cb_saw_kernel.set();
    cb_done.set();
  }, CallbackMode::kNonBlocking));
  ASSERT_OK(s_.launch("later", 1, [kernel_ran](const KernelContext&) { kernel_ran.set(); }));
  EXPECT_TRUE(cb_done.wait());
  EXPECT_TRUE(cb_saw_kernel.is_set()) << "a non-blocking callback held later work";
  EXPECT_OK(s_.synchronize());
}

TEST_F(Callback, NonBlockingCallbacksKeepOrderAmongThemselves) {
  std::vector<int> log;  // callbacks run one at a time on the host thread
  std::mutex mu;
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(s_.host_func("nb", [&, i] {
      std::lock_guard<std::mutex> lock(mu);
      log.push_back(i);
    }, CallbackMode::kNonBlocking));
  }
  EXPECT_OK(s_.synchronize());
  EXPECT_TRUE(test::wait_until([&] {
    std::lock_guard<std::mutex> lock(mu);
    return log.size() == 50u;
  }));
  std::lock_guard<std::mutex> lock(mu);
  for (std::size_t i = 0; i < log.size(); ++i) EXPECT_EQ(log[i], static_cast<int>(i));
}

TEST_F(Callback, FailingCallbackReportsTaskFailed) {
  ASSERT_OK(s_.host_func("throwing_callback_cb", [] { throw std::runtime_error("cb boom"); }));
  std::atomic<int> after{0};
  ASSERT_OK(s_.launch("after", 1, [&](const KernelContext&) { after.store(1); }));
  EXPECT_EQ(s_.synchronize(), Status::kTaskFailed);
  std::string msg = last_error_message();
  EXPECT_NE(msg.find("throwing_callback_cb"), std::string::npos) << msg;
  EXPECT_NE(msg.find(std::to_string(s_.id())), std::string::npos) << msg;
  EXPECT_EQ(after.load(), 1);
  EXPECT_OK(s_.synchronize());

  ASSERT_OK(s_.host_func("status_callback_cb", [] { return Status::kInvalidArgument; }));
  EXPECT_EQ(s_.synchronize(), Status::kTaskFailed);
  EXPECT_NE(std::string(last_error_message()).find("status_callback_cb"), std::string::npos);
  EXPECT_OK(s_.query());
}

TEST_F(Callback, EmptyHandleAndBadMode) {
  Stream empty;
  EXPECT_EQ(empty.host_func("cb", [] {}), Status::kInvalidHandle);
  std::atomic<int> ran{0};
  EXPECT_EQ(s_.host_func("bad_mode", [&] { ran.store(1); }, static_cast<CallbackMode>(7)),
            Status::kInvalidArgument);
  EXPECT_OK(s_.synchronize());
  EXPECT_EQ(ran.load(), 0);
}

TEST_F(Callback, BlockingWaitsFromACallbackAreNotPermitted) {
  Stream other = dev_.create_stream().value();
  Event e = Event::create().value();
  ASSERT_OK(other.record(e));
  std::vector<Status> got(7, Status::kInternal);
  test::Flag done;
  ASSERT_OK(s_.host_func("waits", [&] {
    got[0] = s_.synchronize();
    got[1] = s_.synchronize(std::chrono::milliseconds(100));
    got[2] = other.synchronize();
    got[3] = e.synchronize();
    got[4] = e.synchronize(std::chrono::milliseconds(100));
    got[5] = dev_.synchronize();
    got[6] = dev_.synchronize(std::chrono::milliseconds(100));
    done.set();
  }));
  ASSERT_TRUE(done.wait()) << "a blocking call inside a callback deadlocked";
  EXPECT_OK(s_.synchronize());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], Status::kNotPermitted) << "call " << i;
  EXPECT_GT(got.size(), 0u);
}

TEST_F(Callback, SubmittingAndQueryingFromACallbackWorks) {
  Stream other = dev_.create_stream().value();
  Event e = Event::create().value();
  void* d = dev_.malloc(64).value();
  std::vector<Status> got(8, Status::kInternal);
  std::atomic<int> child{0};
  test::Flag done;
  ASSERT_OK(s_.host_func("submits", [&] {
    got[0] = s_.query();  // this callback is still pending
    got[1] = other.launch("child", 2, [&](const KernelContext&) { child.fetch_add(1); });
    got[2] = other.record(e);
    got[3] = s_.launch("own_stream_child", 1, [&](const KernelContext&) { child.fetch_add(10); });
    got[4] = s_.memset_async(d, 64, 3, 64);
    got[5] = other.host_func("nested_cb", [&] { child.fetch_add(100); });
    got[6] = e.query() == Status::kNotReady ? Status::kSuccess : e.query();
    got[7] = other.query() == Status::kNotReady ? Status::kSuccess : other.query();
    done.set();
  }));
  ASSERT_TRUE(done.wait()) << "a runtime call inside a callback deadlocked";
  EXPECT_OK(s_.synchronize());
  EXPECT_OK(other.synchronize());
  EXPECT_EQ(got[0], Status::kNotReady);
  for (std::size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i], Status::kSuccess) << "call " << i;
  EXPECT_EQ(child.load(), 112);
  EXPECT_EQ(static_cast<unsigned char*>(d)[63], 3);
  EXPECT_OK(vnpu::free(d));
}

TEST_F(Callback, AllocatingAndFreeingFromACallbackWorks) {
  Status a = Status::kInternal, f = Status::kInternal;
  ASSERT_OK(s_.host_func("alloc", [&] {
    Expected<void*> p = dev_.malloc(128);
    a = p.status();
    if (p) f = vnpu::free(*p);
  }));
  EXPECT_OK(s_.synchronize());
  EXPECT_OK(a);
  EXPECT_OK(f);
}

TEST_F(Callback, CallbackHoldingLastStreamHandleDoesNotDeadlock) {
  // The callback's function object holds the only handle of its own stream, so the
  // stream is destroyed on the callback thread when the callback is released.
  test::Flag ran;
  {
    Stream s = dev_.create_stream().value();
    ASSERT_OK(s.launch("k", 1, [](const KernelContext&) {}));
    ASSERT_OK(s.host_func("holds_stream", [s, ran] { ran.set(); }));
  }
  EXPECT_TRUE(ran.wait());
  // The device's callback thread must still work.
  test::Flag again;
  ASSERT_OK(s_.host_func("again", [again] { again.set(); }));
  EXPECT_TRUE(again.wait());
  EXPECT_OK(s_.synchronize(test::kLongWait));
}

TEST(CallbackDevice, CallbackHoldingLastDeviceHandleDoesNotDeadlock) {
  // The device's last handle (and its last stream) die on the device's own callback
  // thread. The runtime must not join that thread from itself.
  test::Flag ran;
  {
    Device dev = test::make_device(1).value();
    Stream s = dev.create_stream().value();
    ASSERT_OK(s.host_func("holds_device", [dev, s, ran] { ran.set(); }));
  }
  EXPECT_TRUE(ran.wait());
  // Let the teardown happen; ASan/LSan catches a leaked device, TSan a racy one.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Device other = test::make_device(1).value();
  Stream s = other.create_stream().value();
  test::Flag ok;
  ASSERT_OK(s.host_func("fresh", [ok] { ok.set(); }));
  EXPECT_TRUE(ok.wait());
}

TEST_F(Callback, CallbackOnDefaultStream) {
  Stream def = dev_.default_stream();
  std::atomic<int> ran{0};
  ASSERT_OK(def.launch("k", 2, [&](const KernelContext&) { ran.fetch_add(1); }));
  ASSERT_OK(def.host_func("cb", [&] { ran.fetch_add(10); }));
  EXPECT_OK(def.synchronize());
  EXPECT_EQ(ran.load(), 12);
}

}  // namespace
}  // namespace vnpu
