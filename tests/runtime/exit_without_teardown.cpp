// A program that leaves devices, streams and queued work in globals and ends without
// tearing anything down. Run by CTest: it must exit with status 0, without hanging and
// without crashing in static destructors.
//
//   vnpu_exit_without_teardown return   # return from main
//   vnpu_exit_without_teardown exit     # std::exit(0) from main
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "vnpu/vnpu.hpp"

namespace {

// Pageable source of the copies (consumed at submission). Pending copies only write
// device and pinned memory, which the runtime owns: a pageable destination would have to
// outlive the pending copy, and static destruction does not wait for it.
std::vector<unsigned char> g_host(1 << 20, 1);
std::atomic<int> g_ran{0};

// Destroyed during static destruction, in some order relative to the runtime's own statics.
vnpu::Device g_global_device;
vnpu::Device g_created_device;
vnpu::Stream g_streams[3];
vnpu::Event g_event;
void* g_device_buffer = nullptr;
void* g_pinned_buffer = nullptr;

constexpr std::size_t kBytes = 1 << 20;

int fail(const char* what) {
  std::fprintf(stderr, "exit_without_teardown: %s failed: %s\n", what, vnpu::last_error_message());
  return 1;
}

int submit_work() {
  g_global_device = vnpu::Device::get(0).value();
  vnpu::DeviceConfig c;
  c.compute_cores = 2;
  c.copy_engines = 1;
  c.memory_bytes = std::size_t{64} << 20;
  g_created_device = vnpu::Device::create(c).value();
  g_streams[0] = g_global_device.default_stream();
  g_streams[1] = g_created_device.create_stream().value();
  g_streams[2] = g_created_device.default_stream();
  g_event = vnpu::Event::create().value();
  g_device_buffer = g_created_device.malloc(kBytes).value();
  g_pinned_buffer = g_created_device.malloc_host(kBytes).value();

  // Enough queued work that plenty is still pending when main ends.
  for (int i = 0; i < 50; ++i) {
    for (vnpu::Stream& s : g_streams) {
      if (s.launch("sleepy", 2, [](const vnpu::KernelContext&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            g_ran.fetch_add(1);
          }) != vnpu::Status::kSuccess)
        return fail("launch");
      if (s.host_func("cb", [] { g_ran.fetch_add(1); },
                      i % 2 ? vnpu::CallbackMode::kBlocking : vnpu::CallbackMode::kNonBlocking) !=
          vnpu::Status::kSuccess)
        return fail("host_func");
    }
    vnpu::Stream& s = g_streams[1];
    if (s.memcpy_async(g_device_buffer, kBytes, g_host.data(), kBytes, vnpu::CopyKind::kHostToDevice) !=
        vnpu::Status::kSuccess)
      return fail("memcpy_async");
    if (s.memset_async(g_pinned_buffer, kBytes, i, kBytes) != vnpu::Status::kSuccess) return fail("memset_async");
    if (s.memcpy_async(g_pinned_buffer, kBytes, g_device_buffer, kBytes, vnpu::CopyKind::kDeviceToHost) !=
        vnpu::Status::kSuccess)
      return fail("memcpy_async");
    if (s.record(g_event) != vnpu::Status::kSuccess) return fail("record");
    if (g_streams[0].wait(g_event) != vnpu::Status::kSuccess) return fail("wait");
  }
  // A local stream whose handle is dropped right away, with work pending.
  vnpu::Stream local = g_created_device.create_stream().value();
  if (local.launch("orphan", 4, [](const vnpu::KernelContext&) { g_ran.fetch_add(1); }) != vnpu::Status::kSuccess)
    return fail("launch");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool use_exit = argc > 1 && std::strcmp(argv[1], "exit") == 0;
  if (int rc = submit_work(); rc != 0) return rc;
  if (use_exit) std::exit(0);
  return 0;
}
