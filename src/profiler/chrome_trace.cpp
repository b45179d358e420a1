// The Chrome trace exporter (the JSON Object Format of the Trace Event Format, which
// Perfetto and chrome://tracing load).
//
// pid: 0 for the application's host threads, device id + 1 for a device.
// tid: host thread t -> 1 + t; compute core k -> 1 + k; copy engine j -> 1001 + j;
//      host callbacks -> 2001; comm lane n -> 3001 + n; stream s -> 10001 + s.
//      A lane's thread_sort_index is its tid, so a device's rows read in that order.
// ts and dur are microseconds written with three decimals, i.e. exact nanoseconds, so a
// reader sees precisely the recorded nesting.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <string>

#include "common/error.hpp"
#include "common/json.hpp"
#include "profiler/chrome_ids.hpp"
#include "vnpu/profiler.hpp"
#include "vnpu/version.hpp"

namespace vnpu::profiler {

namespace {

using vnpu::detail::append_json_string;

void append_us(std::string& out, std::int64_t ns) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%" PRId64 ".%03" PRId64, ns / 1000, ns % 1000);
  out += buf;
}

void append_u(std::string& out, std::uint64_t v) { out += std::to_string(v); }

// One "M" event; `args` is the JSON object body, e.g. "\"name\":\"host\"". tid < 0: none.
void append_metadata(std::string& out, const char* what, int pid, long long tid, const std::string& args,
                     bool& first) {
  if (!first) out += ",\n";
  first = false;
  out += "{\"ph\":\"M\",\"name\":\"";
  out += what;
  out += "\",\"pid\":" + std::to_string(pid);
  if (tid >= 0) out += ",\"tid\":" + std::to_string(tid);
  out += ",\"args\":{" + args + "}}";
}

std::string name_arg(std::string_view name) {
  std::string out = "\"name\":";
  append_json_string(out, name);
  return out;
}

std::string sort_arg(long long index) { return "\"sort_index\":" + std::to_string(index); }

}  // namespace

std::string chrome_trace_json(const Trace& trace) {
  std::string out;
  out.reserve(256 + trace.spans.size() * 220);
  out += "{\"traceEvents\":[\n";
  bool first = true;
  bool host_named = false;
  for (const DeviceEntry& d : trace.devices) {
    const int pid = chrome::pid_of(d.id);
    append_metadata(out, "process_name", pid, -1, name_arg("device " + std::to_string(d.id) + " (" + d.name + ")"),
                    first);
    append_metadata(out, "process_sort_index", pid, -1, sort_arg(pid), first);
  }
  for (const Lane& l : trace.lanes) {
    const int pid = chrome::pid_of(l.device);
    if (l.kind == LaneKind::kHostThread && !host_named) {
      append_metadata(out, "process_name", 0, -1, name_arg("host"), first);
      append_metadata(out, "process_sort_index", 0, -1, sort_arg(1 << 20), first);  // below the devices
      host_named = true;
    }
    const long long tid = chrome::tid_of(l.kind, l.index);
    append_metadata(out, "thread_name", pid, tid, name_arg(l.name), first);
    append_metadata(out, "thread_sort_index", pid, tid, sort_arg(tid), first);
  }
  for (const Span& s : trace.spans) {
    if (!first) out += ",\n";
    first = false;
    out += "{\"ph\":\"X\",\"name\":";
    append_json_string(out, s.name);
    out += ",\"cat\":\"";
    out += span_kind_name(s.kind);
    out += "\",\"pid\":" + std::to_string(chrome::pid_of(s.device));
    out += ",\"tid\":" + std::to_string(chrome::tid_of(s.lane_kind, s.lane));
    out += ",\"ts\":";
    append_us(out, s.start_ns);
    out += ",\"dur\":";
    append_us(out, s.end_ns - s.start_ns);
    out += ",\"args\":{\"stream\":";
    append_u(out, s.stream);
    out += ",\"seq\":";
    append_u(out, s.seq);
    out += ",\"bytes\":";
    append_u(out, s.bytes);
    if (s.blocks != 0) {
      out += ",\"block\":";
      append_u(out, s.block);
      out += ",\"blocks\":";
      append_u(out, s.blocks);
    }
    if (s.op_id != 0) {
      out += ",\"op\":";
      append_json_string(out, s.op);
      out += ",\"shape\":";
      append_json_string(out, s.shape);
      out += ",\"op_bytes\":";
      append_u(out, s.op_bytes);
      out += ",\"op_id\":";
      append_u(out, s.op_id);
    }
    out += "}}";
  }
  out += "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"producer\":\"vnpu ";
  out += std::to_string(kVersionMajor) + "." + std::to_string(kVersionMinor) + "." + std::to_string(kVersionPatch);
  out += "\",\"dropped_spans\":";
  append_u(out, trace.dropped);
  out += ",\"devices\":[";
  for (std::size_t i = 0; i < trace.devices.size(); ++i) {
    const DeviceEntry& d = trace.devices[i];
    if (i != 0) out += ',';
    out += "{\"id\":" + std::to_string(d.id) + ",\"name\":";
    append_json_string(out, d.name);
    out += ",\"compute_cores\":" + std::to_string(d.compute_cores) +
           ",\"copy_engines\":" + std::to_string(d.copy_engines) + "}";
  }
  out += "]}}\n";
  return out;
}

Status write_chrome_trace(const Trace& trace, const std::string& path) {
  detail::clear_error();
  std::string json;
  try {
    json = chrome_trace_json(trace);
  } catch (const std::bad_alloc&) {
    return detail::fail(Status::kOutOfMemory, "write_chrome_trace: out of memory for %zu spans", trace.spans.size());
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return detail::fail(Status::kInvalidArgument, "write_chrome_trace: cannot open '%s' for writing", path.c_str());
  f.write(json.data(), static_cast<std::streamsize>(json.size()));
  f.close();
  if (!f) return detail::fail(Status::kInvalidArgument, "write_chrome_trace: cannot write '%s'", path.c_str());
  return Status::kSuccess;
}

}  // namespace vnpu::profiler
