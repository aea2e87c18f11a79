// One pass of an activation queued on a stream, shared by the GpuArray and host-array calls
// (launch.cpp) and the benchmark's timer (checks.cpp).
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <cstddef>
#include <memory>
#include <string>

#include "args.h"

namespace ak {
namespace gpu {

// What a pass runs: the program's steps, and the element type of its arrays: float32 (half < 0)
// or a Half format, with the bounds and exact program the half kernels take for the pass.
struct Work {
  Steps f;
  int half = -1;
  std::shared_ptr<const HalfArgs> args;
  size_t elem() const { return half < 0 ? 4 : 2; }
};
// The program at argument code and the format at argument format (undefined: float32).
Work work_arg(const Napi::CallbackInfo& info, Pass pass, size_t code, size_t format);

// Queues one pass on stream s over arrays of w's element type. For paramGrad the sums are left
// at sums_scratch[0..k).
void queue_pass(Pass pass, const Work& w, const void* x, const void* dy, void* out, size_t n,
                double* sums_scratch, cudaStream_t s);
// "mish forward kernel (n = 1000)": how errors name a queued kernel.
std::string kernel_label(Pass pass, const Steps& f, size_t n);
// Doubles of device scratch queue_pass needs for this pass (0 unless paramGrad).
size_t sums_scratch_size(Pass pass, const Steps& f, size_t n);

}  // namespace gpu
}  // namespace ak
