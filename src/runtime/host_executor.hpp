// HostExecutor: a thread that runs stream tasks beside the device's engines, one at a
// time, in the order their streams reach them: the device's host-callback thread, and each
// vnpu::Lane's thread (a communicator's collectives).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "platform/park.hpp"
#include "runtime/task.hpp"
#include "vnpu/profiler.hpp"

namespace vnpu::detail {

class StreamImpl;

// How a HostExecutor's spans are recorded: host callbacks, or a lane's collectives (whose
// spans carry the task's bytes).
struct ExecutorIdentity {
  profiler::LaneKind lane_kind = profiler::LaneKind::kHostCallback;
  profiler::SpanKind span_kind = profiler::SpanKind::kCallback;
  std::uint32_t lane = 0;
  const char* thread_suffix = "-host";
};

class HostExecutor {
 public:
  using Identity = ExecutorIdentity;
  HostExecutor(std::string name, std::int64_t spin_ns, Identity identity = {})
      : name_(std::move(name)), spin_ns_(spin_ns), identity_(identity) {}
  ~HostExecutor();
  HostExecutor(const HostExecutor&) = delete;
  HostExecutor& operator=(const HostExecutor&) = delete;

  bool start();
  void stop();

  /// Runs the blocking callback `task` (the head of `s`, which stays suspended), then
  /// completes it and resumes the stream.
  void post_blocking(StreamImpl* s, Task* task);
  /// Runs a non-blocking callback; `s` was retained by the caller and is released after.
  void post_detached(StreamImpl* s, Task&& task);

 private:
  // Small, so the queue stores many per node: a Task held by value made every push
  // allocate (a task is a few hundred bytes).
  struct Item {
    StreamImpl* stream;
    Task* blocking;                  // non-null: the stream's head task
    std::unique_ptr<Task> detached;  // used when blocking == nullptr
  };
  void thread_main();
  void push(Item&& item);
  void run_callback(StreamImpl* s, Task& t);

  const std::string name_;
  const std::int64_t spin_ns_;
  const Identity identity_;
  std::mutex mu_;
  std::deque<Item> queue_;  // guarded by mu_
  std::atomic<int> count_{0};
  std::atomic<bool> stopping_{false};
  EventCount idle_;
  std::thread thread_;
};

}  // namespace vnpu::detail
