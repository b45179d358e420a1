// `vnpu check --json -- PROGRAM`: AscendCL programs (capi_scenarios.c) with their ordering
// mistakes found, each of the right kind, and correct programs with none.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "json_findings.hpp"

namespace {

struct Outcome {
  int exit_code = -1;
  nlohmann::json report;
};

// A file name of this process's own (ctest runs the tests of this file side by side).
std::string temp_path(const std::string& what) {
  static int n = 0;
  return ::testing::TempDir() + "vnpu_check_" + std::to_string(getpid()) + "_" + std::to_string(++n) + "_" + what;
}

Outcome check(const std::string& scenario) {
  const std::string out = temp_path(scenario + ".json");
  const std::string cmd = std::string("'") + VNPU_CLI + "' check --json -- '" + VNPU_CHECK_SCENARIOS + "' " + scenario +
                          " > '" + out + "'";
  const int rc = std::system(cmd.c_str());
  Outcome o;
  o.exit_code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  std::ifstream f(out);
  if (f) o.report = nlohmann::json::parse(f, nullptr, false);
  std::remove(out.c_str());
  return o;
}

using vnpu::test::kinds;

TEST(CheckCapi, MistakesAreFoundWithTheirKind) {
  const std::map<std::string, std::map<std::string, int>> expected = {
      {"copy_kernel_race", {{"read-after-write", 1}}},
      {"record_after_wait", {{"unordered-wait", 1}, {"read-after-write", 1}}},
      {"host_copy_before_sync", {{"read-after-write", 1}}},
      {"free_queued", {{"use-after-free", 1}}},
      {"memset_two_streams", {{"write-after-write", 1}}},
      {"pinned_read_before_sync", {{"read-after-write", 1}}},
      {"sync_memset_over_kernel", {{"write-after-write", 1}}},
      {"free_host_queued", {{"use-after-free", 1}}},
      {"event_wrong_stream", {{"read-after-write", 1}}},
      {"kernels_write_same_output", {{"write-after-write", 1}}},
      {"pinned_load_before_sync", {{"read-after-write", 1}}},
      {"pinned_store_before_sync", {{"write-after-read", 1}}},
      {"ops_two_streams", {{"read-after-write", 1}, {"write-after-read", 1}}},
      {"wait_cycle", {{"unordered-wait", 2}, {"deadlock", 1}}},
      {"sync_unrecorded_event", {{"unordered-wait", 1}}},
  };
  for (const auto& [scenario, want] : expected) {
    const Outcome o = check(scenario);
    ASSERT_FALSE(o.report.is_discarded() || o.report.is_null()) << scenario;
    EXPECT_EQ(o.exit_code, 22) << scenario << ": vnpu check exits 22 when it finds something";
    EXPECT_EQ(kinds(o.report), want) << scenario << "\n" << o.report.dump(2);
    EXPECT_EQ(o.report["program_exit_status"], 0) << scenario;
  }
}

TEST(CheckCapi, TheRaceNamesTheBytesAndBothSubmissions) {
  const Outcome o = check("copy_kernel_race");
  ASSERT_EQ(o.report["findings"].size(), 1u) << o.report.dump(2);
  const auto& f = o.report["findings"][0];
  EXPECT_EQ(f["bytes"], 4096);
  EXPECT_EQ(f["offset"], 0);
  EXPECT_EQ(f["allocation_bytes"], 4096);
  EXPECT_NE(f["first"]["what"].get<std::string>().find("memcpy_h2d"), std::string::npos);
  EXPECT_NE(f["first"]["submitted_by"].get<std::string>().find("aclrtMemcpyAsync"), std::string::npos)
      << f["first"]["submitted_by"];
  EXPECT_NE(f["second"]["what"].get<std::string>().find("vnpuKernel"), std::string::npos);
  EXPECT_NE(f["second"]["submitted_by"].get<std::string>().find("vnpuLaunchKernelWithAccesses"), std::string::npos)
      << f["second"]["submitted_by"];
  // The program's own frames by name (addr2line, from its symbol table).
  EXPECT_NE(f["second"]["submitted_by"].get<std::string>().find("<- kernel"), std::string::npos)
      << f["second"]["submitted_by"];
  EXPECT_NE(f["first"]["submitted_by"].get<std::string>().find("<- main"), std::string::npos)
      << f["first"]["submitted_by"];
}

TEST(CheckCapi, CorrectProgramsHaveNoFindings) {
  for (const char* scenario :
       {"copy_kernel_event", "host_copy_after_sync", "host_copy_after_event_sync", "pipeline_ok", "device_sync_ok",
        "event_query_ok", "stream_query_ok", "disjoint_halves_ok", "fork_join_ok", "pinned_reuse_after_event_ok",
        "ops_joined_ok"}) {
    const Outcome o = check(scenario);
    ASSERT_FALSE(o.report.is_discarded() || o.report.is_null()) << scenario;
    EXPECT_EQ(o.exit_code, 0) << scenario << "\n" << o.report.dump(2);
    EXPECT_TRUE(o.report["findings"].empty()) << scenario << "\n" << o.report.dump(2);
  }
}

// The scenario run directly with VNPU_CHECK=`value`: whether it wrote a report, and its stderr.
bool run_with(const std::string& value, std::string* err) {
  const std::string report = temp_path("env.json");
  const std::string err_path = report + ".stderr";
  std::remove(report.c_str());
  const std::string cmd = "VNPU_CHECK='" + value + "' VNPU_CHECK_REPORT='" + report + "' '" + VNPU_CHECK_SCENARIOS +
                          "' copy_kernel_race 2>'" + err_path + "'";
  (void)std::system(cmd.c_str());
  std::ifstream e(err_path);
  err->assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
  std::remove(err_path.c_str());
  std::ifstream r(report);
  const bool wrote = static_cast<bool>(r);
  std::remove(report.c_str());
  return wrote;
}

TEST(CheckCapi, TheEnvironmentVariableTakesKindsAndRefusesOthers) {
  std::string err;
  for (const char* on : {"races", "deadlocks", "races,deadlocks", "all"}) {
    EXPECT_TRUE(run_with(on, &err)) << on;
    EXPECT_NE(err.find("read-after-write"), std::string::npos) << on << ": the findings on stderr at exit\n" << err;
  }
  for (const char* bad : {"bogus", "races,", "races,typo"}) {
    EXPECT_FALSE(run_with(bad, &err)) << bad;
    EXPECT_NE(err.find("vnpu: ignoring VNPU_CHECK="), std::string::npos) << bad << "\n" << err;
  }
  EXPECT_FALSE(run_with("off", &err));
  EXPECT_EQ(err.find("vnpu"), std::string::npos) << err;
}

}  // namespace
