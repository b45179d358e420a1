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
#include "vnpu/check.hpp"

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

// The report's findings as the library holds them, for checker::report_text.
checker::Party party_from_json(const nlohmann::json& p) {
  checker::Party party;
  party.what = p.value("what", "");
  party.where = p.value("where", "");
  party.submitted_by = p.value("submitted_by", "");
  const std::string mode = p.value("mode", "read");
  party.mode = mode == "write" ? AccessMode::kWrite : mode == "read-write" ? AccessMode::kReadWrite : AccessMode::kRead;
  return party;
}

std::vector<checker::Finding> findings_from_json(const nlohmann::json& doc) {
  std::vector<checker::Finding> out;
  for (const auto& f : doc.at("findings")) {
    checker::Finding x;
    const std::string kind = f.value("kind", "");
    for (const checker::Kind k : {checker::Kind::kReadAfterWrite, checker::Kind::kWriteAfterRead,
                                  checker::Kind::kWriteAfterWrite, checker::Kind::kUseAfterFree,
                                  checker::Kind::kUnorderedWait, checker::Kind::kDeadlock})
      if (kind == checker::kind_name(k)) x.kind = k;
    x.lo = f.value("lo", std::uintptr_t{0});
    x.hi = f.value("hi", std::uintptr_t{0});
    x.alloc_base = f.value("allocation", std::uintptr_t{0});
    x.alloc_bytes = f.value("allocation_bytes", std::size_t{0});
    x.count = f.value("count", std::uint64_t{1});
    x.first = party_from_json(f.at("first"));
    x.second = party_from_json(f.at("second"));
    x.missing = f.value("missing", "");
    out.push_back(std::move(x));
  }
  return out;
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
    const std::vector<checker::Finding> findings = findings_from_json(doc);
    if (findings.empty()) fmt::print("vnpu check: no findings\n");
    else fmt::print("{}", checker::report_text(findings));
  }
  if (!doc["findings"].empty()) return kExitFindings;
  return program_status;
}

}  // namespace vnpu::cli
