// aclrtSubscribeReport, aclrtLaunchCallback, aclrtProcessReport, aclrtUnSubscribeReport.
#include "capi/callback.hpp"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <unordered_map>

#include "capi/capi.hpp"
#include "vnpu/device.hpp"

namespace vnpu::capi {

namespace {

thread_local int t_in_callback = 0;

struct Reporters {
  std::mutex mu;
  std::unordered_map<std::uint64_t, std::shared_ptr<Reporter>> by_thread;  // guarded by mu
};

Reporters& reporters() {
  static Reporters* r = new Reporters();  // leaked, as the rest of the C API state
  return *r;
}

std::shared_ptr<Reporter> find_reporter(std::uint64_t thread, bool create) {
  Reporters& r = reporters();
  std::lock_guard lock(r.mu);
  auto it = r.by_thread.find(thread);
  if (it != r.by_thread.end()) return it->second;
  if (!create) return nullptr;
  auto rep = std::make_shared<Reporter>(thread);
  r.by_thread.emplace(thread, rep);
  return rep;
}

std::uint64_t self_id() noexcept { return static_cast<std::uint64_t>(pthread_self()); }

// Hands `report` to the route's subscriber, or runs it here when there is none.
void deliver(const std::shared_ptr<Report>& report) {
  {
    std::lock_guard route_lock(report->route->mu);
    if (const auto& sub = report->route->subscriber) {
      {
        std::lock_guard lock(sub->mu);
        sub->queue.push_back(report);
      }
      sub->cv.notify_all();
      return;
    }
  }
  report->run();
}

bool subscribed(const Reporter& rep) {
  for (const auto& w : rep.routes)
    if (!w.expired()) return true;
  return false;
}

void keep_failure(const Report& r, const char* what) noexcept {
  try {
    char head[160];
    std::snprintf(head, sizeof head, "callback %p (userData %p) on stream %p threw: ",
                  reinterpret_cast<void*>(r.fn), r.user, r.stream);
    std::lock_guard lock(r.route->mu);
    if (r.route->has_failure.load(std::memory_order_relaxed)) {
      ++r.route->more_failures;
    } else {
      r.route->failure = std::string(head) + what;
      r.route->more_failures = 0;
    }
    r.route->has_failure.store(true, std::memory_order_release);
  } catch (...) {
    r.route->has_failure.store(true, std::memory_order_release);
  }
}

// Ends the calling thread's subscriptions and forgets it (a new thread may get the same
// pthread_t value).
void end_thread_subscriptions() {
  auto rep = find_reporter(self_id(), false);
  if (!rep) return;
  std::vector<std::shared_ptr<CallbackRoute>> routes;
  {
    std::lock_guard lock(rep->mu);
    for (const auto& w : rep->routes)
      if (auto r = w.lock()) routes.push_back(std::move(r));
  }
  for (const auto& route : routes) {
    bool mine = false;
    {
      std::lock_guard route_lock(route->mu);
      mine = route->subscriber == rep;
    }
    if (mine) end_subscription(route);
  }
  Reporters& all = reporters();
  std::lock_guard lock(all.mu);
  auto it = all.by_thread.find(rep->thread);
  if (it != all.by_thread.end() && it->second == rep) all.by_thread.erase(it);
}

struct ExitHook {
  bool armed = false;
  ~ExitHook() {
    if (!armed) return;
    try {
      end_thread_subscriptions();
    } catch (...) {
    }
  }
};

thread_local ExitHook t_exit_hook;

}  // namespace

bool in_callback() noexcept { return t_in_callback > 0; }

aclError not_in_callback() {
  if (in_callback())
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "a wait from inside a callback could wait for the callback itself");
  if (vnpu::on_runtime_thread())
    return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                "a wait from inside a kernel or host function could wait for the task itself");
  return ACL_SUCCESS;
}

void arm_exit_hook() {
  // Not on the main thread: its thread-local destructors run as the process exits, when
  // there is nothing left to wake (and callbacks must not run behind the program's back).
  if (syscall(SYS_gettid) == getpid()) return;
  t_exit_hook.armed = true;
}

bool run_due_reports() {
  auto rep = find_reporter(self_id(), false);
  if (!rep) return false;
  std::deque<std::shared_ptr<Report>> due;
  {
    std::lock_guard lock(rep->mu);
    due.swap(rep->queue);
    if (!due.empty()) rep->ran_early = true;
  }
  for (auto& report : due) report->run();
  return !due.empty();
}

aclError take_callback_failure(CallbackRoute& route, const void* stream_handle) {
  if (!route.has_failure.load(std::memory_order_acquire)) return ACL_SUCCESS;
  std::string msg;
  std::uint64_t more = 0;
  {
    std::lock_guard lock(route.mu);
    msg.swap(route.failure);
    more = route.more_failures;
    route.more_failures = 0;
    route.has_failure.store(false, std::memory_order_release);
  }
  if (msg.empty()) msg = "a callback threw";
  if (more != 0)
    return fail(ACL_ERROR_RT_AICORE_EXCEPTION, "stream %p: %s (and %llu more failed callbacks since)", stream_handle,
                msg.c_str(), static_cast<unsigned long long>(more));
  return fail(ACL_ERROR_RT_AICORE_EXCEPTION, "stream %p: %s", stream_handle, msg.c_str());
}

Report::~Report() {
  if (blocking && !ran_.load(std::memory_order_acquire))
    route->blocking_pending.fetch_sub(1, std::memory_order_acq_rel);
}

void Report::run() noexcept {
  ran_.store(true, std::memory_order_release);
  ++t_in_callback;
  {
    // Blocking vnpu waits are refused inside, and launch-blocking submissions do not wait
    // (the callback may hold the very stream they would wait for).
    const vnpu::HostCallbackScope scope;
    std::optional<vnpu::detail::check::Checker::ScopedContext> at;
    if (place.clock) at.emplace(place);
    try {
      fn(user);
    } catch (const std::exception& e) {
      keep_failure(*this, e.what());
    } catch (...) {
      keep_failure(*this, "a non-standard exception");
    }
  }
  --t_in_callback;
  if (blocking) route->blocking_pending.fetch_sub(1, std::memory_order_acq_rel);
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
}

void Report::wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return done_; });
}

bool end_subscription(const std::shared_ptr<CallbackRoute>& route) {
  std::deque<std::shared_ptr<Report>> orphans;
  {
    std::lock_guard route_lock(route->mu);
    std::shared_ptr<Reporter> sub = std::move(route->subscriber);
    route->subscriber.reset();
    if (!sub) return false;
    {
      std::lock_guard lock(sub->mu);
      for (auto it = sub->queue.begin(); it != sub->queue.end();) {
        if ((*it)->route == route) {
          orphans.push_back(std::move(*it));
          it = sub->queue.erase(it);
        } else {
          ++it;
        }
      }
      std::erase_if(sub->routes, [&](const std::weak_ptr<CallbackRoute>& w) {
        auto r = w.lock();
        return !r || r == route;
      });
    }
    sub->cv.notify_all();  // a thread waiting in aclrtProcessReport re-checks its subscriptions
  }
  for (auto& report : orphans) report->run();
  return true;
}

void clear_reporters() {
  Reporters& r = reporters();
  std::lock_guard lock(r.mu);
  r.by_thread.clear();
}

bool would_deadlock_any() {
  auto rep = find_reporter(self_id(), false);
  if (!rep) return false;
  std::lock_guard lock(rep->mu);
  for (const auto& w : rep->routes)
    if (auto r = w.lock(); r && r->blocking_pending.load(std::memory_order_acquire) > 0) return true;
  return false;
}

}  // namespace vnpu::capi

using namespace vnpu::capi;

extern "C" {

aclError aclrtSubscribeReport(uint64_t threadId, aclrtStream stream) {
  return guard("aclrtSubscribeReport", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    if (threadId == 0) return fail(ACL_ERROR_INVALID_PARAM, "threadId 0 is not a thread (pass pthread_self())");
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    auto rep = find_reporter(threadId, true);
    if (threadId == self_id()) arm_exit_hook();
    std::lock_guard route_lock(s->route->mu);
    if (s->route->subscriber) {
      if (s->route->subscriber == rep)
        return fail(ACL_ERROR_RT_PARAM_INVALID, "thread %llu is already subscribed to stream %p",
                    static_cast<unsigned long long>(threadId), stream);
      return fail(ACL_ERROR_RT_PARAM_INVALID, "stream %p already has a subscribed thread (%llu)", stream,
                  static_cast<unsigned long long>(s->route->subscriber->thread));
    }
    {
      std::lock_guard lock(rep->mu);
      rep->routes.push_back(s->route);
    }
    s->route->subscriber = rep;
    return ACL_SUCCESS;
  });
}

aclError aclrtUnSubscribeReport(uint64_t threadId, aclrtStream stream) {
  return guard("aclrtUnSubscribeReport", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    {
      std::lock_guard route_lock(s->route->mu);
      if (!s->route->subscriber || s->route->subscriber->thread != threadId)
        return fail(ACL_ERROR_RT_THREAD_SUBSCRIBE, "thread %llu is not subscribed to stream %p",
                    static_cast<unsigned long long>(threadId), stream);
    }
    end_subscription(s->route);
    return ACL_SUCCESS;
  });
}

aclError aclrtLaunchCallback(aclrtCallback fn, void* userData, aclrtCallbackBlockType blockType, aclrtStream stream) {
  return guard("aclrtLaunchCallback", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    VNPU_ACL_REQUIRE(fn);
    const int type = enum_value(blockType);
    if (type != ACL_CALLBACK_NO_BLOCK && type != ACL_CALLBACK_BLOCK)
      return fail(ACL_ERROR_INVALID_PARAM, "blockType %d is neither ACL_CALLBACK_NO_BLOCK nor ACL_CALLBACK_BLOCK", type);
    StreamPtr s;
    VNPU_ACL_TRY(resolve_stream(stream, &s));
    bool own = false;  // the calling thread is the one that runs it
    {
      std::lock_guard route_lock(s->route->mu);
      if (!s->route->subscriber)
        return fail(ACL_ERROR_RT_STREAM_NO_CB_REG,
                    "no thread is subscribed to stream %p (call aclrtSubscribeReport first)", stream);
      own = s->route->subscriber->thread == self_id();
    }
    const bool blocking = type == ACL_CALLBACK_BLOCK;
    if (blocking) s->route->blocking_pending.fetch_add(1, std::memory_order_acq_rel);
    auto report = std::make_shared<Report>(fn, userData, blocking, s->route, to_handle(s->id));
    vnpu::Stream target = s->stream;
    // In launch-blocking mode a callback only this thread runs must not be waited for here:
    // the program runs it in aclrtProcessReport, after this returns.
    std::optional<vnpu::NoLaunchWaitScope> no_wait;
    if (own) no_wait.emplace();
    const vnpu::Status st = target.host_func(
        "aclrtCallback",
        [report] {
          if (vnpu::detail::check::on()) vnpu::detail::check::current_place(&report->place);
          deliver(report);
          if (report->blocking) report->wait();
        },
        blocking ? vnpu::CallbackMode::kBlocking : vnpu::CallbackMode::kNonBlocking);
    // (If it was not queued, the report's destructor takes back its pending count.)
    if (st != vnpu::Status::kSuccess) return fail_status(st, "queueing the callback");
    return ACL_SUCCESS;
  });
}

aclError aclrtProcessReport(int32_t timeoutMs) {
  return guard("aclrtProcessReport", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    VNPU_ACL_TRY(check_timeout(timeoutMs, "timeoutMs"));
    if (in_callback())
      return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "called from inside a callback (it could wait for itself)");
    arm_exit_hook();
    auto rep = find_reporter(self_id(), false);
    auto not_subscribed = [] {
      return fail(ACL_ERROR_RT_THREAD_SUBSCRIBE,
                  "the calling thread is subscribed to no stream (aclrtSubscribeReport with its pthread_self())");
    };
    if (!rep) return not_subscribed();
    std::deque<std::shared_ptr<Report>> due;
    {
      std::unique_lock lock(rep->mu);
      auto ready = [&] { return !rep->queue.empty() || !subscribed(*rep) || rep->ran_early; };
      if (timeoutMs < 0) {
        rep->cv.wait(lock, ready);
      } else {
        rep->cv.wait_for(lock, std::chrono::milliseconds(timeoutMs), ready);
      }
      if (rep->queue.empty()) {
        if (!subscribed(*rep)) return not_subscribed();
        if (rep->ran_early) {
          rep->ran_early = false;
          return ACL_SUCCESS;
        }
        return fail(ACL_ERROR_RT_REPORT_TIMEOUT, "no callback became due within %d ms", timeoutMs);
      }
      due.swap(rep->queue);
      rep->ran_early = false;
    }
    for (auto& report : due) report->run();
    return ACL_SUCCESS;
  });
}

}  // extern "C"
