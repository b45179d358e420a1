// bench/ops/norm_onednn.cpp — oneDNN's layer normalization primitive (forward inference,
// statistics computed by the primitive, separate scale and shift: use_scale | use_shift)
// over the last axis of the [rows, cols] f32 matrix. oneDNN 2.x has no RMS normalization,
// so rms_norm cases are skipped with that reason.
//
// Created once per case outside the timed loop; each iteration executes and waits.
#include <oneapi/dnnl/dnnl.hpp>

#include <string>

#include "norm_peers.hpp"

namespace vnpu::bench {

void bench_onednn_norm(benchmark::State& state, const RowPeerCase& pc) {
  using dnnl::memory;
  if (pc.c.op != RowOp::kLayerNorm) return state.SkipWithError("oneDNN 2.x has no RMS normalization");
  try {
    const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    const memory::desc md({pc.c.rows(), pc.c.cols()}, memory::data_type::f32, memory::format_tag::ab);
    const memory::desc param_md({pc.c.cols()}, memory::data_type::f32, memory::format_tag::a);
    const dnnl::layer_normalization_forward::desc desc(
        dnnl::prop_kind::forward_inference, md, static_cast<float>(pc.c.eps()),
        dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift);
    const dnnl::layer_normalization_forward::primitive_desc pd(desc, engine);
    const dnnl::layer_normalization_forward prim(pd);
    memory src(md, engine, const_cast<void*>(pc.x));
    memory dst(md, engine, pc.y);
    memory scale(param_md, engine, const_cast<float*>(pc.gamma));
    memory shift(param_md, engine, const_cast<float*>(pc.beta));
    state.SetLabel(pd.impl_info_str());
    for (auto _ : state) {
      prim.execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}, {DNNL_ARG_SCALE, scale},
                            {DNNL_ARG_SHIFT, shift}});
      stream.wait();
    }
  } catch (const dnnl::error& e) {
    return state.SkipWithError((std::string("oneDNN: ") + e.what()).c_str());
  }
  finish_rows(state, pc);
}

}  // namespace vnpu::bench
