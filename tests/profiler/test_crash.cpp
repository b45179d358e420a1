// VNPU_PROFILE and crashes: a program that dies of a fatal signal or std::terminate while
// the profiler records still writes the spans captured so far, as valid JSON, and then
// dies exactly as it would have without vnpu (the same wait status), after any handler it
// had installed itself has run.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "profiler/profiler_support.hpp"

extern char** environ;

namespace vnpu::test {
namespace {

struct Outcome {
  int status = -1;  // as waitpid() gives it
  std::string out, err;
};

// A path in the temporary directory that no other test process uses (ctest runs the
// cases of this file as separate processes, in parallel).
std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "vnpu_crash_" + std::to_string(getpid()) + "_" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Runs VNPU_PROFILE_ENV_PROGRAM with `args`, VNPU_PROFILE set to `profile` (unset if empty)
// and core dumps off.
Outcome run_program(const std::vector<std::string>& args, const std::string& profile) {
  const std::string out_path = temp_path("stdout");
  const std::string err_path = temp_path("stderr");
  std::vector<std::string> env_strings;
  // The crash writer's child is a single-threaded copy of the dying process and allocates
  // on purpose (see src/profiler/crash.cpp); ThreadSanitizer would report that as a
  // signal-unsafe call, so that one report is switched off for the program.
  std::string tsan_options = "TSAN_OPTIONS=report_signal_unsafe=0";
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string var(*e);
    if (var.rfind("TSAN_OPTIONS=", 0) == 0)
      tsan_options = var + ":report_signal_unsafe=0";
    else if (var.rfind("VNPU_PROFILE=", 0) != 0)
      env_strings.push_back(var);
  }
  env_strings.push_back(tsan_options);
  if (!profile.empty()) env_strings.push_back("VNPU_PROFILE=" + profile);
  std::vector<char*> env, argv;
  for (std::string& s : env_strings) env.push_back(s.data());
  env.push_back(nullptr);
  std::string program = VNPU_PROFILE_ENV_PROGRAM;
  std::vector<std::string> arg_strings = args;
  argv.push_back(program.data());
  for (std::string& s : arg_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {  // only async-signal-safe calls from here on
    const struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0) _exit(126);
    execve(program.c_str(), argv.data(), env.data());
    _exit(127);
  }
  Outcome r;
  if (pid < 0 || waitpid(pid, &r.status, 0) != pid) ADD_FAILURE() << "cannot run " << program;
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return r;
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  return "wait status " + std::to_string(status);
}

// The trace at `path` (null if there is none); a test failure if it is not JSON.
nlohmann::json read_trace(const std::string& path) {
  std::ifstream f(path);
  if (!f) return nullptr;
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << path << " is not JSON: " << e.what();
    return nullptr;
  }
}

int count_named(const nlohmann::json& doc, const std::string& name) {
  int n = 0;
  for (const auto& ev : doc["traceEvents"])
    if (ev["ph"] == "X" && ev["name"] == name) ++n;
  return n;
}

// Runs `args` without and with VNPU_PROFILE: the same death, and a trace holding `spans`
// env_kernel spans. Returns the profiled run.
Outcome expect_trace_and_same_death(const std::vector<std::string>& args, int spans) {
  const std::string path = temp_path("trace.json");
  std::remove(path.c_str());
  const Outcome plain = run_program(args, "");
  const Outcome profiled = run_program(args, path);
  EXPECT_EQ(describe(profiled.status), describe(plain.status)) << "stderr with VNPU_PROFILE:\n" << profiled.err;
  const nlohmann::json doc = read_trace(path);
  EXPECT_FALSE(doc.is_null()) << "no trace written; stderr:\n" << profiled.err;
  if (!doc.is_null()) {
    EXPECT_EQ(count_named(doc, "env_kernel"), spans);
    EXPECT_NE(profiled.err.find("written to " + path), std::string::npos) << profiled.err;
    EXPECT_EQ(profiled.err.find("gave up"), std::string::npos) << "the writer hung: " << profiled.err;
  }
  std::remove(path.c_str());
  return profiled;
}

class ProfileCrash : public ::testing::TestWithParam<const char*> {};

TEST_P(ProfileCrash, TheSpansSoFarAreWrittenAndTheProcessDiesAsBefore) {
  const Outcome r = expect_trace_and_same_death({"12", GetParam()}, 12);
  // Sanitizers turn some deaths into their own reports and exit codes; the comparison
  // with the unprofiled run above holds either way.
  if (!kAddressSanitizer && !kThreadSanitizer) {
    EXPECT_TRUE(WIFSIGNALED(r.status)) << describe(r.status);
  }
}

INSTANTIATE_TEST_SUITE_P(Ends, ProfileCrash,
                         ::testing::Values("raise", "fault", "kernel-fault", "fpe", "abort", "terminate"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           std::erase(name, '-');
                           return name;
                         });

TEST(ProfileCrashChain, AHandlerTheProgramInstalledStillRuns) {
  for (const char* end : {"raise", "fault", "abort"}) {
    SCOPED_TRACE(end);
    const Outcome r = expect_trace_and_same_death({"5", end, "chain"}, 5);
    EXPECT_NE(r.err.find("previous handler"), std::string::npos) << r.err;
  }
}

TEST(ProfileCrashChain, AWriterThatHangsIsGivenUpAndTheProcessStillDies) {
  // Opening a FIFO nobody reads blocks the writer: after its timeout (30 s) the process
  // dies as it would have.
  const std::string fifo = temp_path("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const Outcome plain = run_program({"3", "raise"}, "");
  const Outcome profiled = run_program({"3", "raise"}, fifo);
  std::remove(fifo.c_str());
  EXPECT_EQ(describe(profiled.status), describe(plain.status));
  EXPECT_NE(profiled.err.find("gave up writing the profile"), std::string::npos) << profiled.err;
}

TEST(ProfileCrashChain, HandlersAreInstalledOnlyWhenVnpuProfileIsSet) {
  const std::string path = temp_path("disposition.json");
  EXPECT_EQ(run_program({"1", "disposition"}, "").out, "SIGSEGV handler: unchanged\n");
  EXPECT_EQ(run_program({"1", "disposition"}, path).out, "SIGSEGV handler: changed\n");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace vnpu::test
