// vnpu-cc's reading of kernel sources: <<<>>> launches rewritten (and only those), the
// kernels found with their parameters, and the launcher header and unit it writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "kernel_source.hpp"

namespace {

using vnpu::ascendc_cc::scan_source;

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(KernelSource, RewritesALaunchIntoAChevronCallOnTheSameLine) {
  const std::string src =
      "void add_custom_do(uint32_t blockDim, void* l2ctrl, void* stream, uint8_t* x) {\n"
      "  add_custom<<<blockDim, l2ctrl, stream>>>(x);\n"
      "}\n";
  const auto scan = scan_source(src);
  ASSERT_EQ(scan.error, "");
  EXPECT_EQ(scan.launches, 1);
  EXPECT_NE(scan.rewritten.find("::vnpu::ascendc::chevron(add_custom, \"add_custom\",blockDim, l2ctrl, stream)(x);"),
            std::string::npos)
      << scan.rewritten;
  EXPECT_EQ(lines(scan.rewritten), lines(src));
}

TEST(KernelSource, QualifiedAndTemplateCalleesAndMultiLineValues) {
  const std::string src =
      "void f() {\n"
      "  ns::k<float, 4><<<8,\n"
      "      nullptr, s>>>(a, b);\n"
      "  g <<< n, 0, s >>> ();\n"
      "}\n";
  const auto scan = scan_source(src);
  ASSERT_EQ(scan.error, "");
  EXPECT_EQ(scan.launches, 2);
  EXPECT_NE(scan.rewritten.find("::vnpu::ascendc::chevron(ns::k<float, 4>, \"ns::k<float,4>\",8,"), std::string::npos)
      << scan.rewritten;
  EXPECT_NE(scan.rewritten.find("::vnpu::ascendc::chevron(g, \"g\", n, 0, s )"), std::string::npos) << scan.rewritten;
  EXPECT_EQ(lines(scan.rewritten), lines(src)) << "line numbers are kept";
}

TEST(KernelSource, CommentsStringsAndShiftsAreLeftAlone) {
  const std::string src =
      "// k<<<1, nullptr, s>>>() in a comment\n"
      "/* and k<<<1, nullptr, s>>>() here */\n"
      "const char* t = \"k<<<1, nullptr, s>>>()\";\n"
      "char c = '<';\n"
      "int x = a << 3 >> 1;\n";
  const auto scan = scan_source(src);
  ASSERT_EQ(scan.error, "");
  EXPECT_EQ(scan.launches, 0);
  EXPECT_EQ(scan.rewritten, src);
}

TEST(KernelSource, MalformedLaunchesAreErrorsWithTheirLine) {
  EXPECT_EQ(scan_source("\n\nk<<<1, s>>>();\n").error.rfind("3: error:", 0), 0u);
  EXPECT_NE(scan_source("k<<<1, s>>>();\n").error.find("takes 3 values"), std::string::npos);
  EXPECT_NE(scan_source("k<<<1, nullptr, s;\n").error.find("without >>>"), std::string::npos);
  EXPECT_NE(scan_source("x = (<<<1, nullptr, s>>>)();\n").error.find("no kernel name"), std::string::npos);
}

TEST(KernelSource, FindsKernelDefinitionsWithTheirParameters) {
  const std::string src =
      "extern \"C\" __global__ __aicore__ void add_custom(GM_ADDR x, __gm__ uint8_t* y, const uint32_t n,\n"
      "                                                 AddTiling tiling) {\n"
      "}\n"
      "extern \"C\" __global__ __aicore__ void declared_only(GM_ADDR x);\n"
      "template <typename T> __global__ __aicore__ void templated(GM_ADDR x) {}\n"
      "__global__ __aicore__ void no_args() {}\n";
  const auto scan = scan_source(src);
  ASSERT_EQ(scan.error, "");
  ASSERT_EQ(scan.kernels.size(), 2u) << "definitions only, templates have no launcher";
  const auto& k = scan.kernels[0];
  EXPECT_EQ(k.name, "add_custom");
  EXPECT_EQ(k.line, 1);
  ASSERT_EQ(k.params.size(), 4u);
  EXPECT_EQ(k.params[0].name, "x");
  EXPECT_EQ(k.params[0].launcher_type, "void*");
  EXPECT_EQ(k.params[1].launcher_type, "void*");
  EXPECT_EQ(k.params[2].type, "const uint32_t");
  EXPECT_EQ(k.params[2].launcher_type, "uint32_t");
  EXPECT_EQ(k.params[3].name, "tiling");
  EXPECT_EQ(k.params[3].launcher_type, "const void*") << "a by-value struct: its host address";
  EXPECT_EQ(scan.kernels[1].name, "no_args");
  EXPECT_TRUE(scan.kernels[1].params.empty());
}

TEST(KernelSource, LauncherHeaderAndUnit) {
  const auto scan = scan_source("extern \"C\" __global__ __aicore__ void k(GM_ADDR x, float a) {}\n");
  ASSERT_EQ(scan.kernels.size(), 1u);
  const std::string h = vnpu::ascendc_cc::launcher_header(scan.kernels[0], "k.cpp");
  EXPECT_NE(h.find("#define ACLRT_LAUNCH_KERNEL(kernel) aclrtlaunch_##kernel"), std::string::npos);
  EXPECT_NE(h.find("uint32_t aclrtlaunch_k(uint32_t blockDim, aclrtStream stream, void* x, float a);"),
            std::string::npos)
      << h;
  EXPECT_NE(h.find("#include \"acl/acl_base.h\""), std::string::npos);
  const std::string u = vnpu::ascendc_cc::launcher_unit(scan.kernels, "/src/k.cpp");
  EXPECT_NE(u.find("#include \"/src/k.cpp\""), std::string::npos);
  EXPECT_NE(u.find("::vnpu::ascendc::launch_kernel(\"k\", &k, blockDim, stream, x, a)"), std::string::npos) << u;
}

}  // namespace
