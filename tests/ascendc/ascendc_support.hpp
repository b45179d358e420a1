// What the Ascend C tests share: running a kernel body and checking how it failed.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>

#include "kernel_operator.h"
#include "tikicpulib.h"

namespace ascendc_test {

/// Runs `body` as kernel `name` over `blocks` blocks; kSuccess or the failure, with its
/// message in `*message` when given.
inline vnpu::Status run(const char* name, std::uint32_t blocks, std::function<void()> body,
                        std::string* message = nullptr) {
  const vnpu::Status st = vnpu::ascendc::run_kernel(name, blocks, std::move(body));
  if (message != nullptr) *message = st == vnpu::Status::kSuccess ? "" : vnpu::ascendc::last_error_message();
  return st;
}

/// Expects `body` to fail the kernel with a message containing every one of `parts`.
inline void expect_failure(std::uint32_t blocks, std::function<void()> body, std::initializer_list<const char*> parts) {
  std::string message;
  EXPECT_EQ(run("failing_kernel", blocks, std::move(body), &message), vnpu::Status::kTaskFailed);
  for (const char* part : parts) EXPECT_NE(message.find(part), std::string::npos) << "'" << part << "' not in: " << message;
}

/// Global memory of `n` elements of T (GmAlloc, zeroed), freed at scope exit.
template <typename T>
class Gm {
 public:
  explicit Gm(std::size_t n) : n_(n), p_(static_cast<T*>(AscendC::GmAlloc(n * sizeof(T)))) {}
  ~Gm() { AscendC::GmFree(p_); }
  Gm(const Gm&) = delete;
  Gm& operator=(const Gm&) = delete;
  T* get() const { return p_; }
  GM_ADDR addr() const { return reinterpret_cast<GM_ADDR>(p_); }
  T& operator[](std::size_t i) const { return p_[i]; }
  std::size_t size() const { return n_; }

 private:
  std::size_t n_;
  T* p_;
};

/// The usual start of a test kernel: a GlobalTensor over `n` elements at `gm` and a TBuf
/// of `ub_bytes` in the UB (build it inside the kernel).
template <typename T>
struct Staged {
  Staged(T* gm, std::uint64_t n, std::uint32_t ub_bytes) {
    global.SetGlobalBuffer(gm, n);
    pipe.InitBuffer(buf, ub_bytes);
  }
  AscendC::LocalTensor<T> local() { return buf.template Get<T>(); }
  AscendC::GlobalTensor<T> global;
  AscendC::TPipe pipe;
  AscendC::TBuf<> buf;
};

}  // namespace ascendc_test
