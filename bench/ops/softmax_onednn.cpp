// bench/ops/softmax_onednn.cpp — oneDNN's softmax primitive (softmax_v2, algorithm
// softmax_accurate, forward inference) over axis 1 of the [rows, cols] f32 matrix.
//
// The primitive is created once per case outside the timed loop; each iteration executes
// it on a stream and waits. oneDNN's threads come from its CPU runtime (OpenMP in Debian's
// build: omp_set_num_threads, set by main). The label names the implementation chosen.
#include <oneapi/dnnl/dnnl.hpp>

#include <string>

#include "norm_peers.hpp"

namespace vnpu::bench {

void bench_onednn_softmax(benchmark::State& state, const RowPeerCase& pc) {
  using dnnl::memory;
  try {
    const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    const memory::desc md({pc.c.rows, pc.c.cols}, memory::data_type::f32, memory::format_tag::ab);
    const dnnl::softmax_v2_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_accurate,
                                              md, md, 1);
    const dnnl::softmax_v2_forward::primitive_desc pd(desc, engine);
    const dnnl::softmax_v2_forward prim(pd);
    memory src(md, engine, const_cast<float*>(pc.x));
    memory dst(md, engine, pc.y);
    state.SetLabel(pd.impl_info_str());
    for (auto _ : state) {
      prim.execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
      stream.wait();
    }
  } catch (const dnnl::error& e) {
    return state.SkipWithError((std::string("oneDNN: ") + e.what()).c_str());
  }
  finish_rows(state, pc);
}

}  // namespace vnpu::bench
