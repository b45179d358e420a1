// vnpu-cc — builds Ascend C kernel sources for the NPU launch style with the host compiler.
//
//   vnpu-cc --generate SOURCE OUTDIR [HEADERDIR]
//       writes OUTDIR/<stem>.vnpu.cpp (the source with its <<<>>> launches rewritten, and
//       the ACLRT_LAUNCH_KERNEL launchers of its kernels) and HEADERDIR/
//       aclrtlaunch_<kernel>.h for every kernel (HEADERDIR: OUTDIR/include); prints the
//       kernels' names, one per line.
//       ascendc.cmake's ascendc_library runs this for each kernel file.
//   vnpu-cc [compiler options] FILES... [-o OUT]
//       a compiler driver, like nvcc or hipcc: each .cpp/.cc/.cxx/.asc file is generated
//       as above into a temporary directory and compiled in its place, with the include
//       paths, definitions and libraries of this vnpu install (c++, or $VNPU_CXX).
//       `vnpu-cc --show ...` prints the compiler command instead of running it.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kernel_source.hpp"

namespace fs = std::filesystem;
using vnpu::ascendc_cc::Scan;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: vnpu-cc --generate SOURCE OUTDIR [HEADERDIR]\n"
               "       vnpu-cc [--show] [compiler options] FILES... [-o OUT]\n");
  return 2;
}

bool read_file(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool write_if_changed(const fs::path& p, const std::string& text) {
  std::string old;
  if (read_file(p, &old) && old == text) return true;  // keep the timestamp: no rebuild
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// Generates the files of `source` into `outdir`; returns the unit to compile, or empty on
// failure (reported).
fs::path generate(const fs::path& source, const fs::path& outdir, const fs::path& headers,
                  std::vector<std::string>* kernels) {
  std::string text;
  if (!read_file(source, &text)) {
    std::fprintf(stderr, "vnpu-cc: cannot read %s: %s\n", source.c_str(), std::strerror(errno));
    return {};
  }
  const Scan scan = vnpu::ascendc_cc::scan_source(text);
  if (!scan.error.empty()) {
    std::fprintf(stderr, "%s:%s\n", source.c_str(), scan.error.c_str());
    return {};
  }
  std::error_code ec;
  fs::create_directories(outdir, ec);
  if (!ec) fs::create_directories(headers, ec);
  if (ec) {
    std::fprintf(stderr, "vnpu-cc: cannot create %s: %s\n", outdir.c_str(), ec.message().c_str());
    return {};
  }
  const fs::path abs_source = fs::absolute(source).lexically_normal();
  fs::path included = abs_source;
  if (scan.launches > 0) {
    // The rewritten copy keeps the original's name for diagnostics (#line).
    included = outdir / (source.stem().string() + ".launches" + source.extension().string());
    if (!write_if_changed(included, "#line 1 \"" + abs_source.string() + "\"\n" + scan.rewritten)) {
      std::fprintf(stderr, "vnpu-cc: cannot write %s\n", included.c_str());
      return {};
    }
  }
  for (const auto& k : scan.kernels) {
    if (!write_if_changed(headers / ("aclrtlaunch_" + k.name + ".h"),
                          vnpu::ascendc_cc::launcher_header(k, source.filename().string()))) {
      std::fprintf(stderr, "vnpu-cc: cannot write the header of %s\n", k.name.c_str());
      return {};
    }
    kernels->push_back(k.name);
  }
  const fs::path unit = outdir / (source.stem().string() + ".vnpu.cpp");
  if (!write_if_changed(unit, vnpu::ascendc_cc::launcher_unit(scan.kernels, included.string()))) {
    std::fprintf(stderr, "vnpu-cc: cannot write %s\n", unit.c_str());
    return {};
  }
  return unit;
}

// This install's prefix: the directory above the one holding vnpu-cc.
fs::path prefix() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return fs::path("/usr/local");
  buf[n] = '\0';
  return fs::path(buf).parent_path().parent_path();
}

bool is_kernel_source(const std::string& a) {
  if (a.empty() || a[0] == '-') return false;
  const std::string ext = fs::path(a).extension().string();
  return ext == ".cpp" || ext == ".cc" || ext == ".cxx" || ext == ".asc";
}

int drive(std::vector<std::string> args) {
  bool show = false;
  if (!args.empty() && args[0] == "--show") {
    show = true;
    args.erase(args.begin());
  }
  if (args.empty()) return usage();
  const fs::path root = prefix();
  char tmpl[] = "/tmp/vnpu-cc.XXXXXX";
  const char* tmp = show ? "/tmp/vnpu-cc.XXXXXX" : mkdtemp(tmpl);
  if (tmp == nullptr) {
    std::fprintf(stderr, "vnpu-cc: cannot create a temporary directory: %s\n", std::strerror(errno));
    return 1;
  }
  // The generated files go with the temporary directory, whatever the outcome.
  struct Cleanup {
    const char* dir;
    bool active;
    ~Cleanup() {
      std::error_code ec;
      if (active) fs::remove_all(dir, ec);
    }
  } cleanup{tmp, !show};
  const char* cxx = std::getenv("VNPU_CXX");
  std::vector<std::string> cmd = {cxx != nullptr && *cxx != '\0' ? cxx : "c++", "-std=c++17"};
  bool compile_only = false;
  std::vector<std::string> rest;
  int n = 0;
  for (const std::string& a : args) {
    if (a == "-c" || a == "-E" || a == "-S") compile_only = true;
    if (!is_kernel_source(a)) {
      rest.push_back(a);
      continue;
    }
    const fs::path src(a);
    const fs::path out = fs::path(tmp) / std::to_string(n++);
    std::vector<std::string> kernels;
    fs::path unit = src;
    if (!show) {
      unit = generate(src, out, out / "include", &kernels);
      if (unit.empty()) return 1;
    }
    cmd.push_back("-iquote");
    cmd.push_back(fs::absolute(src).parent_path().string());
    cmd.push_back("-I" + (out / "include").string());
    rest.push_back(unit.string());
  }
  cmd.push_back("-I" + (root / "include").string());
  cmd.push_back("-I" + (root / "include" / "ascendc").string());
  cmd.insert(cmd.end(), rest.begin(), rest.end());
  if (!compile_only) {
    cmd.push_back("-L" + (root / "lib").string());
    cmd.push_back("-Wl,-rpath," + (root / "lib").string());
    cmd.push_back("-lascendcl");
  }
  if (show) {
    for (const std::string& c : cmd) std::printf("%s ", c.c_str());
    std::printf("\n");
    return 0;
  }
  std::vector<char*> argv;
  for (std::string& c : cmd) argv.push_back(c.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "vnpu-cc: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) return 1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") return usage();
  if (args[0] == "--generate") {
    if (args.size() != 3 && args.size() != 4) return usage();
    std::vector<std::string> kernels;
    const fs::path headers = args.size() == 4 ? fs::path(args[3]) : fs::path(args[2]) / "include";
    if (generate(args[1], args[2], headers, &kernels).empty()) return 1;
    for (const std::string& k : kernels) std::printf("%s\n", k.c_str());
    return 0;
  }
  return drive(std::move(args));
}
