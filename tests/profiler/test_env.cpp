// VNPU_PROFILE: a program profiled from the environment writes its trace at exit;
// VNPU_PROFILE_MAX_SPANS bounds each thread's buffer and the excess is counted.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "profiler/profiler_support.hpp"

namespace vnpu::test {
namespace {

// Runs the program with VNPU_PROFILE set; returns the trace it wrote (null if none) and,
// if `err` is given, what it printed on stderr.
nlohmann::json run_profiled(const std::string& name, int launches, const std::string& extra_env, int* exit_code,
                            std::string* err = nullptr) {
  const std::string path = ::testing::TempDir() + name;
  const std::string err_path = path + ".stderr";
  std::remove(path.c_str());
  const std::string cmd = "VNPU_PROFILE='" + path + "' " + extra_env + " '" + VNPU_PROFILE_ENV_PROGRAM + "' " +
                          std::to_string(launches) + " 2>'" + err_path + "'";
  const int rc = std::system(cmd.c_str());
  *exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  if (err != nullptr) {
    std::ifstream e(err_path);
    std::stringstream es;
    es << e.rdbuf();
    *err = es.str();
  }
  std::remove(err_path.c_str());
  std::ifstream f(path);
  if (!f) return nullptr;
  std::stringstream ss;
  ss << f.rdbuf();
  std::remove(path.c_str());
  return nlohmann::json::parse(ss.str());
}

int count_named(const nlohmann::json& doc, const std::string& name) {
  int n = 0;
  for (const auto& ev : doc["traceEvents"])
    if (ev["ph"] == "X" && ev["name"] == name) ++n;
  return n;
}

TEST(ProfileEnvironment, TheTraceIsWrittenAtExit) {
  int rc = -1;
  const nlohmann::json doc = run_profiled("vnpu_env_trace.json", 25, "", &rc);
  EXPECT_EQ(rc, 0) << "the profiler was active in the program";
  ASSERT_FALSE(doc.is_null()) << "no trace written";
  EXPECT_EQ(count_named(doc, "env_kernel"), 25);
  EXPECT_EQ(doc["otherData"]["dropped_spans"], 0);
}

TEST(ProfileEnvironment, MaxSpansBoundsEachThreadAndCountsTheRest) {
  int rc = -1;
  const nlohmann::json doc = run_profiled("vnpu_env_trace_capped.json", 5000, "VNPU_PROFILE_MAX_SPANS=2000", &rc);
  EXPECT_EQ(rc, 0);
  ASSERT_FALSE(doc.is_null());
  const int kept = count_named(doc, "env_kernel");
  EXPECT_EQ(kept, 2000);
  EXPECT_EQ(doc["otherData"]["dropped_spans"].get<int>(), 5000 - kept);
}

TEST(ProfileEnvironment, AnOutOfRangeMaxSpansIsIgnoredWithAWarning) {
  for (const char* value : {"0", "-5"}) {
    int rc = -1;
    std::string err;
    const nlohmann::json doc =
        run_profiled("vnpu_env_trace_bad_max.json", 30, std::string("VNPU_PROFILE_MAX_SPANS=") + value, &rc, &err);
    EXPECT_EQ(rc, 0);
    EXPECT_NE(err.find(std::string("vnpu: ignoring VNPU_PROFILE_MAX_SPANS=") + value + ": must be at least 1"),
              std::string::npos)
        << err;
    ASSERT_FALSE(doc.is_null());
    EXPECT_EQ(count_named(doc, "env_kernel"), 30) << "the default bound applies";
  }
}

TEST(ProfileEnvironment, AnUnwritablePathIsReportedNotFatal) {
  const std::string cmd = std::string("VNPU_PROFILE=/nonexistent-dir/t.json '") + VNPU_PROFILE_ENV_PROGRAM +
                          "' 3 2>&1 | grep -q 'cannot write the profile'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << "the program says why no trace was written";
}

}  // namespace
}  // namespace vnpu::test
