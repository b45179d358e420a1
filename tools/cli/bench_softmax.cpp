// tools/cli/bench_softmax.cpp — `vnpu bench softmax`: softmax over the last axis of f32
// matrices (bench::row_cases()), as GB/s (one read and one write of the tensor) and as a
// percentage of the read and copy bandwidth measured through the same run (before the
// first case and again before each one: OpSuite::finish).
//
// Every case in two modes. "stream": each sample queues ops::softmax on a stream and
// synchronizes. "direct": each sample is one call of the synchronous form, which computes
// a one-block input on the calling thread and one block's share of a larger one beside
// the compute cores (as a program calls a peer library).
// Every case runs on all compute cores of the default device; its first and last rows
// are checked against float64 afterwards.
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
  for (const bench::RowCase& c : bench::row_cases()) {
    if (c.op != bench::RowOp::kSoftmax) continue;
    suite.sample_bandwidth();
    const auto n = static_cast<std::size_t>(c.numel());
    DeviceF32 x(dev, n);
    const DeviceF32 y(dev, n);
    bench::fill_row_input(c, x.host().data());
    x.upload();
    const std::vector<std::int64_t> shape = {c.rows, c.cols};
    const Tensor tx = x.tensor(shape);
    const Tensor ty = y.tensor(shape);
    for (const std::string mode : {"stream", "direct"}) {
      const std::string label = c.name() + "/" + mode;
      if (!o.json) note("  {}", label);
      const Summary ns = time_op(o, [&] {
        if (mode == "direct") {
          check_ok(ops::softmax(tx, ty));
        } else {
          check_ok(ops::softmax(stream, tx, ty));
          check_ok(stream.synchronize());
        }
      });
      verify_rows(c, x, y, label);
      suite.results.push_back(row_result(suite.name, c, mode, ns, suite.threads));
    }
  }
  return suite.finish();
}

}  // namespace vnpu::cli
