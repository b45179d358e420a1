// Host callbacks of the C API: reports handed from streams to subscribed threads.
//
// aclrtLaunchCallback queues a vnpu host function on the stream. When the stream reaches
// it (on the device's host-callback thread) the callback becomes a Report, delivered to
// the Reporter of the thread subscribed to the stream; that thread runs it in
// aclrtProcessReport. For ACL_CALLBACK_BLOCK the host function waits until the report has
// run, which holds later work on the stream. A report whose stream has no subscriber any
// more (unsubscribed, destroyed, finalized) runs where it is found, so nothing waits for a
// thread that will never come.
#pragma once

#include "check/checker.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "capi/state.hpp"

namespace vnpu::capi {

struct Report {
  Report(aclrtCallback f, void* u, bool b, std::shared_ptr<CallbackRoute> r, const void* s)
      : fn(f), user(u), blocking(b), route(std::move(r)), stream(s) {}
  const aclrtCallback fn;
  void* const user;
  const bool blocking;
  const std::shared_ptr<CallbackRoute> route;
  const void* const stream;  // the handle it was launched on, for messages
  /// Checked mode: the callback's place in its stream (set when its host function runs),
  /// where what it does happens, whichever thread runs it.
  vnpu::detail::check::TaskPlace place;

  /// Runs the callback on the calling thread (marked as inside a callback), then wakes
  /// whoever waits for it. An exception thrown by the callback is kept on the route and
  /// reported at the stream's next synchronize (take_callback_failure).
  void run() noexcept;
  /// Waits until run() has finished.
  void wait();
  /// A blocking report dropped without running (its stream skipped or discarded it) no
  /// longer counts as pending.
  ~Report();
  Report(const Report&) = delete;
  Report& operator=(const Report&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // guarded by mu_
  std::atomic<bool> ran_{false};
};

/// The callbacks handed to one processing thread.
struct Reporter {
  explicit Reporter(std::uint64_t t) : thread(t) {}
  const std::uint64_t thread;  // its pthread_self() value
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Report>> queue;  // guarded by mu
  std::vector<std::weak_ptr<CallbackRoute>> routes;  // subscriptions; guarded by mu
  /// Reports run by run_due_reports() while the thread waited in a launch-blocking
  /// submission, not yet answered by an aclrtProcessReport: the next call with nothing due
  /// succeeds instead of timing out, as if it had run them. Guarded by mu.
  bool ran_early = false;
};

/// True while the calling thread runs a callback.
bool in_callback() noexcept;
/// ACL_ERROR_RT_FEATURE_NOT_SUPPORT (recorded) inside a callback, a kernel or a host
/// function, where a wait could wait for the caller itself; else ACL_SUCCESS.
aclError not_in_callback();

/// Ends `route`'s subscription, if any: reports already handed to its thread and not yet
/// run are run on the calling thread. Returns whether there was a subscription.
bool end_subscription(const std::shared_ptr<CallbackRoute>& route);

/// Forgets every processing thread (aclFinalize, after every subscription ended).
void clear_reporters();

/// Runs the callbacks already handed to the calling thread, if it is a processing thread;
/// true if it ran any. vnpu's host wait hook: a thread blocked in a launch-blocking
/// submission runs its callbacks meanwhile, so the debug mode never makes it wait for a
/// callback only it can run.
bool run_due_reports();

/// Ends the subscriptions of the calling thread when it exits (as aclrtUnSubscribeReport
/// would), so that streams never wait for the callbacks of a thread that is gone. Armed
/// by the thread's first aclrtSubscribeReport or aclrtProcessReport.
void arm_exit_hook();

/// ACL_ERROR_RT_AICORE_EXCEPTION (with its message recorded) if a callback of `route`
/// threw since the last report, else ACL_SUCCESS; the failure is cleared.
aclError take_callback_failure(CallbackRoute& route, const void* stream_handle);

/// True when blocking callbacks that only the calling thread runs (it is their stream's
/// subscriber) are pending: a wait without end from this thread might never end.
bool would_deadlock_any();

}  // namespace vnpu::capi
