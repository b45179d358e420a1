// A program profiled through the environment: VNPU_PROFILE=path makes vnpu record from the
// first device on and write the trace at exit. Launches argv[1] one-block kernels on a
// one-core device, then ends as argv[2] says:
//
//   return        (the default) leaves main without stopping the profiler; exits 0 if the
//                 profiler was still active, else 3
//   raise         raise(SIGSEGV)
//   fault         a store to a page without access: a real SIGSEGV
//   kernel-fault  the same inside a kernel, on a compute core's thread
//   fpe           raise(SIGFPE)
//   abort         std::abort()
//   terminate     an exception nobody catches (std::terminate)
//   disposition   prints "SIGSEGV handler: changed" or "... unchanged" (by creating the
//                 device) on stdout and exits 0
//
// With argv[3] = "chain", a SIGSEGV and SIGABRT handler is installed before the device is
// created; it prints "previous handler" on stderr and dies of the signal with the default
// action, as a crash reporter would.
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "vnpu/vnpu.hpp"

namespace {

void previous_handler(int sig) {
  constexpr char kLine[] = "previous handler\n";
  (void)!write(STDERR_FILENO, kLine, sizeof kLine - 1);
  signal(sig, SIG_DFL);
  raise(sig);
}

// A store to a page that allows no access: a real SIGSEGV (a null pointer would be caught
// by UBSan first in the sanitizer builds).
void faulting_store() {
  void* page = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) std::abort();
  *static_cast<volatile int*>(page) = 1;
}

bool same_action(const struct sigaction& a, const struct sigaction& b) {
  return a.sa_handler == b.sa_handler && a.sa_flags == b.sa_flags;
}

}  // namespace

int main(int argc, char** argv) {
  const int launches = argc > 1 ? std::atoi(argv[1]) : 10;
  const char* end = argc > 2 ? argv[2] : "return";
  if (argc > 3 && std::strcmp(argv[3], "chain") == 0) {
    signal(SIGSEGV, previous_handler);
    signal(SIGABRT, previous_handler);
  }
  struct sigaction before {};
  sigaction(SIGSEGV, nullptr, &before);
  vnpu::DeviceConfig c;
  c.compute_cores = 1;
  c.copy_engines = 1;
  c.memory_bytes = std::size_t{64} << 20;
  vnpu::Device dev = vnpu::Device::create(c).value();
  vnpu::Stream s = dev.create_stream().value();
  for (int i = 0; i < launches; ++i) vnpu::check(s.launch("env_kernel", 1, [](const vnpu::KernelContext&) {}));
  vnpu::check(s.synchronize());

  if (std::strcmp(end, "raise") == 0) raise(SIGSEGV);
  if (std::strcmp(end, "fault") == 0) faulting_store();
  if (std::strcmp(end, "kernel-fault") == 0) {
    vnpu::check(s.launch("faulting_kernel", 1, [](const vnpu::KernelContext&) { faulting_store(); }));
    (void)s.synchronize();
  }
  if (std::strcmp(end, "fpe") == 0) raise(SIGFPE);
  if (std::strcmp(end, "abort") == 0) std::abort();
  if (std::strcmp(end, "terminate") == 0) throw std::runtime_error("nobody catches this");
  if (std::strcmp(end, "disposition") == 0) {
    struct sigaction after {};
    sigaction(SIGSEGV, nullptr, &after);
    std::printf("SIGSEGV handler: %s\n", same_action(before, after) ? "unchanged" : "changed");
    return 0;
  }
  if (std::strcmp(end, "return") != 0) return 4;  // a crash mode that did not crash
  return vnpu::profiler::active() ? 0 : 3;
}
