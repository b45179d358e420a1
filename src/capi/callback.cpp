// aclrtSubscribeReport, aclrtLaunchCallback, aclrtProcessReport, aclrtUnSubscribeReport.
#include "capi/callback.hpp"

#include <pthread.h>

#include <chrono>
#include <unordered_map>

#include "capi/capi.hpp"

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

}  // namespace

bool in_callback() noexcept { return t_in_callback > 0; }

void Report::run() noexcept {
  ++t_in_callback;
  fn(user);
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
    {
      std::lock_guard route_lock(s->route->mu);
      if (!s->route->subscriber)
        return fail(ACL_ERROR_RT_STREAM_NO_CB_REG,
                    "no thread is subscribed to stream %p (call aclrtSubscribeReport first)", stream);
    }
    const bool blocking = type == ACL_CALLBACK_BLOCK;
    if (blocking) s->route->blocking_pending.fetch_add(1, std::memory_order_acq_rel);
    auto report = std::make_shared<Report>(fn, userData, blocking, s->route);
    vnpu::Stream target = s->stream;
    const vnpu::Status st = target.host_func(
        "aclrtCallback",
        [report] {
          deliver(report);
          if (report->blocking) report->wait();
        },
        blocking ? vnpu::CallbackMode::kBlocking : vnpu::CallbackMode::kNonBlocking);
    if (st != vnpu::Status::kSuccess) {
      if (blocking) s->route->blocking_pending.fetch_sub(1, std::memory_order_acq_rel);
      return fail_status(st, "queueing the callback");
    }
    return ACL_SUCCESS;
  });
}

aclError aclrtProcessReport(int32_t timeoutMs) {
  return guard("aclrtProcessReport", [&]() -> aclError {
    VNPU_ACL_TRY(require_init());
    if (timeoutMs < -1) return fail(ACL_ERROR_INVALID_PARAM, "timeoutMs %d (use -1 to wait forever, or >= 0)", timeoutMs);
    if (in_callback())
      return fail(ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "called from inside a callback (it could wait for itself)");
    auto rep = find_reporter(self_id(), false);
    auto not_subscribed = [] {
      return fail(ACL_ERROR_RT_THREAD_SUBSCRIBE,
                  "the calling thread is subscribed to no stream (aclrtSubscribeReport with its pthread_self())");
    };
    if (!rep) return not_subscribed();
    std::deque<std::shared_ptr<Report>> due;
    {
      std::unique_lock lock(rep->mu);
      auto ready = [&] { return !rep->queue.empty() || !subscribed(*rep); };
      if (timeoutMs < 0) {
        rep->cv.wait(lock, ready);
      } else {
        rep->cv.wait_for(lock, std::chrono::milliseconds(timeoutMs), ready);
      }
      if (rep->queue.empty()) {
        if (!subscribed(*rep)) return not_subscribed();
        return fail(ACL_ERROR_RT_REPORT_TIMEOUT, "no callback became due within %d ms", timeoutMs);
      }
      due.swap(rep->queue);
    }
    for (auto& report : due) report->run();
    return ACL_SUCCESS;
  });
}

}  // extern "C"
