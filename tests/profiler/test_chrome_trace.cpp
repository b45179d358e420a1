// The Chrome trace export: valid JSON (even when empty), one "X" event per span with the
// fields Perfetto needs, "M" metadata naming every device and lane.
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "profiler/profiler_support.hpp"

namespace vnpu::test {
namespace {

using nlohmann::json;

json parse(const std::string& text) {
  json doc = json::parse(text);  // throws (failing the test) on invalid JSON
  return doc;
}

TEST(ChromeTrace, AnEmptyTraceIsValidJson) {
  const json doc = parse(profiler::chrome_trace_json(Trace{}));
  ASSERT_TRUE(doc.contains("traceEvents"));
  EXPECT_TRUE(doc["traceEvents"].is_array());
  EXPECT_TRUE(doc["traceEvents"].empty());
  EXPECT_EQ(doc["otherData"]["dropped_spans"], 0);
}

TEST(ChromeTrace, ASessionWithoutWorkIsEmpty) {
  ASSERT_OK(profiler::start());
  ASSERT_OK(profiler::stop());
  const Trace t = profiler::collect();
  EXPECT_TRUE(t.spans.empty());
  EXPECT_NO_THROW(parse(profiler::chrome_trace_json(t)));
}

TEST(ChromeTrace, NamesAreEscaped) {
  Trace t;
  t.devices.push_back({0, "dev \"quoted\"\n\\", 1, 0});
  t.lanes.push_back({0, LaneKind::kComputeCore, 0, "compute core 0"});
  Span s;
  s.name = "k\t\x01\"x\"";
  s.device = 0;
  s.start_ns = 1500;
  s.end_ns = 4001;
  t.spans.push_back(s);
  const json doc = parse(profiler::chrome_trace_json(t));
  bool found = false;
  for (const json& e : doc["traceEvents"]) {
    if (e["ph"] != "X") continue;
    found = true;
    EXPECT_EQ(e["name"], "k\t\x01\"x\"");
    EXPECT_DOUBLE_EQ(e["ts"].get<double>(), 1.5);
    EXPECT_DOUBLE_EQ(e["dur"].get<double>(), 2.501);
  }
  EXPECT_TRUE(found);
}

TEST(ChromeTrace, ARecordedRunExportsEverySpanAndNamesEveryLane) {
  Device dev = make_device(2).value();
  Stream s = dev.create_stream().value();
  Stream s2 = dev.create_stream().value();
  Event e = Event::create().value();
  void* d = dev.malloc(1 << 20).value();
  ASSERT_OK(profiler::start());
  ASSERT_OK(s.memset_async(d, 1 << 20, 0, 1 << 20));
  ASSERT_OK(s.launch("kern", 2, [](const KernelContext&) {}));
  ASSERT_OK(s.record(e));
  ASSERT_OK(s2.wait(e));
  ASSERT_OK(s2.host_func("cb", [] {}));
  ASSERT_OK(s2.synchronize());
  ASSERT_OK(s.synchronize());
  ASSERT_OK(profiler::stop());
  const Trace t = profiler::collect();
  const json doc = parse(profiler::chrome_trace_json(t));

  std::set<std::pair<int, long long>> named_threads;
  std::set<int> named_processes;
  std::size_t spans = 0;
  std::map<std::string, int> cats;
  for (const json& ev : doc["traceEvents"]) {
    const std::string ph = ev["ph"];
    if (ph == "M") {
      if (ev["name"] == "thread_name") named_threads.insert({ev["pid"].get<int>(), ev["tid"].get<long long>()});
      if (ev["name"] == "process_name") named_processes.insert(ev["pid"].get<int>());
      continue;
    }
    ASSERT_EQ(ph, "X");
    ++spans;
    for (const char* field : {"name", "cat", "pid", "tid", "ts", "dur", "args"}) ASSERT_TRUE(ev.contains(field)) << field;
    EXPECT_GE(ev["ts"].get<double>(), 0.0);
    EXPECT_GE(ev["dur"].get<double>(), 0.0);
    for (const char* arg : {"stream", "seq", "bytes"}) EXPECT_TRUE(ev["args"].contains(arg)) << arg;
    ++cats[ev["cat"].get<std::string>()];
    EXPECT_TRUE(named_threads.count({ev["pid"].get<int>(), ev["tid"].get<long long>()}))
        << "every lane is named before its spans";
    EXPECT_TRUE(named_processes.count(ev["pid"].get<int>()));
  }
  EXPECT_EQ(spans, t.spans.size());
  EXPECT_EQ(cats["kernel"], 2);
  EXPECT_EQ(cats["memset"], 1);
  EXPECT_EQ(cats["callback"], 1);
  EXPECT_GE(cats["event"], 1);  // the record (and the wait, recorded however short)
  EXPECT_GE(cats["wait"], 2);
  EXPECT_TRUE(named_processes.count(dev.info().id + 1)) << "pid = device id + 1";
  EXPECT_TRUE(named_processes.count(0)) << "the host process holds the application threads";
  EXPECT_TRUE(named_threads.count({dev.info().id + 1, 1}));     // compute core 0
  EXPECT_TRUE(named_threads.count({dev.info().id + 1, 2}));     // compute core 1
  EXPECT_TRUE(named_threads.count({dev.info().id + 1, 1001}));  // copy engine 0
  EXPECT_TRUE(named_threads.count({dev.info().id + 1, 2001}));  // host callbacks
  const json& devices = doc["otherData"]["devices"];
  ASSERT_FALSE(devices.empty());
  bool found = false;
  for (const json& dj : devices) found = found || (dj["id"] == dev.info().id && dj["compute_cores"] == 2);
  EXPECT_TRUE(found);
  (void)vnpu::free(d);
}

TEST(ChromeTrace, WriteFailsWithAClearMessageWhenThePathIsUnwritable) {
  const Status st = profiler::write_chrome_trace(Trace{}, "/nonexistent-dir/trace.json");
  EXPECT_EQ(st, Status::kInvalidArgument);
  EXPECT_NE(std::string(last_error_message()).find("/nonexistent-dir/trace.json"), std::string::npos);
}

TEST(ChromeTrace, WrittenFileParses) {
  const std::string path = ::testing::TempDir() + "vnpu_trace_written.json";
  Trace t;
  t.devices.push_back({3, "d", 1, 1});
  t.lanes.push_back({3, LaneKind::kCopyEngine, 0, "copy engine 0"});
  Span s;
  s.kind = SpanKind::kCopy;
  s.lane_kind = LaneKind::kCopyEngine;
  s.device = 3;
  s.bytes = 123;
  s.name = "memcpy_h2d";
  s.start_ns = 10;
  s.end_ns = 20;
  t.spans.push_back(s);
  ASSERT_OK(profiler::write_chrome_trace(t, path));
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  const json doc = parse(ss.str());
  bool found = false;
  for (const json& ev : doc["traceEvents"]) {
    if (ev["ph"] != "X") continue;
    found = true;
    EXPECT_EQ(ev["cat"], "copy");
    EXPECT_EQ(ev["pid"], 4);
    EXPECT_EQ(ev["tid"], 1001);
    EXPECT_EQ(ev["args"]["bytes"], 123);
  }
  EXPECT_TRUE(found);
  std::remove(path.c_str());
}

// A trace as vnpu collects it with a communicator: device 0's lanes in display order, a
// collective on comm lane 1.
Trace comm_trace() {
  Trace t;
  t.devices.push_back({0, "d", 1, 1});
  t.lanes = {{0, LaneKind::kComputeCore, 0, "compute core 0"}, {0, LaneKind::kCopyEngine, 0, "copy engine 0"},
             {0, LaneKind::kHostCallback, 0, "host callbacks"}, {0, LaneKind::kCommLane, 0, "comm lane 0"},
             {0, LaneKind::kCommLane, 1, "comm lane 1"},        {0, LaneKind::kStream, 2, "stream 2"}};
  Span s;
  s.kind = SpanKind::kCollective;
  s.lane_kind = LaneKind::kCommLane;
  s.device = 0;
  s.lane = 1;
  s.name = "all_reduce";
  s.stream = 2;
  s.seq = 3;
  s.bytes = 8192;  // sent plus received
  s.start_ns = 1000;
  s.end_ns = 5000;
  t.spans.push_back(s);
  return t;
}

TEST(ChromeTrace, CollectivesAndCommLanesHaveTheirNames) {
  EXPECT_STREQ(profiler::span_kind_name(SpanKind::kCollective), "collective");
  EXPECT_STREQ(profiler::lane_kind_name(LaneKind::kCommLane), "comm lane");
}

TEST(ChromeTrace, ACollectiveIsOnItsCommLaneBetweenHostCallbacksAndStreams) {
  const json doc = parse(profiler::chrome_trace_json(comm_trace()));
  std::map<long long, std::string> thread_names;
  std::map<long long, long long> sort_index;
  int collectives = 0;
  for (const json& ev : doc["traceEvents"]) {
    if (ev["ph"] == "M" && ev["name"] == "thread_name")
      thread_names[ev["tid"].get<long long>()] = ev["args"]["name"].get<std::string>();
    if (ev["ph"] == "M" && ev["name"] == "thread_sort_index")
      sort_index[ev["tid"].get<long long>()] = ev["args"]["sort_index"].get<long long>();
    if (ev["ph"] != "X") continue;
    ++collectives;
    EXPECT_EQ(ev["name"], "all_reduce");
    EXPECT_EQ(ev["cat"], "collective");
    EXPECT_EQ(ev["pid"], 1);
    EXPECT_EQ(ev["tid"], 3002) << "comm lane n -> 3001 + n";
    EXPECT_DOUBLE_EQ(ev["ts"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(ev["dur"].get<double>(), 4.0);
    EXPECT_EQ(ev["args"]["bytes"], 8192);
    EXPECT_EQ(ev["args"]["stream"], 2);
    EXPECT_EQ(ev["args"]["seq"], 3);
  }
  EXPECT_EQ(collectives, 1);
  EXPECT_EQ(thread_names[3001], "comm lane 0");
  EXPECT_EQ(thread_names[3002], "comm lane 1");
  EXPECT_LT(sort_index[2001], sort_index[3001]) << "after the host callbacks";
  EXPECT_LT(sort_index[3002], sort_index[10003]) << "before the streams";
}

// What `vnpu report` does with a trace: every lane name gives back its kind and index by
// the lane kind's name, every category its span kind by the span kind's name.
TEST(ChromeTrace, CommLaneNamesAndTheCollectiveCategoryReadBack) {
  const Trace t = comm_trace();
  const json doc = parse(profiler::chrome_trace_json(t));
  constexpr LaneKind kLaneKinds[] = {LaneKind::kComputeCore, LaneKind::kCopyEngine, LaneKind::kHostCallback,
                                     LaneKind::kCommLane, LaneKind::kStream, LaneKind::kHostThread};
  std::vector<profiler::Lane> read;
  for (const json& ev : doc["traceEvents"]) {
    if (ev["ph"] != "M" || ev["name"] != "thread_name") continue;
    const std::string name = ev["args"]["name"].get<std::string>();
    for (LaneKind k : kLaneKinds) {
      const std::string prefix = profiler::lane_kind_name(k);
      if (name.rfind(prefix, 0) != 0) continue;
      const auto index =
          static_cast<std::uint32_t>(name.size() > prefix.size() ? std::stoul(name.substr(prefix.size() + 1)) : 0);
      read.push_back({ev["pid"].get<int>() - 1, k, index, name});
      break;
    }
  }
  ASSERT_EQ(read.size(), t.lanes.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].device, t.lanes[i].device) << t.lanes[i].name;
    EXPECT_EQ(read[i].kind, t.lanes[i].kind) << t.lanes[i].name;
    EXPECT_EQ(read[i].index, t.lanes[i].index) << t.lanes[i].name;
  }
  for (const json& ev : doc["traceEvents"]) {
    if (ev["ph"] == "X") {
      EXPECT_EQ(ev["cat"], profiler::span_kind_name(SpanKind::kCollective));
    }
  }
}

}  // namespace
}  // namespace vnpu::test
