// aclAppLog: application log records on stderr (or stdout), filtered by level.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "capi/capi.hpp"

namespace {

// ASCEND_GLOBAL_LOG_LEVEL: 0 debug .. 3 error (the default), 4 nothing.
constexpr int kDefaultLevel = ACL_ERROR;
constexpr int kNoLog = 4;

int threshold() {
  static const int level = [] {
    const char* v = std::getenv("ASCEND_GLOBAL_LOG_LEVEL");
    if (v == nullptr || v[0] < '0' || v[0] > '4' || v[1] != '\0') return kDefaultLevel;
    return v[0] - '0';
  }();
  return level;
}

std::FILE* sink() {
  static std::FILE* const out = [] {
    const char* v = std::getenv("ASCEND_SLOG_PRINT_TO_STDOUT");
    return v != nullptr && std::strcmp(v, "1") == 0 ? stdout : stderr;
  }();
  return out;
}

const char* level_name(int level) {
  switch (level) {
    case ACL_DEBUG: return "DEBUG";
    case ACL_INFO: return "INFO";
    case ACL_WARNING: return "WARNING";
    default: return "ERROR";
  }
}

}  // namespace

extern "C" void aclAppLog(aclLogLevel logLevel, const char* func, const char* file, uint32_t line, const char* fmt,
                          ...) {
  const int level = vnpu::capi::enum_value(logLevel);
  if (fmt == nullptr || func == nullptr || file == nullptr) return;
  if (level < ACL_DEBUG || level > ACL_ERROR || threshold() == kNoLog || level < threshold()) return;
  // One record is formatted whole and written with one call, so records of several threads
  // never interleave.
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  char record[1400];
  const int n = std::snprintf(record, sizeof record, "[%s] %d:%ld %s %s:%u: %s\n", level_name(level),
                              static_cast<int>(getpid()), static_cast<long>(syscall(SYS_gettid)), func, file, line,
                              message);
  if (n <= 0) return;
  const std::size_t len = static_cast<std::size_t>(n) < sizeof record ? static_cast<std::size_t>(n) : sizeof record - 1;
  if (len == sizeof record - 1) record[len - 1] = '\n';
  std::fwrite(record, 1, len, sink());
  std::fflush(sink());
}
