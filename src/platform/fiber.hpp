// Fiber: a stackful context that a thread can run, suspend and resume — how vnpu keeps
// every block of a launch resident when the launch has more blocks than compute cores.
//
// A compute core runs its share of a launch's blocks as fibers: it resumes one, which runs
// until it finishes or suspends itself (a block waiting at a barrier that the other blocks
// must reach first), then the next. Switching costs a few nanoseconds (the callee-saved
// registers; no system call), so a barrier among 48 blocks on 2 cores costs microseconds,
// not the tens of microseconds of waking parked threads.
//
// Only the thread that created a fiber resumes it, and a fiber suspends only to that
// thread. Stacks are mmap'd with a guard page below them. AddressSanitizer and
// ThreadSanitizer are told about every switch.
#pragma once

#include <cstddef>

namespace vnpu::detail {

class Fiber {
 public:
  using Entry = void (*)(void* arg);

  /// A fiber that will run `entry(arg)` on a stack of `stack_bytes` (rounded up to pages)
  /// when first resumed. `entry` must return normally (exceptions must not escape it).
  Fiber(Entry entry, void* arg, std::size_t stack_bytes);
  ~Fiber();

  /// Makes a finished (or never resumed) fiber run `entry(arg)` from the start of its stack
  /// when next resumed: a stack mapped once serves launch after launch.
  void reset(Entry entry, void* arg) noexcept;
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  /// False if the stack could not be mapped (the fiber cannot run).
  bool valid() const noexcept { return stack_ != nullptr; }
  /// Runs the fiber until it suspends or its entry returns; true once it has returned.
  /// Called by the owning thread, never from inside a fiber.
  bool resume() noexcept;
  bool finished() const noexcept { return finished_; }
  /// Marks the fiber, until it is next resumed, as suspended while polling (not waiting for
  /// a notification): whoever runs it should keep resuming it rather than sleep.
  void set_polling() noexcept { polling_ = true; }
  bool polling() const noexcept { return polling_; }

  /// Inside a fiber: returns control to the thread that resumed it.
  static void suspend() noexcept;
  /// The fiber running on the calling thread, or null outside fibers.
  static Fiber* current() noexcept;

  static constexpr std::size_t kDefaultStackBytes = std::size_t{256} << 10;

 private:
  static void start(void* self) noexcept;

  Entry entry_;
  void* arg_;
  void* stack_ = nullptr;       // mapping, guard page included
  std::size_t mapped_ = 0;
  void* sp_ = nullptr;          // the fiber's saved stack pointer while it is not running
  void* caller_sp_ = nullptr;   // the resumer's saved stack pointer while the fiber runs
  bool finished_ = false;
  bool polling_ = false;
  // Sanitizer bookkeeping (unused in other builds).
  void* tsan_fiber_ = nullptr;
  void* tsan_caller_ = nullptr;
  void* asan_fake_stack_ = nullptr;
  const void* caller_stack_bottom_ = nullptr;
  std::size_t caller_stack_size_ = 0;
};

}  // namespace vnpu::detail
