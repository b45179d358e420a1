// bench/ops/reduce_onednn.cpp — oneDNN's reduction primitive (algorithm reduction_sum or
// reduction_max; main registers it for no other op).
//
// The destination has the source's rank with 1 in every reduced axis ({1, cols} for a
// column sum, {rows, 1} for a row sum, {1} for a full 1-D sum, {1, 256, 1, 1} for NCHW
// over N, H and W) and is f32 for every source dtype, as vnpu's output is. The primitive is created once per case outside the timed
// loop; each iteration executes it on a stream and waits. oneDNN's threads come from its
// CPU runtime (OpenMP in Debian's build: omp_set_num_threads, set by main). The label
// names the implementation oneDNN chose (e.g. "jit:uni" or "ref:any").
#include <oneapi/dnnl/dnnl.hpp>

#include <string>

#include "reduce_peers.hpp"

namespace vnpu::bench {

void bench_onednn(benchmark::State& state, const PeerCase& pc) {
  using dnnl::memory;
  const ReduceCase& c = pc.c;
  const memory::dims src_dims(c.shape.begin(), c.shape.end());
  memory::dims dst_dims = src_dims;
  for (int a : c.axes) dst_dims[static_cast<std::size_t>(a)] = 1;
  // Dense row-major at every rank the cases use.
  const memory::format_tag tags[] = {memory::format_tag::a, memory::format_tag::ab, memory::format_tag::abc,
                                     memory::format_tag::abcd};
  const memory::format_tag tag = tags[c.shape.size() - 1];
  const dnnl::algorithm alg =
      c.op == ops::ReduceOp::kMax ? dnnl::algorithm::reduction_max : dnnl::algorithm::reduction_sum;
  memory::data_type src_type = memory::data_type::f32;
  if (c.dtype == DType::kBF16) src_type = memory::data_type::bf16;
  if (c.dtype == DType::kF16) src_type = memory::data_type::f16;

  try {
    const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    const memory::desc src_md(src_dims, src_type, tag);
    const memory::desc dst_md(dst_dims, memory::data_type::f32, tag);
    const dnnl::reduction::desc desc(alg, src_md, dst_md, 0.0f, 0.0f);
    const dnnl::reduction::primitive_desc pd(desc, engine);
    const dnnl::reduction prim(pd);
    memory src(src_md, engine, const_cast<void*>(pc.src));
    memory dst(dst_md, engine, pc.dst);
    state.SetLabel(pd.impl_info_str());
    for (auto _ : state) {
      prim.execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
      stream.wait();
    }
  } catch (const dnnl::error& e) {
    // e.g. f16 on a CPU without AVX512-FP16: oneDNN 2.x has no implementation to offer.
    std::string msg = "oneDNN has no implementation for this case (";
    msg += e.what();
    msg += ')';
    return state.SkipWithError(msg.c_str());
  }
  finish(state, pc);
}

}  // namespace vnpu::bench
