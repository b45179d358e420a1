// Checked mode: where calls come from, the report's text and JSON, and the environment
// (VNPU_CHECK turns checking on; the findings are printed at exit).
#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "check/checker.hpp"
#include "common/env.hpp"
#include "common/json.hpp"

namespace vnpu::detail::check {
namespace {

// `addr2line -f -C` on `offset` of the object at `path`: "function (file:line)", or "" when
// it is not available or knows nothing (VNPU_CHECK_SYMBOLIZE=0 turns it off). Findings
// only: it runs a process per frame, once.
std::string addr2line(const std::string& path, std::uintptr_t offset) {
  static const bool enabled = env_int("VNPU_CHECK_SYMBOLIZE").value_or(1) != 0;
  if (!enabled || path.empty()) return "";
  std::string quoted = "'";
  for (const char c : path) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  char cmd[4096 + 64];
  std::snprintf(cmd, sizeof cmd, "addr2line -f -C -e %s 0x%llx 2>/dev/null", quoted.c_str(),
                static_cast<unsigned long long>(offset));
  std::FILE* p = ::popen(cmd, "r");
  if (p == nullptr) return "";
  char fn[1024] = {}, loc[1024] = {};
  const bool got = std::fgets(fn, sizeof fn, p) != nullptr && std::fgets(loc, sizeof loc, p) != nullptr;
  ::pclose(p);
  if (!got) return "";
  fn[std::strcspn(fn, "\n")] = '\0';
  loc[std::strcspn(loc, "\n")] = '\0';
  if (std::strcmp(fn, "??") == 0) return "";
  std::string out = fn;
  if (const std::size_t paren = out.find('('); paren != std::string::npos) out.resize(paren);
  if (char* d = std::strstr(loc, " (discriminator")) *d = '\0';
  if (std::strncmp(loc, "??", 2) != 0 && std::strstr(loc, ":?") == nullptr) out += std::string(" at ") + loc;
  return out;
}

// The shared library vnpu is built into, if it is one (libascendcl.so); empty when vnpu is
// linked into the program itself.
const std::string& own_library() {
  static const std::string lib = [] {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&capture_origin), &info) == 0 || info.dli_fname == nullptr) return std::string();
    const std::string name = info.dli_fname;
    return name.find(".so") != std::string::npos ? name : std::string();
  }();
  return lib;
}

// Where the main program is loaded.
const void* dlopen_base_of_main() {
  static const void* base = [] {
    Dl_info info{};
    const void* main_sym = dlsym(RTLD_DEFAULT, "main");
    return main_sym != nullptr && dladdr(main_sym, &info) != 0 ? info.dli_fbase : static_cast<void*>(nullptr);
  }();
  return base;
}

// A frame's function name, demangled; "+0xOFFSET" (in the object) when the binary does
// not export it and addr2line cannot tell; "" when nothing is known, and for vnpu's own
// unexported functions in the library it is built into (they say nothing to the user).
std::string frame_function(void* pc, std::string* object) {
  Dl_info info{};
  if (dladdr(pc, &info) == 0) return "";
  if (info.dli_fname != nullptr) {
    const char* slash = std::strrchr(info.dli_fname, '/');
    *object = slash != nullptr ? slash + 1 : info.dli_fname;
  }
  if (info.dli_sname == nullptr) {
    if (info.dli_fname != nullptr && !own_library().empty() && own_library() == info.dli_fname) return "";
    const auto offset = reinterpret_cast<std::uintptr_t>(pc) - reinterpret_cast<std::uintptr_t>(info.dli_fbase);
    // The main program's path as the loader gave it may be relative or empty.
    const bool main_program = info.dli_fname == nullptr || std::strchr(info.dli_fname, '/') == nullptr ||
                              info.dli_fbase == dlopen_base_of_main();
    // pc is a return address: look up the call instruction before it.
    std::string resolved = addr2line(main_program ? std::string("/proc/self/exe") : info.dli_fname, offset - 1);
    if (!resolved.empty()) return resolved;
    char b[64];
    std::snprintf(b, sizeof b, "+0x%llx", static_cast<unsigned long long>(offset));
    return b;  // an offset in the object, for addr2line
  }
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> d(abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status),
                                                &std::free);
  std::string name = status == 0 && d ? d.get() : info.dli_sname;
  if (const std::size_t paren = name.find('('); paren != std::string::npos) name.resize(paren);
  return name;
}

// Frames of vnpu itself (and the standard library under it) say nothing to the user (the
// unnamed ones of the library vnpu is built into are left out by frame_function).
bool internal(const std::string& fn) {
  return fn.rfind("vnpu::", 0) == 0 || fn.rfind("std::", 0) == 0 || fn.find(" vnpu::") != std::string::npos;
}

std::string json_string(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string hex(std::uintptr_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

const char* mode_name(AccessMode m) {
  switch (m) {
    case AccessMode::kRead: return "read";
    case AccessMode::kWrite: return "write";
    case AccessMode::kReadWrite: return "read-write";
  }
  return "?";
}

void print_at_exit() {
  const std::vector<Finding> f = vnpu::checker::findings();
  if (const char* path = std::getenv("VNPU_CHECK_REPORT"); path != nullptr && *path != '\0') {
    if (std::FILE* out = std::fopen(path, "w")) {
      const std::string json = vnpu::checker::report_json(f);
      std::fwrite(json.data(), 1, json.size(), out);
      std::fclose(out);
    } else {
      std::fprintf(stderr, "vnpu check: cannot write VNPU_CHECK_REPORT=%s\n", path);
    }
  }
  if (env_int("VNPU_CHECK_QUIET").value_or(0) != 0) return;  // `vnpu check` prints them itself
  const std::string text = vnpu::checker::report_text(f);
  std::fputs(text.c_str(), stderr);
}

}  // namespace

// VNPU_CHECK=races,deadlocks | all (comma-separated; 0 or off: none): checking on from
// the start. Both kinds come from the same bookkeeping, so either turns it on.
bool check_from_env() {
  const char* v = std::getenv("VNPU_CHECK");
  if (v == nullptr || *v == '\0' || std::strcmp(v, "0") == 0 || std::strcmp(v, "off") == 0) return false;
  const std::string value = v;
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t comma = std::min(value.find(',', start), value.size());
    const std::string item = value.substr(start, comma - start);
    if (item != "races" && item != "deadlocks" && item != "all" && item != "1") {
      std::fprintf(stderr, "vnpu: ignoring VNPU_CHECK=%s: '%s' is not races, deadlocks or all\n", v, item.c_str());
      return false;
    }
    start = comma + 1;
  }
  std::atexit(print_at_exit);
  return true;
}

Origin capture_origin(const char* api) noexcept {
  // VNPU_CHECK_FRAMES: return addresses kept per submission (0..10, default 10). Walking
  // the stack is most of checked mode's cost per task; 0 keeps only the API's name.
  constexpr auto kMax = static_cast<std::int64_t>(sizeof(Origin::pc) / sizeof(void*));
  static const int depth = static_cast<int>(env_int_in("VNPU_CHECK_FRAMES", 0, kMax).value_or(kMax));
  Origin o;
  o.api = api;
  if (depth > 0) o.frames = ::backtrace(o.pc, depth);
  return o;
}

std::string describe_origin(const Origin& o) {
  std::string out = o.api;
  int shown = 0;
  for (int i = 0; i < o.frames && shown < 4; ++i) {
    std::string object;
    const std::string fn = frame_function(o.pc[i], &object);
    if (fn.empty() || internal(fn)) continue;
    out += shown == 0 ? ", called from " : " <- ";
    out += fn;
    if (!object.empty()) out += " (" + object + ")";
    ++shown;
    if (fn == "main" || fn.rfind("main at ", 0) == 0) break;  // what runs main says nothing
  }
  return out;
}

}  // namespace vnpu::detail::check

namespace vnpu::checker {

std::string report_text(const std::vector<Finding>& findings) {
  if (findings.empty()) return "";
  std::string out = "vnpu check: " + std::to_string(findings.size()) + " finding" +
                    (findings.size() == 1 ? "" : "s") + "\n";
  for (const Finding& f : findings) {
    out += '\n';
    out += kind_name(f.kind);
    if (f.hi > f.lo) {
      out += ": bytes [" + detail::check::hex(f.lo) + ", " + detail::check::hex(f.hi) + ")";
      if (f.alloc_base != 0)
        out += " of the " + std::to_string(f.alloc_bytes) + "-byte allocation at " + detail::check::hex(f.alloc_base) +
               " (offset " + std::to_string(f.lo - f.alloc_base) + ")";
    }
    if (f.count > 1) out += " (" + std::to_string(f.count) + " times)";
    out += "\n";
    for (const Party* p : {&f.first, &f.second}) {
      out += "  " + std::string(p == &f.first ? "first:  " : "second: ") + p->what;
      if (f.kind != Kind::kUnorderedWait && f.kind != Kind::kDeadlock)
        out += std::string(" (") + detail::check::mode_name(p->mode) + ")";
      if (!p->where.empty()) out += " on " + p->where;
      out += "\n";
      if (!p->submitted_by.empty()) out += "          " + p->submitted_by + "\n";
    }
    out += "  " + f.missing + "\n";
  }
  return out;
}

std::string report_json(const std::vector<Finding>& findings) {
  using detail::check::json_string;
  std::string out = "{\"count\": " + std::to_string(findings.size()) + ", \"findings\": [";
  bool first_finding = true;
  for (const Finding& f : findings) {
    out += first_finding ? "\n" : ",\n";
    first_finding = false;
    auto party = [](const Party& p) {
      return "{\"what\": " + json_string(p.what) + ", \"where\": " + json_string(p.where) +
             ", \"mode\": " + json_string(detail::check::mode_name(p.mode)) +
             ", \"submitted_by\": " + json_string(p.submitted_by) + "}";
    };
    out += "  {\"kind\": " + json_string(kind_name(f.kind)) + ", \"lo\": " + std::to_string(f.lo) +
           ", \"hi\": " + std::to_string(f.hi) + ", \"bytes\": " + std::to_string(f.hi - f.lo) +
           ", \"allocation\": " + std::to_string(f.alloc_base) + ", \"allocation_bytes\": " +
           std::to_string(f.alloc_bytes) + ", \"offset\": " +
           std::to_string(f.alloc_base != 0 && f.lo >= f.alloc_base ? f.lo - f.alloc_base : 0) +
           ", \"count\": " + std::to_string(f.count) + ", \"first\": " + party(f.first) +
           ", \"second\": " + party(f.second) + ", \"missing\": " + json_string(f.missing) + "}";
  }
  return out + "\n]}\n";
}

}  // namespace vnpu::checker
