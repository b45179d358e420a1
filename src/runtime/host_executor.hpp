// HostExecutor: the device's host-callback thread. Callbacks run here one at a time, in
// the order their streams reach them.
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

namespace vnpu::detail {

class StreamImpl;

class HostExecutor {
 public:
  HostExecutor(std::string name, std::int64_t spin_ns) : name_(std::move(name)), spin_ns_(spin_ns) {}
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

  const std::string name_;
  const std::int64_t spin_ns_;
  std::mutex mu_;
  std::deque<Item> queue_;  // guarded by mu_
  std::atomic<int> count_{0};
  std::atomic<bool> stopping_{false};
  EventCount idle_;
  std::thread thread_;
};

}  // namespace vnpu::detail
