// tools/cli/bench_softmax.cpp — `vnpu bench softmax`: softmax over the last axis of f32
// matrices, down the columns of one, along the middle axis of a 3-D tensor and over the
// rows of bf16 and f16 matrices (bench::row_cases()), as GB/s (one read and one write of
// the tensor) and as a percentage of the read and copy bandwidth measured through the
// same run (before the first case and again before each one: OpSuite::finish).
//
// Every case in two modes, timed in rounds (OpSuite::run_rounds). "stream": each sample
// queues ops::softmax on a stream and synchronizes. "direct": each sample is one call of
// the synchronous form, which computes a one-block input on the calling thread and one
// block's share of a larger one beside the compute cores (as a program calls a peer
// library).
// Every case runs on all compute cores of the default device; its first and last vectors
// are checked against float64 afterwards.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bench_rows.hpp"
#include "device_buffer.hpp"
#include "vnpu/memory.hpp"
#include "vnpu/ops/softmax.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

std::vector<BenchResult> run_softmax_suite(const BenchOptions& o) {
  OpSuite suite("softmax", o);
  const Device& dev = suite.dev;
  const Stream& stream = suite.stream;
  // The input on the host (for the reference) and on the device, and the output.
  struct Buffers {
    Buffers(const Device& d, std::size_t bytes) : host(bytes), x(d, bytes), y(d, bytes) {}
    std::vector<std::byte> host;
    DeviceBuffer x, y;
    Tensor tx, ty;
  };
  std::vector<std::unique_ptr<Buffers>> buffers;  // every case's, alive through the rounds
  std::vector<TimedCase> cases;
  for (const bench::RowCase& c : bench::row_cases()) {
    if (c.op != bench::RowOp::kSoftmax) continue;
    const std::size_t bytes = c.bytes() / 2;
    const std::span<const std::int64_t> shape(c.shape);
    auto b = std::make_unique<Buffers>(dev, bytes);
    bench::fill_row_input(c, b->host.data());
    check(vnpu::memcpy(b->x.get(), bytes, b->host.data(), bytes, CopyKind::kHostToDevice));
    b->tx = Tensor(b->x.get(), c.dtype, shape);
    b->ty = Tensor(b->y.get(), c.dtype, shape);
    const ops::SoftmaxOptions options{.axis = c.axis};
    const Buffers* bp = b.get();
    buffers.push_back(std::move(b));
    for (const std::string mode : {"stream", "direct"}) {
      TimedCase t;
      t.label = c.name() + "/" + mode;
      if (mode == "direct") {
        t.call = [bp, options] { check_ok(ops::softmax(bp->tx, bp->ty, options)); };
      } else {
        t.call = [bp, options, &stream] {
          check_ok(ops::softmax(stream, bp->tx, bp->ty, options));
          check_ok(stream.synchronize());
        };
      }
      // y holds the output of the case timed last: compute this one again before checking.
      t.verify = [c, bp, call = t.call, label = t.label] {
        call();
        verify_rows(c, bp->host.data(), bp->y.get(), label);
      };
      t.record = [&suite, c, mode](const Summary& ns) { return row_result(suite.name, c, mode, ns, suite.threads); };
      cases.push_back(std::move(t));
    }
  }
  suite.run_rounds(cases);
  return suite.finish();
}

}  // namespace vnpu::cli
