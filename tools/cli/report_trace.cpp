// tools/cli/report_trace.cpp — a Chrome trace file back into a profiler::Trace.
//
// Lanes come from the "thread_name" metadata ("compute core 3" on pid d + 1 is core 3 of
// device d), so any trace vnpu wrote reads back with its lanes; times are rounded back to
// the nanoseconds they were written from.
//
// Only a regular file of at most kMaxTraceBytes is read (a FIFO or /dev/zero is refused
// before reading), and the events are not kept as JSON: each one becomes a lane or a span
// as soon as it is parsed (as JSON values an event takes over ten times its text in memory).
#include <cmath>
#include <map>
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
                                   LaneKind::kStream, LaneKind::kHostThread};
constexpr SpanKind kSpanKinds[] = {SpanKind::kKernel, SpanKind::kCopy,    SpanKind::kMemset,  SpanKind::kCallback,
                                   SpanKind::kEvent,  SpanKind::kBarrier, SpanKind::kHostWait};

// "compute core 3" -> (kComputeCore, 3); "host callbacks" -> (kHostCallback, 0).
bool parse_lane_name(const std::string& name, LaneKind* kind, std::uint32_t* index) {
  for (LaneKind k : kLaneKinds) {
    const std::string prefix = profiler::lane_kind_name(k);
    if (name.rfind(prefix, 0) != 0) continue;
    *kind = k;
    *index = 0;
    if (name.size() > prefix.size() + 1) *index = static_cast<std::uint32_t>(std::stoul(name.substr(prefix.size() + 1)));
    return true;
  }
  return false;
}

SpanKind parse_kind(const std::string& cat) {
  for (SpanKind k : kSpanKinds)
    if (cat == profiler::span_kind_name(k)) return k;
  throw CliError(kExitBadInputFile, "unknown span category '" + cat + "'");
}

std::int64_t to_ns(const json& us) { return std::llround(us.get<double>() * 1000.0); }

template <class T>
T arg_or(const json& args, const char* key, T fallback) {
  return args.contains(key) ? args[key].get<T>() : fallback;
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
    add(value);
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
    const std::string ph = ev.value("ph", "");
    if (ph == "M" && ev.value("name", "") == "thread_name") {
      profiler::Lane lane;
      lane.name = ev.at("args").at("name").get<std::string>();
      const int pid = ev.at("pid").get<int>();
      lane.device = pid - 1;
      if (!parse_lane_name(lane.name, &lane.kind, &lane.index)) return;  // not a vnpu lane
      lanes_.insert_or_assign(LaneKey{pid, ev.at("tid").get<long long>()}, lane);
      lane_list_.push_back(std::move(lane));
    } else if (ph == "X") {
      profiler::Span s;
      s.kind = parse_kind(ev.at("cat").get<std::string>());
      s.name = ev.at("name").get<std::string>();
      s.start_ns = to_ns(ev.at("ts"));
      s.end_ns = s.start_ns + to_ns(ev.at("dur"));
      const json& args = ev.contains("args") ? ev["args"] : json::object();
      s.stream = arg_or<std::uint64_t>(args, "stream", 0);
      s.seq = arg_or<std::uint64_t>(args, "seq", 0);
      s.bytes = arg_or<std::uint64_t>(args, "bytes", 0);
      s.block = arg_or<std::uint32_t>(args, "block", 0);
      s.blocks = arg_or<std::uint32_t>(args, "blocks", 0);
      s.op = arg_or<std::string>(args, "op", "");
      s.shape = arg_or<std::string>(args, "shape", "");
      s.op_bytes = arg_or<std::uint64_t>(args, "op_bytes", 0);
      s.op_id = arg_or<std::uint64_t>(args, "op_id", 0);
      spans_.push_back({LaneKey{ev.at("pid").get<int>(), ev.at("tid").get<long long>()}, std::move(s)});
    }
  }

  std::string path_;
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
    if (doc.contains("otherData")) {
      const json& other = doc["otherData"];
      t.dropped = arg_or<std::uint64_t>(other, "dropped_spans", 0);
      if (other.contains("devices")) {
        for (const json& d : other["devices"]) {
          t.devices.push_back({d.at("id").get<int>(), d.value("name", ""), d.value("compute_cores", 0),
                               d.value("copy_engines", 0)});
        }
      }
    }
  } catch (const json::exception& e) {
    throw CliError(kExitBadInputFile, "'" + path + "' is not a vnpu Chrome trace: " + e.what());
  } catch (const std::logic_error& e) {  // std::stoul on a malformed lane name
    throw CliError(kExitBadInputFile, "'" + path + "' has a malformed lane name: " + e.what());
  }
  return t;
}

}  // namespace vnpu::cli
