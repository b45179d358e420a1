// consumer.cpp — scales a vector on a vnpu device, the asynchronous way.
//
// Copy host -> device, launch a kernel over 4 blocks, copy device -> host: all three
// are queued on one stream and run in order on the device's copy engine and compute
// cores while the host goes on; synchronize() waits for them. Prints "OK" and exits 0
// when every element is right, exits 1 otherwise.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <vnpu/vnpu.hpp>

int main() {
  constexpr std::size_t n = 1 << 20;
  constexpr std::size_t bytes = n * sizeof(float);
  constexpr std::uint32_t blocks = 4;
  constexpr float factor = 2.5f;

  try {
    // vnpu::check() and Expected::value() throw vnpu::Error on failure.
    vnpu::Device dev = vnpu::Device::get(0).value();
    vnpu::Stream stream = dev.create_stream().value();
    float* x = static_cast<float*>(dev.malloc(bytes).value());

    std::vector<float> host(n), result(n, 0.0f);
    for (std::size_t i = 0; i < n; ++i) host[i] = static_cast<float>(i % 1000);

    vnpu::check(stream.memcpy_async(x, bytes, host.data(), bytes, vnpu::CopyKind::kHostToDevice));
    // Each block scales one contiguous slice; the 4 blocks run on the compute cores.
    vnpu::check(stream.launch("scale", blocks, [x](const vnpu::KernelContext& k) {
      const std::size_t chunk = (n + k.block_dim() - 1) / k.block_dim();
      const std::size_t begin = k.block_idx() * chunk;
      const std::size_t end = begin + chunk < n ? begin + chunk : n;
      for (std::size_t i = begin; i < end; ++i) x[i] *= factor;
    }));
    vnpu::check(stream.memcpy_async(result.data(), bytes, x, bytes, vnpu::CopyKind::kDeviceToHost));
    vnpu::check(stream.synchronize());
    vnpu::check(vnpu::free(x));

    for (std::size_t i = 0; i < n; ++i) {
      if (result[i] != host[i] * factor) {
        std::fprintf(stderr, "mismatch at %zu: got %g, want %g\n", i, static_cast<double>(result[i]),
                     static_cast<double>(host[i] * factor));
        return 1;
      }
    }
    std::printf("OK: %zu floats scaled by %g over %u blocks on %s (%d compute cores)\n", n,
                static_cast<double>(factor), blocks, dev.info().name.c_str(), dev.info().compute_cores);
    return 0;
  } catch (const vnpu::Error& e) {
    std::fprintf(stderr, "vnpu error %s: %s\n", vnpu::status_name(e.status()), e.what());
    return 1;
  }
}
