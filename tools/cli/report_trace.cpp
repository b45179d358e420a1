// tools/cli/report_trace.cpp — a Chrome trace file back into a profiler::Trace.
//
// Lanes come from the "thread_name" metadata ("compute core 3" on pid d + 1 is core 3 of
// device d), so any trace vnpu wrote reads back with its lanes; times are rounded back to
// the nanoseconds they were written from.
//
// Only a regular file of at most kMaxTraceBytes is read (a FIFO or /dev/zero is refused
// before reading), and the events are not kept as JSON: each one becomes a lane or a span
// as soon as it is parsed (as JSON values an event takes over ten times its text in memory).
//
// Nothing vnpu would not write is taken on trust: ts and dur must be numbers of
// microseconds in [0, 2^63) ns with ts + dur below 2^63 ns, and every count or id a
// non-negative integer that fits its field; otherwise the trace is refused (exit 65) with
// a message naming the event and the value, rather than clamped, since such a trace was
// not written by vnpu's profiler and its figures would mean nothing.
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cli_common.hpp"
#include "commands.hpp"
#include "regular_file.hpp"
#include "report.hpp"

namespace vnpu::cli {

namespace {

using nlohmann::json;
using profiler::LaneKind;
using profiler::SpanKind;

constexpr LaneKind kLaneKinds[] = {LaneKind::kComputeCore, LaneKind::kCopyEngine, LaneKind::kHostCallback,
                                   LaneKind::kStream,      LaneKind::kHostThread, LaneKind::kCommLane};
constexpr SpanKind kSpanKinds[] = {SpanKind::kKernel,   SpanKind::kCopy,  SpanKind::kMemset,
                                   SpanKind::kCallback, SpanKind::kEvent, SpanKind::kBarrier,
                                   SpanKind::kHostWait, SpanKind::kPipe,  SpanKind::kCollective};

constexpr double kTimeLimitNs = 0x1p63;  // times and ends must lie below: int64 nanoseconds

// A field that is not what vnpu writes; the caller adds where it is.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "compute core 3" -> (kComputeCore, 3); "comm lane 1" -> (kCommLane, 1); "host callbacks"
// -> (kHostCallback, 0). False for a lane that is not vnpu's.
bool parse_lane_name(const std::string& name, LaneKind* kind, std::uint32_t* index) {
  for (LaneKind k : kLaneKinds) {
    const std::string prefix = profiler::lane_kind_name(k);
    if (name.rfind(prefix, 0) != 0) continue;
    *kind = k;
    *index = 0;
    if (name.size() > prefix.size() + 1) {
      const char* first = name.data() + prefix.size() + 1;
      const char* last = name.data() + name.size();
      const auto [end, ec] = std::from_chars(first, last, *index);
      if (ec != std::errc{} || end != last) throw FieldError("malformed lane name '" + name + "'");
    }
    return true;
  }
  return false;
}

SpanKind parse_kind(const std::string& cat) {
  for (SpanKind k : kSpanKinds)
    if (cat == profiler::span_kind_name(k)) return k;
  throw FieldError("unknown span category '" + cat + "'");
}

// obj[key] as a T, a non-negative integer; `fallback` when absent (required if nullopt).
template <class T>
T count_field(const json& obj, const char* key, std::optional<T> fallback = std::nullopt) {
  if (!obj.is_object() || !obj.contains(key)) {
    if (fallback) return *fallback;
    throw FieldError(fmt::format("no '{}'", key));
  }
  const json& v = obj[key];
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > kMax)  // a negative integer is not unsigned
    throw FieldError(fmt::format("{} = {} is not an integer in 0..{}", key, v.dump(), kMax));
  return static_cast<T>(v.get<std::uint64_t>());
}

// ev[key], microseconds, in nanoseconds in [0, 2^63).
std::int64_t time_field(const json& ev, const char* key) {
  if (!ev.contains(key)) throw FieldError(fmt::format("no '{}'", key));
  const json& v = ev[key];
  if (!v.is_number()) throw FieldError(fmt::format("{} = {} is not a number", key, v.dump()));
  const double ns = v.get<double>() * 1000.0;
  if (!(ns >= 0.0 && ns < kTimeLimitNs))
    throw FieldError(fmt::format("{} = {} us is outside 0..{} us", key, v.dump(), INT64_MAX / 1000));
  return std::llround(ns);
}

std::string string_field(const json& obj, const char* key, const std::string& fallback) {
  if (!obj.contains(key)) return fallback;
  if (!obj[key].is_string()) throw FieldError(fmt::format("{} = {} is not a string", key, obj[key].dump()));
  return obj[key].get<std::string>();
}

// The text of the trace at `path`: a regular file of at most kMaxTraceBytes.
std::string read_trace_text(const std::string& path) {
  std::string why;
  std::optional<io::RegularFile> f = io::RegularFile::open(path, &why);
  if (!f) throw CliError(kExitCannotOpenInput, why);
  if (f->size() > kMaxTraceBytes) {
    throw CliError(kExitBadInputFile, fmt::format("'{}' holds {} bytes: vnpu report reads traces of at most 1 GiB",
                                                  path, f->size()));
  }
  std::string text(static_cast<std::size_t>(f->size()), '\0');
  const std::optional<std::size_t> got = f->read_at(0, std::as_writable_bytes(std::span(text)), &why);
  if (!got) throw CliError(kExitCannotOpenInput, why);
  text.resize(*got);
  return text;
}

// The events of "traceEvents", each handled as the parser completes it and then dropped.
class EventReader {
 public:
  explicit EventReader(std::string path) : path_(std::move(path)) {}

  // The parser's callback: true keeps the value in the document.
  bool on_value(int depth, json::parse_event_t event, json& value) {
    if (depth == 1 && event == json::parse_event_t::key) in_events_key_ = value == "traceEvents";
    if (depth == 1 && event == json::parse_event_t::array_start) in_events_ = in_events_key_;
    if (depth == 1 && event == json::parse_event_t::array_end) in_events_ = false;
    if (!in_events_ || depth != 2 || event != json::parse_event_t::object_end) return true;
    try {
      add(value);
    } catch (const FieldError& e) {
      const json name = value.contains("name") ? value["name"] : json();
      throw CliError(kExitBadInputFile, fmt::format("'{}': event {} of traceEvents{}: {}", path_, index_,
                                                    name.is_string() ? " ('" + name.get<std::string>() + "')" : "",
                                                    e.what()));
    }
    ++index_;
    return false;
  }

  // The lanes, in the order of their metadata, and the spans on them, after parsing.
  void finish(profiler::Trace* t) {
    t->lanes = std::move(lane_list_);
    for (Placed& p : spans_) {
      const auto it = lanes_.find(p.lane);
      if (it == lanes_.end()) throw CliError(kExitBadInputFile, "'" + path_ + "': a span is on an unnamed lane");
      p.span.device = it->second.device;
      p.span.lane_kind = it->second.kind;
      p.span.lane = it->second.index;
      t->spans.push_back(std::move(p.span));
    }
  }

 private:
  using LaneKey = std::pair<int, long long>;  // pid, tid
  struct Placed {
    LaneKey lane;
    profiler::Span span;
  };

  void add(const json& ev) {
    const std::string ph = string_field(ev, "ph", "");
    if (ph == "M" && string_field(ev, "name", "") == "thread_name") {
      profiler::Lane lane;
      lane.name = ev.at("args").at("name").get<std::string>();
      const int pid = count_field<int>(ev, "pid");
      lane.device = pid - 1;
      if (!parse_lane_name(lane.name, &lane.kind, &lane.index)) return;  // not a vnpu lane
      lanes_.insert_or_assign(LaneKey{pid, count_field<long long>(ev, "tid")}, lane);
      lane_list_.push_back(std::move(lane));
    } else if (ph == "X") {
      profiler::Span s;
      s.name = string_field(ev, "name", "");
      s.kind = parse_kind(string_field(ev, "cat", ""));
      s.start_ns = time_field(ev, "ts");
      const std::int64_t dur = time_field(ev, "dur");
      if (dur > INT64_MAX - s.start_ns) {
        throw FieldError(fmt::format("ts + dur = {} + {} us ends after {} us", ev["ts"].dump(), ev["dur"].dump(),
                                     INT64_MAX / 1000));
      }
      s.end_ns = s.start_ns + dur;
      const json args = ev.contains("args") ? ev["args"] : json::object();
      if (!args.is_object()) throw FieldError("args = " + args.dump() + " is not an object");
      s.stream = count_field<std::uint64_t>(args, "stream", 0);
      s.seq = count_field<std::uint64_t>(args, "seq", 0);
      s.bytes = count_field<std::uint64_t>(args, "bytes", 0);
      s.block = count_field<std::uint32_t>(args, "block", 0);
      s.blocks = count_field<std::uint32_t>(args, "blocks", 0);
      s.op = string_field(args, "op", "");
      s.shape = string_field(args, "shape", "");
      s.op_bytes = count_field<std::uint64_t>(args, "op_bytes", 0);
      s.op_id = count_field<std::uint64_t>(args, "op_id", 0);
      spans_.push_back({LaneKey{count_field<int>(ev, "pid"), count_field<long long>(ev, "tid")}, std::move(s)});
    }
  }

  std::string path_;
  std::size_t index_ = 0;       // of the event being read, in traceEvents
  bool in_events_key_ = false;  // the last key at the top level was "traceEvents"
  bool in_events_ = false;      // inside its array
  std::map<LaneKey, profiler::Lane> lanes_;
  std::vector<profiler::Lane> lane_list_;
  std::vector<Placed> spans_;
};

}  // namespace

profiler::Trace load_trace(const std::string& path) {
  const std::string text = read_trace_text(path);
  profiler::Trace t;
  try {
    EventReader events(path);
    const json doc = json::parse(text, [&](int depth, json::parse_event_t event, json& value) {
      return events.on_value(depth, event, value);
    });
    const json& left = doc.at("traceEvents");  // what is left of it: events that are not objects
    if (!left.is_array()) throw CliError(kExitBadInputFile, "'" + path + "': traceEvents is not an array");
    if (!left.empty()) throw CliError(kExitBadInputFile, "'" + path + "': traceEvents holds a non-object");
    events.finish(&t);
    const json other = doc.contains("otherData") ? doc["otherData"] : json::object();
    try {
      t.dropped = count_field<std::uint64_t>(other, "dropped_spans", 0);
      if (other.is_object() && other.contains("devices")) {
        for (const json& d : other["devices"]) {
          t.devices.push_back({count_field<int>(d, "id"), string_field(d, "name", ""),
                               count_field<int>(d, "compute_cores", 0), count_field<int>(d, "copy_engines", 0)});
        }
      }
    } catch (const FieldError& e) {
      throw CliError(kExitBadInputFile, fmt::format("'{}': otherData: {}", path, e.what()));
    }
  } catch (const json::exception& e) {
    throw CliError(kExitBadInputFile, "'" + path + "' is not a vnpu Chrome trace: " + e.what());
  }
  return t;
}

}  // namespace vnpu::cli
