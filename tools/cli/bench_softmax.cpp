// tools/cli/bench_softmax.cpp — `vnpu bench softmax`: softmax over the last axis of f32
// matrices (bench::row_cases()), as GB/s (one read and one write of the tensor) and as a
// percentage of the read and copy bandwidth measured through the same run (before the
// first case and again before each one: OpSuite::finish).
//
// Every case in two modes, timed in rounds (OpSuite::run_rounds). "stream": each sample
// queues ops::softmax on a stream and synchronizes. "direct": each sample is one call of
// the synchronous form, which computes a one-block input on the calling thread and one
// block's share of a larger one beside the compute cores (as a program calls a peer
// library).
// Every case runs on all compute cores of the default device; its first and last rows
// are checked against float64 afterwards.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench_rows.hpp"
#include "vnpu/ops/softmax.hpp"
#include "vnpu/vnpu.hpp"

namespace vnpu::cli {

std::vector<BenchResult> run_softmax_suite(const BenchOptions& o) {
  OpSuite suite("softmax", o);
  const Device& dev = suite.dev;
  const Stream& stream = suite.stream;
  struct Buffers {
    Buffers(const Device& d, std::size_t n) : x(d, n), y(d, n) {}
    DeviceF32 x, y;
    Tensor tx, ty;
  };
  std::vector<std::unique_ptr<Buffers>> buffers;  // every case's, alive through the rounds
  std::vector<TimedCase> cases;
  for (const bench::RowCase& c : bench::row_cases()) {
    if (c.op != bench::RowOp::kSoftmax) continue;
    const auto n = static_cast<std::size_t>(c.numel());
    const std::vector<std::int64_t> shape = {c.rows, c.cols};
    auto b = std::make_unique<Buffers>(dev, n);
    bench::fill_row_input(c, b->x.host().data());
    b->x.upload();
    b->tx = b->x.tensor(shape);
    b->ty = b->y.tensor(shape);
    const Buffers* bp = b.get();
    buffers.push_back(std::move(b));
    for (const std::string mode : {"stream", "direct"}) {
      TimedCase t;
      t.label = c.name() + "/" + mode;
      if (mode == "direct") {
        t.call = [bp] { check_ok(ops::softmax(bp->tx, bp->ty)); };
      } else {
        t.call = [bp, &stream] {
          check_ok(ops::softmax(stream, bp->tx, bp->ty));
          check_ok(stream.synchronize());
        };
      }
      // y holds the output of the case timed last: compute this one again before checking.
      t.verify = [c, bp, call = t.call, label = t.label] {
        call();
        verify_rows(c, bp->x, bp->y, label);
      };
      t.record = [&suite, c, mode](const Summary& ns) { return row_result(suite.name, c, mode, ns, suite.threads); };
      cases.push_back(std::move(t));
    }
  }
  suite.run_rounds(cases);
  return suite.finish();
}

}  // namespace vnpu::cli
