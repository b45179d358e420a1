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
  std::int64_t origin_ns = 0;
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

}  // namespace vnpu::detail::prof
