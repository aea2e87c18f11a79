// One pass of an activation queued on a stream, shared by the GpuArray and host-array calls
// (launch.cpp) and the benchmark's timer (checks.cpp).
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <cstddef>
#include <string>

#include "args.h"

namespace ak {
namespace gpu {

// Queues one pass on stream s. For paramGrad the sums are left at sums_scratch[0..k).
void queue_pass(Pass pass, const Steps& f, const float* x, const float* dy, float* out, size_t n,
                double* sums_scratch, cudaStream_t s);
// "mish forward kernel (n = 1000)": how errors name a queued kernel.
std::string kernel_label(Pass pass, const Steps& f, size_t n);
// Doubles of device scratch queue_pass needs for this pass (0 unless paramGrad).
size_t sums_scratch_size(Pass pass, const Steps& f, size_t n);

}  // namespace gpu
}  // namespace ak
