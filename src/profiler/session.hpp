// The profiler's session state as the exporters see it: a copy of every record of the
// current session, the devices and the operator tags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "profiler/capture.hpp"
#include "vnpu/profiler.hpp"

namespace vnpu::detail::prof {

struct RawTag {
  std::string op;
  std::string shape;
  std::uint64_t bytes;
  std::uint64_t id;
};

struct DeviceState {
  profiler::DeviceEntry entry;
  bool alive;
};

struct RawSession {
  // The session's start and the snapshot's moment, each as a stamp and in now_ns(): the
  // rate that turns the records' stamps into nanoseconds.
  std::int64_t origin_stamp = 0, origin_ns = 0;
  std::int64_t until_stamp = 0, until_ns = 0;
  std::vector<Record> records;
  std::vector<DeviceState> devices;
  std::vector<RawTag> tags;  // Record::op - 1 indexes this
  std::uint64_t dropped = 0;
};

/// Copies the current (or last) session's records. Empty if no session ever started.
RawSession snapshot();
/// snapshot() turned into a Trace (relative times, lanes named, tags resolved).
profiler::Trace collect_session();

Status start_session(bool from_env);
Status stop_session();

/// True while a session VNPU_PROFILE started records (async-signal-safe).
bool env_session_recording() noexcept;
/// For a child forked from a dying process, its only thread: writes the session
/// VNPU_PROFILE started to that path, as stop() would, and says so on stderr ("...
/// written to PATH (the process dies of CAUSE)"). The profiler's locks are reset first
/// (threads that held one are gone), so records are read as they stand: best-effort.
/// False if nothing could be written.
bool write_env_trace_in_crash_child(const char* cause) noexcept;

}  // namespace vnpu::detail::prof
