// From raw records to a Trace: times relative to the session start, lanes named, tags
// resolved, spans sorted.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <tuple>

#include "profiler/session.hpp"

namespace vnpu {
namespace profiler {

const char* span_kind_name(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::kKernel: return "kernel";
    case SpanKind::kCopy: return "copy";
    case SpanKind::kMemset: return "memset";
    case SpanKind::kCallback: return "callback";
    case SpanKind::kEvent: return "event";
    case SpanKind::kBarrier: return "barrier";
    case SpanKind::kHostWait: return "wait";
    case SpanKind::kPipe: return "pipe";
    case SpanKind::kCollective: return "collective";
  }
  return "?";
}

int lane_order(LaneKind kind) noexcept {
  switch (kind) {
    case LaneKind::kComputeCore: return 0;
    case LaneKind::kCopyEngine: return 1;
    case LaneKind::kHostCallback: return 2;
    case LaneKind::kCommLane: return 3;
    case LaneKind::kStream: return 4;
    case LaneKind::kHostThread: return 5;
  }
  return 6;
}

const char* lane_kind_name(LaneKind kind) noexcept {
  switch (kind) {
    case LaneKind::kComputeCore: return "compute core";
    case LaneKind::kCopyEngine: return "copy engine";
    case LaneKind::kHostCallback: return "host callbacks";
    case LaneKind::kStream: return "stream";
    case LaneKind::kHostThread: return "host thread";
    case LaneKind::kCommLane: return "comm lane";
  }
  return "?";
}

Trace collect() { return detail::prof::collect_session(); }

}  // namespace profiler

namespace detail::prof {

namespace {

using profiler::Lane;

std::string lane_name(LaneKind kind, std::uint32_t index) {
  if (kind == LaneKind::kHostCallback) return profiler::lane_kind_name(kind);
  return std::string(profiler::lane_kind_name(kind)) + " " + std::to_string(index);
}

}  // namespace

profiler::Trace collect_session() {
  RawSession raw = snapshot();
  profiler::Trace t;
  t.dropped = raw.dropped;
  using Key = std::tuple<int, int, std::uint32_t, LaneKind>;  // device, lane_order, index, kind
  std::set<Key> lanes;
  auto add_lane = [&](int device, LaneKind kind, std::uint32_t index) {
    lanes.insert({device, profiler::lane_order(kind), index, kind});
  };
  std::set<int> used_devices;
  t.spans.reserve(raw.records.size());
  // Stamps to ns from the session's start, at the rate measured over the session.
  const std::int64_t stamps = raw.until_stamp - raw.origin_stamp;
  const double ns_per_stamp =
      !stamp_is_counter() || stamps <= 0 ? 1.0 : static_cast<double>(raw.until_ns - raw.origin_ns) / static_cast<double>(stamps);
  auto to_ns = [&](std::int64_t st) {
    return static_cast<std::int64_t>(std::llround(static_cast<double>(st - raw.origin_stamp) * ns_per_stamp));
  };
  for (const Record& r : raw.records) {
    if (r.start < raw.origin_stamp) continue;  // began before this session
    profiler::Span s;
    s.kind = r.kind;
    s.lane_kind = r.lane_kind;
    s.device = r.device;
    s.lane = r.lane;
    s.name = r.name;
    s.stream = r.stream;
    s.seq = r.seq;
    s.bytes = r.bytes;
    s.block = r.block;
    s.blocks = r.blocks;
    if (r.op != 0 && r.op <= raw.tags.size()) {
      const RawTag& tag = raw.tags[r.op - 1];
      s.op = tag.op;
      s.shape = tag.shape;
      s.op_bytes = tag.bytes;
      s.op_id = tag.id;
    }
    s.start_ns = to_ns(r.start);
    s.end_ns = to_ns(std::max(r.end, r.start));
    add_lane(r.device, r.lane_kind, r.lane);
    if (r.device >= 0) used_devices.insert(r.device);
    t.spans.push_back(std::move(s));
  }
  // Devices alive now or named by a span, each with all its engine lanes.
  for (const DeviceState& d : raw.devices) {
    if (!d.alive && used_devices.count(d.entry.id) == 0) continue;
    if (std::any_of(t.devices.begin(), t.devices.end(), [&](const auto& e) { return e.id == d.entry.id; })) continue;
    t.devices.push_back(d.entry);
    for (int k = 0; k < d.entry.compute_cores; ++k)
      add_lane(d.entry.id, LaneKind::kComputeCore, static_cast<std::uint32_t>(k));
    for (int k = 0; k < d.entry.copy_engines; ++k)
      add_lane(d.entry.id, LaneKind::kCopyEngine, static_cast<std::uint32_t>(k));
    add_lane(d.entry.id, LaneKind::kHostCallback, 0u);
  }
  for (int id : used_devices) {
    if (std::none_of(t.devices.begin(), t.devices.end(), [&](const auto& e) { return e.id == id; }))
      t.devices.push_back(profiler::DeviceEntry{id, "device " + std::to_string(id), 0, 0});
  }
  std::sort(t.devices.begin(), t.devices.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  for (const Key& k : lanes) {
    const LaneKind kind = std::get<3>(k);
    t.lanes.push_back(Lane{std::get<0>(k), kind, std::get<2>(k), lane_name(kind, std::get<2>(k))});
  }
  // By start; at equal starts the enclosing (longer) span first, so nesting reads in order.
  std::stable_sort(t.spans.begin(), t.spans.end(), [](const profiler::Span& a, const profiler::Span& b) {
    if (a.start_ns != b.start_ns) return a.start_ns < b.start_ns;
    return a.end_ns > b.end_ns;
  });
  return t;
}

}  // namespace detail::prof
}  // namespace vnpu
