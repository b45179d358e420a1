// tools/cli/report_trace.cpp — a Chrome trace file back into a profiler::Trace.
//
// Lanes come from the "thread_name" metadata ("compute core 3" on pid d + 1 is core 3 of
// device d), so any trace vnpu wrote reads back with its lanes; times are rounded back to
// the nanoseconds they were written from.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include "cli_common.hpp"
#include "commands.hpp"
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

}  // namespace

profiler::Trace load_trace(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw CliError(kExitCannotOpenInput, "cannot open trace '" + path + "'");
  std::stringstream ss;
  ss << f.rdbuf();
  profiler::Trace t;
  try {
    const json doc = json::parse(ss.str());
    const json& events = doc.at("traceEvents");
    if (!events.is_array()) throw CliError(kExitBadInputFile, "'" + path + "': traceEvents is not an array");
    std::map<std::pair<int, long long>, profiler::Lane> lanes;
    for (const json& ev : events) {
      if (ev.value("ph", "") != "M" || ev.value("name", "") != "thread_name") continue;
      profiler::Lane lane;
      lane.name = ev.at("args").at("name").get<std::string>();
      const int pid = ev.at("pid").get<int>();
      lane.device = pid - 1;
      if (!parse_lane_name(lane.name, &lane.kind, &lane.index)) continue;  // not a vnpu lane
      lanes[{pid, ev.at("tid").get<long long>()}] = lane;
      t.lanes.push_back(lane);
    }
    for (const json& ev : events) {
      if (ev.value("ph", "") != "X") continue;
      profiler::Span s;
      const auto it = lanes.find({ev.at("pid").get<int>(), ev.at("tid").get<long long>()});
      if (it == lanes.end()) throw CliError(kExitBadInputFile, "'" + path + "': a span is on an unnamed lane");
      s.device = it->second.device;
      s.lane_kind = it->second.kind;
      s.lane = it->second.index;
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
      t.spans.push_back(std::move(s));
    }
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
