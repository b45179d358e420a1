// `vnpu check [--json] -- PROGRAM ARGS...`: runs a program in checked mode (VNPU_CHECK=all)
// and reports its races and ordering mistakes (vnpu/check.hpp).
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"

namespace vnpu::cli {
namespace {

// Runs argv with the checker's variables set; its exit status (128 + signal if killed).
int run_checked(const std::vector<std::string>& args, const std::string& report) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw CliError(kExitUnexpected, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    setenv("VNPU_CHECK", "all", 1);
    setenv("VNPU_CHECK_REPORT", report.c_str(), 1);
    setenv("VNPU_CHECK_QUIET", "1", 1);  // this command prints the findings
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "vnpu: error: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw CliError(kExitUnexpected, std::string("waitpid: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kExitUnexpected;
}

void print_party(const char* label, const nlohmann::json& p, bool with_mode) {
  fmt::print("  {} {}", label, p.value("what", ""));
  if (with_mode) fmt::print(" ({})", p.value("mode", ""));
  if (const std::string where = p.value("where", ""); !where.empty()) fmt::print(" on {}", where);
  fmt::print("\n");
  if (const std::string by = p.value("submitted_by", ""); !by.empty()) fmt::print("          {}\n", by);
}

void print_text(const nlohmann::json& doc) {
  const auto& findings = doc.at("findings");
  if (findings.empty()) {
    fmt::print("vnpu check: no findings\n");
    return;
  }
  fmt::print("vnpu check: {} finding{}\n", findings.size(), findings.size() == 1 ? "" : "s");
  for (const auto& f : findings) {
    const std::string kind = f.value("kind", "");
    fmt::print("\n{}", kind);
    const auto lo = f.value("lo", std::uint64_t{0}), hi = f.value("hi", std::uint64_t{0});
    if (hi > lo) {
      fmt::print(": {} bytes at {:#x}", hi - lo, lo);
      if (f.value("allocation", std::uint64_t{0}) != 0)
        fmt::print(", offset {} of the {}-byte allocation at {:#x}", f.value("offset", std::uint64_t{0}),
                   f.value("allocation_bytes", std::uint64_t{0}), f.value("allocation", std::uint64_t{0}));
    }
    if (f.value("count", 1) > 1) fmt::print(" ({} times)", f.value("count", 1));
    fmt::print("\n");
    const bool modes = kind != "unordered-wait" && kind != "deadlock";
    print_party("first: ", f.at("first"), modes);
    print_party("second:", f.at("second"), modes);
    fmt::print("  {}\n", f.value("missing", ""));
  }
}

}  // namespace

int run_check(const CheckOptions& o) {
  if (o.command.empty()) throw CliError(kExitUnexpected, "vnpu check: no program given (vnpu check -- PROGRAM ARGS...)");
  char tmpl[] = "/tmp/vnpu-check-XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw CliError(kExitUnexpected, std::string("mkstemp: ") + std::strerror(errno));
  close(fd);
  const std::string report = tmpl;
  const int program_status = run_checked(o.command, report);
  nlohmann::json doc;
  {
    std::ifstream f(report);
    if (f.peek() != std::ifstream::traits_type::eof()) doc = nlohmann::json::parse(f, nullptr, false);
  }
  std::remove(report.c_str());
  if (doc.is_discarded() || doc.is_null() || !doc.contains("findings")) {
    fmt::print(stderr,
               "vnpu check: {} wrote no report (exit status {}): it does not use vnpu, or it ended before exit "
               "handlers ran\n",
               o.command[0], program_status);
    return program_status != 0 ? program_status : kExitUnexpected;
  }
  doc["program_exit_status"] = program_status;
  if (o.json) {
    fmt::print("{}\n", doc.dump(2));
  } else {
    print_text(doc);
  }
  if (!doc["findings"].empty()) return kExitFindings;
  return program_status;
}

}  // namespace vnpu::cli
