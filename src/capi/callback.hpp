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

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "capi/state.hpp"

namespace vnpu::capi {

struct Report {
  Report(aclrtCallback f, void* u, bool b, std::shared_ptr<CallbackRoute> r)
      : fn(f), user(u), blocking(b), route(std::move(r)) {}
  const aclrtCallback fn;
  void* const user;
  const bool blocking;
  const std::shared_ptr<CallbackRoute> route;

  /// Runs the callback on the calling thread (marked as inside a callback), then wakes
  /// whoever waits for it.
  void run() noexcept;
  /// Waits until run() has finished.
  void wait();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // guarded by mu_
};

/// The callbacks handed to one processing thread.
struct Reporter {
  explicit Reporter(std::uint64_t t) : thread(t) {}
  const std::uint64_t thread;  // its pthread_self() value
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Report>> queue;  // guarded by mu
  std::vector<std::weak_ptr<CallbackRoute>> routes;  // subscriptions; guarded by mu
};

/// True while the calling thread runs a callback.
bool in_callback() noexcept;

/// Ends `route`'s subscription, if any: reports already handed to its thread and not yet
/// run are run on the calling thread. Returns whether there was a subscription.
bool end_subscription(const std::shared_ptr<CallbackRoute>& route);

/// Forgets every processing thread (aclFinalize, after every subscription ended).
void clear_reporters();

/// True when blocking callbacks that only the calling thread runs (it is their stream's
/// subscriber) are pending: a wait without end from this thread might never end.
bool would_deadlock_any();

}  // namespace vnpu::capi
