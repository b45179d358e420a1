// kernel_source.hpp — what vnpu-cc reads and writes in Ascend C kernel sources: the
// `<<<blockDim, second, stream>>>` launches it rewrites into ordinary C++, the
// `__global__ __aicore__` kernels it finds, and the ACLRT_LAUNCH_KERNEL launchers it
// generates for them.
#pragma once

#include <string>
#include <vector>

namespace vnpu::ascendc_cc {

/// One parameter of a kernel: its type as written, its name, and the type the generated
/// launcher takes for it (`void*` for global-memory pointers, `const void*` — the host
/// address of the value, copied at the launch — for by-value structs, the type itself for
/// scalars).
struct Param {
  std::string type;
  std::string name;
  std::string launcher_type;
};

/// A kernel defined in a source: `[extern "C"] __global__ __aicore__ void name(params) {`.
struct Kernel {
  std::string name;
  std::vector<Param> params;
  int line = 0;  ///< 1-based line of `__global__`
};

/// The result of scanning a source.
struct Scan {
  std::string rewritten;        ///< the source with every <<<>>> launch rewritten
  int launches = 0;             ///< how many were rewritten
  std::vector<Kernel> kernels;  ///< the non-template kernels it defines, in order
  std::string error;            ///< empty, or "N: error: what is wrong" (N: the line)
};

/// Scans `source` (the text of a kernel file). Comments, string and character literals
/// are skipped. A launch `callee<<<a, b, c>>>(args)` — `callee` an identifier, possibly
/// qualified (`ns::k`) or with template arguments (`k<float>`) — becomes
/// `::vnpu::ascendc::chevron(callee, "callee", a, b, c)(args)`, on the same line, so
/// diagnostics keep their line numbers. Exactly three launch values are accepted.
Scan scan_source(const std::string& source);

/// The text of `aclrtlaunch_<kernel>.h`.
std::string launcher_header(const Kernel& k, const std::string& source_name);

/// The text of the translation unit that compiles `include_path` (the kernel source,
/// rewritten or not) and defines the launchers of `kernels`.
std::string launcher_unit(const std::vector<Kernel>& kernels, const std::string& include_path);

}  // namespace vnpu::ascendc_cc
