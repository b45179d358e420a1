// bench/ops/softmax_onednn.cpp — oneDNN's softmax primitive (softmax_v2, algorithm
// softmax_accurate, forward inference) along the case's axis of its dense row-major
// tensor, in its dtype (f32, bf16 or f16: src and dst alike).
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
    const memory::format_tag tags[] = {memory::format_tag::a, memory::format_tag::ab, memory::format_tag::abc};
    memory::data_type type = memory::data_type::f32;
    if (pc.c.dtype == DType::kBF16) type = memory::data_type::bf16;
    if (pc.c.dtype == DType::kF16) type = memory::data_type::f16;
    const memory::desc md(memory::dims(pc.c.shape.begin(), pc.c.shape.end()), type, tags[pc.c.shape.size() - 1]);
    const dnnl::softmax_v2_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::softmax_accurate,
                                              md, md, pc.c.axis);
    const dnnl::softmax_v2_forward::primitive_desc pd(desc, engine);
    const dnnl::softmax_v2_forward prim(pd);
    memory src(md, engine, const_cast<void*>(pc.x));
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
