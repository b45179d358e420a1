// ISA selection (vnpu/platform.hpp): the list of ISAs, forcing each one, lifting the
// restriction with "native", and refusing names this CPU cannot run.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "kernel/kernel_support.hpp"
#include "vnpu/platform.hpp"

namespace vnpu {
namespace {

TEST(Isa, ListIsBestFirstAndEndsWithScalar) {
  const std::vector<std::string> isas = available_isas();
  ASSERT_FALSE(isas.empty());
  EXPECT_EQ(isas.back(), "scalar");
  const std::set<std::string> known = {"avx512", "avx2", "sse4", "neon", "sve", "sve2", "scalar"};
  std::set<std::string> seen;
  for (const std::string& i : isas) {
    EXPECT_TRUE(known.count(i)) << "unknown ISA name " << i;
    EXPECT_TRUE(seen.insert(i).second) << "listed twice: " << i;
  }
  // Best first: the documented order of the x86 names.
  const std::vector<std::string> order = {"avx512", "avx2", "sse4", "scalar"};
  std::vector<std::string> x86;
  for (const std::string& i : isas)
    if (std::find(order.begin(), order.end(), i) != order.end()) x86.push_back(i);
  EXPECT_TRUE(std::is_sorted(x86.begin(), x86.end(), [&](const std::string& a, const std::string& b) {
    return std::find(order.begin(), order.end(), a) < std::find(order.begin(), order.end(), b);
  }));
}

TEST(Isa, EachIsaCanBeForcedAndNativeRestoresTheBest) {
  const std::vector<std::string> isas = available_isas();
  ASSERT_OK(set_isa("native"));
  EXPECT_EQ(active_isa(), isas.front());
  for (const std::string& i : isas) {
    ASSERT_OK(set_isa(i)) << last_error_message();
    EXPECT_EQ(active_isa(), i);
  }
  ASSERT_OK(set_isa("native"));
  EXPECT_EQ(active_isa(), isas.front());
}

TEST(Isa, UnknownOrUnavailableNamesAreRefused) {
  ASSERT_OK(set_isa("scalar"));
  for (const char* bad : {"bogus", "", "AVX2", "native ", "x86"}) {
    EXPECT_EQ(set_isa(bad), Status::kInvalidArgument) << "'" << bad << "'";
    const std::string msg = last_error_message();
    EXPECT_TRUE(test::contains_nocase(msg, "scalar")) << "the message should list the choices: " << msg;
    EXPECT_EQ(active_isa(), "scalar") << "a refused set_isa must change nothing";
  }
  const std::vector<std::string> isas = available_isas();
  for (const char* other : {"avx512", "avx2", "sse4", "neon", "sve", "sve2"}) {
    if (std::find(isas.begin(), isas.end(), other) != isas.end()) continue;
    EXPECT_EQ(set_isa(other), Status::kInvalidArgument) << other << " is not available here";
  }
  ASSERT_OK(set_isa("native"));
}

}  // namespace
}  // namespace vnpu
