// One unit of stream work.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

#include "common/utf8.hpp"
#include "kernel/launch_sync.hpp"
#include "runtime/event_point.hpp"
#include "runtime/ref.hpp"
#include "vnpu/stream.hpp"

namespace vnpu::detail {

namespace check {
struct Site;
}

// kLane: a function run on a vnpu::Lane's thread (its HostExecutor is the task's `dst`);
// the stream waits for it as for a blocking host callback.
enum class TaskKind : std::uint8_t { kKernel, kCopy, kMemset, kHostFunc, kEventRecord, kEventWait, kLane };

const char* task_kind_name(TaskKind k) noexcept;

// The members a core reads to run and retire a plain kernel come first: in a queue cell
// (after its 8-byte sequence word) they and the kernel's function table fill the cell's
// first cache line, so the line bounces between the submitting thread and the core once
// per task while the rest of the cell (name, copy fields) stays in the submitter's cache.
// A bool that a move leaves false in its source: what lets a task own a resource
// through a flag and a raw field (see Task::checked).
struct MovedFlag {
  bool on = false;
  MovedFlag() = default;
  MovedFlag(MovedFlag&& o) noexcept : on(std::exchange(o.on, false)) {}
  MovedFlag& operator=(MovedFlag&&) = delete;
  MovedFlag& operator=(bool v) noexcept {
    on = v;
    return *this;
  }
  explicit operator bool() const noexcept { return on; }
};

struct Task {
  TaskKind kind = TaskKind::kKernel;
  bool placed = false;  // kKernel: avoid_cpu already honoured once (see StreamImpl::run)
  /// Checked mode, kKernel: `src` holds the launch's checker site (a heap-held
  /// std::shared_ptr<const check::Site>), where its blocks' noted accesses are checked.
  /// A flag in this first cache line, so that unchecked tasks never read further; a
  /// moved-from task gives up the site (the flag clears), the destructor frees it.
  MovedFlag checked;
  /// Parts a multi-core task is split into: kernel blocks, or copy chunks.
  std::uint32_t parts = 1;
  /// Parts finished so far (accessed through std::atomic_ref while parts run).
  std::uint32_t parts_done = 0;
  std::int32_t avoid_cpu = -1;  // kKernel: LaunchOptions::avoid_cpu
  std::unique_ptr<LaunchSync> sync;  // kKernel: the barriers of a cooperative launch
  std::unique_ptr<unsigned char[]> staging;  // kCopy: pageable source copied at submission
  Ref<EventPoint> point;  // kEventRecord, kEventWait
  KernelFn kernel;  // kKernel, kHostFunc, kLane (called with a context it ignores)

  // Read only for reports, the profiler and copies.
  std::uint64_t seq = 0;  // 1-based position in the stream
  std::uint32_t op_tag = 0;     // profiler: operator tag of a kernel (0: none)
  CallbackMode mode = CallbackMode::kBlocking;  // kHostFunc
  std::int64_t wait_since = 0;  // profiler: kEventWait, when the stream first reached it (a stamp)
  void* dst = nullptr;  // kCopy, kMemset
  const void* src = nullptr;
  std::size_t bytes = 0;  // kCopy of rows > 1: the width of a row; kLane: bytes moved
  std::size_t rows = 1;   // kCopy: a 2-D copy has rows > 1, read spitch and written dpitch apart
  std::size_t dpitch = 0;
  std::size_t spitch = 0;
  int value = 0;  // kMemset
  std::array<char, 48> name{};

  Task() = default;
  Task(Task&&) noexcept = default;
  Task& operator=(Task&&) = delete;
  ~Task() {
    if (checked) delete check_site();
  }

  void set_name(std::string_view n) noexcept {
    const std::size_t len = utf8_prefix(n.data(), n.size(), name.size() - 1);
    if (len != 0) std::memcpy(name.data(), n.data(), len);
    name[len] = '\0';
  }
  /// Frees what the task holds (callables, staging memory, event points).
  /// Writes to the task only where something is held, so that completing a plain kernel
  /// leaves its memory untouched (see UniqueFunction's destructor).
  void release_resources() noexcept {
    if (kernel.needs_destroy()) kernel.reset();
    if (sync) sync.reset();
    if (staging) staging.reset();
    if (point) point = Ref<EventPoint>();
    if (checked) {
      delete check_site();
      checked = false;
    }
  }
  /// kKernel with `checked`: the launch's checker site.
  const std::shared_ptr<const check::Site>* check_site() const noexcept {
    return static_cast<const std::shared_ptr<const check::Site>*>(src);
  }
  std::atomic_ref<std::uint32_t> done_counter() noexcept { return std::atomic_ref<std::uint32_t>(parts_done); }
};

}  // namespace vnpu::detail
