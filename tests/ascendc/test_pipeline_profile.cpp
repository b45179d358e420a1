// The profile of an Ascend C stream pipeline (pipeline_program.cpp, run with
// VNPU_PROFILE): the copy engine's spans lie under the kernel's — batch i+1 moves while
// the kernel works on batch i — and every span is on the lane of its engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

struct Interval {
  double start, end;
};

// Runs the program with VNPU_PROFILE; the trace it wrote, or null.
nlohmann::json run_profiled(int batches, int* exit_code) {
  const std::string path = ::testing::TempDir() + "vnpu_ascendc_pipeline_trace.json";
  std::remove(path.c_str());
  const std::string cmd = "VNPU_PROFILE='" + path + "' '" + VNPU_ASCENDC_PIPELINE_PROGRAM + "' " +
                          std::to_string(batches);
  const int rc = std::system(cmd.c_str());
  *exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  nlohmann::json doc;
  if (std::ifstream f(path); f) doc = nlohmann::json::parse(f);
  std::remove(path.c_str());
  return doc;
}

// Length of the part of `a` covered by the union of `cover` (sorted by start).
double covered(const Interval& a, const std::vector<Interval>& cover) {
  double total = 0, reach = a.start;
  for (const Interval& c : cover) {
    const double s = std::max(c.start, reach), e = std::min(c.end, a.end);
    if (e > s) {
      total += e - s;
      reach = e;
    }
  }
  return total;
}

TEST(AscendcPipelineProfile, TheCopyEnginesSpansLieUnderTheKernels) {
  constexpr int kBatches = 16;
  int rc = -1;
  const nlohmann::json doc = run_profiled(kBatches, &rc);
  ASSERT_EQ(rc, 0) << "the pipeline's results are right";
  ASSERT_FALSE(doc.is_null()) << "no trace written";
  std::map<std::pair<int, int>, std::string> lane_names;
  for (const auto& ev : doc["traceEvents"])
    if (ev["ph"] == "M" && ev["name"] == "thread_name")
      lane_names[{ev["pid"].get<int>(), ev["tid"].get<int>()}] = ev["args"]["name"].get<std::string>();
  std::vector<Interval> kernels, h2d;
  for (const auto& ev : doc["traceEvents"]) {
    if (ev["ph"] != "X") continue;
    const std::string lane = lane_names[{ev["pid"].get<int>(), ev["tid"].get<int>()}];
    const Interval span{ev["ts"].get<double>(), ev["ts"].get<double>() + ev["dur"].get<double>()};
    if (ev["cat"] == "kernel" && ev["name"] == "pipeline_kernel") {
      EXPECT_EQ(lane.rfind("compute core", 0), 0u) << lane;
      kernels.push_back(span);
    } else if (ev["cat"] == "copy" && ev["name"] == "memcpy_h2d") {
      EXPECT_EQ(lane.rfind("copy engine", 0), 0u) << lane;
      h2d.push_back(span);
    }
  }
  ASSERT_EQ(kernels.size(), static_cast<std::size_t>(kBatches));
  ASSERT_GE(h2d.size(), static_cast<std::size_t>(kBatches)) << "one span per copy, or more when it is split";
  std::sort(kernels.begin(), kernels.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
  std::sort(h2d.begin(), h2d.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
  // The first two copies start the pipeline (the first has no kernel to hide under, and
  // both first touch their device buffer); from the third on, each copy runs while the
  // kernel of the batch before it works, which takes several times as long. Not all of
  // it: the OS may still keep an engine from its CPU for a moment.
  const double warm_end = h2d[1].end;
  double copy_time = 0, under = 0;
  for (const Interval& c : h2d) {
    if (c.start < warm_end) continue;
    copy_time += c.end - c.start;
    under += covered(c, kernels);
  }
  ASSERT_GT(copy_time, 0.0);
  EXPECT_GE(under / copy_time, 0.6) << "copy time under a kernel: " << under << " of " << copy_time << " us";
}

}  // namespace
