// vnpu/vnpu.hpp — everything: include this one header.
//
//   vnpu::Device dev = vnpu::Device::get(0).value();
//   vnpu::Stream s = dev.create_stream().value();
//   float* x = static_cast<float*>(dev.malloc(n * sizeof(float)).value());
//   vnpu::check(s.memcpy_async(x, n * 4, host, n * 4, vnpu::CopyKind::kHostToDevice));
//   vnpu::check(s.launch("scale", 4, [=](const vnpu::KernelContext& k) { ... }));
//   vnpu::check(s.synchronize());
#pragma once

#include "vnpu/device.hpp"
#include "vnpu/dtype.hpp"
#include "vnpu/event.hpp"
#include "vnpu/check.hpp"
#include "vnpu/kernel.hpp"
#include "vnpu/memory.hpp"
#include "vnpu/ops/norm.hpp"
#include "vnpu/ops/reduce.hpp"
#include "vnpu/ops/softmax.hpp"
#include "vnpu/platform.hpp"
#include "vnpu/profiler.hpp"
#include "vnpu/soc.hpp"
#include "vnpu/status.hpp"
#include "vnpu/stream.hpp"
#include "vnpu/tensor.hpp"
#include "vnpu/version.hpp"
