// A program profiled through the environment: VNPU_PROFILE=path makes vnpu record from the
// first device on and write the trace at exit. Launches argv[1] one-block kernels on a
// one-core device, then leaves main without stopping the profiler.
#include <cstdlib>

#include "vnpu/vnpu.hpp"

int main(int argc, char** argv) {
  const int launches = argc > 1 ? std::atoi(argv[1]) : 10;
  vnpu::DeviceConfig c;
  c.compute_cores = 1;
  c.copy_engines = 1;
  c.memory_bytes = std::size_t{64} << 20;
  vnpu::Device dev = vnpu::Device::create(c).value();
  vnpu::Stream s = dev.create_stream().value();
  for (int i = 0; i < launches; ++i) vnpu::check(s.launch("env_kernel", 1, [](const vnpu::KernelContext&) {}));
  vnpu::check(s.synchronize());
  return vnpu::profiler::active() ? 0 : 3;
}
