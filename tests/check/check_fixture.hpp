// The checked-mode tests' fixture: checking on, three streams of the default device, two
// device buffers and a pinned one, and a kernel that declares what it reads and writes.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "vnpu/check.hpp"

namespace vnpu::test {

class CheckFixture : public ::testing::Test {
 protected:
  static constexpr std::size_t kBytes = 4096;

  void SetUp() override {
    checker::enable();
    checker::clear_findings();
    dev_ = Device::get(0).value();
    a_ = dev_.create_stream().value();
    b_ = dev_.create_stream().value();
    c_ = dev_.create_stream().value();
    x_ = dev_.malloc(kBytes).value();
    y_ = dev_.malloc(kBytes).value();
    host_ = dev_.malloc_host(kBytes).value();
  }
  void TearDown() override {
    ASSERT_OK(dev_.synchronize());
    checker::clear_findings();
    (void)vnpu::free(x_);
    (void)vnpu::free(y_);
    (void)vnpu::free_host(host_);
  }
  /// A kernel `name` that declares reading `n` bytes at `in` and writing `n` at `out`; it
  /// does nothing.
  static Status kernel(Stream& s, const char* name, const void* in, void* out, std::size_t n = kBytes) {
    const std::array<Access, 2> acc{Access{in, n, AccessMode::kRead}, Access{out, n, AccessMode::kWrite}};
    LaunchOptions lo;
    lo.accesses = acc;
    return s.launch(name, 1, lo, [](const KernelContext&) {});
  }
  static std::vector<checker::Finding> of_kind(checker::Kind k) {
    std::vector<checker::Finding> out;
    for (const checker::Finding& f : checker::findings())
      if (f.kind == k) out.push_back(f);
    return out;
  }
  /// The findings' kinds, in any order.
  static std::multiset<checker::Kind> kinds() {
    std::multiset<checker::Kind> k;
    for (const checker::Finding& f : checker::findings()) k.insert(f.kind);
    return k;
  }
  static std::string text() { return checker::report_text(checker::findings()); }

  Device dev_;
  Stream a_, b_, c_;
  void* x_ = nullptr;
  void* y_ = nullptr;
  void* host_ = nullptr;
};

}  // namespace vnpu::test
