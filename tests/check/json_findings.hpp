// Checked-mode JSON reports (VNPU_CHECK_REPORT, `vnpu check --json`) in the tests.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace vnpu::test {

/// How many findings of each kind a report holds, by kind name ("read-after-write": 1).
inline std::map<std::string, int> kinds(const nlohmann::json& report) {
  std::map<std::string, int> k;
  for (const auto& f : report["findings"]) ++k[f["kind"].get<std::string>()];
  return k;
}

}  // namespace vnpu::test
